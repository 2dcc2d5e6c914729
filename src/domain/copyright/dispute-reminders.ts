/**
 * The dispute reminders (§512(g)(2)(B)–(C)), found by a scan the copyright-reminders job runs every
 * minute:
 * - Claimant notified not recorded one business day after receipt ⇒ a reply in the card's thread;
 * - 09:00 on the earliest restore date ⇒ the card is updated and its thread told the window is open;
 * - the latest date ended with no restore, hold or rejection ⇒ an overdue alert to the copyright and
 *   the escalation channels (and the card updated).
 * Each is an outbox message whose dedupe key is the reminder's (disputes.reminderKey): however many
 * replicas scan, however often, and across restarts, it is queued once. Rows are locked with SKIP
 * LOCKED, so a dispute being decided right now is left to its click and seen next time.
 */
import { TX_OPTIONS } from '../../db/client';
import { recordAudit } from '../../db/repositories/audit';
import type { NewAlert } from '../alerts/outbox';
import type { DomainDeps } from '../deps';
import { startOfLocalDate } from '../time';
import { type CopyrightCalendar, localTimeOn, receiptDate, WINDOW_OPENS_REMINDER_TIME } from './calendar';
import { closeDisputesOfRetractedNotice } from './dispute-actions';
import {
  calendarOf,
  DISPUTE_OVERDUE_KIND,
  DISPUTE_THREAD_KIND,
  type DisputeOverdueNotice,
  type DisputeThreadNote,
  disputeRows,
  reminderAlert,
  storedWindow,
  updateDisputeCard,
} from './dispute-card';
import { dueReminders, type ReminderKind, reminderKey } from './disputes';
import { loadCopyrightCalendar } from './holidays';

const BATCH = 200;

export type ReminderScan = Record<ReminderKind, number>;

