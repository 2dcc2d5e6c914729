/**
 * A local stand-in for Slack's Web API, used by the tests and by sandbox mode. The bot's
 * WebClient is pointed at it with `slackApiUrl: emulator.apiUrl`. It keeps the workspace in
 * memory, answers with Slack's response shapes and errors, enforces Block Kit limits, records
 * every call, and can be told to rate-limit, fail, answer late, lose answers, or be unreachable for a while.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_BOT_USER_ID, DEFAULT_TEAM_ID, TEAM_DOMAIN, toSlackChannel } from './emulator/directory';
import { BadJsonError, parseArgs, parseMultipart, readBody, sendJson, sendText } from './emulator/http-io';
import { SocketModeServer } from './emulator/socket-mode';
import type {
  ApiResult,
  Args,
  EphemeralMessage,
  RecordedCall,
  RecordedResponse,
  ResponseContext,
  SlackChannel,
  SlackUser,
  StoredFile,
  StoredMessage,
  StoredView,
} from './emulator/types';
import { WEB_API } from './emulator/web-api';
import { Workspace } from './emulator/workspace';

export type {
  ApiResult,
  EphemeralMessage,
  RecordedCall,
  RecordedResponse,
  ResponseContext,
  SlackChannel,
  SlackUser,
  StoredFile,
  StoredMessage,
  StoredView,
} from './emulator/types';

export type EmulatorOptions = {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  botToken?: string;
  /** The app-level token (xapp-…) that may open Socket Mode connections. */
  appToken?: string;
  teamId?: string;
  botUserId?: string;
  /** Clock in epoch milliseconds, for message ts and trigger_id expiry. */
  now?: () => number;
  /** Random numbers in [0, 1) for probabilistic faults; Math.random by default. */
  random?: () => number;
  /**
   * Runs before any route: answering the request itself and returning false stops it there. The sandbox
   * page uses it to refuse foreign Hosts and Origins and requests without its per-run key.
   */
  gate?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;
};

/** Which calls a fault applies to, and how often it fires among them. */
type FaultScope = {
  method?: string;
  /** Channel id: only calls whose `channel` argument resolves to it. */
  channel?: string;
  remaining: number;
  /** Fires on every Nth matching call only. */
  every?: number;
  /** Fires on a matching call with this probability. */
  probability?: number;
  /** Matching calls seen so far (for `every`). */
  seen: number;
};

type Fault = FaultScope &
  (
    | { kind: 'ratelimit'; retryAfterSeconds: number }
    | { kind: 'error'; error: string; status: number }
    | { kind: 'slow'; delayMs: number }
    | { kind: 'lost' }
  );

/**
 * Slack unreachable from `from` until `until` (emulator clock, epoch ms): every Web API, upload and
 * response_url request in the window has its connection dropped unanswered (`refuse`) or gets an HTTP
 * status such as 503 (`error`).
 */
export type OutageOptions = { from?: number; until: number; mode?: 'refuse' | 'error'; status?: number };
type Outage = { from: number; until: number; mode: 'refuse' | 'error'; status: number };

/** Which calls an injected fault hits: by default the next `times` (1) calls to any method, in any channel. */
export type FaultOptions = {
  method?: string;
  /** Only calls about this channel (id or name). */
  channel?: string;
  /** How many calls to fail; unlimited by default when `every` or `probability` is given, else 1. */
  times?: number;
  /** Periodic mode: every Nth matching call fails (every: 20 ⇒ 5 %, deterministically). */
  every?: number;
  /** Random mode: each matching call fails with this probability (see EmulatorOptions.random). */
  probability?: number;
};

