import type { Clock } from '../clock';
import type { Db } from '../db/client';
import type { DeliveryFailure, DeliveryStatus, Notifier, OutboundAlert } from '../domain/alerts/port';
import { isDatabaseUnavailable } from '../errors';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';

export type DeliveryOptions = {
  db: Db;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
  notifier: Notifier;
  /** How often to look for due alerts when nobody kicks the worker. */
  pollMs?: number;
  /** Slack allows about one message per second per channel. */
  channelGapMs?: number;
  /** Channels delivered to at once, one lane each (so at most this many posts per gap). */
  maxChannels?: number;
  /** Alerts a lane takes from its channel per claim; the rest wait for the next claim. */
  perChannel?: number;
  /** A claim is good for this long (plus the alert's place in its lane) before another worker may take it over. */
  leaseMs?: number;
  /** Slack unreachable (network, timeout, 5xx): retried until the alert is this old, then failed (TRUSTOPS_ALERT_MAX_AGE). */
  maxAgeMs?: number;
  /** Retries back off exponentially (2 s, 4 s, 8 s…) up to this. */
  maxBackoffMs?: number;
  /** While Slack refuses the token, delivery is paused and the token checked (auth.test) this often. */
  authCheckMs?: number;
};

export type DeliveryWorker = {
  /** Look for due alerts now (called after a transaction that queued some commits). */
  kick(): void;
  /** Finishes the alert being sent in each channel, hands the rest back, and stops. */
  stop(): Promise<void>;
  /** One claim, delivered to the end; resolves with the number of alerts claimed. */
  runOnce(): Promise<number>;
  status(): DeliveryStatus;
};

type Claimed = OutboundAlert & {
  dedupeKey: string;
  attempts: number;
  createdAt: Date;
  /** Our claim: (attempts, lease) identifies it; a worker that took the alert over changed both. */
  lease: Date;
  /** When another lane last posted to this channel (within the gap), so a hand-over keeps the pace too. */
  lastPost: Date | null;
};

/** After an alert: go on with the lane's next one, or end the lane (its other alerts were handed back or are not ours). */
type Outcome = 'next' | 'stop';

// Serialises claims across replicas (transaction-scoped, so nothing is held while sending): a claim
// then sees which channels another worker is busy with, and no channel is ever sent to by two at once.
const CLAIM_LOCK = `SELECT pg_advisory_xact_lock(hashtext('trustops:alert-claim'))`;

// Each channel's alerts go out in the order they were queued (by id): a channel is due when its oldest
// undelivered alert is, and a lane takes the run of due alerts from there, at most $4, from at most $5
// channels nobody is sending to. An alert waiting for a retry (or a 429's Retry-After) so holds back the
// rest of its channel, and a channel keeps its place in the line, so channels progress together and no
// channel is left with a long tail at one post per second.
// A sending row whose lease has run out is due again: its worker died or stalled.
// A sent row's next_attempt_at is the time it was posted (see markSent), which this reads through
// the (status, next_attempt_at) index to keep the pace when a channel passes from one worker to another.
const CLAIM = `
WITH busy AS (
  SELECT DISTINCT channel FROM alerts WHERE status = 'sending' AND next_attempt_at > $1::timestamptz
), queue AS (
  SELECT id, channel, row_number() OVER (PARTITION BY channel ORDER BY id)::int AS pos,
         next_attempt_at <= $1::timestamptz
         -- A thread reply waits for its parent's message (or goes out on its own if the parent failed).
         AND (thread_of IS NULL OR EXISTS (
               SELECT 1 FROM alerts p WHERE p.id = alerts.thread_of AND (p.slack_ts IS NOT NULL OR p.status = 'failed'))) AS due
    FROM alerts
   WHERE status IN ('pending', 'sending') AND channel NOT IN (SELECT channel FROM busy)
), held AS (
  SELECT channel, min(pos) AS pos FROM queue WHERE NOT due GROUP BY channel
), lanes AS (
  SELECT channel FROM queue WHERE pos = 1 AND due ORDER BY id LIMIT $5
), picked AS (
  SELECT q.id, q.pos FROM queue q JOIN lanes l USING (channel) LEFT JOIN held h USING (channel)
   WHERE q.pos <= $4 AND (h.pos IS NULL OR q.pos < h.pos)
)
UPDATE alerts a
   SET status = 'sending', attempts = a.attempts + 1,
       next_attempt_at = $1::timestamptz + ($2::int + p.pos * $3::int) * interval '1 millisecond'
  FROM picked p
 WHERE a.id = p.id AND a.status IN ('pending', 'sending') AND a.next_attempt_at <= $1::timestamptz
RETURNING a.id, a.kind, a.channel, a.message, a.dedupe_key AS "dedupeKey", a.slack_channel AS "slackChannel",
          a.slack_ts AS "slackTs", a.attempts,
          (SELECT json_build_object('channel', p.slack_channel, 'ts', p.slack_ts) FROM alerts p
            WHERE p.id = a.thread_of AND p.slack_ts IS NOT NULL) AS thread, a.created_at AS "createdAt", a.next_attempt_at AS lease,
          (SELECT max(s.next_attempt_at) FROM alerts s
            WHERE s.status = 'sent' AND s.next_attempt_at > $1::timestamptz - $3::int * interval '1 millisecond'
              AND s.channel = a.channel) AS "lastPost"`;

