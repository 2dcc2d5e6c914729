import { toSlackChannel } from './directory';
import type { ApiResult, Args, StoredMessage, StoredView } from './types';
import { fail, TEAM_HOST, type Workspace } from './workspace';

type Handler = (ws: Workspace, args: Args) => ApiResult;
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const bool = (v: unknown): boolean => v === true || v === 'true' || v === '1' || v === 1;

/** The view object as Slack returns it (our bookkeeping field `user` is not part of it). */
function viewOut(view: StoredView): Obj {
  const out: Obj = { ...view };
  delete out.user;
  return out;
}

/** Cursor pagination the way Slack's conversations.* do it: opaque cursor, `next_cursor` '' at the end. */
function page<T>(items: T[], args: Args): { items: T[]; next_cursor: string } | ApiResult {
  const limit = Math.min(Math.max(Number(args.limit) || 100, 1), 1000);
  let offset = 0;
  const cursor = str(args.cursor);
  if (cursor) {
    const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
    if (!m) return fail('invalid_cursor');
    offset = Number(m[1]);
  }
  const slice = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '';
  return { items: slice, next_cursor: next };
}

const isResult = (v: object): v is ApiResult => 'ok' in v;

/** Slack returns message metadata from history only when asked with include_all_metadata. */
function withMetadata(messages: readonly StoredMessage[], args: Args): StoredMessage[] {
  if (bool(args.include_all_metadata)) return [...messages];
  return messages.map((m) => (m.metadata === undefined ? m : { ...m, metadata: undefined }));
}

