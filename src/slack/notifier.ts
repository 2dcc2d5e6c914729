import { type WebAPICallResult, WebClient, type WebClientOptions } from '@slack/web-api';
import type { DeliveryFailure, Notifier, OutboundAlert } from '../domain/alerts/port';
import { renderAlert } from './views/alerts';
import type { SlackMessage } from './views/blocks';

/** The metadata event type on every alert message; its payload carries the outbox id. */
export const ALERT_EVENT_TYPE = 'trustops_alert';

// Slack answers these when something may work a moment later.
const RETRYABLE = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
// These refuse the token, not the message: every alert would fail alike, so delivery pauses instead.
const UNAUTHORIZED = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive']);
// Every other platform error is Slack's definite answer about this message (channel_not_found,
// not_in_channel, is_archived, invalid_blocks…): final for it.
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
// Our clock and Slack's may disagree a little; look back this much further than the alert's creation.
const CLOCK_SKEW_MS = 5 * 60_000;
const HISTORY_PAGE = 200;
const HISTORY_MAX_PAGES = 10;
// A channel name conversations.list did not know is looked up again after this long, not on every alert.
const UNKNOWN_CHANNEL_TTL_MS = 5 * 60_000;

type HistoryMessage = { ts?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } };

/**
 * The domain's outbound port (domain/alerts/port.ts) on Slack: posts (or, once posted, updates in
 * place) an alert's message. Its WebClient never retries on its own; the delivery worker owns retries and pacing.
 */
export function createNotifier(opts: { token: string; apiUrl?: string; reviewUrl: string; clientOptions?: WebClientOptions }): Notifier {
  const client = new WebClient(opts.token, {
    slackApiUrl: opts.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    // A hung request must end well within the worker's lease, so no other replica sends meanwhile.
    timeout: 10_000,
    ...opts.clientOptions,
  });
  // Channel name (as configured) → id: history takes ids only. Filled by every post and by conversations.list.
  const channelIds = new Map<string, string>();
  const unknownUntil = new Map<string, number>();

  const metadataOf = (alert: OutboundAlert) => ({
    event_type: ALERT_EVENT_TYPE,
    event_payload: { alert_id: alert.id, ...(alert.dedupeKey ? { dedupe_key: alert.dedupeKey } : {}) },
  });

  /** The channel id for an id, a name or a #name; undefined when no channel has that name. */
  const channelIdOf = async (ref: string): Promise<string | undefined> => {
    const name = ref.replace(/^#/, '');
    if (CHANNEL_ID.test(name)) return name;
    const known = channelIds.get(name);
    if (known) return known;
    if (USER_ID.test(name)) {
      // A direct message: the conversation with that user.
      const opened = await client.conversations.open({ users: name });
      if (opened.channel?.id) channelIds.set(name, opened.channel.id);
      return opened.channel?.id;
    }
    if ((unknownUntil.get(name) ?? 0) > Date.now()) return undefined;
    let cursor: string | undefined;
    do {
      const page = await client.conversations.list({
        types: 'public_channel,private_channel',
        exclude_archived: true,
        limit: 1000,
        cursor,
      });
      for (const c of page.channels ?? []) if (c.id && c.name) channelIds.set(c.name, c.id);
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor && !channelIds.has(name));
    const found = channelIds.get(name);
    if (!found) unknownUntil.set(name, Date.now() + UNKNOWN_CHANNEL_TTL_MS);
    return found;
  };

  return {
    async deliver(alert) {
      let message: SlackMessage;
      try {
        message = renderAlert(alert, opts);
      } catch (err) {
        return { ok: false, kind: 'permanent', error: (err as Error).message };
      }
      const metadata = metadataOf(alert);
      try {
        const res: WebAPICallResult & { channel?: string; ts?: string } =
          alert.slackTs && alert.slackChannel
            ? await client.chat.update({ channel: alert.slackChannel, ts: alert.slackTs, ...message, metadata })
            : await client.chat.postMessage({
                channel: alert.thread?.channel ?? alert.channel,
                ...(alert.thread ? { thread_ts: alert.thread.ts } : {}),
                ...message,
                metadata,
                unfurl_links: false,
                unfurl_media: false,
              });
        const channel = res.channel ?? alert.slackChannel ?? alert.channel;
        if (CHANNEL_ID.test(channel)) channelIds.set(alert.channel.replace(/^#/, ''), channel);
        return { ok: true, channel, ts: res.ts ?? alert.slackTs ?? '' };
      } catch (err) {
        return classify(err);
      }
    },

    async findPosted(alert, since) {
      try {
        const channel = await channelIdOf(alert.slackChannel ?? alert.thread?.channel ?? alert.channel);
        if (!channel) return { ok: false, kind: 'permanent', error: 'channel_not_found' };
        const oldest = ((since.getTime() - CLOCK_SKEW_MS) / 1000).toFixed(6);
        let cursor: string | undefined;
        for (let page = 0; page < HISTORY_MAX_PAGES; page++) {
          // A thread reply is not in the channel's history, only in its thread's replies.
          const args = { channel, oldest, limit: HISTORY_PAGE, include_all_metadata: true, cursor };
          const res = alert.thread
            ? await client.conversations.replies({ ...args, ts: alert.thread.ts })
            : await client.conversations.history(args);
          const hit = (res.messages as HistoryMessage[] | undefined)?.find((m) => isAlertMessage(m, alert));
          if (hit?.ts) return { ok: true, found: { channel, ts: hit.ts }, complete: true };
          cursor = res.response_metadata?.next_cursor || undefined;
          if (!res.has_more || !cursor) return { ok: true, complete: true };
        }
        return { ok: true, complete: false };
      } catch (err) {
        return classify(err);
      }
    },

    async checkAuth() {
      try {
        const who = await client.auth.test();
        return { ok: true, botId: who.bot_id, botUserId: who.user_id };
      } catch (err) {
        return classify(err);
      }
    },
  };
}

function isAlertMessage(m: HistoryMessage, alert: OutboundAlert): boolean {
  const payload = m.metadata?.event_type === ALERT_EVENT_TYPE ? m.metadata.event_payload : undefined;
  if (!payload || Number(payload.alert_id) !== alert.id) return false;
  return !alert.dedupeKey || payload.dedupe_key === undefined || payload.dedupe_key === alert.dedupeKey;
}

function classify(err: unknown): DeliveryFailure {
  const e = err as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number; message?: string };
  if (e.code === 'slack_webapi_rate_limited_error') {
    return { ok: false, kind: 'rate_limited', retryAfterMs: (e.retryAfter ?? 1) * 1000, error: 'ratelimited' };
  }
  if (e.code === 'slack_webapi_platform_error') {
    const error = e.data?.error ?? 'unknown_error';
    return { ok: false, kind: UNAUTHORIZED.has(error) ? 'unauthorized' : RETRYABLE.has(error) ? 'transient' : 'permanent', error };
  }
  // HTTP errors (5xx), timeouts and network failures: try again later.
  return { ok: false, kind: 'transient', error: e.statusCode ? `http_${e.statusCode}` : (e.message ?? 'network error') };
}
