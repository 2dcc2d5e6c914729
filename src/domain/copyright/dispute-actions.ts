/**
 * What the dispute card's buttons do (analysts and above; a refusal is audited by requireRole):
 * Claimant notified, Restore (from the earliest date), Restore now as a false positive (any time,
 * with a reason), Claimant filed suit (hold: the material stays down, the clock stops), Reject
 * counter-notice (with a reason) and Request info (a question in the card's thread).
 *
 * Every operation locks the counter-notice row: two clicks racing, a double click and a Slack retry
 * see the first outcome and record nothing more ("already restored by X at T"). A restore marks the
 * takedown decisions of the disputed items reversed (not a new enforcement action: no decision row is
 * written, so metrics never count it), brings the items back and removes the account's strike for the
 * notice. Each change re-renders the card and says what happened in its thread.
 */
import { createHash } from 'node:crypto';
import { TX_OPTIONS, type Tx } from '../../db/client';
import { recordAudit } from '../../db/repositories/audit';
import { AppError, badInput } from '../../errors';
import type { CounterNoticeOutcome } from '../../generated/prisma/client';
import type { Actor, DomainDeps } from '../deps';
import { requireRole } from '../roles/roles';
import { utcMinute } from '../time';
import { type CopyrightCalendar, receiptDate } from './calendar';
import {
  complaintKey,
  type DisputeRow,
  type DisputeThreadEvent,
  type DisputeThreadNote,
  disputeRows,
  OUTCOME_STATUS,
  storedWindow,
  threadNote,
  updateDisputeCard,
} from './dispute-card';
import { checkRestore, type DisputeAction, disputeActions } from './disputes';
import { loadCopyrightCalendar } from './holidays';

export const MAX_DISPUTE_REASON = 2000;

const DECIDED_WORDS: Record<CounterNoticeOutcome, string> = {
  restored_in_window: 'restored',
  restored_late: 'restored (after the latest date)',
  restored_false_positive: 'restored as a false positive',
  held: 'held for the claimant’s suit',
  rejected: 'rejected',
  notice_retracted: 'closed by the retraction of its notice',
};

const isSlackUser = (id: string) => /^[UW][A-Z0-9]+$/.test(id);
const who = (id: string | null) => (id && isSlackUser(id) ? `<@${id}>` : (id ?? 'someone'));

/** "Already restored by @x at T": the answer to every click after the outcome. */
export function disputeDecided(r: Pick<DisputeRow, 'id' | 'outcome' | 'decided_by' | 'resolved_at'>): AppError {
  const at = r.resolved_at ? utcMinute(r.resolved_at) : 'an unknown time';
  const what = r.outcome ? DECIDED_WORDS[r.outcome] : 'decided';
  return new AppError(
    'conflict',
    `Counter-notice ${r.id} was already ${what} by ${who(r.decided_by)} at ${at}.`,
    undefined,
    r.decided_by && isSlackUser(r.decided_by) ? [r.decided_by] : [],
  );
}

/** What a person typed as a reason or question: required, trimmed, at most MAX_DISPUTE_REASON characters. */
export function checkDisputeText(raw: string | undefined, what: string): string {
  const text = (raw ?? '').trim();
  if (!text) throw badInput(`${what} is required.`);
  if (text.length > MAX_DISPUTE_REASON)
    throw badInput(`That is ${text.length.toLocaleString('en')} characters; keep it to ${MAX_DISPUTE_REASON.toLocaleString('en')}.`);
  return text;
}

async function lockDispute(tx: Tx, counterNoticeId: number): Promise<DisputeRow> {
  const [r] = await disputeRows(tx, 'c.id = $1', [counterNoticeId], 'update');
  if (!r) throw new AppError('not_found', `There is no counter-notice ${counterNoticeId}.`);
  return r;
}

