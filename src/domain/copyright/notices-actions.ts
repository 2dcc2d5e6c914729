/**
 * What analysts do with a notice: take it down, reject it, ask the sender for what is missing; and
 * its retraction (by the claimant through the API, or recorded from the card). Each locks the
 * notice row, so racing clicks record one outcome and the others are told who decided and when.
 */
import { TX_OPTIONS, type Tx } from '../../db/client';
import { recordAudit } from '../../db/repositories/audit';
import { AppError, badInput } from '../../errors';
import type { Actor, DomainDeps } from '../deps';
import { checkReason } from '../escalations/escalations';
import { requireRole } from '../roles/roles';
import { utcMinute } from '../time';
import { REJECT_NOTICE_REASONS, type RejectNoticeReason } from './cards';
import { closeDisputesOfRetractedNotice } from './dispute-actions';
import { updateNoticeCard } from './notices-cards';
import { lockStrikeAccounts, raiseTerminations } from './repeat-infringers';
import { NOTICE_ELEMENT_TEXT, type NoticeElement } from './schemas';

export const TAKEDOWN_ACTION = 'content_removed';
export const REJECTION_ACTION = 'no_violation';
export const COPYRIGHT_POLICY = 'ip_infringement';

type LockedNotice = {
  id: number;
  external_id: string;
  status: string;
  decided_by: string | null;
  actioned_at: Date | null;
  retracted_by: string | null;
  retracted_at: Date | null;
  missing_elements: string[];
};

const who = (id: string | null) => (id && /^[UW][A-Z0-9]+$/.test(id) ? `<@${id}>` : (id ?? 'someone'));

async function lockNotice(tx: Tx, where: { id: number } | { externalId: string }): Promise<LockedNotice> {
  const [n] = await tx.$queryRawUnsafe<LockedNotice[]>(
    `SELECT id, external_id, status::text AS status, decided_by, actioned_at, retracted_by, retracted_at, missing_elements
       FROM copyright_notices WHERE ${'id' in where ? 'id = $1' : 'external_id = $1'} FOR UPDATE`,
    'id' in where ? where.id : where.externalId,
  );
  if (!n) {
    throw new AppError(
      'not_found',
      'id' in where ? `There is no copyright notice ${where.id}.` : `There is no copyright notice ${where.externalId}.`,
    );
  }
  return n;
}

/** "Already taken down by @x at T": the answer to every click after the outcome. */
function alreadyDecided(n: LockedNotice): AppError {
  if (n.status === 'retracted') {
    const at = n.retracted_at ? utcMinute(n.retracted_at) : 'an unknown time';
    return new AppError(
      'conflict',
      `Notice ${n.external_id} was already retracted (recorded by ${who(n.retracted_by)} at ${at}).`,
      undefined,
      n.retracted_by && /^[UW]/.test(n.retracted_by) ? [n.retracted_by] : [],
    );
  }
  if (n.status === 'incomplete')
    return new AppError('conflict', `Notice ${n.external_id} is incomplete: it cannot be acted on until the sender completes it.`);
  const at = n.actioned_at ? utcMinute(n.actioned_at) : 'an unknown time';
  const what = n.status === 'taken_down' ? 'taken down' : n.status;
  return new AppError(
    'conflict',
    `Notice ${n.external_id} was already ${what} by ${who(n.decided_by)} at ${at}.`,
    undefined,
    n.decided_by && /^[UW]/.test(n.decided_by) ? [n.decided_by] : [],
  );
}

/**
 * The cases only this notice keeps open are decided no violation (a rejected or withdrawn claim leaves
 * nothing to act on); a case another open notice also claims stays as it is. Returns the cases decided.
 */
