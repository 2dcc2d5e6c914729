import { createHash } from 'node:crypto';
import { TX_OPTIONS, type Tx } from '../../db/client';
import { recordAudit } from '../../db/repositories/audit';
import { AppError, badInput } from '../../errors';
import type { CaseStatus, EscalationStatus } from '../../generated/prisma/client';
import type { NewAlert } from '../alerts/outbox';
import { onTerminationApproved } from '../copyright/repeat-infringers';
import type { Actor, DomainDeps } from '../deps';
import { requireRole } from '../roles/roles';
import { utcMinute } from '../time';
import { alreadyDecided, checkReason, escalationAlert, updateCard } from './escalations';

/** One line in the card's thread: who did what, and why. */
export type ThreadNote = {
  escalationId: number;
  caseId: number;
  event: 'approved' | 'rejected' | 'reassigned' | 'expired' | 'info_requested' | 'vote';
  actor: string;
  at: string;
  reason?: string;
  /** Whom the note is for: the requester (info requests) or the approvers (expiry). */
  mentions?: string[];
  approvals?: number;
  required?: number;
  reassignedTo?: string;
};

/** The direct message the requester gets when their escalation ends (and the new owner of a case handed to a person). */
export type OutcomeDm = {
  escalationId: number;
  caseId: number;
  status: EscalationStatus;
  by: string;
  at: string;
  reason?: string;
  reassignedTo?: string;
  /** Set on the message to the person a case was handed to; absent on the requester's. */
  to?: 'assignee';
};

/** The re-notification of an escalation that expired undecided. */
export type ExpiredNotice = { escalationId: number; caseId: number; severity: string; deadlineAt: string; approvers: string[] };

export type VoteResult = { escalationId: number; status: EscalationStatus; approvals: number; required: number };

type Locked = {
  id: number;
  status: EscalationStatus;
  case_id: number;
  case_status_before: CaseStatus;
  requested_by: string;
  required_approvals: number;
  decided_by: string | null;
  decided_at: Date | null;
  severity: string;
  deadline_at: Date;
};

const isSlackUser = (id: string) => /^[UW][A-Z0-9]+$/.test(id);

/**
 * Locks the escalation row: every decision on one escalation runs one at a time, so two approvers
 * racing, a double click and a Slack retry all see the first outcome and record nothing more.
 */
async function lockPending(tx: Tx, escalationId: number): Promise<Locked> {
  const [e] = await tx.$queryRawUnsafe<Locked[]>(
    `SELECT id, status::text AS status, case_id, case_status_before::text AS case_status_before, requested_by,
            required_approvals, decided_by, decided_at, severity, deadline_at
       FROM escalations WHERE id = $1 FOR UPDATE`,
    escalationId,
  );
  if (!e) throw new AppError('not_found', `There is no escalation ${escalationId}.`);
  if (e.status !== 'pending') throw alreadyDecided({ status: e.status, decidedBy: e.decided_by, decidedAt: e.decided_at });
  return e;
}

/** Ends a pending escalation: its row, the case's status, the audit trail; returns the messages it causes. */
async function conclude(
  tx: Tx,
  deps: DomainDeps,
  e: Locked,
  outcome: { status: EscalationStatus; actor: Actor; reason?: string; reassignedTo?: string; caseChange?: Record<string, unknown> },
  now: Date,
): Promise<Omit<NewAlert, 'threadOf'>[]> {
  await tx.escalation.update({
    where: { id: e.id },
    data: {
      status: outcome.status,
      decidedBy: outcome.actor.id,
      decidedAt: now,
      outcomeReason: outcome.reason ?? null,
      reassignedTo: outcome.reassignedTo ?? null,
    },
  });
  // The case leaves "escalated" for where it was (or where a reassignment sends it), unless it moved on meanwhile.
  const caseStatus = (outcome.caseChange?.status as CaseStatus | undefined) ?? e.case_status_before;
  const moved = await tx.case.updateMany({
    where: { id: e.case_id, status: 'escalated' },
    data: { ...outcome.caseChange, status: caseStatus, updatedAt: now },
  });
  await recordAudit(tx, {
    actor: outcome.actor.id,
    origin: outcome.actor.origin,
    action: `escalation.${outcome.status === 'reassigned' ? 'reassign' : outcome.status === 'expired' ? 'expire' : outcome.status.replace(/ed$/, 'e')}`,
    entityType: 'escalation',
    entityId: String(e.id),
    before: { status: 'pending' },
    after: { status: outcome.status, reason: outcome.reason, reassignedTo: outcome.reassignedTo, caseId: e.case_id },
    at: now,
  });
  if (moved.count > 0) {
    await recordAudit(tx, {
      actor: outcome.actor.id,
      origin: outcome.actor.origin,
      action: 'case.status',
      entityType: 'case',
      entityId: String(e.case_id),
      before: { status: 'escalated' },
      after: { status: caseStatus, escalationId: e.id, ...outcome.caseChange },
      at: now,
    });
  }
  const at = now.toISOString();
  const messages: Omit<NewAlert, 'threadOf'>[] = [];
  if (outcome.status !== 'expired') {
    const note: ThreadNote = {
      escalationId: e.id,
      caseId: e.case_id,
      event: outcome.status as ThreadNote['event'],
      actor: outcome.actor.id,
      at,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...(outcome.reassignedTo ? { reassignedTo: outcome.reassignedTo } : {}),
    };
    messages.push(escalationAlert(e.id, 'outcome', 'escalation_thread', deps.channels.escalation, note));
  }
  if (isSlackUser(e.requested_by)) {
    const dm: OutcomeDm = {
      escalationId: e.id,
      caseId: e.case_id,
      status: outcome.status,
      by: outcome.actor.id,
      at,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...(outcome.reassignedTo ? { reassignedTo: outcome.reassignedTo } : {}),
    };
    messages.push(escalationAlert(e.id, 'dm', 'escalation_dm', e.requested_by, dm));
  }
  if (outcome.reassignedTo && isSlackUser(outcome.reassignedTo)) {
    const dm: OutcomeDm = { escalationId: e.id, caseId: e.case_id, status: outcome.status, by: outcome.actor.id, at, to: 'assignee' };
    if (outcome.reason) dm.reason = outcome.reason;
    messages.push(escalationAlert(e.id, 'assignee', 'escalation_dm', outcome.reassignedTo, dm));
  }
  return messages;
}