export const WEB_API: Record<string, Handler> = {
  'api.test': (_ws, args) => ({ ok: true, args }),

  'auth.test': (ws) => ({
    ok: true,
    url: `https://${TEAM_HOST}/`,
    team: 'TrustOps Sandbox',
    user: 'trustops',
    team_id: ws.opts.teamId,
    user_id: ws.opts.botUserId,
    bot_id: ws.opts.botId,
    is_enterprise_install: false,
  }),

  'chat.postMessage': (ws, args) => {
    const channel = ws.resolveChannel(args.channel);
    if (!channel) return fail('channel_not_found');
    const problem = ws.checkContent(args) ?? ws.checkMetadata(args.metadata);
    if (problem) return problem;
    const message = ws.append(channel.id, ws.botMessage(args));
    return { ok: true, channel: channel.id, ts: message.ts, message };
  },

  'chat.postEphemeral': (ws, args) => {
    const channel = ws.resolveChannel(args.channel);
    if (!channel) return fail('channel_not_found');
    const user = str(args.user);
    if (!user) return fail('user_not_in_channel');
    const problem = ws.checkContent(args);
    if (problem) return problem;
    return { ok: true, message_ts: ws.postEphemeral(channel.id, user, args).ts };
  },

  'chat.update': (ws, args) => {
    const channel = ws.resolveChannel(args.channel);
    if (!channel) return fail('channel_not_found');
    const message = ws.findMessage(channel.id, str(args.ts));
    if (!message) return fail('message_not_found');
    if (message.user !== ws.opts.botUserId) return fail('cant_update_message');
    const problem = ws.checkContent(args) ?? ws.checkMetadata(args.metadata);
    if (problem) return problem;
    ws.edit(message, args);
    return { ok: true, channel: channel.id, ts: message.ts, text: message.text, message };
  },

  'chat.delete': (ws, args) => {
    const channel = ws.resolveChannel(args.channel);
    if (!channel) return fail('channel_not_found');
    const message = ws.findMessage(channel.id, str(args.ts));
    if (!message) return fail('message_not_found');
    if (message.user !== ws.opts.botUserId) return fail('cant_delete_message');
    ws.remove(channel.id, message.ts);
    return { ok: true, channel: channel.id, ts: message.ts };
  },

  'chat.getPermalink': (ws, args) => {
    const channel = ws.resolveChannel(args.channel);
    if (!channel) return fail('channel_not_found');
    const message = ws.findMessage(channel.id, str(args.message_ts));
    if (!message) return fail('message_not_found');
    return {
      ok: true,
      channel: channel.id,
      permalink: `https://${TEAM_HOST}/archives/${channel.id}/p${message.ts.replace('.', '')}`,
    };
  },

  'users.info': (ws, args) => {
    const user = ws.slackUser(str(args.user) ?? '');
    return user ? { ok: true, user } : fail('user_not_found');
  },

  'usergroups.users.list': (ws, args) => {
    const id = str(args.usergroup);
    if (!id) return fail('invalid_arguments');
    const members = ws.userGroups.get(id);
    return members ? { ok: true, users: [...members] } : fail('no_such_subteam');
  },

  'conversations.list': (ws, args) => {
    const types = new Set((str(args.types) ?? 'public_channel').split(',').map((t) => t.trim()));
    const all = [...ws.channels.values()].filter((c) =>
      c.is_im ? types.has('im') : c.is_private ? types.has('private_channel') : types.has('public_channel'),
    );
    const p = page(all, args);
    if (isResult(p)) return p;
    return {
      ok: true,
      channels: p.items.map((c) => toSlackChannel(c)),
      response_metadata: { next_cursor: p.next_cursor },
    };
  },

  'conversations.info': (ws, args) => {
    const channel = ws.channelById(args.channel);
    if (!channel) return fail('channel_not_found');
    const extra = bool(args.include_num_members) ? { num_members: ws.users.size } : {};
    return { ok: true, channel: toSlackChannel(channel, extra) };
  },

  'conversations.history': (ws, args) => {
    const channel = ws.channelById(args.channel);
    if (!channel) return fail('channel_not_found');
    const inclusive = bool(args.inclusive);
    const oldest = Number(args.oldest ?? 0);
    const latest = args.latest === undefined ? Number.POSITIVE_INFINITY : Number(args.latest);
    const inRange = (ts: number) => (inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest);
    // History lists top-level messages (thread parents included), newest first.
    const top = ws
      .messagesIn(channel.id)
      .filter((m) => (!m.thread_ts || m.thread_ts === m.ts) && inRange(Number(m.ts)))
      .reverse();
    const p = page(top, args);
    if (isResult(p)) return p;
    return {
      ok: true,
      messages: withMetadata(p.items, args),
      has_more: p.next_cursor !== '',
      pin_count: 0,
      response_metadata: { next_cursor: p.next_cursor },
    };
  },

  'conversations.replies': (ws, args) => {
    const channel = ws.channelById(args.channel);
    if (!channel) return fail('channel_not_found');
    const list = ws.messagesIn(channel.id);
    const target = list.find((m) => m.ts === str(args.ts));
    if (!target) return fail('thread_not_found');
    const root = target.thread_ts ?? target.ts;
    const thread = list.filter((m) => m.ts === root || m.thread_ts === root);
    const p = page(thread, args);
    if (isResult(p)) return p;
    return {
      ok: true,
      messages: withMetadata(p.items, args),
      has_more: p.next_cursor !== '',
      response_metadata: { next_cursor: p.next_cursor },
    };
  },

  'conversations.open': (ws, args) => {
    const channelRef = str(args.channel);
    if (channelRef) {
      const channel = ws.resolveChannel(channelRef);
      return channel ? { ok: true, channel: toSlackChannel(channel) } : fail('channel_not_found');
    }
    const users = (str(args.users) ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    if (users.length === 0) return fail('users_list_not_supplied');
    // Group DMs (several users) are not emulated.
    if (users.length > 1) return fail('not_supported');
    const userId = users[0] ?? '';
    if (!ws.users.has(userId)) return fail('user_not_found');
    const alreadyOpen = ws.channels.has(`D${userId.slice(1)}`);
    const dm = ws.openDm(userId);
    return {
      ok: true,
      no_op: alreadyOpen,
      already_open: alreadyOpen,
      channel: bool(args.return_im) ? toSlackChannel(dm) : { id: dm.id },
    };
  },

  'views.open': (ws, args) => {
    const problem = ws.checkView(args.view, 'modal');
    if (problem) return problem;
    const trigger = ws.useTrigger(args.trigger_id);
    if (isResult(trigger)) return trigger;
    return { ok: true, view: viewOut(ws.openModal(trigger.userId, args.view as Obj)) };
  },

  'views.push': (ws, args) => {
    const problem = ws.checkView(args.view, 'modal');
    if (problem) return problem;
    const trigger = ws.useTrigger(args.trigger_id);
    if (isResult(trigger)) return trigger;
    const pushed = ws.pushModal(trigger.userId, args.view as Obj);
    return isResult(pushed) ? pushed : { ok: true, view: viewOut(pushed) };
  },

  'views.update': (ws, args) => {
    const viewId = str(args.view_id);
    const existing = viewId ? ws.views.get(viewId) : ws.findViewByExternalId(args.external_id);
    if (!existing) return fail('not_found');
    const hash = str(args.hash);
    if (hash && hash !== existing.hash) return fail('hash_conflict');
    const problem = ws.checkView(args.view, existing.type);
    if (problem) return problem;
    return { ok: true, view: viewOut(ws.updateView(existing, args.view as Obj)) };
  },

  'views.publish': (ws, args) => {
    const userId = str(args.user_id);
    if (!userId) return fail('invalid_arguments');
    const problem = ws.checkView(args.view, 'home');
    if (problem) return problem;
    const hash = str(args.hash);
    const current = ws.homeView(userId);
    if (hash && current && hash !== current.hash) return fail('hash_conflict');
    return { ok: true, view: viewOut(ws.publishHome(userId, args.view as Obj)) };
  },

  'files.getUploadURLExternal': (ws, args) => {
    const filename = str(args.filename);
    const length = Number(args.length);
    if (!filename || !Number.isInteger(length) || length < 0) return fail('invalid_arguments');
    const id = ws.newId('F');
    ws.files.set(id, {
      id,
      name: filename,
      title: filename,
      length,
      alt_text: str(args.alt_text),
      created: Math.floor(ws.opts.now() / 1000),
      user: ws.opts.botUserId,
      channels: [],
    });
    return { ok: true, upload_url: `${ws.opts.baseUrl()}/upload/${id}`, file_id: id };
  },

  'files.completeUploadExternal': (ws, args) => {
    const list = args.files;
    if (!Array.isArray(list) || list.length === 0) return fail('invalid_arguments');
    const files = [];
    for (const entry of list) {
      const file = isObj(entry) ? ws.files.get(String(entry.id)) : undefined;
      // Only bytes actually posted to the upload_url count as an upload.
      if (!file?.bytes) return fail('file_not_found');
      if (isObj(entry) && typeof entry.title === 'string') file.title = entry.title;
      files.push(file);
    }
    const channelRef = str(args.channel_id) ?? str(args.channels);
    if (channelRef) {
      const channel = ws.resolveChannel(channelRef);
      if (!channel) return fail('channel_not_found');
      if (args.blocks !== undefined) {
        const problem = ws.checkContent({ blocks: args.blocks });
        if (problem) return problem;
      }
      // A file completed before (its answer lost, say) is not shared again.
      const fresh = files.filter((f) => !f.completed);
      for (const f of fresh) f.completed = true;
      const share = () => {
        if (fresh.length === 0) return;
        for (const f of fresh) if (!f.channels.includes(channel.id)) f.channels.push(channel.id);
        const message = ws.botMessage({ text: args.initial_comment, blocks: args.blocks, thread_ts: args.thread_ts });
        message.files = fresh.map((f) => ws.fileObject(f));
        const posted = ws.append(channel.id, message);
        for (const f of fresh) f.shares = [...(f.shares ?? []), { channel: channel.id, ts: posted.ts, thread_ts: posted.thread_ts }];
      };
      if (ws.shareDelayMs > 0) setTimeout(share, ws.shareDelayMs).unref();
      else share();
    }
    return { ok: true, files: files.map((f) => ws.fileObject(f)) };
  },

  // The file with where it is shared (`shares.public|private`, channel → [{ ts, thread_ts }]), as Slack
  // answers it: how a caller tells whether an upload it could not confirm was completed.
  'files.info': (ws, args) => {
    const file = ws.files.get(str(args.file) ?? '');
    if (!file) return fail('file_not_found');
    const shares: Record<'public' | 'private', Record<string, Obj[]>> = { public: {}, private: {} };
    for (const s of file.shares ?? []) {
      const side = ws.channels.get(s.channel)?.is_private ? 'private' : 'public';
      shares[side][s.channel] = [...(shares[side][s.channel] ?? []), { ts: s.ts, ...(s.thread_ts ? { thread_ts: s.thread_ts } : {}) }];
    }
    return { ok: true, file: { ...ws.fileObject(file), shares } };
  },
};