async function decideOwnCases(tx: Tx, n: LockedNotice, actor: Actor, reason: string, now: Date): Promise<{ id: number }[]> {
  const caseIds = (
    await tx.copyrightNoticeItem.findMany({ where: { noticeId: n.id, caseId: { not: null } }, select: { caseId: true } })
  ).map((i) => i.caseId!);
  // Only cases this notice alone keeps open are decided: another notice's claim on the same content stands.
  const own = caseIds.length
    ? await tx.$queryRawUnsafe<{ id: number }[]>(
        `SELECT c.id FROM cases c WHERE c.id = ANY($1::int[]) AND c.status IN ('queued', 'in_review')
              AND NOT EXISTS (SELECT 1 FROM copyright_notice_items o JOIN copyright_notices n2 ON n2.id = o.notice_id
                               WHERE o.case_id = c.id AND o.notice_id <> $2 AND n2.status = 'received')`,
        caseIds,
        n.id,
      )
    : [];
  if (own.length) {
    await tx.$executeRawUnsafe(
      `INSERT INTO decisions (case_id, action, policy, actor_type, actor_id, automated, reason, decided_at, created_at)
         SELECT c, $2, $3, $7::"ActorType", $4, $8, $5, $6::timestamptz, $6::timestamptz FROM unnest($1::int[]) AS c`,
      own.map((c) => c.id),
      REJECTION_ACTION,
      COPYRIGHT_POLICY,
      actor.id,
      reason,
      now.toISOString(),
      // A person's decision from Slack; the claimant's withdrawal through the API decides by itself.
      actor.origin === 'slack' ? 'internal_analyst' : 'automated',
      actor.origin !== 'slack',
    );
    await tx.$executeRawUnsafe(
      `UPDATE cases SET status = 'decided', first_action_at = coalesce(first_action_at, $2::timestamptz),
                resolved_at = coalesce(resolved_at, $2::timestamptz), updated_at = $2::timestamptz
          WHERE id = ANY($1::int[])`,
      own.map((c) => c.id),
      now.toISOString(),
    );
  }
  return own;
}

export type TakedownResult = {
  noticeId: number;
  externalId: string;
  items: number;
  cases: number;
  strikes: number;
  terminations: { accountId: string; escalationId: number; count: number }[];
};

/**
 * Take down: a content_removed decision (policy ip_infringement) on each item's case, one strike per
 * account per notice, the affected users recorded as told (§512(g)(2)(A)), the card edited in place.
 */
