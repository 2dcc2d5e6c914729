import { randomBytes } from 'node:crypto';
import { LIMITS, validateBlocks, validateView } from './block-kit';
import { BUILT_IN_CHANNELS, BUILT_IN_USERS, toSlackUser } from './directory';
import type {
  ApiResult,
  EphemeralMessage,
  RecordedResponse,
  ResponseContext,
  SlackChannel,
  SlackUser,
  StoredFile,
  StoredMessage,
  StoredView,
} from './types';

export type WorkspaceOptions = {
  teamId: string;
  botUserId: string;
  botId: string;
  appId: string;
  now: () => number;
  baseUrl: () => string;
};

/** Slack's trigger_ids are good for 3 seconds and a single use. */
const TRIGGER_TTL_MS = 3000;
/** A response_url accepts up to 5 posts within 30 minutes. */
const RESPONSE_URL_MAX_USES = 5;
const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;
const MODAL_STACK_LIMIT = 3;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const fail = (error: string, extra: Obj = {}): ApiResult => ({ ok: false, error, ...extra });
const blockErrors = (error: string, messages: string[]): ApiResult =>
  fail(error, { errors: messages.map((m) => m.replace(/^\[ERROR\] /, '')), response_metadata: { messages } });

export type MessageContent = {
  text?: unknown;
  blocks?: unknown;
  attachments?: unknown;
};

/** All in-memory state of the fake workspace: directory, messages, views, files, interactions. */
export class Workspace {
  readonly users = new Map<string, SlackUser>();
  /** User group (subteam) id → member user ids, for usergroups.users.list. */
  readonly userGroups = new Map<string, string[]>();
  readonly channels = new Map<string, SlackChannel>();
  readonly history = new Map<string, StoredMessage[]>();
  readonly ephemerals: EphemeralMessage[] = [];
  readonly views = new Map<string, StoredView>();
  readonly files = new Map<string, StoredFile>();
  readonly responses: RecordedResponse[] = [];
  private readonly homeViews = new Map<string, string>();
  /** user → open modal view ids, bottom first. */
  readonly modalStacks = new Map<string, string[]>();
  private readonly triggers = new Map<string, { userId: string; issuedAt: number; used: boolean }>();
  private readonly responseUrls = new Map<string, { ctx: ResponseContext; issuedAt: number; uses: number }>();
  private lastTsMicros = 0;
  private counter = 0;
  /** How long completeUploadExternal's share takes to appear (Slack shares asynchronously); 0: at once. */
  shareDelayMs = 0;

  constructor(readonly opts: WorkspaceOptions) {
    const created = Math.floor(opts.now() / 1000);
    for (const c of BUILT_IN_CHANNELS) this.channels.set(c.id, { ...c, is_private: false, is_im: false, created });
    this.users.set(opts.botUserId, {
      id: opts.botUserId,
      name: 'trustops',
      real_name: 'TrustOps',
      is_admin: false,
      is_bot: true,
      tz: 'UTC',
    });
    for (const u of BUILT_IN_USERS) this.users.set(u.id, { ...u });
  }

  /** Clears conversations and interactions; keeps the directory (users, channels, DMs). */
  reset(opts: { restartTs?: boolean } = {}): void {
    // Message ts only ever grow, unless the caller knows nothing still refers to the old ones.
    if (opts.restartTs) this.lastTsMicros = 0;
    this.history.clear();
    this.ephemerals.length = 0;
    this.views.clear();
    this.files.clear();
    this.shareDelayMs = 0;
    this.responses.length = 0;
    this.homeViews.clear();
    this.modalStacks.clear();
    this.triggers.clear();
    this.responseUrls.clear();
  }

  // --- ids and timestamps -------------------------------------------------------------------

  /** Message ts: "<seconds>.<micros>", unique and strictly increasing even within one millisecond. */
  nextTs(): string {
    this.lastTsMicros = Math.max(this.opts.now() * 1000, this.lastTsMicros + 1);
    const seconds = Math.floor(this.lastTsMicros / 1e6);
    return `${seconds}.${String(this.lastTsMicros % 1e6).padStart(6, '0')}`;
  }

  newId(prefix: string): string {
    this.counter += 1;
    return `${prefix}0${this.counter.toString(36).toUpperCase().padStart(7, '0')}`;
  }

