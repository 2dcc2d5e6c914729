import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
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
