import type { Tx } from '../../db/client';
import type { Prisma } from '../../generated/prisma/client';

/** What the bot must deliver. `message` is data for a view to render at delivery time, never blocks. */
export type NewAlert = {
  kind: string;
  dedupeKey: string;
  channel: string;
  message: Record<string, unknown>;
  entityType?: string;
  entityId?: string;
};

/**
 * Writes alerts into the delivery outbox, inside the caller's transaction, so an alert exists
 * exactly when the change that caused it was committed. A dedupe key already there is skipped.
 */
export async function enqueueAlerts(tx: Tx, alerts: readonly NewAlert[], now: Date): Promise<number> {
  if (alerts.length === 0) return 0;
  const { count } = await tx.alert.createMany({
    data: alerts.map((a) => ({
      kind: a.kind,
      dedupeKey: a.dedupeKey,
      channel: a.channel,
      message: a.message as Prisma.InputJsonValue,
      entityType: a.entityType ?? null,
      entityId: a.entityId ?? null,
      createdAt: now,
      nextAttemptAt: now,
    })),
    skipDuplicates: true,
  });
  return count;
}