/** Extra routes on the emulator's server, e.g. the sandbox page and its command composer. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

const POLL_MS = 10;

export class SlackEmulator {
  readonly calls: RecordedCall[] = [];
  /** Base URL for WebClient's `slackApiUrl`, e.g. `http://127.0.0.1:PORT/api/`. */
  readonly apiUrl: string;
  readonly botToken: string;
  readonly appToken: string;
  /** Socket Mode: apps.connections.open, hello, envelopes and their acks, disconnects. */
  readonly socketMode: SocketModeServer;
  readonly teamId: string;
  readonly teamDomain = TEAM_DOMAIN;
  readonly botUserId: string;
  readonly botId = 'B0TRUSTOPS';
  readonly appId = 'A0TRUSTOPS';
  private readonly workspace: Workspace;
  private readonly now: () => number;
  private readonly random: () => number;
  private faults: Fault[] = [];
  private outages: Outage[] = [];
  private readonly routes = new Map<string, RouteHandler>();
  private readonly gate: EmulatorOptions['gate'];
  private readonly watchers = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    opts: EmulatorOptions,
  ) {
    this.apiUrl = `${baseUrl}/api/`;
    this.botToken = opts.botToken ?? 'xoxb-sandbox';
    this.appToken = opts.appToken ?? 'xapp-sandbox';
    this.socketMode = new SocketModeServer(server, () => this.baseUrl, this.appId);
    this.teamId = opts.teamId ?? DEFAULT_TEAM_ID;
    this.botUserId = opts.botUserId ?? DEFAULT_BOT_USER_ID;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.gate = opts.gate;
    this.workspace = new Workspace({
      teamId: this.teamId,
      botUserId: this.botUserId,
      botId: this.botId,
      appId: this.appId,
      now: this.now,
      baseUrl: () => this.baseUrl,
    });
  }

  static async start(opts: EmulatorOptions = {}): Promise<SlackEmulator> {
    const server = createServer();
    const host = opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const emulator = new SlackEmulator(server, `http://${host.includes(':') ? `[${host}]` : host}:${port}`, opts);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      emulator.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendText(res, 500, `emulator error: ${err instanceof Error ? err.stack : String(err)}`);
        else res.destroy();
      });
    });
    return emulator;
  }

  async stop(): Promise<void> {
    this.socketMode.close();
    await new Promise<void>((resolve, reject) => {
      this.server.close((err) => (err ? reject(err) : resolve()));
      // WebClient's fetch keeps connections alive; close() alone would wait for them.
      this.server.closeAllConnections();
    });
  }

  // --- recording ----------------------------------------------------------------------------

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Current state of a channel's messages (edits applied, deletions gone), oldest first, replies included. */
  messages(channel: string): StoredMessage[] {
    return structuredClone(this.workspace.messagesIn(this.requireChannel(channel).id));
  }

  /** Every channel's messages (current state), with the channel id: for counting across channels. */
  allMessages(): (StoredMessage & { channel: string })[] {
    return [...this.workspace.history.entries()].flatMap(([channel, list]) => list.map((m) => ({ ...structuredClone(m), channel })));
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    const found = this.workspace.findMessage(this.requireChannel(channel).id, ts);
    return found && structuredClone(found);
  }

  /** Messages only one user saw: chat.postEphemeral, ephemeral responses and ack bodies. */
  ephemeralMessages(filter: { channel?: string; user?: string } = {}): EphemeralMessage[] {
    const channelId = filter.channel === undefined ? undefined : this.requireChannel(filter.channel).id;
    return structuredClone(
      this.workspace.ephemerals.filter(
        (m) => (channelId === undefined || m.channel === channelId) && (filter.user === undefined || m.recipient === filter.user),
      ),
    );
  }

  /** Bodies the bot POSTed to one response_url (give the id or the whole URL). */
  responses(idOrUrl: string): RecordedResponse[] {
    const id = idOrUrl.split('/').pop() ?? idOrUrl;
    return this.workspace.responses.filter((r) => r.id === id);
  }

  allResponses(): RecordedResponse[] {
    return [...this.workspace.responses];
  }

  /** Resolves with the first recorded call matching the predicate; rejects after timeoutMs. */
  waitFor(predicate: (call: RecordedCall) => boolean, timeoutMs = 2000): Promise<RecordedCall> {
    return this.waitUntil(() => this.calls.find(predicate), timeoutMs, 'a matching Web API call');
  }

  /** Polls until the condition returns something other than undefined/null/false, and returns it. */
  async waitUntil<T>(condition: () => T | undefined | null | false, timeoutMs = 2000, what = 'the condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = condition();
      if (value !== undefined && value !== null && value !== false) return value;
      if (Date.now() >= deadline) {
        const recent = this.calls.slice(-10).map((c) => `${c.method} → ${describe(c.response)}`);
        throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}. Last calls: ${recent.join('; ') || 'none'}`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /**
   * Clears calls, messages, views, files, faults and interactions; channels and users stay. `restartTs`
   * lets message ts start again from the clock (the sandbox's Reset, whose data is rewritten too).
   */
  reset(opts: { restartTs?: boolean } = {}): void {
    this.calls.length = 0;
    this.faults = [];
    this.outages = [];
    this.workspace.reset(opts);
    this.changed();
  }

  /** Calls `fn` after anything may have changed what a person sees (a post, an edit, a view); returns the unsubscribe. */
  watch(fn: () => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  /** Tells the watchers something changed (the sandbox's clock moved, say). */
  changed(): void {
    for (const fn of this.watchers) fn();
  }

  // --- fault injection ----------------------------------------------------------------------

  /** Matching calls answer HTTP 429 with Retry-After, as Slack does. */
  injectRateLimit(opts: FaultOptions & { retryAfterSeconds?: number }): void {
    this.faults.push({ kind: 'ratelimit', ...this.faultScope(opts), retryAfterSeconds: opts.retryAfterSeconds ?? 1 });
  }

  /** Matching calls fail: `{ok:false,error}` with 200, or a non-JSON body with another status. */
  injectError(opts: FaultOptions & { error: string; status?: number }): void {
    this.faults.push({ kind: 'error', ...this.faultScope(opts), error: opts.error, status: opts.status ?? 200 });
  }

  /**
   * Matching calls take effect at once but are answered only after `delayMs`: Slack did it, the
   * caller does not know yet (a timeout, or a process killed while it waited).
   */
  injectSlowResponse(opts: FaultOptions & { delayMs: number }): void {
    this.faults.push({ kind: 'slow', ...this.faultScope(opts), delayMs: opts.delayMs });
  }

  /**
   * Matching calls take effect, then the connection drops before the answer is sent: Slack stored the
   * post, the caller sees a network error and never learns its ts. Recorded with status 0.
   */
  injectLostResponse(opts: FaultOptions): void {
    this.faults.push({ kind: 'lost', ...this.faultScope(opts) });
  }

  /** Slack away for a window of the emulator's clock (see OutageOptions); calls in it are recorded with status 0 or the status. */
  injectOutage(opts: OutageOptions): void {
    this.outages.push({ from: opts.from ?? this.now(), until: opts.until, mode: opts.mode ?? 'refuse', status: opts.status ?? 503 });
  }

  private faultScope(opts: FaultOptions): FaultScope {
    const repeating = opts.every !== undefined || opts.probability !== undefined;
    return {
      method: opts.method,
      channel: opts.channel === undefined ? undefined : this.requireChannel(opts.channel).id,
      remaining: opts.times ?? (repeating ? Number.POSITIVE_INFINITY : 1),
      every: opts.every,
      probability: opts.probability,
      seen: 0,
    };
  }

  /**
   * files.completeUploadExternal answers at once but its message and share (files.info's `shares`) appear
   * only `delayMs` later, as Slack shares asynchronously; a second completion of a file already completed
   * posts nothing more. 0 restores sharing at once.
   */
  delayShares(delayMs: number): void {
    this.workspace.shareDelayMs = delayMs;
  }

  clearFaults(): void {
    this.faults = [];
    this.outages = [];
  }

  // --- workspace ----------------------------------------------------------------------------

  /** Adds a channel (or returns the existing one with that name). */
  addChannel(name: string, opts: { id?: string; isPrivate?: boolean; externallyShared?: boolean } = {}): SlackChannel {
    return { ...this.workspace.addChannel(name, opts) };
  }

  addUser(user: Pick<SlackUser, 'id' | 'name'> & Partial<SlackUser>): SlackUser {
    const full: SlackUser = { real_name: user.name, is_admin: false, is_bot: false, tz: 'UTC', ...user };
    this.workspace.users.set(full.id, full);
    return { ...full };
  }

  /** Defines a user group (Slack's "subteam", id S…) with these members, replacing any earlier definition. */
  setUserGroup(id: string, members: readonly string[]): void {
    this.workspace.userGroups.set(id, [...members]);
  }

  channel(ref: string): SlackChannel | undefined {
    const c = this.workspace.resolveChannel(ref);
    return c && { ...c };
  }

  channels(): SlackChannel[] {
    return [...this.workspace.channels.values()].map((c) => ({ ...c }));
  }

  user(id: string): SlackUser | undefined {
    const u = this.workspace.users.get(id);
    return u && { ...u };
  }

  /** A message written by a person (for events and history scenarios); returns it. */
  postAsUser(opts: { channel: string; user: string; text: string; thread_ts?: string }): StoredMessage {
    const channel = this.requireChannel(opts.channel);
    const message: StoredMessage = {
      type: 'message',
      ts: this.workspace.nextTs(),
      user: opts.user,
      team: this.teamId,
      text: opts.text,
      thread_ts: opts.thread_ts,
    };
    const stored = structuredClone(this.workspace.append(channel.id, message));
    this.changed();
    return stored;
  }

  view(id: string): StoredView | undefined {
    const v = this.workspace.views.get(id);
    return v && structuredClone(v);
  }

  /** The user's modal stack, bottom first. */
  openModals(userId: string): StoredView[] {
    return structuredClone(this.workspace.openModals(userId));
  }

  homeView(userId: string): StoredView | undefined {
    const v = this.workspace.homeView(userId);
    return v && structuredClone(v);
  }

  file(id: string): StoredFile | undefined {
    const f = this.workspace.files.get(id);
    return f && { ...f, channels: [...f.channels] };
  }

  // --- interactions (used by SignedSlackClient and the sandbox page) ---------------------------

  /** A trigger_id as Slack puts in interaction payloads: valid for 3 s, one use. */
  issueTriggerId(userId: string): string {
    return this.workspace.issueTriggerId(userId);
  }

  issueResponseUrl(ctx: ResponseContext): string {
    return this.workspace.issueResponseUrl(ctx);
  }

  /** A message body the bot returned in its ack (slash command, button): Slack shows it like a response. */
  applyAckMessage(responseUrl: string, body: unknown): ApiResult {
    const ctx = this.workspace.responseContext(responseUrl.split('/').pop() ?? '');
    if (!ctx) return { ok: false, error: 'expired_url' };
    const result = this.workspace.applyResponse(ctx, body);
    this.changed();
    return result;
  }

  /** Closes, updates or keeps the modal according to the bot's view_submission ack. */
  applyViewSubmissionAck(userId: string, viewId: string, ack: unknown): void {
    this.workspace.afterSubmission(userId, viewId, ack);
    this.changed();
  }

  /** The person closed their modal: × closes the whole stack; Cancel (`back`) goes back to the view beneath, as in Slack. */
  closeModals(userId: string, opts: { back?: boolean } = {}): void {
    const stack = this.workspace.modalStacks.get(userId) ?? [];
    if (opts.back && stack.length > 1) stack.pop();
    else this.workspace.modalStacks.delete(userId);
    this.changed();
  }

  /** Ephemeral messages live in one client only: the person dismissed one. */
  dismissEphemeral(userId: string, ts: string): void {
    const list = this.workspace.ephemerals;
    const i = list.findIndex((m) => m.recipient === userId && m.ts === ts);
    if (i >= 0) list.splice(i, 1);
    this.changed();
  }

  /** What `GET /sandbox/state` serves: every channel with its messages, plus open views. */
  state(): Record<string, unknown> {
    const ws = this.workspace;
    return {
      team: { id: this.teamId, domain: this.teamDomain },
      bot: { user_id: this.botUserId, bot_id: this.botId, app_id: this.appId },
      channels: [...ws.channels.values()].map((c) => ({
        ...toSlackChannel(c),
        messages: ws.history.get(c.id) ?? [],
        ephemeral: ws.ephemerals.filter((m) => m.channel === c.id),
      })),
      users: [...ws.users.keys()].map((id) => ws.slackUser(id)),
      views: [...ws.views.values()],
      open_modals: Object.fromEntries(ws.modalStacks),
    };
  }

  // --- HTTP ---------------------------------------------------------------------------------

  /** Serves `method path` (exact path) from this server; added routes win over the built-in ones. */
  addRoute(method: string, path: string, handler: RouteHandler): void {
    this.routes.set(`${method.toUpperCase()} ${path}`, handler);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    if (this.gate && !this.gate(req, res, url)) return;
    const path = url.pathname;
    const route = this.routes.get(`${req.method} ${path}`);
    if (route) return route(req, res, url);
    // "/<section>/<id>": the API method, upload, response_url or file the request is about.
    const [, section = '', id = ''] = /^\/(\w+)\/([\w.]+)/.exec(path) ?? [];
    const post = req.method === 'POST';
    const outage = ['api', 'upload', 'response'].includes(section) ? this.outageNow() : undefined;
    if (outage) return this.answerOutage(req, res, section === 'api' ? id : `${section}:${id}`, outage);
    if (req.method === 'GET' && path === '/') {
      res.writeHead(302, { location: '/sandbox/state' }).end();
    } else if (req.method === 'GET' && path === '/sandbox/state') {
      sendJson(res, 200, this.state());
    } else if (section === 'api' && (post || req.method === 'GET')) {
      await this.handleApi(req, res, id, url.searchParams);
    } else if (section === 'upload' && post) {
      await this.handleUpload(req, res, id);
    } else if (section === 'response' && post) {
      await this.handleResponseUrl(req, res, id);
    } else if (section === 'files' && req.method === 'GET') {
      const file = this.workspace.files.get(id);
      if (!file?.bytes) return sendText(res, 404, 'file_not_found');
      // Images with their type, so the page can preview them (a digest's chart); anything else as bytes.
      const mimetype = String(this.workspace.fileObject(file).mimetype);
      res.writeHead(200, { 'content-type': mimetype.startsWith('image/') ? mimetype : 'application/octet-stream' }).end(file.bytes);
    } else {
      sendText(res, 404, 'not_found');
    }
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse, method: string, query: URLSearchParams): Promise<void> {
    let args: Args;
    try {
      args = await parseArgs(await readBody(req), req.headers['content-type'], query);
    } catch (err) {
      if (!(err instanceof BadJsonError)) throw err;
      return this.answer(res, method, {}, 200, { ok: false, error: 'invalid_json' });
    }
    // The token is a credential, not an argument: keep it out of the recording.
    const bodyToken = args.token;
    delete args.token;

    const fault = this.takeFault(method, args);
    if (fault?.kind === 'ratelimit') {
      const headers = { 'retry-after': String(fault.retryAfterSeconds) };
      return this.answer(res, method, args, 429, { ok: false, error: 'ratelimited' }, headers);
    }
    if (fault?.kind === 'error') {
      if (fault.status === 200) return this.answer(res, method, args, 200, { ok: false, error: fault.error });
      this.calls.push({ method, args, response: fault.error, status: fault.status, at: this.now() });
      return sendText(res, fault.status, fault.error);
    }

    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? (typeof bodyToken === 'string' && bodyToken !== '' ? bodyToken : undefined);
    if (method === 'apps.connections.open') {
      // Only the app-level token opens Socket Mode connections; a bot token is the wrong kind.
      if (!token) return this.answer(res, method, args, 200, { ok: false, error: 'not_authed' });
      if (token === this.botToken) return this.answer(res, method, args, 200, { ok: false, error: 'not_allowed_token_type' });
      if (token !== this.appToken) return this.answer(res, method, args, 200, { ok: false, error: 'invalid_auth' });
      return this.answer(res, method, args, 200, { ok: true, url: this.socketMode.open() });
    }
    const handler = Object.hasOwn(WEB_API, method) ? WEB_API[method] : undefined;
    if (!handler) return this.answer(res, method, args, 200, { ok: false, error: 'unknown_method' });
    if (!token) return this.answer(res, method, args, 200, { ok: false, error: 'not_authed' });
    if (token !== this.botToken) return this.answer(res, method, args, 200, { ok: false, error: 'invalid_auth' });
    const result = handler(this.workspace, args);
    if (fault?.kind === 'lost') {
      this.calls.push({ method, args, response: structuredClone(result), status: 0, at: this.now() });
      res.socket?.destroy();
      return;
    }
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));
    // The caller may have gone meanwhile (timed out, or killed): the call is recorded, the answer lost.
    if (res.destroyed) {
      this.calls.push({ method, args, response: structuredClone(result), status: 200, at: this.now() });
      return;
    }
    this.answer(res, method, args, 200, result);
  }

  private answer(
    res: ServerResponse,
    method: string,
    args: Args,
    status: number,
    body: ApiResult,
    headers: Record<string, string> = {},
  ): void {
    // Serialise once, so the recording is a snapshot that later edits do not change.
    const text = JSON.stringify(body);
    this.calls.push({ method, args, response: JSON.parse(text), status, at: this.now() });
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(text);
    if (body.ok) this.changed();
  }

  private outageNow(): Outage | undefined {
    const now = this.now();
    return this.outages.find((o) => o.from <= now && now < o.until);
  }

  /** The request never reaches Slack: recorded (what was asked, status 0 when refused), then dropped or answered with the status. */
  private async answerOutage(req: IncomingMessage, res: ServerResponse, method: string, outage: Outage): Promise<void> {
    const body = await readBody(req);
    const query = new URL(req.url ?? '/', this.baseUrl).searchParams;
    // Upload and response_url bodies are not API arguments; a body that does not parse is recorded as none.
    const args: Args = method.includes(':') ? {} : await parseArgs(body, req.headers['content-type'], query).catch((): Args => ({}));
    delete args.token;
    const refused = outage.mode === 'refuse';
    this.calls.push({
      method,
      args,
      response: refused ? 'connection dropped' : 'service unavailable',
      status: refused ? 0 : outage.status,
      at: this.now(),
    });
    if (refused) res.socket?.destroy();
    else sendText(res, outage.status, 'service unavailable');
  }

  private takeFault(method: string, args: Args): Fault | undefined {
    for (const fault of this.faults) {
      if (fault.remaining <= 0 || (fault.method !== undefined && fault.method !== method)) continue;
      if (fault.channel !== undefined && this.workspace.resolveChannel(args.channel)?.id !== fault.channel) continue;
      fault.seen += 1;
      if (fault.every !== undefined && fault.seen % fault.every !== 0) continue;
      if (fault.probability !== undefined && this.random() >= fault.probability) continue;
      fault.remaining -= 1;
      this.faults = this.faults.filter((f) => f.remaining > 0);
      return fault;
    }
    return undefined;
  }

  /** The upload_url step of files upload v2: a raw body, or multipart with the file as its one binary part. */
  private async handleUpload(req: IncomingMessage, res: ServerResponse, fileId: string): Promise<void> {
    const file = this.workspace.files.get(fileId);
    const body = await readBody(req);
    if (!file) return sendText(res, 404, 'file_not_found');
    const contentType = req.headers['content-type'] ?? '';
    let bytes = body;
    if (contentType.startsWith('multipart/form-data')) {
      const parts = Object.values(await parseMultipart(body, contentType));
      const part = parts.find((v) => Buffer.isBuffer(v)) ?? parts[0];
      bytes = Buffer.isBuffer(part) ? part : Buffer.from(String(part ?? ''));
    }
    file.bytes = bytes;
    sendText(res, 200, `OK - ${bytes.length}`);
  }

  private async handleResponseUrl(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // Recorded as the raw text; applying it fails with invalid_payload.
    }
    const { status, result } = this.workspace.postToResponseUrl(id, body);
    sendJson(res, status, result);
    if (result.ok) this.changed();
  }

  private requireChannel(ref: string): SlackChannel {
    const channel = this.workspace.resolveChannel(ref);
    if (!channel) throw new Error(`SlackEmulator: no channel "${ref}"`);
    return channel;
  }
}

function describe(response: unknown): string {
  if (typeof response !== 'object' || response === null) return String(response).slice(0, 80);
  const r = response as { ok?: unknown; error?: unknown };
  return r.ok === true ? 'ok' : `error ${String(r.error)}`;
}
