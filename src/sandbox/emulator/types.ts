export type Args = Record<string, unknown>;

/** One Web API request as the emulator saw it (args after form/JSON decoding). */
export type RecordedCall = {
  method: string;
  args: Args;
  response: unknown;
  status: number;
  at: number;
};

/** One POST the bot made to a response_url. */
export type RecordedResponse = {
  id: string;
  body: unknown;
  status: number;
  at: number;
};

export type ApiResult = { ok: true; [key: string]: unknown } | { ok: false; error: string; [key: string]: unknown };

export type SlackUser = {
  id: string;
  name: string;
  real_name: string;
  is_admin: boolean;
  is_bot: boolean;
  tz: string;
  email?: string;
};

export type SlackChannel = {
  id: string;
  name: string;
  is_private: boolean;
  is_im: boolean;
  /** For a DM: the other member. */
  user?: string;
  created: number;
  /** Slack Connect: shared with another organisation (conversations.info's is_shared / is_ext_shared). */
  is_ext_shared?: boolean;
};

export type StoredFile = {
  id: string;
  name: string;
  title: string;
  length: number;
  alt_text?: string;
  bytes?: Buffer;
  created: number;
  user: string;
  channels: string[];
  /** Where completeUploadExternal shared it (files.info's `shares`): channel, message ts, thread. */
  shares?: { channel: string; ts: string; thread_ts?: string }[];
  /** completeUploadExternal accepted it (its share may still be on its way, see SlackEmulator.delayShares). */
  completed?: boolean;
};

/** A message as Slack returns it; undefined fields are dropped when serialised. */
export type StoredMessage = {
  type: 'message';
  ts: string;
  user: string;
  bot_id?: string;
  app_id?: string;
  team: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  thread_ts?: string;
  reply_count?: number;
  latest_reply?: string;
  files?: unknown[];
  metadata?: unknown;
  edited?: { user: string; ts: string };
};

export type EphemeralMessage = StoredMessage & { channel: string; recipient: string };

export type StoredView = {
  id: string;
  team_id: string;
  type: 'modal' | 'home';
  user: string;
  callback_id: string;
  private_metadata: string;
  external_id: string;
  hash: string;
  root_view_id: string;
  previous_view_id: string | null;
  app_id: string;
  bot_id: string;
  state: { values: Record<string, unknown> };
  [key: string]: unknown;
};

/** Where a response_url (or an ack body) lands: the interaction it was issued for. */
export type ResponseContext = {
  channelId: string;
  userId: string;
  messageTs?: string;
  /**
   * With no message (a slash command): the last message posted through this response_url, which a later
   * `replace_original` or `delete_original` acts on, as in Slack.
   */
  postedTs?: string;
};