export async function takeDownNotice(deps: DomainDeps, input: { actor: Actor; noticeId: number }): Promise<TakedownResult> {
  await requireRole(deps, input.actor, 'analyst', 'take down copyright notices');
  const result = await deps.db.$transaction(async (tx) => {
    const n = await lockNotice(tx, { id: input.noticeId });
    if (n.status !== 'received') throw alreadyDecided(n);
    const items = await tx.copyrightNoticeItem.findMany({ where: { noticeId: n.id }, orderBy: { position: 'asc' } });
    const accounts = [...new Set(items.map((i) => i.accountId).filter((a): a is string => !!a))].sort();
    // Takedowns of other notices naming the same accounts wait here, so the strike count each sees
    // includes the other's strike and the repeat-infringer threshold is crossed once (accounts before cases).
    await lockStrikeAccounts(tx, accounts);
    // The time is read after the lock: a takedown that waited here is later than the one it waited for,
    // so the strike that one recorded falls inside this one's window.
    const now = deps.clock.now();
    // One decision per case (two items of one notice never share a case: their references differ).
    const caseIds = [...new Set(items.map((i) => i.caseId).filter((c): c is number => c !== null))].sort((x, y) => x - y);
    // Cases are locked (in id order) so two notices on one content racing see each other's removal.
    if (caseIds.length) await tx.$queryRawUnsafe(`SELECT id FROM cases WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE`, caseIds);
    // A case whose latest decision is a removal still in force (another notice about the same content
    // was taken down) gets no second one: this notice's item is linked to it (one enforcement action).
    const inForce = caseIds.length
      ? await tx.$queryRawUnsafe<{ id: number; case_id: number }[]>(
          `SELECT id, case_id FROM (SELECT DISTINCT ON (case_id) id, case_id, action, reversed_at FROM decisions
                                     WHERE case_id = ANY($1::int[]) ORDER BY case_id, decided_at DESC, id DESC) latest
            WHERE action = $2 AND reversed_at IS NULL`,
          caseIds,
          TAKEDOWN_ACTION,
        )
      : [];
    const linked = new Set(inForce.map((d) => d.case_id));
    const toDecide = caseIds.filter((c) => !linked.has(c));
    const inserted = toDecide.length
      ? await tx.$queryRawUnsafe<{ id: number; case_id: number }[]>(
          `INSERT INTO decisions (case_id, action, policy, actor_type, actor_id, automated, reason, decided_at, created_at)
           SELECT c, $2, $3, 'internal_analyst', $4, false, $5, $6::timestamptz, $6::timestamptz FROM unnest($1::int[]) AS c
           RETURNING id, case_id`,
          toDecide,
          TAKEDOWN_ACTION,
          COPYRIGHT_POLICY,
          input.actor.id,
          `Copyright notice ${n.external_id}`,
          now.toISOString(),
        )
      : [];
    const decisions = [...inserted, ...inForce];
    // Each case is decided: first action and resolution now, unless it had them already.
    await tx.$executeRawUnsafe(
      `UPDATE cases SET status = CASE WHEN status = 'escalated' THEN status ELSE 'decided'::"CaseStatus" END,
              first_action_at = LEAST(coalesce(first_action_at, $2::timestamptz), $2::timestamptz),
              resolved_at = coalesce(resolved_at, $2::timestamptz), updated_at = $2::timestamptz
        WHERE id = ANY($1::int[])`,
      caseIds,
      now.toISOString(),
    );
    await tx.$executeRawUnsafe(
      `UPDATE copyright_notice_items i SET decision_id = d.id, taken_down_at = $3::timestamptz
         FROM unnest($1::int[], $2::int[]) AS d(id, case_id)
        WHERE i.notice_id = $4 AND i.case_id = d.case_id`,
      decisions.map((d) => d.id),
      decisions.map((d) => d.case_id),
      now.toISOString(),
      n.id,
    );
    await tx.copyrightNoticeItem.updateMany({ where: { noticeId: n.id, takenDownAt: null }, data: { takenDownAt: now } });
    const struck = accounts.length
      ? await tx.$executeRawUnsafe(
          `INSERT INTO copyright_strikes (account_id, notice_id, created_at)
           SELECT a, $2, $3::timestamptz FROM unnest($1::text[]) AS a
           ON CONFLICT (account_id, notice_id) DO NOTHING`,
          accounts,
          n.id,
          now.toISOString(),
        )
      : 0;
    await tx.copyrightNotice.update({
      where: { id: n.id },
      data: { status: 'taken_down', actionTaken: TAKEDOWN_ACTION, actionedAt: now, decidedBy: input.actor.id, usersNotifiedAt: now },
    });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'copyright_notice.take_down',
      entityType: 'copyright_notice',
      entityId: String(n.id),
      before: { status: n.status },
      after: {
        status: 'taken_down',
        decisions: inserted.map((d) => d.id),
        linkedDecisions: inForce.map((d) => d.id),
        cases: caseIds,
        strikes: accounts,
      },
      at: now,
    });
    // §512(g)(2)(A): the subscriber is told promptly that the material was removed.
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'copyright_notice.users_notified',
      entityType: 'copyright_notice',
      entityId: String(n.id),
      after: { accounts, at: now.toISOString() },
      at: now,
    });
    const terminations = await raiseTerminations(tx, deps, { noticeId: n.id, accounts, at: now, actor: input.actor });
    await updateNoticeCard(tx, n.id, now);
    return { noticeId: n.id, externalId: n.external_id, items: items.length, cases: caseIds.length, strikes: struck, terminations };
  }, TX_OPTIONS);
  deps.alertsQueued();
  if (result.terminations.length) deps.escalationsChanged();
  return result;
}

