/**
 * The audit trail's door for requests from outside (Slack interactions): each is taken in once, before it
 * runs — its audit row written and its delivery id (a trigger_id or an Events API event_id) remembered in
 * one transaction, so a duplicate delivery or a retry is recognised on every replica, and a request whose
 * row cannot be written is not remembered either (its retry runs). Callers in slack/ use this instead of
 * db/; this folder never imports slack/.
 */
import { recordAudit } from '../../db/repositories/audit';
import type { Actor, DomainDeps } from '../deps';

export type Interaction = { actor: Actor; action: string; entityType: string; entityId?: string; detail?: unknown };

// Slack waits 3 s for an answer and the request is answered after this: give up in time to say so.
const TAKE_IN_LIMITS = { maxWait: 1500, timeout: 2500 };
// Slack retries an event for a few minutes and a signature is stale after 5, so an hour is ample.
export const DELIVERY_MEMORY_MS = 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 1000;
const lastPruned = new WeakMap<object, number>();

/**
 * Takes in one delivery: `duplicate` when its key was taken in before (nothing is written), else `new`,
 * with the interaction recorded. Throws when the database cannot record it: the caller must not run it.
 */
export async function takeInInteraction(
  deps: Pick<DomainDeps, 'db' | 'clock' | 'log'>,
  input: { deliveryKey?: string; interaction?: Interaction },
): Promise<'new' | 'duplicate'> {
  const { deliveryKey, interaction } = input;
  if (!deliveryKey && !interaction) return 'new';
  const now = deps.clock.now();
  await pruneDeliveries(deps, now);
  return deps.db.$transaction(async (tx) => {
    if (deliveryKey) {
      // ON CONFLICT DO NOTHING: a concurrent twin waits for this transaction, then finds the key taken.
      const { count } = await tx.inboundDelivery.createMany({ data: [{ key: deliveryKey, receivedAt: now }], skipDuplicates: true });
      if (count === 0) return 'duplicate';
    }
    if (interaction) {
      await recordAudit(tx, {
        actor: interaction.actor.id,
        origin: interaction.actor.origin,
        action: interaction.action,
        entityType: interaction.entityType,
        entityId: interaction.entityId,
        after: interaction.detail,
        at: now,
      });
    }
    return 'new';
  }, TAKE_IN_LIMITS);
}

/** Forgets deliveries older than DELIVERY_MEMORY_MS, at most once a minute per process. */
async function pruneDeliveries(deps: Pick<DomainDeps, 'db' | 'log'>, now: Date): Promise<void> {
  const last = lastPruned.get(deps.db) ?? 0;
  if (Math.abs(now.getTime() - last) < PRUNE_EVERY_MS) return;
  lastPruned.set(deps.db, now.getTime());
  try {
    await deps.db.inboundDelivery.deleteMany({ where: { receivedAt: { lt: new Date(now.getTime() - DELIVERY_MEMORY_MS) } } });
  } catch (err) {
    deps.log.warn('could not prune remembered Slack deliveries', { err });
  }
}
