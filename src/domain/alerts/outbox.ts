import type { Tx } from '../../db/client';

/** What the bot must deliver. `message` is data for a view to render at delivery time, never blocks. */
export type NewAlert = {
  kind: string;
  dedupeKey: string;
  channel: string;
  message: Record<string, unknown>;
  entityType?: string;
  entityId?: string;
  /** The outbox id of the alert whose message this one replies to, in its thread. */
  threadOf?: number;
  /** When an unacknowledged breach is re-notified; set only on the row this write creates. */
  renotifyAt?: Date;
};

/**
 * Writes alerts into the delivery outbox, inside the caller's transaction, so an alert exists
 * exactly when the change that caused it was committed. A dedupe key already there is skipped.
 */
export async function enqueueAlerts(tx: Tx, alerts: readonly NewAlert[], now: Date): Promise<number> {
  if (alerts.length === 0) return 0;
  // One set-based statement: imports queue thousands of alerts at once.
  return tx.$executeRawUnsafe(
    `INSERT INTO alerts (kind, dedupe_key, channel, message, entity_type, entity_id, thread_of, renotify_at, created_at, next_attempt_at)
     SELECT k, d, c, m, et, ei, th, rn, $7::timestamptz, $7::timestamptz
       FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::text[], $8::int[], $9::timestamptz[])
            AS t(k, d, c, m, et, ei, th, rn)
     ON CONFLICT (dedupe_key) DO NOTHING`,
    alerts.map((a) => a.kind),
    alerts.map((a) => a.dedupeKey),
    alerts.map((a) => a.channel),
    alerts.map((a) => JSON.stringify(a.message)),
    alerts.map((a) => a.entityType ?? null),
    alerts.map((a) => a.entityId ?? null),
    now.toISOString(),
    alerts.map((a) => a.threadOf ?? null),
    alerts.map((a) => a.renotifyAt?.toISOString() ?? null),
  );
}
