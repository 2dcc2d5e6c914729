import { TX_OPTIONS, type Tx } from '../../db/client';
import { recordAudit } from '../../db/repositories/audit';
import { AppError, badInput } from '../../errors';
import type { CaseStatus, EscalationStatus } from '../../generated/prisma/client';
import { enqueueAlerts, type NewAlert } from '../alerts/outbox';
import type { Actor, DomainDeps } from '../deps';
import { requireRole } from '../roles/roles';
import { utcMinute } from '../time';

export const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** How long an escalation may stay pending, and how many distinct approvers it needs. */
export const SEVERITY_RULES: Record<Severity, { deadlineHours: number; quorum: number }> = {
  sev1: { deadlineHours: 1, quorum: 2 },
  sev2: { deadlineHours: 4, quorum: 1 },
  sev3: { deadlineHours: 24, quorum: 1 },
  sev4: { deadlineHours: 72, quorum: 1 },
};

export const MAX_REASON = 2000;
export const ESCALATE_EXAMPLE = '/trustops escalate 1234 sev2 Vendor unsure whether this is satire or a credible threat';

export type RaiseInput = {
  actor: Actor;
  caseId: number;
  severity: Severity;
  reason: string;
  source: 'vendor' | 'sla_breach' | 'manual';
  /** API raises: the vendor's idempotency key and body hash. */
  externalId?: string;
  bodyHash?: string;
};
export type Raised = { escalationId: number; caseId: number; created: boolean; status: EscalationStatus };

export type Vote = { userId: string; vote: string; at: string };

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
  surfaces: string[];
  reportTypes: string[];
  policies: string[];
  firstActionDueAt: string;
  firstActionState: string;
  resolutionDueAt: string;
  resolutionState: string;
  deadlineAt: string;
  status: EscalationStatus;
  votes: Vote[];
  decidedBy?: string;
  decidedAt?: string;
  outcomeReason?: string;
  reassignedTo?: string;
};

const OPEN: readonly CaseStatus[] = ['queued', 'in_review', 'escalated'];

export const cardKey = (escalationId: number) => `escalation:${escalationId}:card`;

/** An outbox message about an escalation: dedupe key `escalation:<id>:<what>`, one per cause. */
export function escalationAlert(
  escalationId: number,
  what: string,
  kind: string,
  channel: string,
  message: object,
): Omit<NewAlert, 'threadOf'> {
  return {
    kind,
    dedupeKey: `escalation:${escalationId}:${what}`,
    channel,
    message: message as Record<string, unknown>,
    entityType: 'escalation',
    entityId: String(escalationId),
  };
}

/** Validates what a person typed as a reason: required, trimmed, at most MAX_REASON characters. */
export function checkReason(raw: string | undefined, what = 'An escalation', example = ESCALATE_EXAMPLE): string {
  const reason = (raw ?? '').trim();
  if (!reason) throw badInput(`${what} needs a reason.`, example);
  if (reason.length > MAX_REASON)
    throw badInput(
      `The reason is ${reason.length.toLocaleString('en')} characters; keep it to ${MAX_REASON.toLocaleString('en')}.`,
      example,
    );
  return reason;
}

/** "Already approved by @x at T": the answer to every click after the outcome. */
export function alreadyDecided(e: { status: string; decidedBy: string | null; decidedAt: Date | null }): AppError {
  const at = e.decidedAt ? utcMinute(e.decidedAt) : 'an unknown time';
  if (e.status === 'expired') return new AppError('conflict', `This escalation expired at ${at} without a decision.`);
  const by = e.decidedBy?.startsWith('U') || e.decidedBy?.startsWith('W') ? `<@${e.decidedBy}>` : (e.decidedBy ?? 'someone');
  return new AppError('conflict', `Already ${e.status} by ${by} at ${at}.`, undefined, e.decidedBy ? [e.decidedBy] : []);
}

/**
 * Opens an escalation on a case and queues its card for the escalation channel. A case has at most
 * one pending escalation: raising again (a double click, a retry) returns the one already there.
 */
