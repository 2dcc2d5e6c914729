/**
 * Sends requests to the bot the way Slack does: form-encoded slash commands, `payload=`
 * interactions, JSON event callbacks, each signed with the app's signing secret. Trigger ids
 * and response_urls come from the emulator, so what the bot does with them lands there.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { SlackEmulator, StoredView } from './emulator';
import { findElement } from './emulator/block-kit';
import type { EnvelopeType } from './emulator/socket-mode';

export type SignedSlackClientOptions = {
  /** The bot's request URL, e.g. http://127.0.0.1:3000/slack/events (HTTP transport). */
  botUrl: string;
  signingSecret: string;
  emulator: SlackEmulator;
  teamId?: string;
  /** The deprecated `token` field Slack still puts in payloads. */
  verificationToken?: string;
  /**
   * `http` (the default) POSTs to botUrl, signed; `socket` delivers envelopes over the emulator's
   * Socket Mode connection instead, and the acknowledgement stands for the HTTP answer.
   */
  transport?: 'http' | 'socket';
};

/** Per-request knobs for testing the bot's verification and retry handling. */
export type RequestOverrides = {
  /** X-Slack-Request-Timestamp in seconds (e.g. 10 minutes ago to test replay protection). */
  timestamp?: number;
  /** Sent verbatim instead of the computed signature. */
  signature?: string;
  /** Sign with this secret instead of the real one. */
  signingSecret?: string;
  retryNum?: number;
  retryReason?: string;
  headers?: Record<string, string>;
};

export type BotResponse = {
  status: number;
  body: string;
  json?: unknown;
  responseUrl?: string;
  triggerId?: string;
  /** How long the bot took to answer; Slack gives up after 3 s. */
  elapsedMs: number;
};

export type CommandOptions = { userId?: string; userName?: string; channelId?: string; command?: string };

export type SelectedOption = { text?: string | { type: 'plain_text'; text: string }; value: string };

export type BlockActionOptions = {
  userId: string;
  actionId: string;
  blockId?: string;
  value?: string;
  /** Channel id or name; defaults to the message's channel, or #general. */
  channelId?: string;
  /** Clicks an element of this message (looked up in the emulator, channel or ephemeral). */
  messageTs?: string;
  selectedOption?: SelectedOption;
  container?: Record<string, unknown>;
  /** A view id known to the emulator, or a view object: the action happens in a modal or the Home tab. */
  view?: string | Record<string, unknown>;
};

/**
 * `view.state.values`: `{ [block_id]: { [action_id]: state } }`. A state can be given in Slack's
 * shape (`{ type, value | selected_option | ... }`) or as a plain string / string[], which is
 * turned into the right shape for the element found in the view (a text input if none).
 */
export type ViewValues = Record<string, Record<string, unknown>>;

export type ViewSubmissionOptions = {
  userId: string;
  callbackId: string;
  privateMetadata?: string;
  values: ViewValues;
  /** Defaults to the user's top open modal with this callback_id, if any. */
  viewId?: string;
};

