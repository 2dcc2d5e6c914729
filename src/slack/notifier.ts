import { type WebAPICallResult, WebClient, type WebClientOptions } from '@slack/web-api';
import { renderAlert } from './views/alerts';
import type { SlackMessage } from './views/blocks';

/** One alert from the outbox, as the delivery worker hands it over. */
export type OutboundAlert = {
  id: number;
  kind: string;
  channel: string;
  message: unknown;
  slackChannel: string | null;
  slackTs: string | null;
};

export type DeliveryResult =
  | { ok: true; channel: string; ts: string }
  | { ok: false; kind: 'rate_limited'; retryAfterMs: number; error: string }
  | { ok: false; kind: 'transient' | 'permanent'; error: string };

export type Notifier = { deliver(alert: OutboundAlert): Promise<DeliveryResult> };

// Slack answers these when something may work a moment later; every other platform error is final.
const RETRYABLE = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/**
 * The domain's outbound port: posts (or, once posted, updates in place) an alert's message.
 * Its WebClient never retries on its own; the delivery worker owns retries and pacing.
 */
export function createNotifier(opts: { token: string; apiUrl?: string; reviewUrl: string; clientOptions?: WebClientOptions }): Notifier {
  const client = new WebClient(opts.token, {
    slackApiUrl: opts.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    ...opts.clientOptions,
  });
  return {
    async deliver(alert) {
      let message: SlackMessage;
      try {
        message = renderAlert(alert, opts);
      } catch (err) {
        return { ok: false, kind: 'permanent', error: (err as Error).message };
      }
      try {
        const res: WebAPICallResult & { channel?: string; ts?: string } =
          alert.slackTs && alert.slackChannel
            ? await client.chat.update({ channel: alert.slackChannel, ts: alert.slackTs, ...message })
            : await client.chat.postMessage({ channel: alert.channel, ...message, unfurl_links: false, unfurl_media: false });
        return { ok: true, channel: res.channel ?? alert.channel, ts: res.ts ?? alert.slackTs ?? '' };
      } catch (err) {
        return classify(err);
      }
    },
  };
}

function classify(err: unknown): DeliveryResult {
  const e = err as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number; message?: string };
  if (e.code === 'slack_webapi_rate_limited_error') {
    return { ok: false, kind: 'rate_limited', retryAfterMs: (e.retryAfter ?? 1) * 1000, error: 'ratelimited' };
  }
  if (e.code === 'slack_webapi_platform_error') {
    const error = e.data?.error ?? 'unknown_error';
    return { ok: false, kind: RETRYABLE.has(error) ? 'transient' : 'permanent', error };
  }
  // HTTP 5xx, timeouts and network failures: try again later.
  return { ok: false, kind: 'transient', error: e.statusCode ? `http_${e.statusCode}` : (e.message ?? 'network error') };
}