export async function raiseEscalation(deps: DomainDeps, input: RaiseInput): Promise<Raised> {
  if (input.actor.origin === 'slack') await requireRole(deps, input.actor, 'analyst', 'escalate cases');
  const reason = checkReason(input.reason);
  if (!(SEVERITIES as readonly string[]).includes(input.severity))
    throw badInput(`Unknown severity \`${input.severity}\`; use one of ${SEVERITIES.join(', ')}.`, ESCALATE_EXAMPLE);
  const now = deps.clock.now();
  const result = await deps.db.$transaction(async (tx) => {
    // Lock the case row: two clicks racing see each other's escalation.
    const [locked] = await tx.$queryRawUnsafe<{ id: number; status: CaseStatus }[]>(
      'SELECT id, status::text AS status FROM cases WHERE id = $1 FOR UPDATE',
      input.caseId,
    );
    if (!locked) throw new AppError('not_found', `There is no case ${input.caseId}.`, ESCALATE_EXAMPLE);
    const pending = await tx.escalation.findFirst({ where: { caseId: input.caseId, status: 'pending' } });
    if (pending) return { escalationId: pending.id, caseId: input.caseId, created: false, status: pending.status };
    if (!OPEN.includes(locked.status))
      throw new AppError('conflict', `Case #${input.caseId} is ${locked.status}; only open cases can be escalated.`, ESCALATE_EXAMPLE);

    const rules = SEVERITY_RULES[input.severity];
    const escalation = await tx.escalation.create({
      data: {
        caseId: locked.id,
        source: input.source,
        severity: input.severity,
        reason,
        requestedBy: input.actor.id,
        requiredApprovals: rules.quorum,
        deadlineAt: new Date(now.getTime() + rules.deadlineHours * 3600_000),
        caseStatusBefore: locked.status === 'escalated' ? 'in_review' : locked.status,
        externalId: input.externalId ?? null,
        bodyHash: input.bodyHash ?? null,
        createdAt: now,
      },
    });
    await tx.case.update({ where: { id: locked.id }, data: { status: 'escalated', updatedAt: now } });
    await enqueueAlerts(
      tx,
      [escalationAlert(escalation.id, 'card', 'escalation', deps.channels.escalation, await escalationCardData(tx, escalation.id))],
      now,
    );
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'escalation.raise',
      entityType: 'case',
      entityId: String(locked.id),
      before: { status: locked.status },
      after: { status: 'escalated', escalationId: escalation.id, severity: input.severity, source: input.source },
      at: now,
    });
    return { escalationId: escalation.id, caseId: locked.id, created: true, status: escalation.status };
  }, TX_OPTIONS);
  if (result.created) {
    deps.alertsQueued();
    deps.escalationsChanged();
  }
  return result;
}

// One statement for the whole card: it is read on every vote, inside the vote's transaction.
const CARD_SQL = `
SELECT e.id, e.case_id, e.severity, e.reason, e.source::text AS source, e.requested_by, e.required_approvals,
       e.deadline_at, e.status::text AS status, e.decided_by, e.decided_at, e.outcome_reason, e.reassigned_to,
       q.key AS queue, v.name AS vendor, c.priority, c.first_action_due_at, c.first_action_state,
       c.resolution_due_at, c.resolution_state,
       ARRAY(SELECT DISTINCT s.key FROM reports r JOIN surfaces s ON s.id = r.surface_id WHERE r.case_id = c.id ORDER BY 1) AS surfaces,
       ARRAY(SELECT DISTINCT t.key FROM reports r JOIN report_types t ON t.id = r.report_type_id WHERE r.case_id = c.id ORDER BY 1) AS report_types,
       ARRAY(SELECT DISTINCT r.category FROM reports r WHERE r.case_id = c.id AND r.category IS NOT NULL ORDER BY 1) AS policies,
       ARRAY(SELECT json_build_object('userId', ev.user_id, 'vote', ev.vote, 'at', ev.created_at) FROM escalation_votes ev
              WHERE ev.escalation_id = e.id ORDER BY ev.id) AS votes
  FROM escalations e
  JOIN cases c ON c.id = e.case_id
  JOIN queues q ON q.id = c.queue_id
  JOIN vendors v ON v.id = q.vendor_id
 WHERE e.id = $1`;