/** Refuses an action the dispute's state does not offer (decided, incomplete, already notified). */
function requireOpen(r: DisputeRow, action: DisputeAction): void {
  if (r.outcome) throw disputeDecided(r);
  const offered = disputeActions({
    status: 'pending',
    complete: r.missing_elements.length === 0,
    ...(r.claimant_notified_at ? { claimantNotifiedAt: r.claimant_notified_at } : {}),
  });
  if (offered.includes(action)) return;
  if (action === 'claimant_notified' && r.claimant_notified_at) {
    throw new AppError(
      'conflict',
      `The claimant was already recorded as notified by ${who(r.claimant_notified_by)} at ${utcMinute(r.claimant_notified_at)}.`,
      undefined,
      r.claimant_notified_by && isSlackUser(r.claimant_notified_by) ? [r.claimant_notified_by] : [],
    );
  }
  throw new AppError(
    'conflict',
    `Counter-notice ${r.id} is incomplete (missing ${r.missing_elements.join(', ').replace(/_/g, ' ')}): it has no restore clock. ` +
      'Ask for the rest with Request info, reject it, or restore now as a false positive.',
  );
}

type Run<T> = (tx: Tx, r: DisputeRow, cal: CopyrightCalendar, now: Date) => Promise<{ result: T; note?: DisputeThreadNote; what?: string }>;

/** One dispute operation: role check, the row locked, the change, the card re-rendered, the thread told. */
async function onDispute<T>(deps: DomainDeps, actor: Actor, counterNoticeId: number, attempted: string, run: Run<T>): Promise<T> {
  await requireRole(deps, actor, 'analyst', attempted);
  const now = deps.clock.now();
  const result = await deps.db.$transaction(async (tx) => {
    const r = await lockDispute(tx, counterNoticeId);
    const cal = await loadCopyrightCalendar(deps, tx);
    const done = await run(tx, r, cal, now);
    const extra = done.note ? [threadNote(deps, done.what ?? done.note.event, done.note)] : [];
    await updateDisputeCard(tx, cal, r.id, now, extra);
    return done.result;
  }, TX_OPTIONS);
  deps.alertsQueued();
  deps.escalationsChanged();
  return result;
}

const note = (
  r: DisputeRow,
  event: DisputeThreadEvent,
  actor: Actor,
  now: Date,
  more: Partial<DisputeThreadNote> = {},
): DisputeThreadNote => ({
  counterNoticeId: r.id,
  externalId: r.external_id,
  event,
  at: now.toISOString(),
  actor: actor.id,
  ...more,
});

/** Claimant notified: records when (and by whom) the claimant was sent the counter-notice (§512(g)(2)(B)). */
export async function recordClaimantNotified(deps: DomainDeps, input: { actor: Actor; counterNoticeId: number }): Promise<{ at: Date }> {
  return onDispute(deps, input.actor, input.counterNoticeId, 'act on copyright disputes', async (tx, r, _cal, now) => {
    requireOpen(r, 'claimant_notified');
    await tx.counterNotice.update({ where: { id: r.id }, data: { claimantNotifiedAt: now, claimantNotifiedBy: input.actor.id } });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'counter_notice.claimant_notified',
      entityType: 'counter_notice',
      entityId: String(r.id),
      before: { claimantNotifiedAt: null },
      after: { claimantNotifiedAt: now.toISOString() },
      at: now,
    });
    return { result: { at: now }, note: note(r, 'claimant_notified', input.actor, now) };
  });
}