export function signSlackRequest(signingSecret: string, timestampSeconds: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex')}`;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const FORM = 'application/x-www-form-urlencoded';

export class SignedSlackClient {
  private readonly botUrl: string;
  private readonly signingSecret: string;
  private readonly emulator: SlackEmulator;
  private readonly teamId: string;
  private readonly verificationToken: string;
  private readonly transport: 'http' | 'socket';

  constructor(opts: SignedSlackClientOptions) {
    this.botUrl = opts.botUrl;
    this.signingSecret = opts.signingSecret;
    this.emulator = opts.emulator;
    this.teamId = opts.teamId ?? opts.emulator.teamId;
    this.verificationToken = opts.verificationToken ?? 'sandbox-verification-token';
    this.transport = opts.transport ?? 'http';
  }

  /** A slash command, with every field Slack sends. An ack body is shown to the user, as Slack does. */
  async command(text: string, opts: CommandOptions = {}, overrides?: RequestOverrides): Promise<BotResponse> {
    const userId = opts.userId ?? 'U0ALICE';
    const channel = this.requireChannel(opts.channelId ?? 'C0GENERAL');
    const responseUrl = this.emulator.issueResponseUrl({ channelId: channel.id, userId });
    const triggerId = this.emulator.issueTriggerId(userId);
    const form = new URLSearchParams({
      token: this.verificationToken,
      team_id: this.teamId,
      team_domain: this.emulator.teamDomain,
      channel_id: channel.id,
      channel_name: channel.is_im ? 'directmessage' : channel.name,
      user_id: userId,
      user_name: opts.userName ?? this.emulator.user(userId)?.name ?? userId.toLowerCase(),
      command: opts.command ?? '/trustops',
      text,
      api_app_id: this.emulator.appId,
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: triggerId,
    });
    const res = await this.send(form.toString(), FORM, overrides);
    if (res.status === 200 && res.body.trim() !== '') {
      this.emulator.applyAckMessage(responseUrl, isObj(res.json) ? res.json : { text: res.body });
    }
    return { ...res, responseUrl, triggerId };
  }

  /** A `block_actions` interaction. With messageTs or view, the element must exist there, as for a real click. */
  async blockAction(opts: BlockActionOptions, overrides?: RequestOverrides): Promise<BotResponse> {
    const triggerId = this.emulator.issueTriggerId(opts.userId);
    const payload: Obj = {
      type: 'block_actions',
      user: this.userPayload(opts.userId),
      api_app_id: this.emulator.appId,
      token: this.verificationToken,
      trigger_id: triggerId,
      team: { id: this.teamId, domain: this.emulator.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
    };
    let blocks: unknown;
    let responseUrl: string | undefined;
    let where: string;
    if (opts.view !== undefined) {
      const view = typeof opts.view === 'string' ? this.requireView(opts.view) : opts.view;
      payload.container = { type: 'view', view_id: view.id };
      payload.view = publicView(view);
      payload.state = isObj(view.state) ? view.state : { values: {} };
      blocks = view.blocks;
      where = `view ${String(view.id)}`;
    } else {
      const found = opts.messageTs ? this.findMessage(opts.messageTs, opts.channelId) : undefined;
      const channel = this.requireChannel(found?.channel ?? opts.channelId ?? 'C0GENERAL');
      const isEphemeral = found?.ephemeral ?? false;
      payload.container = opts.messageTs
        ? { type: 'message', message_ts: opts.messageTs, channel_id: channel.id, is_ephemeral: isEphemeral }
        : { type: 'message', channel_id: channel.id, is_ephemeral: false };
      payload.channel = { id: channel.id, name: channel.is_im ? 'directmessage' : channel.name };
      // Slack leaves the message out of payloads for ephemeral messages.
      if (found && !isEphemeral) payload.message = found.message;
      payload.state = { values: {} };
      responseUrl = this.emulator.issueResponseUrl({ channelId: channel.id, userId: opts.userId, messageTs: opts.messageTs });
      payload.response_url = responseUrl;
      blocks = found?.message.blocks;
      where = `message ${opts.messageTs ?? ''}`;
    }
    if (opts.container) payload.container = opts.container;

    const located = blocks === undefined ? undefined : findElement(blocks, opts.actionId, opts.blockId);
    if (blocks !== undefined && !located) {
      throw new Error(`SignedSlackClient: no element with action_id "${opts.actionId}" on ${where}`);
    }
    const element = located?.element ?? {};
    const type = typeof element.type === 'string' ? element.type : opts.selectedOption ? 'static_select' : 'button';
    const action: Obj = {
      action_id: opts.actionId,
      block_id: opts.blockId ?? located?.blockId ?? randomBytes(3).toString('base64url'),
      type,
      action_ts: nowTs(),
    };
    if (type === 'button') {
      action.text = element.text ?? { type: 'plain_text', text: opts.actionId, emoji: true };
      const value = opts.value ?? element.value;
      if (value !== undefined) action.value = value;
      if (element.style !== undefined) action.style = element.style;
    }
    if (opts.selectedOption) action.selected_option = toOption(opts.selectedOption, element.options);
    else if (opts.value !== undefined && type !== 'button') action.value = opts.value;
    payload.actions = [action];

    const res = await this.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), FORM, overrides);
    return { ...res, responseUrl, triggerId };
  }

  /** A `view_submission`; afterwards the emulator closes/updates the modal according to the ack. */
  async viewSubmission(opts: ViewSubmissionOptions, overrides?: RequestOverrides): Promise<BotResponse> {
    const stored = opts.viewId
      ? this.requireView(opts.viewId)
      : this.emulator
          .openModals(opts.userId)
          .filter((v) => v.callback_id === opts.callbackId)
          .at(-1);
    const base: Obj = stored ? publicView(stored) : this.syntheticView();
    const view: Obj = {
      ...base,
      callback_id: opts.callbackId,
      private_metadata: opts.privateMetadata ?? base.private_metadata ?? '',
      state: { values: normalizeValues(opts.values, base.blocks) },
    };
    const triggerId = this.emulator.issueTriggerId(opts.userId);
    const payload = {
      type: 'view_submission',
      team: { id: this.teamId, domain: this.emulator.teamDomain },
      user: this.userPayload(opts.userId),
      api_app_id: this.emulator.appId,
      token: this.verificationToken,
      trigger_id: triggerId,
      view,
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    const res = await this.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), FORM, overrides);
    if (stored && res.status === 200) this.emulator.applyViewSubmissionAck(opts.userId, stored.id, res.json ?? '');
    return { ...res, triggerId };
  }

  /** An Events API `event_callback` wrapping the given event. */
  async event(event: object, overrides?: RequestOverrides): Promise<BotResponse> {
    const body = {
      token: this.verificationToken,
      team_id: this.teamId,
      api_app_id: this.emulator.appId,
      event: { event_ts: nowTs(), ...event },
      type: 'event_callback',
      event_id: `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        {
          enterprise_id: null,
          team_id: this.teamId,
          user_id: this.emulator.botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
      event_context: `4-${randomBytes(12).toString('base64url')}`,
    };
    return this.send(JSON.stringify(body), 'application/json', overrides);
  }

  async urlVerification(challenge: string, overrides?: RequestOverrides): Promise<BotResponse> {
    const body = { token: this.verificationToken, challenge, type: 'url_verification' };
    return this.send(JSON.stringify(body), 'application/json', overrides);
  }

  /** Any body, signed (unless overridden); for malformed-request tests. Content-type defaults to form. */
  async raw(body: string, headers: Record<string, string> = {}, overrides: RequestOverrides = {}): Promise<BotResponse> {
    const contentType = headers['content-type'] ?? FORM;
    return this.send(body, contentType, { ...overrides, headers: { ...headers, ...overrides.headers } });
  }

  /**
   * Resolves with the bodies the bot POSTed to this response_url, once there is at least one answer.
   * Progress placeholders ("⏳ Working on it…", replaced by the answer later) are left out.
   */
  waitForResponse(responseUrl: string, timeoutMs = 2000): Promise<unknown[]> {
    const placeholder = (b: unknown) =>
      typeof (b as { text?: unknown })?.text === 'string' && (b as { text: string }).text.startsWith('⏳');
    return this.emulator.waitUntil(
      () => {
        const bodies = this.emulator
          .responses(responseUrl)
          .map((r) => r.body)
          .filter((b) => !placeholder(b));
        return bodies.length > 0 ? bodies : undefined;
      },
      timeoutMs,
      `a POST to ${responseUrl}`,
    );
  }

  private async send(body: string, contentType: string, o: RequestOverrides = {}): Promise<BotResponse> {
    if (this.transport === 'socket') return this.sendOverSocket(body, contentType);
    const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': contentType,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': o.signature ?? signSlackRequest(o.signingSecret ?? this.signingSecret, timestamp, body),
    };
    if (o.retryNum !== undefined) headers['x-slack-retry-num'] = String(o.retryNum);
    if (o.retryReason !== undefined) headers['x-slack-retry-reason'] = o.retryReason;
    Object.assign(headers, o.headers);
    const started = Date.now();
    const res = await fetch(this.botUrl, { method: 'POST', headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, body: text, json, elapsedMs: Date.now() - started };
  }

  /**
   * The same request as a Socket Mode envelope: a slash command's fields, an interaction's payload or an
   * event callback. An empty ack payload is an empty answer, as an empty HTTP 200 is; no ack in time is
   * what Slack reports as a timeout.
   */
  private async sendOverSocket(body: string, contentType: string): Promise<BotResponse> {
    let type: EnvelopeType = 'events_api';
    let payload: unknown;
    if (contentType === FORM) {
      const form = new URLSearchParams(body);
      const interaction = form.get('payload');
      type = interaction === null ? 'slash_commands' : 'interactive';
      payload = interaction === null ? Object.fromEntries(form) : JSON.parse(interaction);
    } else {
      payload = JSON.parse(body);
    }
    const started = Date.now();
    try {
      const ack = await this.emulator.socketMode.deliver(type, payload);
      const empty = ack.payload === undefined || (isObj(ack.payload) && Object.keys(ack.payload).length === 0);
      return {
        status: 200,
        body: empty ? '' : JSON.stringify(ack.payload),
        json: empty ? undefined : ack.payload,
        elapsedMs: ack.elapsedMs,
      };
    } catch (err) {
      return { status: 504, body: err instanceof Error ? err.message : String(err), elapsedMs: Date.now() - started };
    }
  }

  private userPayload(userId: string): Obj {
    const name = this.emulator.user(userId)?.name ?? userId.toLowerCase();
    return { id: userId, username: name, name, team_id: this.teamId };
  }

  private requireChannel(ref: string) {
    const channel = this.emulator.channel(ref);
    if (!channel) throw new Error(`SignedSlackClient: no channel "${ref}" in the emulator`);
    return channel;
  }

  private requireView(id: string): StoredView {
    const view = this.emulator.view(id);
    if (!view) throw new Error(`SignedSlackClient: no view "${id}" in the emulator`);
    return view;
  }

  /** Finds a message by ts in the given channel, or anywhere (channel messages first, then ephemerals). */
  private findMessage(ts: string, channelRef?: string): { channel: string; message: Obj; ephemeral: boolean } {
    const channels = channelRef ? [this.requireChannel(channelRef)] : this.emulator.channels();
    for (const c of channels) {
      const message = this.emulator.message(c.id, ts);
      if (message) return { channel: c.id, message, ephemeral: false };
    }
    const channelId = channelRef ? this.requireChannel(channelRef).id : undefined;
    const ephemeral = this.emulator.ephemeralMessages({ channel: channelId }).find((m) => m.ts === ts);
    if (ephemeral) {
      const { channel, recipient: _recipient, ...message } = ephemeral;
      return { channel, message, ephemeral: true };
    }
    throw new Error(`SignedSlackClient: no message ${ts}${channelRef ? ` in ${channelRef}` : ''} in the emulator`);
  }

  private syntheticView(): Obj {
    const id = `V0${randomBytes(4).toString('hex').toUpperCase()}`;
    return {
      id,
      team_id: this.teamId,
      type: 'modal',
      blocks: [],
      title: { type: 'plain_text', text: 'Modal' },
      private_metadata: '',
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      root_view_id: id,
      previous_view_id: null,
      app_id: this.emulator.appId,
      bot_id: this.emulator.botId,
      external_id: '',
      clear_on_close: false,
      notify_on_close: false,
    };
  }
}

function nowTs(): string {
  const us = Date.now() * 1000;
  return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
}

/** The view as it appears in payloads (without the emulator's bookkeeping). */
function publicView(view: Obj): Obj {
  const out = { ...view };
  delete out.user;
  return out;
}

function toOption(option: SelectedOption, options: unknown): Obj {
  const known = Array.isArray(options) ? options.find((o) => isObj(o) && o.value === option.value) : undefined;
  if (isObj(known) && option.text === undefined) return known;
  const text = option.text ?? option.value;
  return { text: typeof text === 'string' ? { type: 'plain_text', text, emoji: true } : text, value: option.value };
}

/** Turns shorthand values into Slack's per-element state shape, using the view's elements. */
export function normalizeValues(values: ViewValues, blocks: unknown): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [blockId, actions] of Object.entries(values)) {
    const block: Record<string, unknown> = {};
    for (const [actionId, state] of Object.entries(actions)) {
      if (isObj(state)) {
        block[actionId] = state;
        continue;
      }
      const element = findElement(blocks, actionId, blockId)?.element ?? { type: 'plain_text_input' };
      block[actionId] = elementState(String(element.type), state, element.options);
    }
    out[blockId] = block;
  }
  return out;
}

function elementState(type: string, input: unknown, options: unknown): Obj {
  const list = (Array.isArray(input) ? input : [input]).map(String);
  const first = list[0] ?? null;
  switch (type) {
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return { type, selected_option: first === null ? null : toOption({ value: first }, options) };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { type, selected_options: list.map((value) => toOption({ value }, options)) };
    case 'users_select':
      return { type, selected_user: first };
    case 'multi_users_select':
      return { type, selected_users: list };
    case 'conversations_select':
      return { type, selected_conversation: first };
    case 'multi_conversations_select':
      return { type, selected_conversations: list };
    case 'channels_select':
      return { type, selected_channel: first };
    case 'multi_channels_select':
      return { type, selected_channels: list };
    case 'datepicker':
      return { type, selected_date: first };
    case 'timepicker':
      return { type, selected_time: first };
    default:
      return { type, value: first };
  }
}
