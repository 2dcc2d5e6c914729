import { recordAudit } from '../../db/repositories/audit';
import { AppError, badInput } from '../../errors';
import type { Actor, DomainDeps } from '../deps';
import { requireRole } from '../roles/roles';

export type QueueOption = { key: string; name: string; vendor: string };

export async function listQueues(deps: Pick<DomainDeps, 'db'>): Promise<QueueOption[]> {
  const rows = await deps.db.queue.findMany({ include: { vendor: true }, orderBy: { key: 'asc' } });
  return rows.map((q) => ({ key: q.key, name: q.name, vendor: q.vendor.name }));
}

/**
 * What the Reassign modal needs: the case's queue and the queues to choose from. The role is checked
 * before the look-up, so a refusal never tells whether the case exists.
 */
export async function reassignChoices(
  deps: DomainDeps,
  input: { actor: Actor; caseId: number },
): Promise<{ caseId: number; currentQueue: string; queues: QueueOption[] }> {
  await requireRole(deps, input.actor, 'analyst', 'reassign cases');
  const c = await deps.db.case.findUnique({ where: { id: input.caseId }, include: { queue: true } });
  if (!c) throw new AppError('not_found', `There is no case ${input.caseId}.`);
  return { caseId: c.id, currentQueue: c.queue.key, queues: await listQueues(deps) };
}

/**
 * Moves an open case to another queue. The case keeps the SLA policy and due times it was opened
 * under: reassigning does not reset the clock.
 */
export async function reassignCase(
  deps: DomainDeps,
  input: { actor: Actor; caseId: number; queue: string },
): Promise<{ from: string; to: string }> {
  await requireRole(deps, input.actor, 'analyst', 'reassign cases');
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const c = await tx.case.findUnique({ where: { id: input.caseId }, include: { queue: true } });
    if (!c) throw new AppError('not_found', `There is no case ${input.caseId}.`);
    if (c.status === 'decided' || c.status === 'closed')
      throw new AppError('conflict', `Case #${c.id} is ${c.status}; only open cases can be reassigned.`);
    const target = await tx.queue.findUnique({ where: { key: input.queue } });
    if (!target) throw badInput(`There is no queue \`${input.queue}\`.`);
    if (target.id === c.queueId) return { from: c.queue.key, to: target.key };
    await tx.case.update({ where: { id: c.id }, data: { queueId: target.id, updatedAt: now } });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'case.reassign',
      entityType: 'case',
      entityId: String(c.id),
      before: { queue: c.queue.key },
      after: { queue: target.key },
      at: now,
    });
    return { from: c.queue.key, to: target.key };
  });
}