/** Reject notice (modal: reason, note): nothing is taken down, no strike; each item's case is decided no violation. */
export async function rejectNotice(
  deps: DomainDeps,
  input: { actor: Actor; noticeId: number; reason: RejectNoticeReason | string | undefined; note?: string },
): Promise<{ noticeId: number; externalId: string }> {
  await requireRole(deps, input.actor, 'analyst', 'reject copyright notices');
  if (!(REJECT_NOTICE_REASONS as readonly string[]).includes(input.reason ?? ''))
    throw badInput(`Pick a reason: ${REJECT_NOTICE_REASONS.join(', ')}.`);
  const note = input.note?.trim() ? checkReason(input.note, 'A note') : undefined;
  if (input.reason === 'other' && !note) throw badInput('Say why, for the reason "Other".');
  const now = deps.clock.now();
  const result = await deps.db.$transaction(async (tx) => {
    const n = await lockNotice(tx, { id: input.noticeId });
    if (n.status !== 'received') throw alreadyDecided(n);
    const own = await decideOwnCases(tx, n, input.actor, `Copyright notice ${n.external_id} rejected: ${input.reason}`, now);
    await tx.copyrightNotice.update({
      where: { id: n.id },
      data: {
        status: 'rejected',
        actionTaken: REJECTION_ACTION,
        actionedAt: now,
        decidedBy: input.actor.id,
        rejectReason: input.reason!,
        rejectNote: note ?? null,
      },
    });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'copyright_notice.reject',
      entityType: 'copyright_notice',
      entityId: String(n.id),
      before: { status: n.status },
      after: { status: 'rejected', reason: input.reason, note, casesDecided: own.map((c) => c.id) },
      at: now,
    });
    await updateNoticeCard(tx, n.id, now);
    return { noticeId: n.id, externalId: n.external_id };
  }, TX_OPTIONS);
  deps.alertsQueued();
  return result;
}

/** Request info on an incomplete notice: records who asked and when, for the elements missing. */
export async function requestNoticeInfo(
  deps: DomainDeps,
  input: { actor: Actor; noticeId: number },
): Promise<{ noticeId: number; externalId: string; missing: NoticeElement[]; requests: number }> {
  await requireRole(deps, input.actor, 'analyst', 'ask senders of copyright notices for information');
  const now = deps.clock.now();
  const result = await deps.db.$transaction(async (tx) => {
    const n = await lockNotice(tx, { id: input.noticeId });
    if (n.status !== 'incomplete') {
      if (n.status === 'received')
        throw new AppError('conflict', `Notice ${n.external_id} is complete: nothing is missing to ask the sender for.`);
      throw alreadyDecided(n);
    }
    const missing = n.missing_elements as NoticeElement[];
    const question = missing.map((e) => `${e} (${NOTICE_ELEMENT_TEXT[e]?.statute ?? ''})`).join(', ');
    await tx.copyrightInfoRequest.create({ data: { noticeId: n.id, requestedBy: input.actor.id, requestedAt: now, question } });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'copyright_notice.request_info',
      entityType: 'copyright_notice',
      entityId: String(n.id),
      after: { missing },
      at: now,
    });
    await updateNoticeCard(tx, n.id, now);
    const requests = await tx.copyrightInfoRequest.count({ where: { noticeId: n.id } });
    return { noticeId: n.id, externalId: n.external_id, missing, requests };
  }, TX_OPTIONS);
  deps.alertsQueued();
  return result;
}

export type RetractionReceipt = {
  external_id: string;
  status: 'retracted';
  retracted_at: string;
  restored_items: number;
  strikes_removed: number;
};

/**
 * A retraction: the claimant withdraws the notice. What it took down is restored (each takedown
 * decision marked reversed: not a new enforcement action) and its strikes removed. Recording it
 * again answers as the first time did.
 */