  // --- directory ----------------------------------------------------------------------------

  /** Resolves an id, `name` or `#name`; a user id resolves to the DM with that user, as Slack does. */
  resolveChannel(ref: unknown): SlackChannel | undefined {
    if (typeof ref !== 'string' || ref === '') return undefined;
    const byId = this.channels.get(ref);
    if (byId) return byId;
    if (/^[UW]/.test(ref) && this.users.has(ref)) return this.openDm(ref);
    const name = ref.replace(/^#/, '');
    for (const c of this.channels.values()) if (!c.is_im && c.name === name) return c;
    return undefined;
  }

  /**
   * Resolves a conversation id only. Slack's conversations.* methods take ids, never names
   * (a name answers channel_not_found), unlike chat.postMessage, which accepts either.
   */
  channelById(ref: unknown): SlackChannel | undefined {
    return typeof ref === 'string' ? this.channels.get(ref) : undefined;
  }

  addChannel(name: string, opts: { id?: string; isPrivate?: boolean; externallyShared?: boolean } = {}): SlackChannel {
    const clean = name.replace(/^#/, '');
    const existing = this.resolveChannel(clean);
    if (existing) return existing;
    const isPrivate = opts.isPrivate ?? false;
    const id = opts.id ?? this.newId(isPrivate ? 'G' : 'C');
    const channel: SlackChannel = {
      id,
      name: clean,
      is_private: isPrivate,
      is_im: false,
      created: this.nowSeconds(),
      ...(opts.externallyShared ? { is_ext_shared: true } : {}),
    };
    this.channels.set(id, channel);
    return channel;
  }

  openDm(userId: string): SlackChannel {
    const id = `D${userId.slice(1)}`;
    let dm = this.channels.get(id);
    if (!dm) {
      dm = { id, name: userId, is_private: true, is_im: true, user: userId, created: this.nowSeconds() };
      this.channels.set(id, dm);
    }
    return dm;
  }

  slackUser(id: string): Obj | undefined {
    const u = this.users.get(id);
    return u && toSlackUser(u, this.opts.teamId, this.opts.now());
  }

  // --- messages -----------------------------------------------------------------------------

  messagesIn(channelId: string): StoredMessage[] {
    let list = this.history.get(channelId);
    if (!list) {
      list = [];
      this.history.set(channelId, list);
    }
    return list;
  }

  findMessage(channelId: string, ts: unknown): StoredMessage | undefined {
    return this.history.get(channelId)?.find((m) => m.ts === ts);
  }

  /** Checks text/blocks/attachments the way chat.postMessage does; returns an error result or undefined. */
  checkContent(content: MessageContent): ApiResult | undefined {
    const { text, blocks, attachments } = content;
    const hasText = typeof text === 'string' && text.length > 0;
    if (!hasText && blocks === undefined && attachments === undefined) return fail('no_text');
    if (typeof text === 'string' && text.length > LIMITS.messageText) return fail('msg_too_long');
    if (blocks !== undefined) {
      if (!Array.isArray(blocks)) return fail('invalid_blocks_format');
      const problems = validateBlocks(blocks, 'message');
      if (problems.length > 0) return blockErrors('invalid_blocks', problems);
    }
    if (attachments !== undefined) {
      if (!Array.isArray(attachments)) return fail('invalid_attachments');
      const problems = attachments.flatMap((a, i) =>
        isObj(a) && a.blocks !== undefined ? validateBlocks(a.blocks, 'message', `/attachments/${i}/blocks`) : [],
      );
      if (problems.length > 0) return blockErrors('invalid_attachments', problems);
    }
    return undefined;
  }

  /**
   * Message metadata as chat.postMessage and chat.update take it: `{ event_type, event_payload }`,
   * an event type in snake case and a payload object. Returns Slack's error, or undefined.
   */
  checkMetadata(metadata: unknown): ApiResult | undefined {
    if (metadata === undefined) return undefined;
    if (!isObj(metadata) || typeof metadata.event_type !== 'string' || !isObj(metadata.event_payload)) {
      return fail('invalid_metadata_format');
    }
    if (!/^[a-z0-9_]{1,255}$/i.test(metadata.event_type)) return fail('invalid_metadata_format');
    return undefined;
  }

  /** Slack fills in a block_id for blocks that lack one; interactions then carry it. */
  private withBlockIds(blocks: unknown): unknown[] | undefined {
    if (!Array.isArray(blocks)) return undefined;
    return blocks.map((b) => (isObj(b) && b.block_id === undefined ? { ...b, block_id: randomBytes(3).toString('base64url') } : b));
  }

  botMessage(fields: { text?: unknown; blocks?: unknown; attachments?: unknown; thread_ts?: unknown; metadata?: unknown }): StoredMessage {
    return {
      type: 'message',
      ts: this.nextTs(),
      user: this.opts.botUserId,
      bot_id: this.opts.botId,
      app_id: this.opts.appId,
      team: this.opts.teamId,
      text: typeof fields.text === 'string' ? fields.text : '',
      blocks: this.withBlockIds(fields.blocks),
      attachments: Array.isArray(fields.attachments) ? fields.attachments : undefined,
      thread_ts: typeof fields.thread_ts === 'string' && fields.thread_ts !== '' ? fields.thread_ts : undefined,
      metadata: fields.metadata,
    };
  }

  /** Appends a message; a reply to a reply joins the parent's thread, and the parent's counters move. */
  append(channelId: string, message: StoredMessage): StoredMessage {
    const list = this.messagesIn(channelId);
    if (message.thread_ts) {
      const target = list.find((m) => m.ts === message.thread_ts);
      const parent = target?.thread_ts && target.thread_ts !== target.ts ? list.find((m) => m.ts === target.thread_ts) : target;
      if (parent) {
        message.thread_ts = parent.ts;
        parent.thread_ts = parent.ts;
        parent.reply_count = (parent.reply_count ?? 0) + 1;
        parent.latest_reply = message.ts;
      }
    }
    list.push(message);
    return message;
  }

  /** Replaces only the parts given, like chat.update (an empty blocks array removes the blocks). */
  edit(message: StoredMessage, content: MessageContent & { metadata?: unknown }): void {
    if (typeof content.text === 'string') message.text = content.text;
    if (content.blocks !== undefined) {
      message.blocks = Array.isArray(content.blocks) && content.blocks.length > 0 ? this.withBlockIds(content.blocks) : undefined;
    }
    if (content.attachments !== undefined) message.attachments = content.attachments as unknown[];
    if (content.metadata !== undefined) message.metadata = content.metadata;
    message.edited = { user: this.opts.botUserId, ts: this.nextTs() };
  }

  remove(channelId: string, ts: string): boolean {
    const list = this.history.get(channelId);
    const i = list?.findIndex((m) => m.ts === ts) ?? -1;
    if (!list || i < 0) return false;
    list.splice(i, 1);
    return true;
  }

  postEphemeral(channelId: string, recipient: string, content: MessageContent & { thread_ts?: unknown }): EphemeralMessage {
    const message: EphemeralMessage = { ...this.botMessage(content), channel: channelId, recipient };
    this.ephemerals.push(message);
    return message;
  }

  // --- interactions: trigger ids and response urls -------------------------------------------

  issueTriggerId(userId: string): string {
    const id = `${this.nowSeconds()}.${++this.counter}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { userId, issuedAt: this.opts.now(), used: false });
    return id;
  }

  /** Consumes a trigger_id; returns the user it was issued for, or the error Slack gives. */
  useTrigger(triggerId: unknown): { userId: string } | ApiResult {
    const trigger = typeof triggerId === 'string' ? this.triggers.get(triggerId) : undefined;
    if (!trigger) return fail('invalid_trigger_id');
    if (trigger.used) return fail('exchanged_trigger_id');
    if (this.opts.now() - trigger.issuedAt > TRIGGER_TTL_MS) return fail('expired_trigger_id');
    trigger.used = true;
    return { userId: trigger.userId };
  }

  issueResponseUrl(ctx: ResponseContext): string {
    const id = randomBytes(12).toString('hex');
    this.responseUrls.set(id, { ctx, issuedAt: this.opts.now(), uses: 0 });
    return `${this.opts.baseUrl()}/response/${id}`;
  }

  responseContext(id: string): ResponseContext | undefined {
    return this.responseUrls.get(id)?.ctx;
  }

  /** A POST to a response_url: recorded, counted against Slack's 5-use limit, then applied. */
  postToResponseUrl(id: string, body: unknown): { status: number; result: ApiResult } {
    const entry = this.responseUrls.get(id);
    let outcome: { status: number; result: ApiResult };
    if (!entry || this.opts.now() - entry.issuedAt > RESPONSE_URL_TTL_MS) outcome = { status: 404, result: fail('expired_url') };
    else if (entry.uses >= RESPONSE_URL_MAX_USES) outcome = { status: 404, result: fail('used_url') };
    else {
      entry.uses += 1;
      const result = this.applyResponse(entry.ctx, body);
      outcome = { status: result.ok ? 200 : 400, result };
    }
    this.responses.push({ id, body, status: outcome.status, at: this.opts.now() });
    return outcome;
  }

  /**
   * What Slack does with a message sent back for an interaction (response_url POST, or a
   * slash command's ack body): replace or delete the original, post in channel, or show it
   * only to the user. Loose where Slack's rules are fuzzy.
   */
  applyResponse(ctx: ResponseContext, body: unknown): ApiResult {
    if (!isObj(body)) return fail('invalid_payload');
    const targetTs = ctx.messageTs ?? ctx.postedTs;
    const original = targetTs ? this.findOriginal(ctx.channelId, targetTs) : undefined;
    if (body.delete_original === true || body.delete_original === 'true') {
      if (original) this.removeOriginal(ctx, original);
      return { ok: true };
    }
    const problem = this.checkContent(body);
    if (problem) return problem;
    if ((body.replace_original === true || body.replace_original === 'true') && original) {
      original.text = typeof body.text === 'string' ? body.text : '';
      original.blocks = this.withBlockIds(body.blocks);
      original.attachments = Array.isArray(body.attachments) ? body.attachments : undefined;
      return { ok: true };
    }
    const posted =
      body.response_type === 'in_channel'
        ? this.append(ctx.channelId, this.botMessage(body))
        : this.postEphemeral(ctx.channelId, ctx.userId, body);
    if (!ctx.messageTs) ctx.postedTs = posted.ts;
    return { ok: true };
  }

  private findOriginal(channelId: string, ts: string): StoredMessage | undefined {
    return this.findMessage(channelId, ts) ?? this.ephemerals.find((m) => m.channel === channelId && m.ts === ts);
  }

  private removeOriginal(ctx: ResponseContext, original: StoredMessage): void {
    if (!this.remove(ctx.channelId, original.ts)) {
      const i = this.ephemerals.indexOf(original as EphemeralMessage);
      if (i >= 0) this.ephemerals.splice(i, 1);
    }
  }

  // --- views --------------------------------------------------------------------------------

  /** Validates a view argument; returns Slack's invalid_arguments result when it is wrong. */
  checkView(view: unknown, expected: 'modal' | 'home'): ApiResult | undefined {
    // A string here is JSON that did not parse.
    if (typeof view === 'string' || view === undefined) return blockErrors('invalid_arguments', ['[ERROR] missing required field: view']);
    const problems = validateView(view, expected);
    return problems.length > 0 ? blockErrors('invalid_arguments', problems) : undefined;
  }

  private storeView(user: string, view: Obj, ids: { id?: string; root?: string; previous?: string | null }): StoredView {
    const id = ids.id ?? this.newId('V');
    const stored: StoredView = {
      ...view,
      id,
      team_id: this.opts.teamId,
      type: view.type === 'home' ? 'home' : 'modal',
      user,
      blocks: this.withBlockIds(view.blocks) ?? [],
      callback_id: typeof view.callback_id === 'string' ? view.callback_id : '',
      private_metadata: typeof view.private_metadata === 'string' ? view.private_metadata : '',
      external_id: typeof view.external_id === 'string' ? view.external_id : '',
      hash: `${this.nowSeconds()}.${randomBytes(4).toString('hex')}`,
      root_view_id: ids.root ?? id,
      previous_view_id: ids.previous ?? null,
      app_id: this.opts.appId,
      bot_id: this.opts.botId,
      app_installed_team_id: this.opts.teamId,
      clear_on_close: view.clear_on_close === true,
      notify_on_close: view.notify_on_close === true,
      state: { values: {} },
    };
    this.views.set(id, stored);
    return stored;
  }

  openModal(user: string, view: Obj): StoredView {
    const stored = this.storeView(user, view, {});
    this.modalStacks.set(user, [stored.id]);
    return stored;
  }

  pushModal(user: string, view: Obj): StoredView | ApiResult {
    const stack = this.modalStacks.get(user) ?? [];
    if (stack.length === 0) return fail('not_found');
    if (stack.length >= MODAL_STACK_LIMIT) return fail('push_limit_reached');
    const stored = this.storeView(user, view, { root: stack[0], previous: stack[stack.length - 1] ?? null });
    stack.push(stored.id);
    return stored;
  }

  updateView(existing: StoredView, view: Obj): StoredView {
    return this.storeView(existing.user, view, {
      id: existing.id,
      root: existing.root_view_id,
      previous: existing.previous_view_id,
    });
  }

  /** The Home tab keeps one view id per user across publishes. */
  publishHome(user: string, view: Obj): StoredView {
    const stored = this.storeView(user, view, { id: this.homeViews.get(user) });
    this.homeViews.set(user, stored.id);
    return stored;
  }

  homeView(user: string): StoredView | undefined {
    const id = this.homeViews.get(user);
    return id === undefined ? undefined : this.views.get(id);
  }

  openModals(user: string): StoredView[] {
    return (this.modalStacks.get(user) ?? []).flatMap((id) => this.views.get(id) ?? []);
  }

  findViewByExternalId(externalId: unknown): StoredView | undefined {
    if (typeof externalId !== 'string' || externalId === '') return undefined;
    for (const v of this.views.values()) if (v.external_id === externalId) return v;
    return undefined;
  }

  /** After a view_submission: an empty ack closes the modal, `response_action`s do what Slack does. */
  afterSubmission(user: string, viewId: string, ack: unknown): void {
    const stack = this.modalStacks.get(user) ?? [];
    const action = isObj(ack) ? ack.response_action : undefined;
    if (action === 'errors') return;
    if (action === 'clear') {
      this.modalStacks.delete(user);
      return;
    }
    const existing = this.views.get(viewId);
    if (action === 'update' && existing && isObj(ack) && isObj(ack.view)) {
      this.updateView(existing, ack.view);
      return;
    }
    if (action === 'push' && isObj(ack) && isObj(ack.view)) {
      this.pushModal(user, ack.view);
      return;
    }
    const i = stack.indexOf(viewId);
    if (i >= 0) stack.splice(i, 1);
  }

  // --- files --------------------------------------------------------------------------------

  fileObject(f: StoredFile): Obj {
    const base = this.opts.baseUrl();
    const ext = f.name.includes('.') ? (f.name.split('.').pop() ?? '').toLowerCase() : '';
    return {
      id: f.id,
      created: f.created,
      timestamp: f.created,
      name: f.name,
      title: f.title,
      mimetype: MIME_TYPES[ext] ?? 'application/octet-stream',
      filetype: ext || 'binary',
      pretty_type: ext.toUpperCase() || 'Binary',
      user: f.user,
      user_team: this.opts.teamId,
      mode: 'hosted',
      is_external: false,
      is_public: f.channels.some((c) => this.channels.get(c)?.is_private === false),
      size: f.bytes?.length ?? f.length,
      url_private: `${base}/files/${f.id}/${encodeURIComponent(f.name)}`,
      url_private_download: `${base}/files/${f.id}/${encodeURIComponent(f.name)}?download=1`,
      permalink: `https://${TEAM_HOST}/files/${f.user}/${f.id}/${encodeURIComponent(f.name)}`,
      alt_txt: f.alt_text,
      channels: f.channels.filter((c) => !this.channels.get(c)?.is_private),
      groups: f.channels.filter((c) => this.channels.get(c)?.is_private && !this.channels.get(c)?.is_im),
      ims: f.channels.filter((c) => this.channels.get(c)?.is_im),
    };
  }

  private nowSeconds(): number {
    return Math.floor(this.opts.now() / 1000);
  }
}

export const TEAM_HOST = 'trustops-sandbox.slack.com';

const MIME_TYPES: Record<string, string> = {
  txt: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  md: 'text/markdown',
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  zip: 'application/zip',
  html: 'text/html',
};
