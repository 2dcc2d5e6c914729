import { randomBytes } from 'node:crypto';
import { type RunningApp, startApp } from '../../src/app';
import type { Clock } from '../../src/clock';
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
  /** Sends a signed /trustops command and resolves with the first message the bot posts to its response_url. */
  command(text: string, userId?: string): Promise<{ text: string; blocks?: unknown[]; response_type?: string }>;
  stop(): Promise<void>;
};

/** The real Bolt app behind its real HTTP receiver, on a fresh database, talking to the Slack emulator. */
export async function startTestApp(opts: { admins?: string[]; clock?: Clock; db?: TestDatabase } = {}): Promise<TestApp> {
  const db = opts.db ?? (await createTestDatabase());
  const emulator = await SlackEmulator.start({ port: 0 });
  const signingSecret = randomBytes(16).toString('hex');
  const logLines: string[] = [];
  const log: Logger = createLogger({ level: 'debug', secrets: [signingSecret, emulator.botToken], write: (line) => logLines.push(line) });
  const running = await startApp({
    db,
    log,
    port: 0,
    host: '127.0.0.1',
    configuredAdmins: opts.admins ?? [ADMIN],
    clock: opts.clock,
    slack: { botToken: emulator.botToken, signingSecret, apiUrl: emulator.apiUrl },
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
    async command(text, userId = 'U0VIEWER1') {
      const sent = await slack.command(text, { userId });
      if (sent.status !== 200) throw new Error(`command answered ${sent.status}: ${sent.body}`);
      const [first] = await slack.waitForResponse(sent.responseUrl!, 5000);
      return first as { text: string; blocks?: unknown[]; response_type?: string };
    },
    async stop() {
      await running.stop();
      await emulator.stop();
      if (!opts.db) await db.drop();
    },
  };
}
