import type { Logger } from '../logger';
import { SlackEmulator } from './emulator';
import { parseArgs, readBody, sendJson } from './emulator/http-io';
import { SignedSlackClient } from './slack-client';

/** Users of the demo data set (see src/db/seed), known to the emulator's directory too. */
const DEMO_USERS = [
  { id: 'U0DEMOADMIN', name: 'demo.admin', real_name: 'Dana Admin' },
  { id: 'U0DEMOAPPROVER', name: 'demo.approver', real_name: 'Avery Approver' },
  { id: 'U0DEMOANALYST', name: 'demo.analyst', real_name: 'Ali Analyst' },
];

export type Sandbox = {
  apiUrl: string;
  baseUrl: string;
  botToken: string;
  emulator: SlackEmulator;
  /** Lets the sandbox sign requests to the bot once it listens. */
  connectBot(opts: { botUrl: string; signingSecret: string }): void;
  stop(): Promise<void>;
};

/**
 * Sandbox mode: the local Slack emulator, plus `POST /sandbox/command` (fields `text`, `user`,
 * `channel`) that sends a signed slash command to the bot as Slack would and answers with what
 * the bot replied.
 */
export async function startSandbox(opts: { port: number; log: Logger }): Promise<Sandbox> {
  // Anyone who reaches it can act as any user: loopback only, like the bot in sandbox mode.
  const emulator = await SlackEmulator.start({ port: opts.port, host: '127.0.0.1' });
  for (const u of DEMO_USERS) emulator.addUser(u);
  let client: SignedSlackClient | undefined;

  emulator.addRoute('POST', '/sandbox/command', async (req, res, url) => {
    if (!client) return sendJson(res, 503, { error: 'the bot is not listening yet' });
    const args = await parseArgs(await readBody(req), req.headers['content-type'], url.searchParams);
    const text = typeof args.text === 'string' ? args.text : '';
    const userId = typeof args.user === 'string' && args.user ? args.user : 'U0DEMOADMIN';
    const channelId = typeof args.channel === 'string' && args.channel ? args.channel : undefined;
    const sent = await client.command(text, { userId, channelId });
    const replies = sent.status === 200 && sent.responseUrl ? await client.waitForResponse(sent.responseUrl, 10_000).catch(() => []) : [];
    sendJson(res, sent.status === 200 ? 200 : 502, { ack_status: sent.status, ack_ms: sent.elapsedMs, replies });
  });

  opts.log.info('Slack emulator listening', { url: emulator.baseUrl });
  return {
    apiUrl: emulator.apiUrl,
    baseUrl: emulator.baseUrl,
    botToken: emulator.botToken,
    emulator,
    connectBot({ botUrl, signingSecret }) {
      client = new SignedSlackClient({ botUrl, signingSecret, emulator });
    },
    stop: () => emulator.stop(),
  };
}
