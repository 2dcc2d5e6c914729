import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningApp, startApp } from '../../src/app';
import type { Clock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createLogger, type Logger } from '../../src/logger';
import { SlackEmulator } from '../../src/sandbox/emulator';
import { SignedSlackClient } from '../../src/sandbox/slack-client';
import { createTestDatabase, type TestDatabase } from './database';

export const ADMIN = 'U0ADMIN01';

export type TestApp = {
  db: TestDatabase;
  emulator: SlackEmulator;
  slack: SignedSlackClient;
  running: RunningApp;
  baseUrl: string;
  logLines: string[];
  /** POSTs to the intake API with the bearer token (or the given headers). */
  // biome-ignore lint/suspicious/noExplicitAny: the answers are JSON of many shapes, read field by field in tests
  api(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any }>;
  /** Sends a signed /trustops command and resolves with the first message the bot posts to its response_url. */
  command(text: string, userId?: string): Promise<{ text: string; blocks?: unknown[]; response_type?: string }>;
  stop(): Promise<void>;
};

/** The real Bolt app behind its real HTTP receiver, on a fresh database, talking to the Slack emulator. */
export const INTAKE_TOKEN = 'test-intake-token-0123456789';

export async function startTestApp(
  opts: {
    admins?: string[];
    clock?: Clock;
    db?: TestDatabase;
    env?: Record<string, string>;
    /** Another app's emulator, for two bots in one workspace (the owner stops it). */
    emulator?: SlackEmulator;
  } = {},
): Promise<TestApp> {
  const db = opts.db ?? (await createTestDatabase());
  const emulator = opts.emulator ?? (await SlackEmulator.start({ port: 0 }));
  const signingSecret = randomBytes(16).toString('hex');
  const logLines: string[] = [];
  const log: Logger = createLogger({ level: 'debug', secrets: [signingSecret, emulator.botToken], write: (line) => logLines.push(line) });
  // Each app keeps its analytics file in a directory of its own, removed at stop; small limits, as many
  // test processes share the machine.
  const analyticsDir = mkdtempSync(path.join(tmpdir(), 'trustops-app-analytics-'));
  const config = loadConfig({
    PORT: '0',
    TRUSTOPS_ADMINS: (opts.admins ?? [ADMIN]).join(','),
    TRUSTOPS_INTAKE_TOKEN: INTAKE_TOKEN,
    TRUSTOPS_ANALYTICS_DIR: analyticsDir,
    TRUSTOPS_ANALYTICS_MEMORY: '512MB',
    TRUSTOPS_ANALYTICS_THREADS: '1',
    ...opts.env,
  });
  const running = await startApp({
    config,
    db,
    log,
    host: '127.0.0.1',
    clock: opts.clock,
    slack: { botToken: emulator.botToken, signingSecret, apiUrl: emulator.apiUrl },
  }).catch((err) => {
    rmSync(analyticsDir, { recursive: true, force: true });
    throw err;
  });
  const baseUrl = `http://127.0.0.1:${running.port}`;
  const slack = new SignedSlackClient({ botUrl: `${baseUrl}/slack/events`, signingSecret, emulator });
  return {
    db,
    emulator,
    slack,
    running,
    baseUrl,
    logLines,
    async api(path, body, headers) {
      const res = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: headers ?? { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    },
    async command(text, userId = 'U0VIEWER1') {
      const sent = await slack.command(text, { userId });
      if (sent.status !== 200) throw new Error(`command answered ${sent.status}: ${sent.body}`);
      const [first] = await slack.waitForResponse(sent.responseUrl!, 15_000);
      return first as { text: string; blocks?: unknown[]; response_type?: string };
    },
    async stop() {
      await running.stop();
      if (!opts.emulator) await emulator.stop();
      rmSync(analyticsDir, { recursive: true, force: true });
      if (!opts.db) await db.drop();
    },
  };
}
