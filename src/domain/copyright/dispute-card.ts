/**
 * The dispute card of a counter-notice and the messages around it, as outbox alerts: the card in the
 * copyright channel (posted once, edited in place on every change), replies in its thread, and the
 * overdue alert. Data only: src/slack/views renders it at delivery time.
 */
import type { Tx } from '../../db/client';
import type { CounterNoticeOutcome } from '../../generated/prisma/client';
import { enqueueAlerts, type NewAlert } from '../alerts/outbox';
import type { DomainDeps } from '../deps';
import {
  type CopyrightCalendar,
  copyrightCalendar,
  disputeClock,
  oneBusinessDayAfter,
  type RestoreWindow,
  restoreWindow,
} from './calendar';
import type { DisputeCardData, DisputeStatus, Recorded } from './cards';
import type { ReminderKind } from './disputes';
import { reminderKey } from './disputes';
import type { CounterNoticeElement, SenderKind } from './schemas';

export const DISPUTE_ENTITY = 'counter_notice';
export const DISPUTE_CARD_KIND = 'copyright_dispute';
export const DISPUTE_THREAD_KIND = 'copyright_dispute_thread';
export const DISPUTE_OVERDUE_KIND = 'copyright_dispute_overdue';
/** The card shows this many disputed items; the rest are counted. */
const CARD_ITEMS = 10;

/** The external id prefix of a counter-notice's complaints (appeals): `counter-notice:<id>:<decision id>`. */
export const complaintKey = (counterNoticeId: number) => `counter-notice:${counterNoticeId}:`;

export const disputeCardKey = (counterNoticeId: number) => `copyright:counter_notice:${counterNoticeId}:card`;

export type DisputeThreadEvent =
  | 'claimant_notified'
  | 'restored'
  | 'restored_late'
  | 'restored_false_positive'
  | 'held'
  | 'rejected'
  | 'info_requested'
  | 'window_moved'
  | 'notice_retracted'
  | 'superseded'
  | Exclude<ReminderKind, 'restore_overdue'>;

/** A reply in the dispute card's thread. */
export type DisputeThreadNote = {
  counterNoticeId: number;
  externalId: string;
  event: DisputeThreadEvent;
  at: string;
  actor?: string;
  reason?: string;
  window?: { earliest: string; latest: string };
  /** claimant_notify_due: when Claimant notified was due. */
  dueAt?: string;
  suit?: { court: string; caseNumber: string; filedOn: string };
};

/** The overdue alert, to the copyright and the escalation channels. */
export type DisputeOverdueNotice = {
  counterNoticeId: number;
  externalId: string;
  noticeExternalId: string;
  claimant: string;
  accountId: string;
  itemCount: number;
  latest: string;
  timeZone: string;
  at: string;
};

export const OUTCOME_STATUS: Record<CounterNoticeOutcome, Exclude<DisputeStatus, 'pending'>> = {
  restored_in_window: 'restored',
  restored_late: 'restored_late',
  restored_false_positive: 'restored_false_positive',
  held: 'held',
  rejected: 'rejected',
  notice_retracted: 'notice_retracted',
};

const dateOf = (d: Date) => d.toISOString().slice(0, 10);

/** A counter-notice row as the card and the reminders need it. */
export type DisputeRow = {
  id: number;
  external_id: string;
  notice_id: number;
  notice_external_id: string;
  claimant: string;
  sender_kind: SenderKind;
  account_id: string;
  subscriber_name: string | null;
  items: string[];
  missing_elements: string[];
  received_at: Date;
  restore_time_zone: string | null;
  earliest_restore_on: Date | null;
  latest_restore_on: Date | null;
  earliest_restore_at: Date | null;
  latest_restore_at: Date | null;
  claimant_notified_at: Date | null;
  claimant_notified_by: string | null;
  status: string;
  outcome: CounterNoticeOutcome | null;
  resolved_at: Date | null;
  decided_by: string | null;
  rejection_reason: string | null;
  restore_reason: string | null;
  suit_court: string | null;
  suit_case_number: string | null;
  suit_filed_on: Date | null;
};

const ROW_SQL = `
SELECT c.id, c.external_id, c.notice_id, n.external_id AS notice_external_id, n.claimant, n.sender_kind::text AS sender_kind,
       c.account_id, c.subscriber_name, c.items, c.missing_elements, c.received_at, c.restore_time_zone,
       c.earliest_restore_on, c.latest_restore_on, c.earliest_restore_at, c.latest_restore_at,
       c.claimant_notified_at, c.claimant_notified_by, c.status::text AS status, c.outcome::text AS outcome, c.resolved_at,
       c.decided_by, c.rejection_reason, c.restore_reason, c.suit_court, c.suit_case_number, c.suit_filed_on
  FROM counter_notices c JOIN copyright_notices n ON n.id = c.notice_id`;