/**
 * Delivers the alert outbox to Slack, exactly once, in order per channel:
 * - Claims are serialised and leased; a channel is sent to by one lane of one worker at a time, at
 *   most one message per gap, and a lane makes sure of its claim (renewing it if need be) before each post.
 * - Every post carries the alert id in its message metadata. An alert an earlier attempt may have
 *   posted (the worker died, the request timed out, the answer was lost) is first looked for in the
 *   channel's history, and the message found is adopted instead of posting again.
 * - A 429 holds the channel for Retry-After (not an attempt). A network error, timeout or 5xx holds it
 *   for an exponential backoff, retried until the alert is maxAgeMs old. Slack's definite answer about
 *   a message (channel_not_found, invalid_blocks…) fails it at once, with the reason. A refused token
 *   pauses all delivery, loudly, until auth.test passes again: no alert fails for it.
 * - A lane that cannot do what it meant to (a claim lost, a database error) stops: the rest of its
 *   alerts are handed back or left to their lease, never sent out of turn or after being handed back.
 */
export function startAlertDelivery(opts: DeliveryOptions): DeliveryWorker {
  const { db, log, metrics, clock, notifier } = opts;
  const pollMs = opts.pollMs ?? 2000;
  const gapMs = opts.channelGapMs ?? 1000;
  const maxChannels = opts.maxChannels ?? 50;
  const perChannel = opts.perChannel ?? 5;
  const leaseMs = opts.leaseMs ?? 30_000;
  const maxAgeMs = opts.maxAgeMs ?? 24 * 3_600_000;
  const maxBackoffMs = opts.maxBackoffMs ?? 5 * 60_000;
  const authCheckMs = opts.authCheckMs ?? 60_000;

  /** Channel → when the next post may go (Date.now() time). */
  const nextPostAt = new Map<string, number>();
  /** Channel → its lane; a new lane for a channel runs after the one still finishing. */
  const lanes = new Map<string, Promise<void>>();
  const sleepers = new Set<() => void>();
  let stopped = false;
  let pumping: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let paused: { reason: string; since: Date } | undefined;
  let authTimer: NodeJS.Timeout | undefined;
  metrics.alertDeliveryPaused.set(0);

  const pace = (channel: string) => channel.replace(/^#/, '');

  const claim = async (lanesWanted: number): Promise<Claimed[]> => {
    if (lanesWanted <= 0 || paused) return [];
    const [, rows] = await db.$transaction([
      db.$executeRawUnsafe(CLAIM_LOCK),
      db.$queryRawUnsafe<Claimed[]>(CLAIM, clock.now().toISOString(), leaseMs, gapMs, perChannel, lanesWanted),
    ]);
    // RETURNING comes in no particular order; each lane sends in queue order.
    return rows.sort((a, b) => a.id - b.id);
  };

  /**
   * Still ours, for long enough to post? While most of the lease is left nobody else can have taken
   * the alert (a claim needs the lease to have run out), so nothing is written; otherwise the lease
   * is renewed if it is still ours. False when another worker took the alert over.
   */
  const holdForPost = async (alert: Claimed): Promise<boolean> => {
    const now = clock.now().getTime();
    if (alert.lease.getTime() - now >= (leaseMs * 2) / 3) return true;
    const lease = new Date(now + leaseMs);
    const n = await db.$executeRawUnsafe(
      `UPDATE alerts SET next_attempt_at = $4::timestamptz
        WHERE id = $1 AND status = 'sending' AND attempts = $2 AND next_attempt_at = $3::timestamptz`,
      alert.id,
      alert.attempts,
      alert.lease.toISOString(),
      lease.toISOString(),
    );
    if (n === 1) alert.lease = lease;
    return n === 1;
  };

  /**
   * Stores where the message is. The alert becomes sent only if it is still our claim with the message
   * we rendered; if it was queued again meanwhile (e.g. edited by an acknowledgement) it stays pending,
   * now with its ts, so the next delivery edits the message in place. Its next_attempt_at becomes the
   * post time, which the claim reads for pacing.
   */
  const markSent = async (alert: Claimed, at: { channel: string; ts: string }) => {
    const now = clock.now().toISOString();
    await db.$executeRawUnsafe(
      `UPDATE alerts
          SET slack_channel = $2, slack_ts = $3, sent_at = $4::timestamptz, next_attempt_at = $4::timestamptz, last_error = NULL,
              status = CASE WHEN status = 'sent' OR (status = 'sending' AND attempts = $5 AND message = $6::jsonb)
                            THEN 'sent' ELSE 'pending' END::"AlertStatus"
        WHERE id = $1`,
      alert.id,
      at.channel,
      at.ts,
      now,
      alert.attempts,
      JSON.stringify(alert.message),
    );
  };

  /** Hands claimed alerts back without counting the attempt; they are due again at `at`. */
  const release = async (alerts: readonly Claimed[], at: Date, error?: string) => {
    if (alerts.length === 0) return;
    await db.$executeRawUnsafe(
      `UPDATE alerts a SET status = 'pending', attempts = a.attempts - 1, next_attempt_at = $3::timestamptz,
              last_error = COALESCE($4, a.last_error)
         FROM unnest($1::int[], $2::int[]) AS c(id, attempts)
        WHERE a.id = c.id AND a.attempts = c.attempts AND a.status = 'sending'`,
      alerts.map((a) => a.id),
      alerts.map((a) => a.attempts),
      at.toISOString(),
      error ?? null,
    );
  };

  /** Waits, but wakes at once when the worker stops. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || stopped) return resolve();
      const done = () => {
        clearTimeout(t);
        sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      sleepers.add(done);
    });

  const fail = async (alert: Claimed, error: string) => {
    await db.alert.updateMany({
      where: { id: alert.id, status: 'sending', attempts: alert.attempts },
      data: { status: 'failed', lastError: error },
    });
    metrics.alertDeliveries.inc({ kind: alert.kind, outcome: 'failed' });
    log.warn('alert delivery failed', { alertId: alert.id, kind: alert.kind, channel: alert.channel, error });
  };

  /** Nothing can be sent while Slack refuses the token: every claim waits (none fails) until auth.test passes. */
  const pause = (reason: string) => {
    if (paused) return;
    paused = { reason, since: clock.now() };
    metrics.alertDeliveryPaused.set(1);
    log.error('alert delivery paused: Slack refuses the bot token; no alert is sent until it is accepted again', {
      error: reason,
      checkEveryMs: authCheckMs,
    });
    authTimer = setTimeout(checkAuth, authCheckMs);
  };

  const checkAuth = async () => {
    if (stopped || !paused) return;
    const result = await notifier.checkAuth().catch((err: Error) => ({ ok: false as const, error: err.message }));
    if (stopped) return;
    if (!result.ok) {
      authTimer = setTimeout(checkAuth, authCheckMs);
      return;
    }
    log.warn('alert delivery resumed: Slack accepts the bot token again', { pausedSince: paused.since.toISOString() });
    paused = undefined;
    metrics.alertDeliveryPaused.set(0);
    kick();
  };

  /**
   * Slack did not take the alert. A definite answer about it, or an alert older than maxAgeMs, fails it
   * and the lane goes on. Otherwise it may go through later: the rest of the lane goes back unattempted
   * (its channel keeps its order behind this alert), and this alert waits: for Retry-After (429, not an
   * attempt), for the token to be accepted (not an attempt), or for its backoff.
   */
  const afterFailure = async (alert: Claimed, rest: readonly Claimed[], failure: DeliveryFailure): Promise<Outcome> => {
    const now = clock.now();
    if (failure.kind === 'rate_limited') {
      nextPostAt.set(pace(alert.channel), Date.now() + failure.retryAfterMs);
      await release([alert, ...rest], new Date(now.getTime() + failure.retryAfterMs), failure.error);
      metrics.alertDeliveries.inc({ kind: alert.kind, outcome: 'rate_limited' });
      log.info('alert channel rate-limited', { channel: alert.channel, retryAfterMs: failure.retryAfterMs });
      // Look again as soon as the pause is over rather than at the next poll.
      setTimeout(kick, failure.retryAfterMs).unref();
      return 'stop';
    }
    if (failure.kind === 'unauthorized') {
      pause(failure.error);
      await release([alert, ...rest], now, failure.error);
      metrics.alertDeliveries.inc({ kind: alert.kind, outcome: 'paused' });
      return 'stop';
    }
    const ageMs = now.getTime() - alert.createdAt.getTime();
    if (failure.kind === 'permanent' || ageMs >= maxAgeMs) {
      await fail(
        alert,
        failure.kind === 'permanent' ? failure.error : `${failure.error} (still failing after ${age(ageMs)}, the maximum age)`,
      );
      return 'next';
    }
    const retryAt = new Date(now.getTime() + Math.min(2 ** alert.attempts * 1000, maxBackoffMs));
    await db.alert.updateMany({
      where: { id: alert.id, status: 'sending', attempts: alert.attempts },
      data: { status: 'pending', lastError: failure.error, nextAttemptAt: retryAt },
    });
    await release(rest, now);
    metrics.alertDeliveries.inc({ kind: alert.kind, outcome: 'retry' });
    return 'stop';
  };

  const deliverOne = async (alert: Claimed, rest: readonly Claimed[]): Promise<Outcome> => {
    if (paused) {
      await release([alert, ...rest], clock.now());
      return 'stop';
    }
    if (!(await holdForPost(alert))) {
      log.warn('alert claim lost to another worker', { alertId: alert.id });
      return 'stop';
    }
    // An earlier attempt may have reached Slack before its worker died or its answer was lost:
    // look for the message by its metadata, and adopt it rather than post a second one.
    if (alert.attempts > 1 && !alert.slackTs) {
      const look = await notifier.findPosted(alert, alert.createdAt);
      if (look.ok && look.found) {
        await markSent(alert, look.found);
        metrics.alertDeliveries.inc({ kind: alert.kind, outcome: 'adopted' });
        log.info('alert found already posted; adopted', { alertId: alert.id, channel: look.found.channel, ts: look.found.ts });
        return 'next';
      }
      if (!look.ok && look.kind !== 'permanent') return afterFailure(alert, rest, look);
      // Unable to look (no history scope, unknown channel) or not found within the bound: a rare
      // duplicate is better than an alert never sent.
      if (!look.ok || !look.complete) {
        log.warn('could not check whether an alert was already posted; posting', {
          alertId: alert.id,
          error: look.ok ? 'history search bound reached' : look.error,
        });
      }
    }
    const result = await notifier.deliver(alert);
    nextPostAt.set(pace(alert.channel), Date.now() + gapMs);
    if (!result.ok) return afterFailure(alert, rest, result);
    await markSent(alert, result);
    metrics.alertDeliveries.inc({ kind: alert.kind, outcome: 'sent' });
    return 'next';
  };

  /** Delivers one channel's claimed alerts in order, one per gap. */
  const runLane = async (alerts: Claimed[]) => {
    const first = alerts[0];
    if (!first) return;
    const key = pace(first.channel);
    // Another worker may just have posted here: the claim says when.
    const handedOver = first.lastPost ? Math.min(gapMs, first.lastPost.getTime() + gapMs - clock.now().getTime()) : 0;
    if (handedOver > 0) nextPostAt.set(key, Math.max(nextPostAt.get(key) ?? 0, Date.now() + handedOver));
    for (let i = 0; i < alerts.length; i++) {
      const alert = alerts[i]!;
      const rest = alerts.slice(i + 1);
      await sleep((nextPostAt.get(key) ?? 0) - Date.now());
      if (stopped) {
        await release([alert, ...rest], clock.now());
        return;
      }
      let outcome: Outcome;
      try {
        outcome = await deliverOne(alert, rest);
      } catch (err) {
        // Most likely the database (pool exhausted, connection dropped). This alert keeps its claim, as
        // it may have been posted: once the lease runs out it is due again, and looked for before a
        // re-post. The rest of the lane goes back if it can; it is not sent now, so nothing goes out of
        // turn, and nothing this lane may already have handed back is sent by it.
        log.error('alert delivery crashed', { alertId: alert.id, err });
        await release(rest, clock.now()).catch(() => {});
        return;
      }
      if (outcome === 'stop') return;
    }
  };

  const startLanes = (claimed: Claimed[]): Promise<void>[] => {
    const byChannel = new Map<string, Claimed[]>();
    for (const a of claimed) byChannel.set(a.channel, [...(byChannel.get(a.channel) ?? []), a]);
    return [...byChannel].map(([channel, list]) => {
      const lane: Promise<void> = (lanes.get(channel) ?? Promise.resolve())
        .then(() => runLane(list))
        .catch((err) => log.error('alert lane failed', { channel, err }))
        .finally(() => {
          if (lanes.get(channel) === lane) lanes.delete(channel);
          kick();
        });
      lanes.set(channel, lane);
      return lane;
    });
  };

  /** Claims for every free lane until nothing more is due. */
  const pump = async () => {
    while (!stopped && !paused) {
      const free = maxChannels - lanes.size;
      if (free <= 0) return;
      const claimed = await claim(free);
      startLanes(claimed);
      if (claimed.length === 0) return;
    }
  };

  const kick = () => {
    if (stopped) return;
    if (pumping) {
      again = true;
      return;
    }
    clearTimeout(timer);
    pumping = pump()
      // A busy or unreachable database (the embedded one while the analytics copy is read, an outage) is
      // retried on the next pass; anything else is a fault worth an error.
      .catch((err) =>
        isDatabaseUnavailable(err)
          ? log.warn('alert delivery pass deferred: database unavailable', { err: String(err) })
          : log.error('alert delivery pass failed', { err }),
      )
      .finally(() => {
        pumping = undefined;
        if (stopped) return;
        timer = setTimeout(kick, again ? 0 : pollMs);
        again = false;
      });
  };
  timer = setTimeout(kick, 0);

  return {
    kick,
    status: () => (paused ? { state: 'paused', ...paused } : { state: 'running' }),
    async runOnce() {
      const claimed = await claim(maxChannels);
      await Promise.all(startLanes(claimed));
      return claimed.length;
    },
    async stop() {
      stopped = true;
      for (const wake of [...sleepers]) wake();
      clearTimeout(timer);
      clearTimeout(authTimer);
      await pumping;
      await Promise.all([...lanes.values()]);
    },
  };
}

/** "45 s", "12 min", "26 h": an alert's age in a failure reason. */
function age(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 120 * 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}
