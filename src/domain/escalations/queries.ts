import { AppError } from '../../errors';
import type { EscalationStatus } from '../../generated/prisma/client';
import type { DomainDeps } from '../deps';
import { getRole, hasRole, type RoleName } from '../roles/roles';
import { alreadyDecided } from './escalations';

/** One escalation as a list shows it. */
export type EscalationSummary = {
  escalationId: number;
  caseId: number;
  severity: string;
  reason: string;
  requestedBy: string;
  status: EscalationStatus;
  deadlineAt: string;
  approvals: number;
  requiredApprovals: number;
  decidedBy?: string;
  decidedAt?: string;
};

export type HomeEscalations = { role: RoleName; mode: 'decide' | 'own'; escalations: EscalationSummary[]; more: number };

export const HOME_LIMIT = 15;

/**
 * What App Home lists: approvers see every pending escalation, soonest deadline first; everyone else
 * sees the ones they raised that are still pending, then those decided in the last week.
 */
export async function homeEscalations(
  deps: Pick<DomainDeps, 'db' | 'configuredAdmins' | 'defaultRole' | 'groups' | 'log' | 'clock'>,
  userId: string,
): Promise<HomeEscalations> {
  const role = await getRole(deps, userId);
  // Escalation rows are case-level: analysts and above.
  if (!hasRole(role, 'analyst')) return { role, mode: 'own', escalations: [], more: 0 };
  const decide = hasRole(role, 'approver');
  const weekAgo = new Date(deps.clock.now().getTime() - 7 * 86_400_000);
  const where = decide
    ? { status: 'pending' as const }
    : { requestedBy: userId, OR: [{ status: 'pending' as const }, { decidedAt: { gte: weekAgo } }] };
  const [rows, total] = await Promise.all([
    deps.db.escalation.findMany({
      where,
      orderBy: decide ? [{ deadlineAt: 'asc' }, { id: 'asc' }] : [{ status: 'asc' }, { id: 'desc' }],
      take: HOME_LIMIT,
      include: { votes: { where: { vote: 'approve' }, select: { id: true } } },
    }),
    deps.db.escalation.count({ where }),
  ]);
  return {
    role,
    mode: decide ? 'decide' : 'own',
    more: Math.max(0, total - rows.length),
    escalations: rows.map((e) => ({
      escalationId: e.id,
      caseId: e.caseId,
      severity: e.severity,
      reason: e.reason,
      requestedBy: e.requestedBy,
      status: e.status,
      deadlineAt: e.deadlineAt.toISOString(),
      approvals: e.votes.length,
      requiredApprovals: e.requiredApprovals,
      ...(e.decidedBy ? { decidedBy: e.decidedBy } : {}),
      ...(e.decidedAt ? { decidedAt: e.decidedAt.toISOString() } : {}),
    })),
  };
}

/** A pending escalation, before a modal opens on it: a decided one answers "already decided by …" at once. */
export async function pendingEscalation(deps: Pick<DomainDeps, 'db'>, escalationId: number) {
  const e = await deps.db.escalation.findUnique({ where: { id: escalationId } });
  if (!e) throw new AppError('not_found', `There is no escalation ${escalationId}.`);
  if (e.status !== 'pending') throw alreadyDecided(e);
  return { escalationId: e.id, caseId: e.caseId, requestedBy: e.requestedBy };
}