/** Reads counter-notices (locked FOR UPDATE when asked, SKIP LOCKED when `skipLocked`). */
export async function disputeRows(
  tx: Pick<Tx, '$queryRawUnsafe'>,
  where: string,
  params: unknown[],
  lock: 'none' | 'update' | 'skip' = 'none',
): Promise<DisputeRow[]> {
  const suffix = lock === 'update' ? ' FOR UPDATE OF c' : lock === 'skip' ? ' FOR UPDATE OF c SKIP LOCKED' : '';
  return tx.$queryRawUnsafe<DisputeRow[]>(`${ROW_SQL} WHERE ${where}${suffix}`, ...params);
}

/** The restore window as stored (absent while the counter-notice is incomplete). */
export function storedWindow(
  r: DisputeRow,
): (Pick<RestoreWindow, 'earliest' | 'latest' | 'opensAt' | 'closesAt'> & { timeZone: string }) | undefined {
  if (!r.earliest_restore_on || !r.latest_restore_on || !r.earliest_restore_at || !r.latest_restore_at) return undefined;
  return {
    earliest: dateOf(r.earliest_restore_on),
    latest: dateOf(r.latest_restore_on),
    opensAt: r.earliest_restore_at,
    closesAt: r.latest_restore_at,
    timeZone: r.restore_time_zone ?? 'UTC',
  };
}

/** The calendar a dispute counts on: its own zone (as when received) with today's closed days. */
export const calendarOf = (cal: CopyrightCalendar, r: DisputeRow): CopyrightCalendar =>
  r.restore_time_zone && r.restore_time_zone !== cal.timeZone
    ? copyrightCalendar({ timeZone: r.restore_time_zone, closedDays: [...cal.closedDays].map(([date, name]) => ({ date, name })) })
    : cal;

export const disputeStatus = (r: DisputeRow): DisputeStatus => (r.outcome ? OUTCOME_STATUS[r.outcome] : 'pending');

/** What the dispute card shows, at `now`. */
export async function disputeCardData(tx: Tx, cal: CopyrightCalendar, r: DisputeRow, now: Date): Promise<DisputeCardData> {
  const requests = await tx.copyrightInfoRequest.findMany({
    where: { counterNoticeId: r.id },
    orderBy: { requestedAt: 'asc' },
    select: { requestedBy: true, requestedAt: true },
  });
  const dcal = calendarOf(cal, r);
  const window = storedWindow(r);
  const status = disputeStatus(r);
  const complete = r.missing_elements.length === 0;
  const decided: (Recorded & { reason?: string }) | undefined =
    r.outcome && r.decided_by && r.resolved_at
      ? {
          by: r.decided_by,
          at: r.resolved_at.toISOString(),
          ...((r.rejection_reason ?? r.restore_reason) ? { reason: (r.rejection_reason ?? r.restore_reason)! } : {}),
        }
      : undefined;
  return {
    counterNoticeId: r.id,
    externalId: r.external_id,
    notice: { externalId: r.notice_external_id, claimant: r.claimant, senderKind: r.sender_kind },
    ...(r.subscriber_name ? { subscriberName: r.subscriber_name } : {}),
    accountId: r.account_id,
    items: r.items.slice(0, CARD_ITEMS),
    itemCount: r.items.length,
    receivedAt: r.received_at.toISOString(),
    missing: r.missing_elements as CounterNoticeElement[],
    ...(window ? { window: { earliest: window.earliest, latest: window.latest, timeZone: window.timeZone } } : {}),
    ...(window && status === 'pending' ? { clock: { ...disputeClock(dcal, window, now), asOf: now.toISOString() } } : {}),
    ...(r.claimant_notified_at && r.claimant_notified_by
      ? { claimantNotified: { by: r.claimant_notified_by, at: r.claimant_notified_at.toISOString() } }
      : {}),
    ...(complete && !r.claimant_notified_at && status === 'pending'
      ? { claimantNotifyDueAt: oneBusinessDayAfter(dcal, r.received_at).toISOString() }
      : {}),
    status,
    ...(decided ? { decided } : {}),
    ...(r.suit_court && r.suit_case_number && r.suit_filed_on
      ? { suit: { court: r.suit_court, caseNumber: r.suit_case_number, filedOn: dateOf(r.suit_filed_on) } }
      : {}),
    infoRequests: requests.map((q) => ({ by: q.requestedBy, at: q.requestedAt.toISOString() })),
  };
}

/** An outbox message about a dispute, one per cause (the dedupe key). */
export function disputeAlert(
  counterNoticeId: number,
  what: string,
  kind: string,
  channel: string,
  message: object,
): Omit<NewAlert, 'threadOf'> {
  return {
    kind,
    dedupeKey: what === 'card' ? disputeCardKey(counterNoticeId) : `copyright:counter_notice:${counterNoticeId}:${what}`,
    channel,
    message: message as Record<string, unknown>,
    entityType: DISPUTE_ENTITY,
    entityId: String(counterNoticeId),
  };
}

