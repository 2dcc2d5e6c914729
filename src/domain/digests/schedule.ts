import { addDays, dayNumberOf, localDate, localDateTime } from '../time';

/**
 * When digests fall due. Pure: an instant, a zone and a local HH:MM in, dates out. A digest for local
 * date D is due at HH:MM on D + 1 in the zone (a time the clocks skip: the first instant after the gap,
 * as time.ts's localDateTime gives it). Everything here goes through time.ts, the one time-zone module.
 */

/** Sent more than this after its time, a digest says it is late (the sweep runs every minute). */
export const LATE_AFTER_MS = 15 * 60_000;
/** After a long outage, at most this many older missed days are recorded and listed; older ones are let go. */
export const MAX_MISSED_DAYS = 60;

export type Due = { date: string; scheduledAt: Date };

/** The latest local date whose digest time has come by `now`, and that time. */
export function latestDue(now: Date, timeZone: string, hhmm: string): Due {
  const today = localDate(now, timeZone);
  const todayAt = localDateTime(today, hhmm, timeZone);
  if (todayAt.getTime() <= now.getTime()) return { date: addDays(today, -1), scheduledAt: todayAt };
  const yesterday = addDays(today, -1);
  return { date: addDays(yesterday, -1), scheduledAt: localDateTime(yesterday, hhmm, timeZone) };
}

export type Plan = {
  /** The day to send now. */
  date: string;
  scheduledAt: Date;
  /** Sent past its time (after downtime, or with older days missed). */
  late: boolean;
  /** Older days not sent, oldest first: recorded as missed and listed under this one. */
  missed: string[];
};

/**
 * What to send at `now` given the last date already in the ledger (none for a subject never sent):
 * nothing when that date is the latest due; otherwise the latest due day, and the days between as
 * missed. A subject with no ledger yet starts with the latest due day and lists nothing before it.
 */
export function planDigest(now: Date, timeZone: string, hhmm: string, lastSent: string | null): Plan | null {
  const due = latestDue(now, timeZone, hhmm);
  if (lastSent !== null && lastSent >= due.date) return null;
  const missed: string[] = [];
  if (lastSent !== null) {
    const gap = dayNumberOf(due.date)! - dayNumberOf(lastSent)! - 1;
    for (let i = Math.max(1, gap - MAX_MISSED_DAYS + 1); i <= gap; i++) missed.push(addDays(lastSent, i));
  }
  const late = missed.length > 0 || now.getTime() - due.scheduledAt.getTime() > LATE_AFTER_MS;
  return { date: due.date, scheduledAt: due.scheduledAt, late, missed };
}