export async function retractNotice(
  deps: DomainDeps,
  input: { actor: Actor; noticeId?: number; externalId?: string; reason?: string },
): Promise<{ status: 'created' | 'replayed'; receipt: RetractionReceipt }> {
  if (input.actor.origin === 'slack') await requireRole(deps, input.actor, 'analyst', 'record copyright notice retractions');
  const reason = input.reason?.trim() ? checkReason(input.reason, 'A retraction') : undefined;
  const now = deps.clock.now();
  const result = await deps.db.$transaction(async (tx) => {
    const n = await lockNotice(tx, input.noticeId !== undefined ? { id: input.noticeId } : { externalId: input.externalId! });
    if (n.status === 'retracted') {
      if (input.actor.origin === 'slack') throw alreadyDecided(n);
      const [counts] = await tx.$queryRawUnsafe<{ items: number; strikes: number }[]>(
        `SELECT (SELECT count(*)::int FROM copyright_notice_items WHERE notice_id = $1 AND restored_at IS NOT NULL AND restored_by = $2) AS items,
                (SELECT count(*)::int FROM copyright_strikes WHERE notice_id = $1 AND removed_reason = 'retracted') AS strikes`,
        n.id,
        `retraction:${n.id}`,
      );
      return {
        status: 'replayed' as const,
        receipt: {
          external_id: n.external_id,
          status: 'retracted' as const,
          retracted_at: n.retracted_at!.toISOString(),
          restored_items: counts?.items ?? 0,
          strikes_removed: counts?.strikes ?? 0,
        },
      };
    }
    const reversal = `Copyright notice ${n.external_id} retracted${reason ? `: ${reason}` : ''}`;
    // The takedown decisions of items still down are reversed; items restored after a counter-notice stay as they are.
    const restored = await tx.$queryRawUnsafe<{ decision_id: number | null }[]>(
      `UPDATE copyright_notice_items SET restored_at = $2::timestamptz, restored_by = $3
        WHERE notice_id = $1 AND taken_down_at IS NOT NULL AND restored_at IS NULL RETURNING decision_id`,
      n.id,
      now.toISOString(),
      `retraction:${n.id}`,
    );
    const decisionIds = restored.map((r) => r.decision_id).filter((d): d is number => d !== null);
    if (decisionIds.length) {
      // A removal another notice's item still keeps down (same content, linked at its takedown) stays in force.
      await tx.$executeRawUnsafe(
        `UPDATE decisions d SET reversed_at = $2::timestamptz, reversed_by = $3, reversal_reason = $4
          WHERE d.id = ANY($1::int[]) AND d.reversed_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM copyright_notice_items o
                             WHERE o.decision_id = d.id AND o.notice_id <> $5 AND o.taken_down_at IS NOT NULL AND o.restored_at IS NULL)`,
        decisionIds,
        now.toISOString(),
        input.actor.id,
        reversal,
        n.id,
      );
    }
    // Withdrawn before anyone acted: its own cases have nothing left to decide.
    if (n.status === 'received') await decideOwnCases(tx, n, input.actor, reversal, now);
    const strikes = await tx.copyrightStrike.updateMany({
      where: { noticeId: n.id, removedAt: null },
      data: { removedAt: now, removedReason: 'retracted', removedBy: input.actor.id },
    });
    // Everything is back up: a pending counter-notice has nothing left to decide (no reminder, no overdue alert).
    const disputesClosed = await closeDisputesOfRetractedNotice(tx, deps, n.id, input.actor, now);
    await tx.copyrightNotice.update({
      where: { id: n.id },
      data: { status: 'retracted', retractedAt: now, retractedBy: input.actor.id, retractionReason: reason ?? null },
    });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'copyright_notice.retract',
      entityType: 'copyright_notice',
      entityId: String(n.id),
      before: { status: n.status },
      after: {
        status: 'retracted',
        reason,
        restoredItems: restored.length,
        reversedDecisions: decisionIds,
        strikesRemoved: strikes.count,
        disputesClosed,
      },
      at: now,
    });
    await updateNoticeCard(tx, n.id, now);
    return {
      status: 'created' as const,
      receipt: {
        external_id: n.external_id,
        status: 'retracted' as const,
        retracted_at: now.toISOString(),
        restored_items: restored.length,
        strikes_removed: strikes.count,
      },
    };
  }, TX_OPTIONS);
  if (result.status === 'created') deps.alertsQueued();
  return result;
}