/** Brings the disputed items back: items restored, takedown decisions reversed, the account's strike for the notice removed. */
async function restoreItems(tx: Tx, r: DisputeRow, actor: Actor, reason: string, now: Date) {
  const items = await tx.$queryRawUnsafe<{ id: number; decision_id: number | null }[]>(
    `UPDATE copyright_notice_items SET restored_at = $3::timestamptz, restored_by = $4
      WHERE notice_id = $1 AND content_ref = ANY($2::text[]) AND restored_at IS NULL
      RETURNING id, decision_id`,
    r.notice_id,
    r.items,
    now.toISOString(),
    actor.id,
  );
  const decisionIds = [...new Set(items.map((i) => i.decision_id).filter((d): d is number => d !== null))];
  // A decision stays in force while any item it took down is still down (items of one case share it).
  const reversed = await tx.$queryRawUnsafe<{ id: number }[]>(
    `UPDATE decisions d SET reversed_at = $2::timestamptz, reversed_by = $3, reversal_reason = $4
      WHERE d.id = ANY($1::int[]) AND d.reversed_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM copyright_notice_items i
                         WHERE i.decision_id = d.id AND i.taken_down_at IS NOT NULL AND i.restored_at IS NULL)
      RETURNING d.id`,
    decisionIds,
    now.toISOString(),
    actor.id,
    reason,
  );
  const strikes = await tx.$queryRawUnsafe<{ id: number }[]>(
    `UPDATE copyright_strikes SET removed_at = $3::timestamptz, removed_reason = 'restored', removed_by = $4
      WHERE notice_id = $1 AND account_id = $2 AND removed_at IS NULL RETURNING id`,
    r.notice_id,
    r.account_id,
    now.toISOString(),
    actor.id,
  );
  for (const d of reversed) {
    await recordAudit(tx, {
      actor: actor.id,
      origin: actor.origin,
      action: 'decision.reverse',
      entityType: 'decision',
      entityId: String(d.id),
      before: { reversedAt: null },
      after: { reversedAt: now.toISOString(), reason, counterNoticeId: r.id },
      at: now,
    });
  }
  return { items: items.length, decisions: reversed.map((d) => d.id), strikes: strikes.length };
}

/** Ends a dispute with an outcome: the row, the audit trail and (for restores) the items, decisions and strike. */
async function conclude(
  tx: Tx,
  r: DisputeRow,
  actor: Actor,
  outcome: CounterNoticeOutcome,
  now: Date,
  extra: { restoreReason?: string; rejectionReason?: string; suit?: { court: string; caseNumber: string; filedOn: string } },
) {
  const status = outcome === 'held' ? 'held' : outcome === 'rejected' ? 'rejected' : 'restored';
  const verb =
    outcome === 'held' ? 'hold' : outcome === 'rejected' ? 'reject' : outcome === 'notice_retracted' ? 'notice_retracted' : 'restore';
  await tx.counterNotice.update({
    where: { id: r.id },
    data: {
      status,
      outcome,
      resolvedAt: now,
      decidedBy: actor.id,
      restoreReason: extra.restoreReason ?? null,
      rejectionReason: extra.rejectionReason ?? null,
      ...(extra.suit
        ? {
            suitCourt: extra.suit.court,
            suitCaseNumber: extra.suit.caseNumber,
            suitFiledOn: new Date(`${extra.suit.filedOn}T00:00:00Z`),
          }
        : {}),
    },
  });
  // The complaints the counter-notice filed (counter-notices.ts) are decided with it.
  await tx.$executeRawUnsafe(
    `UPDATE appeals SET outcome = $2::"AppealOutcome", resolved_at = $3::timestamptz
      WHERE outcome = 'pending' AND external_id IN (
        SELECT $1 || decision_id FROM copyright_notice_items
         WHERE notice_id = $4 AND content_ref = ANY($5::text[]) AND decision_id IS NOT NULL)`,
    complaintKey(r.id),
    // Restored: the takedown is reversed. Held for a court, nothing was decided on the merits here. Rejected: it stands.
    status === 'restored' ? 'overturned' : outcome === 'held' ? 'closed' : 'upheld',
    now.toISOString(),
    r.notice_id,
    r.items,
  );
  const restored =
    status === 'restored' ? await restoreItems(tx, r, actor, restoreReasonText(r, outcome, extra.restoreReason), now) : undefined;
  await recordAudit(tx, {
    actor: actor.id,
    origin: actor.origin,
    action: `counter_notice.${verb}`,
    entityType: 'counter_notice',
    entityId: String(r.id),
    before: { status: 'pending' },
    after: {
      status,
      outcome,
      ...(extra.restoreReason ? { reason: extra.restoreReason } : {}),
      ...(extra.rejectionReason ? { reason: extra.rejectionReason } : {}),
      ...(extra.suit ? { suit: extra.suit } : {}),
      ...(restored ?? {}),
    },
    at: now,
  });
  return restored;
}

function restoreReasonText(r: DisputeRow, outcome: CounterNoticeOutcome, reason: string | undefined): string {
  if (outcome === 'notice_retracted') return `notice retracted while counter-notice ${r.external_id} was pending`;
  if (outcome === 'restored_false_positive')
    return `restored as a false positive (counter-notice ${r.external_id}): ${reason ?? ''}`.trim();
  return `restored on counter-notice ${r.external_id} (§512(g)(2)(C))`;
}

