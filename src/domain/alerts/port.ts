/**
 * The outbound port for alerts: what the delivery worker (src/jobs) needs from a chat platform, and
 * what src/slack/notifier.ts implements. Data only; never imports Slack.
 */

/** One alert from the outbox, as the delivery worker hands it over. */
export type OutboundAlert = {
  id: number;
  kind: string;
  channel: string;
  message: unknown;
  slackChannel: string | null;
  slackTs: string | null;
  /** Carried in the message metadata beside the id, so a lookup never adopts another deployment's alert with the same id. */
  dedupeKey?: string;
  /** A reply: the parent alert's message, whose thread this one is posted in. */
  thread?: { channel: string; ts: string } | null;
};

/**
 * Why a call did not go through, and what to do about it:
 * - `rate_limited`: wait `retryAfterMs`, not an attempt;
 * - `transient`: network error, timeout, 5xx, or the platform saying "try later" — retry with backoff;
 * - `permanent`: a definite answer about this message (unknown channel, bad blocks…) — it fails;
 * - `unauthorized`: the token itself is refused — no message can go out until that is mended.
 */
export type DeliveryFailure =
  | { ok: false; kind: 'rate_limited'; retryAfterMs: number; error: string }
  | { ok: false; kind: 'transient' | 'permanent' | 'unauthorized'; error: string };

export type DeliveryResult = { ok: true; channel: string; ts: string } | DeliveryFailure;

/** A look for an earlier post of an alert: the message if found; `complete` is false when the search stopped at its bound. */
export type LookupResult = { ok: true; found?: { channel: string; ts: string }; complete: boolean } | DeliveryFailure;

export type Notifier = {
  /** Posts the alert (with its id in the message metadata), or edits it in place once it has a ts. */
  deliver(alert: OutboundAlert): Promise<DeliveryResult>;
  /** Finds the message an earlier attempt may have posted, by its metadata, in the channel's history since `since`. */
  findPosted(alert: OutboundAlert, since: Date): Promise<LookupResult>;
  /** Checks that the token is accepted (at start-up, and again after `unauthorized`), without posting anything; says who the bot is. */
  checkAuth(): Promise<{ ok: true; botId?: string; botUserId?: string } | DeliveryFailure>;
};

/** Whether a delivery worker sends: paused while Slack refuses the bot token (since when, with Slack's answer). */
export type DeliveryStatus = { state: 'running' } | { state: 'paused'; reason: string; since: Date };
