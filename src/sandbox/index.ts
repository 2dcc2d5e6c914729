/**
 * Sandbox mode: the local Slack emulator plus a web page that shows it as a workspace and lets a
 * person act in it as any demo user. Everything the page does reaches the bot as Slack would send
 * it (signed slash commands, block_actions, view_submissions, events), through SignedSlackClient.
 * The page's routes live under /sandbox/ on the emulator's server, behind the guard (guard.ts).
 */

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Clock, runningClock } from '../clock';
import { DEMO_VENDORS } from '../db/seed/catalog';
import { parseDuration } from '../duration';
import type { Logger } from '../logger';
import { SlackEmulator, type StoredView } from './emulator';
import { parseArgs, readBody, sendJson } from './emulator/http-io';
import { createGuard } from './guard';
import { PAGE_CLIENT_JS } from './page/client';
import { PAGE_CSS, pageHtml } from './page/html';
import { normalizeValues, SignedSlackClient, type ViewValues } from './slack-client';

/** The people on the page: the demo data set's users (src/db/seed) plus a viewer and someone with no role. */
export const SANDBOX_USERS = [
  { id: 'U0DEMOADMIN', name: 'demo.admin', real_name: 'Dana Admin' },
  { id: 'U0DEMOAPPROVER', name: 'demo.approver', real_name: 'Avery Approver' },
  { id: 'U0DEMOANALYST', name: 'demo.analyst', real_name: 'Ali Analyst' },
  { id: 'U0DEMOVIEWER', name: 'demo.viewer', real_name: 'Vic Viewer' },
  { id: 'U0DEMONOROLE', name: 'demo.norole', real_name: 'Noa Norole' },
] as const;

/** What the sandbox needs from the running bot, given once it listens. */
export type BotHooks = {
  /** HTTP: the bot's request URL and this run's signing secret. Unused over Socket Mode. */
  botUrl: string;
  signingSecret: string;
  /** The user's TrustOps role, shown in the user switcher. */
  roleOf?: (userId: string) => Promise<string>;
  /** After the clock moved: run what falls due now (SLA scan, expiries, deliveries). */
  clockMoved?: () => Promise<void>;
  /** Starts the demo over on the bot's side (data); the sandbox clears its workspace and clock itself. */
  reset?: () => Promise<void>;
  /** Set when Reset is not offered: why (shown on the page); the workspace, clock and data are left as they are. */
  resetRefused?: string;
};

export type Sandbox = {
  apiUrl: string;
  baseUrl: string;
  /** Over Socket Mode: the app-level token the bot connects with (apps.connections.open on the emulator). */
  appToken: string;
  /** The page's address with this run's key: print it, never log it. */
  pageUrl: string;
  key: string;
  botToken: string;
  emulator: SlackEmulator;
  /** The sandbox's own time: the bot runs on it, and the page moves it forward. */
  clock: Clock & { advance(ms: number): void; set(at: Date | string): void };
  connectBot(hooks: BotHooks): void;
  stop(): Promise<void>;
};

const SLACKBOT = 'USLACKBOT';