export type RestoreResult = { outcome: CounterNoticeOutcome; items: number; strikes: number };

/** Restore on the clock: allowed from the earliest date (before it, the answer gives the date); late after the latest. */
export async function restoreDispute(deps: DomainDeps, input: { actor: Actor; counterNoticeId: number }): Promise<RestoreResult> {
  return onDispute(deps, input.actor, input.counterNoticeId, 'act on copyright disputes', async (tx, r, _cal, now) => {
    requireOpen(r, 'restore');
    const window = storedWindow(r);
    if (!window) throw new AppError('conflict', `Counter-notice ${r.id} has no restore clock.`);
    const check = checkRestore(window, now);
    if (!check.ok) throw new AppError('conflict', check.message);
    const outcome: CounterNoticeOutcome = check.status === 'restored' ? 'restored_in_window' : 'restored_late';
    const done = await conclude(tx, r, input.actor, outcome, now, {});
    return {
      result: { outcome, items: done?.items ?? 0, strikes: done?.strikes ?? 0 },
      note: note(r, OUTCOME_STATUS[outcome] as DisputeThreadEvent, input.actor, now),
      what: 'outcome',
    };
  });
}

/** Restore now as a false positive: any time, even without a clock, with a reason. */
export async function restoreFalsePositive(
  deps: DomainDeps,
  input: { actor: Actor; counterNoticeId: number; reason: string | undefined },
): Promise<RestoreResult> {
  await requireRole(deps, input.actor, 'analyst', 'act on copyright disputes');
  const reason = checkDisputeText(input.reason, 'A reason');
  return onDispute(deps, input.actor, input.counterNoticeId, 'act on copyright disputes', async (tx, r, _cal, now) => {
    requireOpen(r, 'restore_false_positive');
    const done = await conclude(tx, r, input.actor, 'restored_false_positive', now, { restoreReason: reason });
    return {
      result: { outcome: 'restored_false_positive' as const, items: done?.items ?? 0, strikes: done?.strikes ?? 0 },
      note: note(r, 'restored_false_positive', input.actor, now, { reason }),
      what: 'outcome',
    };
  });
}

export type Suit = { court: string; caseNumber: string; filedOn: string };

/** Claimant filed suit: the dispute is held (material stays down, the clock stops). */
export async function holdForSuit(deps: DomainDeps, input: { actor: Actor; counterNoticeId: number; suit: Suit }): Promise<void> {
  await requireRole(deps, input.actor, 'analyst', 'act on copyright disputes');
  const suit = {
    court: checkDisputeText(input.suit.court, 'The court'),
    caseNumber: checkDisputeText(input.suit.caseNumber, 'The case number'),
    filedOn: input.suit.filedOn,
  };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(suit.filedOn)) throw badInput('The date filed is YYYY-MM-DD.');
  await onDispute(deps, input.actor, input.counterNoticeId, 'act on copyright disputes', async (tx, r, cal, now) => {
    requireOpen(r, 'suit_filed');
    const today = receiptDate(cal, now);
    if (suit.filedOn > today) throw badInput(`The date filed cannot be after today (${today}).`);
    await conclude(tx, r, input.actor, 'held', now, { suit });
    return { result: undefined, note: note(r, 'held', input.actor, now, { suit }), what: 'outcome' };
  });
}

/** Reject counter-notice: the material stays down; a reason is required. */
export async function rejectCounterNotice(
  deps: DomainDeps,
  input: { actor: Actor; counterNoticeId: number; reason: string | undefined },
): Promise<void> {
  await requireRole(deps, input.actor, 'analyst', 'act on copyright disputes');
  const reason = checkDisputeText(input.reason, 'A reason');
  await onDispute(deps, input.actor, input.counterNoticeId, 'act on copyright disputes', async (tx, r, _cal, now) => {
    requireOpen(r, 'reject');
    await conclude(tx, r, input.actor, 'rejected', now, { rejectionReason: reason });
    return { result: undefined, note: note(r, 'rejected', input.actor, now, { reason }), what: 'outcome' };
  });
}

