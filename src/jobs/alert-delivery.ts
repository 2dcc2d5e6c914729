import type { Clock } from '../clock';
import type { Db } from '../db/client';
import type { Metrics } from '../http/metrics';
import type { Logger } from '../logger';
import type { Notifier, OutboundAlert } from '../slack/notifier';

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
  batchSize?: number;
  maxAttempts?: number;
};

export type DeliveryWorker = { kick(): void; stop(): Promise<void>; runOnce(): Promise<number> };

// A claimed alert is leased: if this process dies mid-delivery, another picks it up after the lease.
const LEASE_MS = 2 * 60_000;

/**
 * Delivers the alert outbox to Slack. Alerts are claimed with FOR UPDATE SKIP LOCKED, so several
 * replicas share the work and never send the same alert twice while it is leased; a 429 waits for
 * Retry-After, transient failures back off exponentially, permanent ones fail with their reason.
 */
export function startAlertDelivery(opts: DeliveryOptions): DeliveryWorker {
  const { db, log, metrics, clock, notifier } = opts;
  const pollMs = opts.pollMs ?? 2000;
  const gapMs = opts.channelGapMs ?? 1000;
  const batchSize = opts.batchSize ?? 50;
  const maxAttempts = opts.maxAttempts ?? 8;
  const lastPost = new Map<string, number>();
  let stopped = false;
  let running: Promise<number> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  const claim = async (): Promise<(OutboundAlert & { attempts: number })[]> => {
    const now = clock.now();
    return db.$queryRawUnsafe(
      `UPDATE alerts SET status = 'sending', attempts = attempts + 1, next_attempt_at = $2::timestamptz
        WHERE id IN (SELECT id FROM alerts
                      WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1::timestamptz
                      ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING id, kind, channel, message, slack_channel AS "slackChannel", slack_ts AS "slackTs", attempts`,
      now.toISOString(),
      new Date(now.getTime() + LEASE_MS).toISOString(),
      batchSize,
    );
  };

  const deliverOne = async (alert: OutboundAlert & { attempts: number }) => {
    const wait = (lastPost.get(alert.channel) ?? 0) + gapMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const result = await notifier.deliver(alert);
    lastPost.set(alert.channel, Date.now());
    const now = clock.now();
    if (result.ok) {
      await db.alert.update({
        where: { id: alert.id },
        data: { status: 'sent', slackChannel: result.channel, slackTs: result.ts, sentAt: now, lastError: null },
      });
      metrics.alertDeliveries.inc({ kind: alert.kind, outcome: 'sent' });
      return;
    }
    if (result.kind === 'rate_limited') {
      // A rate limit is Slack asking us to wait, not a failed attempt.
      await db.alert.update({
        where: { id: alert.id },
        data: {
          status: 'pending',
          attempts: { decrement: 1 },
          nextAttemptAt: new Date(now.getTime() + result.retryAfterMs),
          lastError: result.error,
        },
      });
      lastPost.set(alert.channel, Date.now() + result.retryAfterMs);
      metrics.alertDeliveries.inc({ kind: alert.kind, outcome: 'rate_limited' });
      return;
    }
    const giveUp = result.kind === 'permanent' || alert.attempts >= maxAttempts;
    await db.alert.update({
      where: { id: alert.id },
      data: giveUp
        ? { status: 'failed', lastError: result.error }
        : {
            status: 'pending',
            lastError: result.error,
            nextAttemptAt: new Date(now.getTime() + Math.min(2 ** alert.attempts * 1000, 10 * 60_000)),
          },
    });
    metrics.alertDeliveries.inc({ kind: alert.kind, outcome: giveUp ? 'failed' : 'retry' });
    if (giveUp) log.warn('alert delivery failed', { alertId: alert.id, kind: alert.kind, channel: alert.channel, error: result.error });
  };

  /** One pass: claim due alerts and deliver them, channels in parallel, each channel in order. */
  const runOnce = async (): Promise<number> => {
    const alerts = await claim();
    const byChannel = new Map<string, (OutboundAlert & { attempts: number })[]>();
    for (const a of alerts) byChannel.set(a.channel, [...(byChannel.get(a.channel) ?? []), a]);
    await Promise.all(
      [...byChannel.values()].map(async (list) => {
        for (const a of list) await deliverOne(a).catch((err) => log.error('alert delivery crashed', { alertId: a.id, err }));
      }),
    );
    return alerts.length;
  };

  const loop = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = runOnce()
      .catch((err) => {
        log.error('alert delivery pass failed', { err });
        return 0;
      })
      .then((n) => {
        running = undefined;
        // A full batch means more may be waiting: go again at once.
        if (!stopped) timer = setTimeout(loop, again || n >= batchSize ? 0 : pollMs);
        again = false;
        return n;
      });
  };
  timer = setTimeout(loop, 0);

  return {
    kick: loop,
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
