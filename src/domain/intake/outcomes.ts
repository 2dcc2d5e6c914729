import type { Tx } from '../../db/client';
import { recordAudit } from '../../db/repositories/audit';
import type { AppealInput, DecisionInput, QaReviewInput } from './schemas';

// Decisions, QA reviews and appeals: what happens to cases after intake. Each is idempotent on its
// external id, like reports: the same body again answers as before, a different body is a conflict.

export type Outcome<R> =
  | { status: 'created' | 'replayed'; receipt: R }
  | { status: 'conflict'; message: string }
  | { status: 'not_found'; path: string; message: string };

export type Item<I> = { input: I; hash: string; actor: string; origin: 'api' | 'cli' };

const conflict = (externalId: string) => ({
  status: 'conflict' as const,
  message: `external_id ${externalId} was already received with a different body`,
});

export type DecisionReceipt = { id: number; case_id: number; case_status: string; first_action_at: string; resolved_at: string };

export async function recordDecision(tx: Tx, now: Date, item: Item<DecisionInput>): Promise<Outcome<DecisionReceipt>> {
  const d = item.input;
  const prior = await tx.decision.findUnique({ where: { externalId: d.external_id } });
  if (prior)
    return prior.bodyHash === item.hash ? { status: 'replayed', receipt: await decisionReceipt(tx, prior) } : conflict(d.external_id);

  const report = d.report_external_id === undefined ? null : await tx.report.findUnique({ where: { externalId: d.report_external_id } });
  const caseId = d.case_id ?? report?.caseId ?? null;
  const found = caseId === null ? null : await tx.case.findUnique({ where: { id: caseId } });
  if (!found) {
    return d.case_id !== undefined
      ? { status: 'not_found', path: 'case_id', message: `no case ${d.case_id}` }
      : { status: 'not_found', path: 'report_external_id', message: `no report ${d.report_external_id}` };
  }
  if (found.status === 'closed') return { status: 'conflict', message: `case ${found.id} is closed; a closed case cannot be decided` };
  // A decision cannot come before what it decides: the named report, or the case's first report.
  const arrived = report?.receivedAt ?? found.openedAt;
  if (d.decided_at < arrived) {
    return {
      status: 'conflict',
      message: `decided_at ${d.decided_at.toISOString()} is before the report arrived (${arrived.toISOString()})`,
    };
  }

  const decision = await tx.decision.create({
    data: {
      externalId: d.external_id,
      bodyHash: item.hash,
      caseId: found.id,
      action: d.action,
      policy: d.policy,
      actorType: d.actor_type ?? (d.automated ? 'automated' : 'vendor_reviewer'),
      actorId: d.reviewer_id ?? null,
      automated: d.automated,
      suspensionReason: d.suspension_reason ?? null,
      decidedAt: d.decided_at,
      createdAt: now,
    },
  });
  // The first decision is both the first action and the resolution; later ones (re-decisions) change
  // neither, unless one is dated earlier than the first action known so far.
  const firstActionAt = found.firstActionAt && found.firstActionAt < d.decided_at ? found.firstActionAt : d.decided_at;
  const resolvedAt = found.resolvedAt ?? d.decided_at;
  await tx.case.update({ where: { id: found.id }, data: { status: 'decided', firstActionAt, resolvedAt, updatedAt: now } });
  await recordAudit(tx, {
    actor: item.actor,
    origin: item.origin,
    action: 'decision.record',
    entityType: 'case',
    entityId: String(found.id),
    before: { status: found.status, firstActionAt: found.firstActionAt, resolvedAt: found.resolvedAt },
    after: { status: 'decided', firstActionAt, resolvedAt, decisionId: decision.id, action: d.action, policy: d.policy },
    at: now,
  });
  return { status: 'created', receipt: await decisionReceipt(tx, decision) };
}

/**
 * The receipt as of this decision, rebuilt from the decisions recorded up to it, so a replay
 * answers exactly what the first submission answered however the case moved on since.
 */