/** Request info: the question goes to the card's thread and is recorded; the clock keeps running. */
export async function requestDisputeInfo(
  deps: DomainDeps,
  input: { actor: Actor; counterNoticeId: number; question: string | undefined },
): Promise<void> {
  await requireRole(deps, input.actor, 'analyst', 'act on copyright disputes');
  const question = checkDisputeText(input.question, 'Your question');
  await onDispute(deps, input.actor, input.counterNoticeId, 'act on copyright disputes', async (tx, r, _cal, now) => {
    requireOpen(r, 'request_info');
    // The same question from the same person is one message, however often it is submitted.
    const digest = createHash('sha256').update(`${input.actor.id}\n${question}`).digest('hex').slice(0, 16);
    const prior = await tx.alert.findUnique({ where: { dedupeKey: `copyright:counter_notice:${r.id}:info:${digest}` } });
    if (!prior) {
      await tx.copyrightInfoRequest.create({
        data: { counterNoticeId: r.id, requestedBy: input.actor.id, requestedAt: now, question },
      });
      await recordAudit(tx, {
        actor: input.actor.id,
        origin: input.actor.origin,
        action: 'counter_notice.request_info',
        entityType: 'counter_notice',
        entityId: String(r.id),
        after: { question },
        at: now,
      });
    }
    return { result: undefined, note: note(r, 'info_requested', input.actor, now, { reason: question }), what: `info:${digest}` };
  });
}

/** A dispute, for the modals: its external id while it is open to the action; refuses otherwise. */
export async function disputeForAction(
  deps: DomainDeps,
  input: { actor: Actor; counterNoticeId: number; action: DisputeAction },
): Promise<{ externalId: string }> {
  await requireRole(deps, input.actor, 'analyst', 'act on copyright disputes');
  const [r] = await disputeRows(deps.db, 'c.id = $1', [input.counterNoticeId]);
  if (!r) throw new AppError('not_found', `There is no counter-notice ${input.counterNoticeId}.`);
  requireOpen(r, input.action);
  return { externalId: r.external_id };
}

/**
 * Ends the pending disputes of a retracted notice: nothing is left to decide once everything it took
 * down is back (no reminder, no overdue alert, the complaint overturned). Runs in the retraction's
 * transaction; the reminder scan runs it too, for a retraction recorded without it. Returns how many.
 */
export async function closeDisputesOfRetractedNotice(
  tx: Tx,
  deps: Pick<DomainDeps, 'channels' | 'copyrightTimeZone'>,
  noticeId: number,
  actor: Actor,
  now: Date,
): Promise<number> {
  const rows = await disputeRows(tx, 'c.notice_id = $1 AND c.outcome IS NULL ORDER BY c.id', [noticeId], 'update');
  if (rows.length === 0) return 0;
  const cal = await loadCopyrightCalendar({ ...deps, db: tx }, tx);
  for (const r of rows) {
    await conclude(tx, r, actor, 'notice_retracted', now, {});
    await updateDisputeCard(tx, cal, r.id, now, [threadNote(deps, 'outcome', note(r, 'notice_retracted', actor, now))]);
  }
  return rows.length;
}

/**
 * A later counter-notice for the same items replaces an incomplete one still pending (the subscriber's
 * corrected version): the incomplete one is closed as rejected, naming its successor. Returns the ids closed.
 */
export async function supersedeIncomplete(
  tx: Tx,
  deps: Pick<DomainDeps, 'channels' | 'copyrightTimeZone'>,
  cal: CopyrightCalendar,
  counterNoticeIds: readonly number[],
  successor: string,
  actor: Actor,
  now: Date,
): Promise<void> {
  const rows = await disputeRows(tx, 'c.id = ANY($1::int[]) AND c.outcome IS NULL ORDER BY c.id', [counterNoticeIds], 'update');
  for (const r of rows) {
    const reason = `superseded by counter-notice ${successor}`;
    await conclude(tx, r, actor, 'rejected', now, { rejectionReason: reason });
    await updateDisputeCard(tx, cal, r.id, now, [threadNote(deps, 'outcome', note(r, 'superseded', actor, now, { reason }))]);
  }
}
