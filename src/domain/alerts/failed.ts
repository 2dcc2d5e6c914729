import { recordAudit } from '../../db/repositories/audit';
import { AppError } from '../../errors';
import type { Actor, DomainDeps } from '../deps';
import { getRole, hasRole, requireRole } from '../roles/roles';

/** An alert delivery gave up on: Slack's definite answer about it, or still unreachable at the maximum age. */
export type FailedAlert = {
  id: number;
  kind: string;
  channel: string;
  error: string | null;
  attempts: number;
  createdAt: Date;
  /** The case it is about, when it is about one. */
  caseId?: number;
};

export type FailedAlerts = { total: number; alerts: FailedAlert[]; canRetry: boolean };

/** The most recent failures a listing shows; `total` says how many there are. */
export const FAILED_LIST_LIMIT = 20;

/** The failed alerts, newest first, for analysts and up; `canRetry` says whether the actor may queue them again (admins). */
export async function listFailedAlerts(deps: DomainDeps, input: { actor: Actor; limit?: number }): Promise<FailedAlerts> {
  await requireRole(deps, input.actor, 'analyst', 'see failed alerts');
  const [total, rows, role] = await Promise.all([
    deps.db.alert.count({ where: { status: 'failed' } }),
    deps.db.alert.findMany({ where: { status: 'failed' }, orderBy: { id: 'desc' }, take: input.limit ?? FAILED_LIST_LIMIT }),
    getRole(deps, input.actor.id),
  ]);
  return {
    total,
    canRetry: hasRole(role, 'admin'),
    alerts: rows.map((r) => {
      const caseId = (r.message as { caseId?: unknown }).caseId;
      return {
        id: r.id,
        kind: r.kind,
        channel: r.channel,
        error: r.lastError,
        attempts: r.attempts,
        createdAt: r.createdAt,
        ...(typeof caseId === 'number' ? { caseId } : {}),
      };
    }),
  };
}

/**
 * Queues a failed alert again (admins), audited, e.g. once the bot has been invited to the channel.
 * Its attempts are kept, so delivery first looks for a message an earlier attempt may have posted.
 * The maximum age still counts from when it was first queued: if Slack is still unreachable it fails
 * again after one more try.
 */
export async function retryFailedAlert(
  deps: DomainDeps,
  input: { actor: Actor; alertId: number },
): Promise<{ id: number; channel: string }> {
  await requireRole(deps, input.actor, 'admin', 'retry failed alerts');
  const now = deps.clock.now();
  const retried = await deps.db.$transaction(async (tx) => {
    const row = await tx.alert.findUnique({ where: { id: input.alertId } });
    if (!row) throw new AppError('not_found', `There is no alert ${input.alertId}.`);
    // Two admins clicking at once: one queues it, the other is told.
    const { count } = await tx.alert.updateMany({
      where: { id: row.id, status: 'failed' },
      data: { status: 'pending', nextAttemptAt: now, lastError: null },
    });
    if (count === 0) throw new AppError('conflict', `Alert ${row.id} is ${row.status}, not failed: there is nothing to retry.`);
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'alert.retry',
      entityType: 'alert',
      entityId: String(row.id),
      before: { status: 'failed', lastError: row.lastError },
      after: { status: 'pending' },
      at: now,
    });
    return { id: row.id, channel: row.channel };
  });
  deps.alertsQueued();
  return retried;
}