function finished(deps: DomainDeps) {
  deps.alertsQueued();
  deps.escalationsChanged();
}

/**
 * Records an approver's vote. A reject ends the escalation at once (with its reason); approvals end
 * it when the severity's quorum of distinct approvers is reached. One vote per person.
 */
export async function voteOnEscalation(
  deps: DomainDeps,
  input: { actor: Actor; escalationId: number; vote: 'approve' | 'reject'; reason?: string },
): Promise<VoteResult> {
  await requireRole(deps, input.actor, 'approver', 'decide escalations');
  const reason = input.vote === 'reject' ? checkReason(input.reason, 'A rejection', 'Type the reason in the dialog.') : undefined;
  const now = deps.clock.now();
  const result = await deps.db.$transaction(async (tx) => {
    const e = await lockPending(tx, input.escalationId);
    const mine = await tx.escalationVote.findUnique({ where: { escalationId_userId: { escalationId: e.id, userId: input.actor.id } } });
    if (mine) {
      throw new AppError(
        'conflict',
        `You already voted (${mine.vote}) at ${utcMinute(mine.createdAt)}; escalation ${e.id} needs ${e.required_approvals} distinct approvers.`,
      );
    }
    await tx.escalationVote.create({
      data: { escalationId: e.id, userId: input.actor.id, vote: input.vote, reason: reason ?? null, createdAt: now },
    });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'escalation.vote',
      entityType: 'escalation',
      entityId: String(e.id),
      after: { vote: input.vote, reason },
      at: now,
    });
    const approvals = await tx.escalationVote.count({ where: { escalationId: e.id, vote: 'approve' } });
    let status: EscalationStatus = 'pending';
    let messages: Omit<NewAlert, 'threadOf'>[] = [];
    if (input.vote === 'reject') status = 'rejected';
    else if (approvals >= e.required_approvals) status = 'approved';
    if (status !== 'pending') {
      messages = await conclude(tx, deps, e, { status, actor: input.actor, reason }, now);
      // A repeat-infringer termination approved: the account_banned decision it asked for.
      if (status === 'approved') await onTerminationApproved(tx, { escalationId: e.id, actor: input.actor, at: now });
    } else {
      const note: ThreadNote = {
        escalationId: e.id,
        caseId: e.case_id,
        event: 'vote',
        actor: input.actor.id,
        at: now.toISOString(),
        approvals,
        required: e.required_approvals,
      };
      messages.push(escalationAlert(e.id, `vote:${input.actor.id}`, 'escalation_thread', deps.channels.escalation, note));
    }
    await updateCard(tx, e.id, now, messages);
    return { escalationId: e.id, status, approvals, required: e.required_approvals };
  }, TX_OPTIONS);
  finished(deps);
  return result;
}

/** What an escalation can be handed to: a person (who then owns the case) or a queue (the case goes back to it). */
export type ReassignTarget = { user: string } | { queue: string };

