/**
 * The rules of a dispute (a counter-notice on its restore clock) that need no database: which
 * buttons apply in which state, whether a Restore is allowed now and how it counts, and which
 * reminders are due. The listeners, the reminder job and the dispute card all ask these, so a
 * button is offered exactly when its click would be accepted.
 */
import { type CopyrightCalendar, oneBusinessDayAfter, type RestoreWindow, weekdayName } from './calendar';
import type { DisputeStatus } from './cards';

export const DISPUTE_ACTIONS = ['claimant_notified', 'restore', 'restore_false_positive', 'suit_filed', 'reject', 'request_info'] as const;
export type DisputeAction = (typeof DISPUTE_ACTIONS)[number];

export type DisputeState = {
  status: DisputeStatus;
  /** Every §512(g)(3) element present: only then is there a restore clock. */
  complete: boolean;
  claimantNotifiedAt?: Date;
};

/**
 * The actions open in a state. A decided dispute (restored, held, rejected) takes none. An
 * incomplete counter-notice has no clock: it can still be restored as a false positive, rejected or
 * questioned, but not restored on the clock, held for suit or sent to the claimant.
 */
export function disputeActions(s: DisputeState): DisputeAction[] {
  if (s.status !== 'pending') return [];
  if (!s.complete) return ['restore_false_positive', 'reject', 'request_info'];
  return DISPUTE_ACTIONS.filter((a) => a !== 'claimant_notified' || s.claimantNotifiedAt === undefined);
}

export type RestoreCheck = { ok: true; status: 'restored' | 'restored_late' } | { ok: false; earliest: string; message: string };

/** Restore on the clock: from the start of the earliest date; after the latest date it is late, not refused. */
export function checkRestore(window: Pick<RestoreWindow, 'earliest' | 'opensAt' | 'closesAt'>, now: Date): RestoreCheck {
  if (now < window.opensAt) {
    return {
      ok: false,
      earliest: window.earliest,
      message:
        `Restore is allowed from ${weekdayName(window.earliest)} ${window.earliest}, the 10th business day after the counter-notice. ` +
        'To restore sooner because the takedown was a mistake, use "Restore now — false positive" with a reason.',
    };
  }
  return { ok: true, status: now < window.closesAt ? 'restored' : 'restored_late' };
}

export const REMINDER_KINDS = ['claimant_notify_due', 'window_open', 'restore_overdue'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];
export type DueReminder = { kind: ReminderKind; dueAt: Date; dedupeKey: string };

/** The outbox dedupe key of a dispute reminder: each is sent once per counter-notice, ever. */
export const reminderKey = (counterNoticeId: number, kind: ReminderKind) => `copyright:counter_notice:${counterNoticeId}:${kind}`;

/**
 * The reminders due at `now` for a pending, complete dispute (the outbox's dedupe key makes each
 * one post once, whoever asks and however often):
 * - `claimant_notify_due`: Claimant notified not recorded one business day after receipt (§512(g)(2)(B) "promptly");
 * - `window_open`: 09:00 local on the earliest date, unless the latest date has already passed;
 * - `restore_overdue`: the latest date ended with no restore, hold or rejection.
 */
export function dueReminders(
  cal: CopyrightCalendar,
  d: DisputeState & { counterNoticeId: number; receivedAt: Date; window?: Pick<RestoreWindow, 'remindAt' | 'closesAt'> },
  now: Date,
): DueReminder[] {
  if (d.status !== 'pending' || !d.complete || !d.window) return [];
  const due: DueReminder[] = [];
  const add = (kind: ReminderKind, dueAt: Date) => {
    if (now >= dueAt) due.push({ kind, dueAt, dedupeKey: reminderKey(d.counterNoticeId, kind) });
  };
  if (d.claimantNotifiedAt === undefined) add('claimant_notify_due', oneBusinessDayAfter(cal, d.receivedAt));
  if (now < d.window.closesAt) add('window_open', d.window.remindAt);
  add('restore_overdue', d.window.closesAt);
  return due;
}
