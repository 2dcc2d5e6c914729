import { recordAudit } from '../../db/repositories/audit';
import { AppError, badInput } from '../../errors';
import { enqueueAlerts } from '../alerts/outbox';
import type { Actor, DomainDeps } from '../deps';
import { requireRole } from '../roles/roles';

export const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** How long an escalation may stay pending, and how many distinct approvers it needs. */
export const SEVERITY_RULES: Record<Severity, { deadlineHours: number; quorum: number }> = {
  sev1: { deadlineHours: 1, quorum: 2 },
  sev2: { deadlineHours: 4, quorum: 1 },
  sev3: { deadlineHours: 24, quorum: 1 },
  sev4: { deadlineHours: 72, quorum: 1 },
};

export type RaiseInput = { actor: Actor; caseId: number; severity: Severity; reason: string; source: 'vendor' | 'sla_breach' | 'manual' };
export type Raised = { escalationId: number; caseId: number; created: boolean };

/** What the escalation card shows (see slack/views/escalation.ts): facts and links, never content. */
export type EscalationCardData = {
  escalationId: number;
  caseId: number;
  severity: Severity;
  reason: string;
  source: string;
  requestedBy: string;
  requiredApprovals: number;
  queue: string;
  vendor: string;
  priority: string;
  resolutionDueAt: string;
  deadlineAt: string;
};

const OPEN = ['queued', 'in_review', 'escalated'];

/**
 * Opens an escalation on a case and queues its card for the escalation channel. A case has at most
 * one pending escalation: raising again (a double click, a retry) returns the one already there.
 */
export async function raiseEscalation(deps: DomainDeps, input: RaiseInput): Promise<Raised> {
  if (input.actor.origin === 'slack') await requireRole(deps, input.actor, 'analyst', 'escalate cases');
  const reason = input.reason.trim();
  if (!reason) throw badInput('An escalation needs a reason.');
  if (reason.length > 2000) throw badInput(`The reason is ${reason.length} characters; keep it under 2,000.`);
  const now = deps.clock.now();
  const result = await deps.db.$transaction(async (tx) => {
    // Lock the case row: two clicks racing see each other's escalation.
    const [locked] = await tx.$queryRawUnsafe<{ id: number; status: string }[]>(
      'SELECT id, status::text FROM cases WHERE id = $1 FOR UPDATE',
      input.caseId,
    );
    if (!locked) throw new AppError('not_found', `There is no case ${input.caseId}.`);
    if (!OPEN.includes(locked.status))
      throw new AppError('conflict', `Case #${input.caseId} is ${locked.status}; only open cases can be escalated.`);
    const pending = await tx.escalation.findFirst({ where: { caseId: input.caseId, status: 'pending' } });
    if (pending) return { escalationId: pending.id, caseId: input.caseId, created: false };

    const c = await tx.case.findUniqueOrThrow({ where: { id: input.caseId }, include: { queue: { include: { vendor: true } } } });
    const rules = SEVERITY_RULES[input.severity];
    const deadlineAt = new Date(now.getTime() + rules.deadlineHours * 3600_000);
    const escalation = await tx.escalation.create({
      data: {
        caseId: c.id,
        source: input.source,
        severity: input.severity,
        reason,
        requestedBy: input.actor.id,
        requiredApprovals: rules.quorum,
        deadlineAt,
        createdAt: now,
      },
    });
    await tx.case.update({ where: { id: c.id }, data: { status: 'escalated', updatedAt: now } });
    const card: EscalationCardData = {
      escalationId: escalation.id,
      caseId: c.id,
      severity: input.severity,
      reason,
      source: input.source,
      requestedBy: input.actor.id,
      requiredApprovals: rules.quorum,
      queue: c.queue.key,
      vendor: c.queue.vendor.name,
      priority: c.priority,
      resolutionDueAt: c.resolutionDueAt.toISOString(),
      deadlineAt: deadlineAt.toISOString(),
    };
    await enqueueAlerts(
      tx,
      [
        {
          kind: 'escalation',
          dedupeKey: `escalation:${escalation.id}:card`,
          channel: deps.channels.escalation,
          message: card,
          entityType: 'escalation',
          entityId: String(escalation.id),
        },
      ],
      now,
    );
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'escalation.raise',
      entityType: 'case',
      entityId: String(c.id),
      before: { status: c.status },
      after: { status: 'escalated', escalationId: escalation.id, severity: input.severity, source: input.source },
      at: now,
    });
    return { escalationId: escalation.id, caseId: c.id, created: true };
  });
  if (result.created) deps.alertsQueued();
  return result;
}