export async function reassignEscalation(
  deps: DomainDeps,
  input: { actor: Actor; escalationId: number; to: ReassignTarget; reason?: string },
): Promise<{ escalationId: number; caseId: number; to: string }> {
  await requireRole(deps, input.actor, 'approver', 'reassign escalations');
  const reason = input.reason?.trim() ? checkReason(input.reason, 'A reassignment', 'Type the reason in the dialog.') : undefined;
  if ('user' in input.to && !isSlackUser(input.to.user)) throw badInput(`\`${input.to.user}\` is not a Slack user id.`);
  const now = deps.clock.now();
  const result = await deps.db.$transaction(async (tx) => {
    const e = await lockPending(tx, input.escalationId);
    let to: string;
    let caseChange: Record<string, unknown>;
    if ('queue' in input.to) {
      const queue = await tx.queue.findUnique({ where: { key: input.to.queue } });
      if (!queue) throw badInput(`There is no queue \`${input.to.queue}\`.`);
      to = `queue:${queue.key}`;
      caseChange = { status: 'queued', queueId: queue.id, assignee: null };
    } else {
      to = input.to.user;
      caseChange = { status: 'in_review', assignee: input.to.user };
    }
    const messages = await conclude(tx, deps, e, { status: 'reassigned', actor: input.actor, reason, reassignedTo: to, caseChange }, now);
    await updateCard(tx, e.id, now, messages);
    return { escalationId: e.id, caseId: e.case_id, to };
  }, TX_OPTIONS);
  finished(deps);
  return result;
}

/** Asks the requester for more information in the card's thread; the escalation stays pending. */
export async function requestEscalationInfo(
  deps: DomainDeps,
  input: { actor: Actor; escalationId: number; question: string },
): Promise<{ escalationId: number }> {
  await requireRole(deps, input.actor, 'approver', 'ask for more information on escalations');
  const question = checkReason(input.question, 'A request for information', 'Type your question in the dialog.');
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    const e = await lockPending(tx, input.escalationId);
    const note: ThreadNote = {
      escalationId: e.id,
      caseId: e.case_id,
      event: 'info_requested',
      actor: input.actor.id,
      at: now.toISOString(),
      reason: question,
      mentions: isSlackUser(e.requested_by) ? [e.requested_by] : [],
    };
    // The same question from the same person is one message, however often it is submitted.
    const digest = createHash('sha256').update(`${input.actor.id}\n${question}`).digest('hex').slice(0, 16);
    await updateCard(tx, e.id, now, [escalationAlert(e.id, `info:${digest}`, 'escalation_thread', deps.channels.escalation, note)]);
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'escalation.request_info',
      entityType: 'escalation',
      entityId: String(e.id),
      after: { question },
      at: now,
    });
  }, TX_OPTIONS);
  deps.alertsQueued();
  return { escalationId: input.escalationId };
}

/** Slack users who may decide escalations: approvers and admins, configured admins included. */
export async function listApprovers(deps: Pick<DomainDeps, 'db' | 'configuredAdmins'>): Promise<string[]> {
  const rows = await deps.db.roleAssignment.findMany({ where: { role: { in: ['approver', 'admin'] } }, select: { slackId: true } });
  return [...new Set([...deps.configuredAdmins, ...rows.map((r) => r.slackId)])].sort();
}

const EXPIRY_BATCH = 200;

/**
 * Expires pending escalations past their deadline, in batches: each one's card says so, the case
 * returns to where it was, and the escalation channel is re-notified once, mentioning the approvers.
 */
export async function expireEscalations(deps: DomainDeps): Promise<{ expired: number }> {
  const now = deps.clock.now();
  const approvers = await listApprovers(deps);
  const system: Actor = { id: 'system', origin: 'system' };
  let expired = 0;
  for (;;) {
    const batch = await deps.db.$transaction(async (tx) => {
      // SKIP LOCKED: an escalation being voted on right now is left to its voter, then seen next time.
      const rows = await tx.$queryRawUnsafe<Locked[]>(
        `SELECT id, status::text AS status, case_id, case_status_before::text AS case_status_before, requested_by,
                required_approvals, decided_by, decided_at, severity, deadline_at
           FROM escalations WHERE status = 'pending' AND deadline_at <= $1::timestamptz
          ORDER BY deadline_at LIMIT ${EXPIRY_BATCH} FOR UPDATE SKIP LOCKED`,
        now.toISOString(),
      );
      for (const e of rows) {
        const messages = await conclude(tx, deps, e, { status: 'expired', actor: system }, now);
        const notice: ExpiredNotice = {
          escalationId: e.id,
          caseId: e.case_id,
          severity: e.severity,
          deadlineAt: e.deadline_at.toISOString(),
          approvers,
        };
        await updateCard(tx, e.id, now, [
          ...messages,
          escalationAlert(e.id, 'expired', 'escalation_expired', deps.channels.escalation, notice),
        ]);
      }
      return rows.length;
    }, TX_OPTIONS);
    expired += batch;
    if (batch < EXPIRY_BATCH) break;
  }
  if (expired > 0) finished(deps);
  return { expired };
}