/** The longest single move: a month, enough to watch any SLA or restore window. */
const MAX_ADVANCE_MS = 31 * 86_400_000;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export type SandboxOptions = {
  port: number;
  log: Logger;
  clock?: Sandbox['clock'];
  /** How the bot hears from the page: signed HTTP requests (default), or Socket Mode envelopes. */
  transport?: 'http' | 'socket';
  /** The page's key for this run (made up here when not given; main makes it first, to redact it from logs). */
  key?: string;
};

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const clock = opts.clock ?? runningClock(new Date());
  let guard: ReturnType<typeof createGuard> | undefined;
  // Anyone who reaches it can act as any user: loopback only, a per-run key, and the guard's checks.
  const emulator = await SlackEmulator.start({
    port: opts.port,
    host: '127.0.0.1',
    botToken: `xoxb-sandbox-${randomBytes(12).toString('hex')}`,
    appToken: `xapp-sandbox-${randomBytes(12).toString('hex')}`,
    now: () => clock.now().getTime(),
    gate: (req, res, url) => guard?.gate(req, res, url) ?? false,
  });
  const port = Number(new URL(emulator.baseUrl).port);
  guard = createGuard(port, opts.key);
  for (const u of SANDBOX_USERS) emulator.addUser(u);
  emulator.addUser({ id: SLACKBOT, name: 'slackbot', real_name: 'Slackbot', is_bot: true });
  // What a newcomer sees first in #general: where to start.
  const welcome = () =>
    emulator.postAsUser({
      channel: 'general',
      user: SLACKBOT,
      text: [
        '*Welcome to the TrustOps sandbox.* Everything here is local: a Slack-like workspace and the real bot, on demo data.',
        '• Pick who you are in *Acting as* (admin, approver, analyst, viewer, or someone with no role).',
        '• Type `/trustops help`, or try `/trustops metrics last 7d by:vendor` and `/trustops sla`.',
        '• *TrustOps — Home* lists the escalations waiting for a decision; approve or reject them there.',
        '• *+1h / +1d* moves the clock: SLA alerts arrive in <#C0SLA> and the vendor channels as cases breach.',
      ].join('\n'),
    });
  welcome();
  // The demo vendors' own channels, where their SLA alerts go.
  for (const v of DEMO_VENDORS) if (v.slackChannel) emulator.addChannel(v.slackChannel);
  let client: SignedSlackClient | undefined;
  let hooks: BotHooks | undefined;
  const startedAt = clock.now();

  const route = (method: string, path: string, handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void) =>
    emulator.addRoute(method, path, async (req, res, url) => {
      try {
        await handler(req, res, url);
      } catch (err) {
        opts.log.warn('sandbox request failed', { path, err });
        if (!res.headersSent) sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
      }
    });
  const bot = () => {
    if (!client) throw new Error('the bot is not listening yet');
    return client;
  };
  const argsOf = async (req: IncomingMessage, url: URL) => parseArgs(await readBody(req), req.headers['content-type'], url.searchParams);
  const userOf = (args: Obj) => {
    const id = str(args.user) ?? SANDBOX_USERS[0].id;
    if (!emulator.user(id)) throw new Error(`no user ${id}`);
    return id;
  };

  route('GET', '/', (_req, res) => {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      // Only our own script runs; message text that slipped through as HTML still could not load or run anything.
      'content-security-policy':
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    res.end(pageHtml());
  });
  route('GET', '/sandbox/page.css', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE_CSS);
  });
  route('GET', '/sandbox/page.js', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE_CLIENT_JS);
  });

  /** Everything one person sees: the workspace, their ephemerals, Home tab and open modals. */
  route('GET', '/sandbox/view', async (_req, res, url) => {
    const me = userOf(Object.fromEntries(url.searchParams));
    // Everyone has a DM with the app (its Messages tab), as in Slack.
    const dm = emulator.channel(me);
    const state = emulator.state() as { channels: (Obj & { id: string; is_im: boolean; user?: string; ephemeral: Obj[] })[] };
    const users = await Promise.all(
      SANDBOX_USERS.map(async (u) => ({ ...u, role: hooks?.roleOf ? await hooks.roleOf(u.id).catch(() => '?') : '?' })),
    );
    sendJson(res, 200, {
      me,
      now: clock.now().toISOString(),
      offset_ms: clock.now().getTime() - Date.now(),
      bot: { user_id: emulator.botUserId, name: 'TrustOps' },
      ready: client !== undefined,
      users,
      directory: emulator.channels().map((c) => ({ id: c.id, name: c.name, is_im: c.is_im })),
      people: (emulator.state().users as Obj[]).map((u) => ({ id: u.id, name: u.name, real_name: u.real_name, is_bot: u.is_bot })),
      dm: dm?.id,
      channels: state.channels
        .filter((c) => !c.is_im || c.user === me)
        .map((c) => ({ ...c, ephemeral: c.ephemeral.filter((m) => m.recipient === me) })),
      home: emulator.homeView(me) ?? null,
      modals: emulator.openModals(me),
    });
  });

  /** Server-sent events: "change" whenever what someone sees may have changed; the page then asks for its view. */
  route('GET', '/sandbox/events', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    let pending: NodeJS.Timeout | undefined;
    const unwatch = emulator.watch(() => {
      // Coalesce bursts (a card and its thread replies) into one refresh.
      pending ??= setTimeout(() => {
        pending = undefined;
        res.write(`event: change\ndata: ${Date.now()}\n\n`);
      }, 30);
    });
    req.on('close', () => {
      unwatch();
      clearTimeout(pending);
    });
  });

  /** A slash command typed in the composer (or sent with curl and the key header). */
  route('POST', '/sandbox/command', async (req, res, url) => {
    const args = await argsOf(req, url);
    const text = (str(args.text) ?? '').replace(/^\/trustops\s*/, '');
    const sent = await bot().command(text, { userId: userOf(args), channelId: str(args.channel) });
    const wait = args.wait !== '0' && args.wait !== false;
    const replies =
      wait && sent.status === 200 && sent.responseUrl
        ? await bot()
            .waitForResponse(sent.responseUrl, 10_000)
            .catch(() => [])
        : [];
    sendJson(res, sent.status === 200 ? 200 : 502, { ack_status: sent.status, ack_ms: sent.elapsedMs, replies });
  });

  /** A message the person writes (not a command): it appears as theirs; the bot does not read channels. */
  route('POST', '/sandbox/message', async (req, res, url) => {
    const args = await argsOf(req, url);
    const channel = str(args.channel);
    const text = str(args.text);
    if (!channel || !text) return sendJson(res, 400, { error: 'channel and text are required' });
    const message = emulator.postAsUser({ channel, user: userOf(args), text, thread_ts: str(args.thread_ts) });
    sendJson(res, 200, { ok: true, ts: message.ts });
  });

  /** A click on a button or a choice in a select, in a message, the Home tab or a modal. */
  route('POST', '/sandbox/action', async (req, res, url) => {
    const args = await argsOf(req, url);
    const userId = userOf(args);
    const actionId = str(args.action_id);
    if (!actionId) return sendJson(res, 400, { error: 'action_id is required' });
    const viewId = str(args.view_id);
    let view: StoredView | Obj | undefined;
    if (viewId) {
      const stored = emulator.view(viewId);
      if (!stored) return sendJson(res, 404, { error: 'view_not_found' });
      // The payload carries what the person has typed so far, as Slack's does.
      view = isObj(args.values) ? { ...stored, state: { values: normalizeValues(args.values as ViewValues, stored.blocks) } } : stored;
    }
    const selected = str(args.selected);
    const sent = await bot().blockAction({
      userId,
      actionId,
      blockId: str(args.block_id),
      ...(view ? { view } : { messageTs: str(args.ts), channelId: str(args.channel) }),
      ...(selected !== undefined ? { selectedOption: { value: selected } } : {}),
    });
    sendJson(res, 200, { ack_status: sent.status });
  });

  /** A modal's submit button; answers with the bot's ack so the page can show `errors` beside the fields. */
  route('POST', '/sandbox/submit', async (req, res, url) => {
    const args = await argsOf(req, url);
    const userId = userOf(args);
    const view = emulator.view(str(args.view_id) ?? '');
    if (!view) return sendJson(res, 404, { error: 'view_not_found' });
    const sent = await bot().viewSubmission({
      userId,
      callbackId: view.callback_id,
      viewId: view.id,
      values: isObj(args.values) ? (args.values as ViewValues) : {},
    });
    sendJson(res, 200, { ack_status: sent.status, ack: sent.json ?? null });
  });

  route('POST', '/sandbox/close', async (req, res, url) => {
    const args = await argsOf(req, url);
    emulator.closeModals(userOf(args), { back: args.back === true || args.back === 'true' });
    sendJson(res, 200, { ok: true });
  });

  route('POST', '/sandbox/dismiss', async (req, res, url) => {
    const args = await argsOf(req, url);
    emulator.dismissEphemeral(userOf(args), str(args.ts) ?? '');
    sendJson(res, 200, { ok: true });
  });

  /** Opening the App Home tab: Slack sends app_home_opened, and the bot publishes the view. */
  route('POST', '/sandbox/home', async (req, res, url) => {
    const userId = userOf(await argsOf(req, url));
    const dm = emulator.channel(userId);
    const sent = await bot().event({ type: 'app_home_opened', user: userId, channel: dm?.id, tab: 'home' });
    sendJson(res, 200, { ack_status: sent.status });
  });

  /** Moves the sandbox's time forward (`by`: 30m, 4h, 2d) and runs what falls due. */
  route('POST', '/sandbox/clock', async (req, res, url) => {
    const args = await argsOf(req, url);
    const by = str(args.by) ?? '';
    const ms = parseDuration(by, ['m', 'h', 'd']) ?? 0;
    if (!(ms > 0) || ms > MAX_ADVANCE_MS)
      return sendJson(res, 400, { error: `expected a duration up to 31d such as 30m, 4h or 2d (got "${by}")` });
    clock.advance(ms);
    opts.log.info('sandbox clock moved', { by, now: clock.now().toISOString() });
    await hooks?.clockMoved?.();
    emulator.changed();
    sendJson(res, 200, { now: clock.now().toISOString() });
  });

  /** Starts the demo over: the workspace empties, the clock returns to now, and the bot resets its data. */
  route('POST', '/sandbox/reset', async (_req, res) => {
    if (hooks?.resetRefused) return sendJson(res, 409, { error: hooks.resetRefused });
    clock.set(new Date());
    emulator.reset({ restartTs: true });
    await hooks?.reset?.();
    welcome();
    opts.log.info('sandbox reset', { now: clock.now().toISOString(), startedAt: startedAt.toISOString() });
    sendJson(res, 200, { now: clock.now().toISOString() });
  });

  route('GET', '/sandbox/state', (_req, res) => sendJson(res, 200, emulator.state()));
  route('GET', '/favicon.ico', (_req, res) => void res.writeHead(204).end());

  opts.log.info('Slack emulator listening', { url: emulator.baseUrl });
  return {
    apiUrl: emulator.apiUrl,
    baseUrl: emulator.baseUrl,
    appToken: emulator.appToken,
    pageUrl: `${emulator.baseUrl}/?key=${guard.key}`,
    key: guard.key,
    botToken: emulator.botToken,
    emulator,
    clock,
    connectBot(h) {
      hooks = h;
      client = new SignedSlackClient({ botUrl: h.botUrl, signingSecret: h.signingSecret, emulator, transport: opts.transport });
    },
    stop: () => emulator.stop(),
  };
}
