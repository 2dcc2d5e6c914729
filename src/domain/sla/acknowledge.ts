import { recordAudit } from '../../db/repositories/audit';
import { AppError } from '../../errors';
import type { Prisma } from '../../generated/prisma/client';
import type { Actor, DomainDeps } from '../deps';
import { requireRole } from '../roles/roles';
import { utcMinute } from '../time';

const SLA_CARD_KINDS = ['sla_at_risk', 'sla_breach', 'sla_renotify'];

export type Acknowledged = { caseId: number; target: string; at: Date };

/**
 * Records who acknowledged an SLA alert, on every card about the same case and target, and
 * queues the posted cards to be edited in place. Acknowledging twice says who was first.
 */
export async function acknowledgeSlaAlert(deps: DomainDeps, input: { actor: Actor; alertId: number }): Promise<Acknowledged> {
  await requireRole(deps, input.actor, 'analyst', 'acknowledge SLA alerts');
  const now = deps.clock.now();
  const result = await deps.db.$transaction(async (tx) => {
    const alert = await tx.alert.findUnique({ where: { id: input.alertId } });
    const data = alert?.message as { caseId?: number; target?: string } | undefined;
    if (!alert || !SLA_CARD_KINDS.includes(alert.kind) || data?.caseId === undefined || !data.target) {
      throw new AppError('not_found', 'This SLA alert no longer exists.');
    }
    // Lock the family of cards so two people acknowledging at once record one acknowledgement.
    const family = await tx.$queryRawUnsafe<
      { id: number; acknowledged_by: string | null; acknowledged_at: Date | null; slack_ts: string | null; message: Prisma.JsonObject }[]
    >(
      `SELECT id, acknowledged_by, acknowledged_at, slack_ts, message FROM alerts
        WHERE entity_type = 'case' AND entity_id = $2::text AND kind = ANY($1::text[]) AND message->>'target' = $3
        ORDER BY id FOR UPDATE`,
      SLA_CARD_KINDS,
      String(data.caseId),
      data.target,
    );
    const first = family.find((a) => a.acknowledged_by);
    if (first) {
      throw new AppError(
        'conflict',
        `Already acknowledged by <@${first.acknowledged_by}> at ${first.acknowledged_at ? utcMinute(first.acknowledged_at) : 'an unknown time'}.`,
        undefined,
        [first.acknowledged_by ?? ''],
      );
    }
    for (const a of family) {
      await tx.alert.update({
        where: { id: a.id },
        data: {
          acknowledgedBy: input.actor.id,
          acknowledgedAt: now,
          message: { ...a.message, acknowledgedBy: input.actor.id, acknowledgedAt: now.toISOString() },
          // A posted card is edited in place by the delivery worker; an unsent one goes out acknowledged.
          ...(a.slack_ts ? { status: 'pending', nextAttemptAt: now } : {}),
        },
      });
    }
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'sla.acknowledge',
      entityType: 'case',
      entityId: String(data.caseId),
      after: { target: data.target, alertIds: family.map((a) => a.id) },
      at: now,
    });
    return { caseId: data.caseId, target: data.target, at: now };
  });
  deps.alertsQueued();
  return result;
}