async function decisionReceipt(tx: Tx, decision: { id: number; caseId: number }): Promise<DecisionReceipt> {
  const upTo = await tx.decision.findMany({
    where: { caseId: decision.caseId, id: { lte: decision.id } },
    orderBy: { id: 'asc' },
    select: { decidedAt: true },
  });
  const firstAction = new Date(Math.min(...upTo.map((x) => x.decidedAt.getTime())));
  return {
    id: decision.id,
    case_id: decision.caseId,
    case_status: 'decided',
    first_action_at: firstAction.toISOString(),
    resolved_at: upTo[0]!.decidedAt.toISOString(),
  };
}

async function findDecision(tx: Tx, ref: { decision_id?: number; decision_external_id?: string }) {
  return ref.decision_id !== undefined
    ? tx.decision.findUnique({ where: { id: ref.decision_id } })
    : tx.decision.findUnique({ where: { externalId: ref.decision_external_id! } });
}

const missingDecision = (ref: { decision_id?: number; decision_external_id?: string }) =>
  ref.decision_id !== undefined
    ? { status: 'not_found' as const, path: 'decision_id', message: `no decision ${ref.decision_id}` }
    : { status: 'not_found' as const, path: 'decision_external_id', message: `no decision ${ref.decision_external_id}` };

export type QaReceipt = { id: number; decision_id: number; outcome: string };

export async function recordQaReview(tx: Tx, now: Date, item: Item<QaReviewInput>): Promise<Outcome<QaReceipt>> {
  const q = item.input;
  const prior = await tx.qaReview.findUnique({ where: { externalId: q.external_id } });
  if (prior)
    return prior.bodyHash === item.hash
      ? { status: 'replayed', receipt: { id: prior.id, decision_id: prior.decisionId, outcome: prior.outcome } }
      : conflict(q.external_id);
  const decision = await findDecision(tx, q);
  if (!decision) return missingDecision(q);
  if (q.reviewed_at < decision.decidedAt)
    return { status: 'conflict', message: `reviewed_at is before the decision was made (${decision.decidedAt.toISOString()})` };
  const row = await tx.qaReview.create({
    data: {
      externalId: q.external_id,
      bodyHash: item.hash,
      decisionId: decision.id,
      outcome: q.outcome,
      correctAction: q.correct_action ?? null,
      correctPolicy: q.correct_policy ?? null,
      errorSeverity: q.error_severity ?? null,
      errorCategory: q.error_category ?? null,
      reviewerId: q.reviewer_id ?? null,
      reviewedAt: q.reviewed_at,
    },
  });
  await recordAudit(tx, {
    actor: item.actor,
    origin: item.origin,
    action: 'qa_review.record',
    entityType: 'decision',
    entityId: String(decision.id),
    after: { qaReviewId: row.id, outcome: q.outcome },
    at: now,
  });
  return { status: 'created', receipt: { id: row.id, decision_id: decision.id, outcome: row.outcome } };
}

export type AppealReceipt = { id: number; decision_id: number; outcome: string };

export async function recordAppeal(tx: Tx, now: Date, item: Item<AppealInput>): Promise<Outcome<AppealReceipt>> {
  const a = item.input;
  const prior = await tx.appeal.findUnique({ where: { externalId: a.external_id } });
  if (prior)
    return prior.bodyHash === item.hash
      ? { status: 'replayed', receipt: { id: prior.id, decision_id: prior.decisionId, outcome: prior.outcome } }
      : conflict(a.external_id);
  const decision = await findDecision(tx, a);
  if (!decision) return missingDecision(a);
  if (a.filed_at < decision.decidedAt)
    return { status: 'conflict', message: `filed_at is before the decision was made (${decision.decidedAt.toISOString()})` };
  const row = await tx.appeal.create({
    data: {
      externalId: a.external_id,
      bodyHash: item.hash,
      decisionId: decision.id,
      outcome: a.outcome,
      complaintType: a.complaint_type ?? null,
      filedAt: a.filed_at,
      resolvedAt: a.resolved_at ?? null,
    },
  });
  await recordAudit(tx, {
    actor: item.actor,
    origin: item.origin,
    action: 'appeal.record',
    entityType: 'decision',
    entityId: String(decision.id),
    after: { appealId: row.id, outcome: a.outcome },
    at: now,
  });
  return { status: 'created', receipt: { id: row.id, decision_id: decision.id, outcome: row.outcome } };
}