/** A reminder's outbox message: its dedupe key is the reminder's (reminderKey), so it is sent once, ever. */
export function reminderAlert(
  counterNoticeId: number,
  kind: ReminderKind,
  alertKind: string,
  channel: string,
  message: object,
  suffix = '',
) {
  return {
    ...disputeAlert(counterNoticeId, kind, alertKind, channel, message),
    dedupeKey: `${reminderKey(counterNoticeId, kind)}${suffix}`,
  };
}

/** Queues the card for a new counter-notice (posted once: the dedupe key). */
export async function queueDisputeCard(
  tx: Tx,
  deps: Pick<DomainDeps, 'channels'>,
  cal: CopyrightCalendar,
  counterNoticeId: number,
  now: Date,
) {
  const [row] = await disputeRows(tx, 'c.id = $1', [counterNoticeId]);
  if (!row) throw new Error(`no counter-notice ${counterNoticeId}`);
  const data = await disputeCardData(tx, cal, row, now);
  await enqueueAlerts(tx, [disputeAlert(counterNoticeId, 'card', DISPUTE_CARD_KIND, deps.channels.copyright, data)], now);
}

/**
 * Re-renders the card after a change and queues the edit (a posted card is edited in place; one not yet
 * posted goes out with the new data), plus the change's other messages; thread replies hang off the card.
 * Returns how many of the extra messages were new (a dedupe key already queued counts 0).
 */
export async function updateDisputeCard(
  tx: Tx,
  cal: CopyrightCalendar,
  counterNoticeId: number,
  now: Date,
  extra: readonly Omit<NewAlert, 'threadOf'>[] = [],
): Promise<number> {
  const [row] = await disputeRows(tx, 'c.id = $1', [counterNoticeId]);
  if (!row) throw new Error(`no counter-notice ${counterNoticeId}`);
  const message = await disputeCardData(tx, cal, row, now);
  const [card] = await tx.$queryRawUnsafe<{ id: number }[]>(
    `UPDATE alerts SET message = $2::jsonb,
            status = CASE WHEN slack_ts IS NOT NULL AND status <> 'failed' THEN 'pending'::"AlertStatus" ELSE status END,
            next_attempt_at = CASE WHEN slack_ts IS NOT NULL THEN $3::timestamptz ELSE next_attempt_at END
      WHERE dedupe_key = $1 RETURNING id`,
    disputeCardKey(counterNoticeId),
    JSON.stringify(message),
    now.toISOString(),
  );
  const replies = extra.map((a) => (a.kind === DISPUTE_THREAD_KIND && card ? { ...a, threadOf: card.id } : a));
  return enqueueAlerts(tx, replies, now);
}

/** A thread note's alert; `what` makes its dedupe key (one note per cause). */
export function threadNote(deps: Pick<DomainDeps, 'channels'>, what: string, note: DisputeThreadNote) {
  return disputeAlert(note.counterNoticeId, what, DISPUTE_THREAD_KIND, deps.channels.copyright, note);
}

/**
 * A closed day was added or removed: every pending, complete dispute whose window could move (received
 * before the day, latest date on or after it) gets its window recomputed; a window that moved is stored,
 * its card edited and its thread told. Returns how many moved.
 */
export async function rewindowPendingDisputes(
  tx: Tx,
  deps: Pick<DomainDeps, 'channels'>,
  cal: CopyrightCalendar,
  date: string,
  now: Date,
): Promise<number> {
  const rows = await disputeRows(
    tx,
    `c.outcome IS NULL AND c.latest_restore_on IS NOT NULL AND c.received_on < $1::date AND c.latest_restore_on >= $1::date`,
    [date],
    'update',
  );
  let moved = 0;
  for (const r of rows) {
    const before = storedWindow(r);
    const w = restoreWindow(calendarOf(cal, r), r.received_at);
    if (before && before.earliest === w.earliest && before.latest === w.latest) continue;
    await tx.counterNotice.update({ where: { id: r.id }, data: windowColumns(w) });
    const note: DisputeThreadNote = {
      counterNoticeId: r.id,
      externalId: r.external_id,
      event: 'window_moved',
      at: now.toISOString(),
      window: { earliest: w.earliest, latest: w.latest },
      reason: `the copyright calendar changed on ${date}`,
    };
    await updateDisputeCard(tx, cal, r.id, now, [threadNote(deps, `window:${w.earliest}:${w.latest}`, note)]);
    moved++;
  }
  return moved;
}

const dbDate = (date: string) => new Date(`${date}T00:00:00.000Z`);

/** The counter_notices columns of a restore window. */
export function windowColumns(w: RestoreWindow) {
  return {
    receivedOn: dbDate(w.receiptDate),
    earliestRestoreOn: dbDate(w.earliest),
    latestRestoreOn: dbDate(w.latest),
    earliestRestoreAt: w.opensAt,
    latestRestoreAt: w.closesAt,
  };
}