type CardRow = {
  id: number;
  case_id: number;
  severity: Severity;
  reason: string;
  source: string;
  requested_by: string;
  required_approvals: number;
  deadline_at: Date;
  status: EscalationStatus;
  decided_by: string | null;
  decided_at: Date | null;
  outcome_reason: string | null;
  reassigned_to: string | null;
  queue: string;
  vendor: string;
  priority: string;
  first_action_due_at: Date;
  first_action_state: string;
  resolution_due_at: Date;
  resolution_state: string;
  surfaces: string[];
  report_types: string[];
  policies: string[];
  votes: { userId: string; vote: string; at: string }[];
};

/** The card's data, read afresh: every change to an escalation re-renders its card from this. */
export async function escalationCardData(tx: Tx, escalationId: number): Promise<EscalationCardData> {
  const [e] = await tx.$queryRawUnsafe<CardRow[]>(CARD_SQL, escalationId);
  if (!e) throw new AppError('not_found', `There is no escalation ${escalationId}.`);
  return {
    escalationId: e.id,
    caseId: e.case_id,
    severity: e.severity,
    reason: e.reason,
    source: e.source,
    requestedBy: e.requested_by,
    requiredApprovals: e.required_approvals,
    queue: e.queue,
    vendor: e.vendor,
    priority: e.priority,
    surfaces: e.surfaces,
    reportTypes: e.report_types,
    policies: e.policies,
    firstActionDueAt: e.first_action_due_at.toISOString(),
    firstActionState: e.first_action_state,
    resolutionDueAt: e.resolution_due_at.toISOString(),
    resolutionState: e.resolution_state,
    deadlineAt: e.deadline_at.toISOString(),
    status: e.status,
    votes: e.votes.map((v) => ({ userId: v.userId, vote: v.vote, at: new Date(v.at).toISOString() })),
    ...(e.decided_by ? { decidedBy: e.decided_by } : {}),
    ...(e.decided_at ? { decidedAt: e.decided_at.toISOString() } : {}),
    ...(e.outcome_reason ? { outcomeReason: e.outcome_reason } : {}),
    ...(e.reassigned_to ? { reassignedTo: e.reassigned_to } : {}),
  };
}

/**
 * Re-renders the card after a change and queues the edit: a posted card is edited in place by the
 * delivery worker; one not yet posted (or being posted right now) goes out with the new data,
 * because the worker compares the message it sent with the stored one before marking it sent.
 * Also queues the extra messages (thread replies, direct messages) of the change.
 */
export async function updateCard(tx: Tx, escalationId: number, now: Date, extra: readonly Omit<NewAlert, 'threadOf'>[] = []) {
  const message = await escalationCardData(tx, escalationId);
  const [card] = await tx.$queryRawUnsafe<{ id: number }[]>(
    `UPDATE alerts SET message = $2::jsonb,
            status = CASE WHEN slack_ts IS NOT NULL AND status <> 'failed' THEN 'pending'::"AlertStatus" ELSE status END,
            next_attempt_at = CASE WHEN slack_ts IS NOT NULL THEN $3::timestamptz ELSE next_attempt_at END
      WHERE dedupe_key = $1 RETURNING id`,
    cardKey(escalationId),
    JSON.stringify(message),
    now.toISOString(),
  );
  // Thread replies hang off the card; the delivery worker holds them until the card has a ts.
  const replies = extra.map((a) => (a.kind === 'escalation_thread' && card ? { ...a, threadOf: card.id } : a));
  await enqueueAlerts(tx, replies, now);
  return message;
}