/** Queues every reminder due at the clock's now that was never queued; returns how many of each. */
export async function scanDisputeReminders(deps: DomainDeps): Promise<ReminderScan> {
  const now = deps.clock.now();
  const sent: ReminderScan = { claimant_notify_due: 0, window_open: 0, restore_overdue: 0 };
  // A retraction recorded without closing its disputes (they are closed in its transaction): nothing to remind of.
  const retracted = await deps.db.$queryRawUnsafe<{ notice_id: number }[]>(
    `SELECT DISTINCT c.notice_id FROM counter_notices c JOIN copyright_notices n ON n.id = c.notice_id
      WHERE c.outcome IS NULL AND n.status = 'retracted'`,
  );
  for (const { notice_id } of retracted) {
    await deps.db.$transaction(
      (tx) => closeDisputesOfRetractedNotice(tx, deps, notice_id, { id: 'system', origin: 'system' }, now),
      TX_OPTIONS,
    );
  }
  let after = 0;
  for (;;) {
    const { count, last } = await deps.db.$transaction(async (tx) => {
      const cal = await loadCopyrightCalendar(deps, tx);
      // Pending, complete disputes with a reminder not yet queued (the NOT EXISTS reads the outbox by its unique key).
      const rows = await disputeRows(
        tx,
        `c.id > $1 AND c.outcome IS NULL AND c.latest_restore_at IS NOT NULL AND cardinality(c.missing_elements) = 0
           AND n.status <> 'retracted'
           AND (NOT EXISTS (SELECT 1 FROM alerts a WHERE a.dedupe_key = 'copyright:counter_notice:' || c.id || ':restore_overdue')
                OR (c.claimant_notified_at IS NULL AND NOT EXISTS (
                      SELECT 1 FROM alerts a WHERE a.dedupe_key = 'copyright:counter_notice:' || c.id || ':claimant_notify_due')))
         ORDER BY c.id LIMIT ${BATCH}`,
        [after],
        'skip',
      );
      for (const r of rows) {
        const window = storedWindow(r);
        if (!window) continue;
        const dcal = calendarOf(cal, r);
        const due = dueReminders(
          dcal,
          {
            counterNoticeId: r.id,
            status: 'pending',
            complete: true,
            receivedAt: r.received_at,
            window: { remindAt: remindAtOf(dcal, window.earliest), closesAt: window.closesAt },
            ...(r.claimant_notified_at ? { claimantNotifiedAt: r.claimant_notified_at } : {}),
          },
          now,
        );
        if (due.length === 0) continue;
        const queued = await tx.alert.findMany({ where: { dedupeKey: { in: due.map((d) => d.dedupeKey) } }, select: { dedupeKey: true } });
        const fresh = due.filter((d) => !queued.some((q) => q.dedupeKey === d.dedupeKey));
        if (fresh.length === 0) continue;
        const alerts: Omit<NewAlert, 'threadOf'>[] = [];
        for (const d of fresh) {
          const at = now.toISOString();
          if (d.kind === 'restore_overdue') {
            const notice: DisputeOverdueNotice = {
              counterNoticeId: r.id,
              externalId: r.external_id,
              noticeExternalId: r.notice_external_id,
              claimant: r.claimant,
              accountId: r.account_id,
              itemCount: r.items.length,
              latest: window.latest,
              timeZone: window.timeZone,
              at,
            };
            alerts.push(reminderAlert(r.id, d.kind, DISPUTE_OVERDUE_KIND, deps.channels.copyright, notice));
            alerts.push(reminderAlert(r.id, d.kind, DISPUTE_OVERDUE_KIND, deps.channels.escalation, notice, ':escalation'));
          } else {
            const note: DisputeThreadNote = {
              counterNoticeId: r.id,
              externalId: r.external_id,
              event: d.kind,
              at,
              window: { earliest: window.earliest, latest: window.latest },
              ...(d.kind === 'claimant_notify_due' ? { dueAt: d.dueAt.toISOString() } : {}),
            };
            alerts.push(reminderAlert(r.id, d.kind, DISPUTE_THREAD_KIND, deps.channels.copyright, note));
          }
          sent[d.kind]++;
          await recordAudit(tx, {
            actor: 'system',
            origin: 'system',
            action: `counter_notice.reminder.${d.kind}`,
            entityType: 'counter_notice',
            entityId: String(r.id),
            after: { dueAt: d.dueAt.toISOString(), key: reminderKey(r.id, d.kind) },
            at: now,
          });
        }
        await updateDisputeCard(tx, cal, r.id, now, alerts);
      }
      return { count: rows.length, last: rows.at(-1)?.id ?? after };
    }, TX_OPTIONS);
    after = last;
    if (count < BATCH) break;
  }
  if (sent.claimant_notify_due + sent.window_open + sent.restore_overdue > 0) {
    deps.alertsQueued();
    deps.escalationsChanged();
  }
  return sent;
}

const remindAtOf = (cal: CopyrightCalendar, earliest: string) => localTimeOn(cal, earliest, WINDOW_OPENS_REMINDER_TIME);

/**
 * Once a day on the copyright calendar, the cards of pending disputes are re-rendered, so "business days
 * left" is today's count (a card's clock says as of when). A card already refreshed today is left alone.
 */
export async function refreshDisputeCards(deps: DomainDeps): Promise<number> {
  const now = deps.clock.now();
  let refreshed = 0;
  for (;;) {
    const n = await deps.db.$transaction(async (tx) => {
      const cal = await loadCopyrightCalendar(deps, tx);
      const today = startOfLocalDate(receiptDate(cal, now), cal.timeZone);
      const rows = await tx.$queryRawUnsafe<{ id: number }[]>(
        `SELECT c.id FROM counter_notices c
           JOIN alerts a ON a.dedupe_key = 'copyright:counter_notice:' || c.id || ':card'
          WHERE c.outcome IS NULL AND c.latest_restore_at IS NOT NULL
            AND (a.message->'clock'->>'asOf')::timestamptz < $1::timestamptz
          ORDER BY c.id LIMIT ${BATCH} FOR UPDATE OF c SKIP LOCKED`,
        today.toISOString(),
      );
      for (const r of rows) await updateDisputeCard(tx, cal, r.id, now);
      return rows.length;
    }, TX_OPTIONS);
    refreshed += n;
    if (n < BATCH) break;
  }
  if (refreshed > 0) deps.alertsQueued();
  return refreshed;
}
