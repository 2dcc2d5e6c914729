import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../src/db/embedded';

export { freePort };

export const ROOT = path.resolve(__dirname, '../..');

export type Started = { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> };

/**
 * Runs `npm start`'s entry point (or another, e.g. a benchmark's floor) as a separate process with only the
 * given environment. tsx is loaded into that process rather than run as a CLI: the CLI relays signals to a
 * child and may kill it before its SIGTERM handler has finished, which made clean stops flaky under load.
 */
export function startMain(env: Record<string, string>, script = 'src/main.ts'): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves once GET /healthz answers 200. */
export function waitHealthy(port: number, timeoutMs: number): Promise<unknown> {
  return waitUntil(
    `http://127.0.0.1:${port}/healthz`,
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      return res.status === 200 ? res.json() : undefined;
    },
    timeoutMs,
  );
}

/** The bot (`npm start`'s entry point) as a separate process, and the port it listens on. */
export type Bot = { run: Started; port: number };

/**
 * Starts the real bot on a test database, talking to the Slack emulator (HTTP mode, a signing secret made up
 * for the run), with `env` on top; resolves once it answers /healthz, or fails with what it printed.
 */
export async function startBot(
  db: { url: string },
  slack: { botToken: string; apiUrl: string },
  env: Record<string, string> = {},
): Promise<Bot> {
  const port = await freePort();
  const run = startMain({
    PORT: String(port),
    DATABASE_URL: db.url,
    TRUSTOPS_MIGRATE_ON_START: 'false',
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
    SLACK_API_URL: slack.apiUrl,
    LOG_LEVEL: 'warn',
    ...env,
  });
  await waitHealthy(port, 60_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${run.stdout()}\n${run.stderr()}`);
  });
  return { run, port };
}

/** SIGTERM, and waits for the bot to exit (at once if it is gone already). */
export async function stopBot(bot: Bot): Promise<void> {
  if (bot.run.child.exitCode !== null || bot.run.child.signalCode !== null) return;
  bot.run.child.kill('SIGTERM');
  await bot.run.exited;
}

/**
 * SIGKILL for the bot (tsx is loaded into its own process, so there is no wrapper process): no shutdown code
 * runs. Resolves with how it ended — exit code null and signal SIGKILL when the kill was what ended it.
 */
export async function killHard(bot: Bot): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  bot.run.child.kill('SIGKILL');
  const code = await bot.run.exited;
  return { code, signal: bot.run.child.signalCode };
}

/** Runs one of the project's TypeScript scripts to its end (as `npm run` would): its exit code and output. */
export async function runScript(
  env: Record<string, string>,
  script: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), script, ...args], { cwd: ROOT, env }).catch(
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
  return { code: 'code' in out ? out.code : 0, stdout: out.stdout, stderr: out.stderr };
}
