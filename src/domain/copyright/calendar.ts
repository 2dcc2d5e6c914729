/**
 * The copyright business-day calendar: the clock of 17 U.S.C. §512(g)(2)(C), under which material
 * taken down on a notice is restored "not less than 10, nor more than 14, business days following
 * receipt of the counter notice".
 *
 * Owns: which local dates are business days (Monday–Friday in the calendar's zone, minus US federal
 * holidays as observed, minus the days an admin closed), the restore window, business-day counts and
 * the instants the reminders fire at. Pure: time and the closed days are passed in; no database, no
 * Slack. Zone conversion comes from ../time, never a second implementation here.
 *
 * Holidays come from `date-holidays` (`US`): its `public` holidays and the substitute days of
 * every one of them (a Saturday holiday observed on the Friday before, a Sunday one on the Monday
 * after). The substitute of Veterans Day is typed `bank` there, so substitutes are taken whatever
 * their type. Juneteenth counts from 2021, as the library has it (the law was signed 2021-06-17).
 * Not counted: Inauguration Day (the library lists it only for DC; it closes federal offices in
 * the capital area, not the country), the day after Thanksgiving and Christmas Eve (observances),
 * and one-off closures by executive order (days of mourning): an admin adds those as closed days.
 */
import Holidays from 'date-holidays';
import { badInput } from '../../errors';
import { addDays, dayNumberOf, instantOfWallClock, isTimeZone, localDate, localDateTime, startOfLocalDate, wallClockMs } from '../time';

export const DEFAULT_COPYRIGHT_TIMEZONE = 'America/New_York';

/** §512(g)(2)(C): "not less than 10, nor more than 14, business days following receipt". */
export const RESTORE_EARLIEST_BUSINESS_DAYS = 10;
export const RESTORE_LATEST_BUSINESS_DAYS = 14;
/** The window-opens reminder goes out at this local time on the earliest restore date. */
export const WINDOW_OPENS_REMINDER_TIME = '09:00';

/** A day an admin closed (`/trustops copyright holiday add 2026-12-24 "Office closed"`). */
export type ClosedDay = { date: string; name: string };

export type CopyrightCalendar = {
  readonly timeZone: string;
  /** Admin-added closed days by local date. */
  readonly closedDays: ReadonlyMap<string, string>;
};

export type RestoreWindow = {
  /** The local date of receipt in the calendar's zone. */
  receiptDate: string;
  /** The 10th business day following the receipt date: restoring is allowed from its start. */
  earliest: string;
  /** The 14th business day following the receipt date: restore by its end. */
  latest: string;
  /** Local midnight starting `earliest`. */
  opensAt: Date;
  /** Local midnight ending `latest` (exclusive): past it the restore is overdue. */
  closesAt: Date;
  /** 09:00 local on `earliest`, when the card says the window is open. */
  remindAt: Date;
};

const DAY_MS = 86_400_000;
/** A calendar that closes every day would be searched forever: give up after three years. */
const MAX_SEARCH_DAYS = 3 * 366;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

// ---------------------------------------------------------------------------------------------
// Local dates as day numbers (days since 1970-01-01): weekday and arithmetic without a zone.

/** dayNumberOf (../time), with the bad_input an admin's typed date deserves. */
function dayNumber(date: string): number {
  if (!DATE.test(date)) throw badInput(`Not a date: ${JSON.stringify(date)} (expected YYYY-MM-DD, e.g. 2026-12-24).`);
  const day = dayNumberOf(date);
  if (day === undefined) throw badInput(`Not a calendar date: ${date}.`);
  return day;
}

const dateOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  return (((dayNumber(date) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

export function weekdayName(date: string): (typeof WEEKDAY_NAMES)[number] {
  return WEEKDAY_NAMES[weekdayOf(date)]!;
}

// ---------------------------------------------------------------------------------------------
// Federal holidays as observed

let holidaysUS: Holidays | undefined;
const federalByYear = new Map<number, ReadonlyMap<string, string>>();

/**
 * The federal holidays observed in a year: local date → name ("Independence Day (observed)").
 * A holiday on a weekend is replaced by its observed day, so the map holds business-day closures;
 * an observed day in another year (New Year's Day 2022 was observed on 2021-12-31) is in that year.
 */
export function federalHolidays(year: number): ReadonlyMap<string, string> {
  const cached = federalByYear.get(year);
  if (cached) return cached;
  holidaysUS ??= new Holidays('US');
  const out = new Map<string, string>();
  // The library files a substitute day under the year of its holiday (observed 2021-12-31 is in
  // 2022's list only if it says so): read the neighbours too and keep the dates of this year.
  for (const y of [year - 1, year, year + 1]) {
    for (const h of holidaysUS.getHolidays(y)) {
      const date = h.date.slice(0, 10);
      if (!date.startsWith(`${year}-`)) continue;
      if (h.substitute) out.set(date, h.name.replace(/ \(substitute day\)$/, ' (observed)'));
      else if (h.type === 'public') {
        const day = weekdayOf(date);
        if (day !== 0 && day !== 6 && !out.has(date)) out.set(date, h.name);
      }
    }
  }
  const frozen: ReadonlyMap<string, string> = new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
  federalByYear.set(year, frozen);
  return frozen;
}

// ---------------------------------------------------------------------------------------------
// The calendar

/** Builds a calendar; a bad zone or closed day is a bad_input naming it. */
export function copyrightCalendar(opts: { timeZone?: string; closedDays?: readonly ClosedDay[] } = {}): CopyrightCalendar {
  const timeZone = opts.timeZone ?? DEFAULT_COPYRIGHT_TIMEZONE;
  if (!isTimeZone(timeZone)) throw badInput(`Not an IANA time zone: ${JSON.stringify(timeZone)} (e.g. America/New_York).`);
  const closedDays = new Map<string, string>();
  for (const c of opts.closedDays ?? []) {
    dayNumber(c.date); // throws on a bad date
    closedDays.set(c.date, c.name);
  }
  return Object.freeze({ timeZone, closedDays });
}

const HOLIDAY_EXAMPLE = '/trustops copyright holiday add 2026-12-24 "Office closed"';

/**
 * The words after `holiday add`: a date and an optional name ("Closed" when none). Says when the
 * date is closed already (a weekend, a federal holiday, an earlier admin day), so the command can
 * tell the admin nothing changes.
 */
export function parseClosedDay(cal: CopyrightCalendar, words: readonly string[]): ClosedDay & { alreadyClosedBy?: string } {
  const [date, ...rest] = words;
  if (!date || !DATE.test(date)) throw badInput('Give the date to close as YYYY-MM-DD, then a name.', HOLIDAY_EXAMPLE);
  dayNumber(date);
  const name = rest.join(' ').trim() || 'Closed';
  if (name.length > 100) throw badInput('The name of a closed day is at most 100 characters.', HOLIDAY_EXAMPLE);
  const already = closureOf(cal, date);
  return already === undefined ? { date, name } : { date, name, alreadyClosedBy: already };
}

/** Why a local date is not a business day ("Saturday", "Thanksgiving Day", an admin's name), or undefined. */
export function closureOf(cal: CopyrightCalendar, date: string): string | undefined {
  const day = weekdayOf(date);
  if (day === 0 || day === 6) return WEEKDAY_NAMES[day];
  return federalHolidays(Number(date.slice(0, 4))).get(date) ?? cal.closedDays.get(date);
}

export function isBusinessDay(cal: CopyrightCalendar, date: string): boolean {
  return closureOf(cal, date) === undefined;
}

/** The local date of an instant on the copyright calendar: receipt is that day, whatever UTC says. */
export function receiptDate(cal: CopyrightCalendar, at: Date): string {
  return localDate(at, cal.timeZone);
}

/** The `n`th business day following `date` (n ≥ 1); `date` itself never counts, business day or not. */
export function nthBusinessDayAfter(cal: CopyrightCalendar, date: string, n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new Error(`nthBusinessDayAfter needs n ≥ 1, got ${n}`);
  let day = dayNumber(date);
  let seen = 0;
  for (let i = 0; i < MAX_SEARCH_DAYS + n * 7; i++) {
    day++;
    if (isBusinessDay(cal, dateOf(day)) && ++seen === n) return dateOf(day);
  }
  throw badInput(`The copyright calendar has fewer than ${n} business days in the three years after ${date}: check its closed days.`);
}

/** The next business day strictly after `date`. */
export const nextBusinessDay = (cal: CopyrightCalendar, date: string): string => nthBusinessDayAfter(cal, date, 1);

/**
 * Business days in (from, to]: the days "following" `from` up to and including `to`. Negative when
 * `to` is before `from` (counted over (to, from]), so the count is antisymmetric.
 */
export function businessDaysBetween(cal: CopyrightCalendar, from: string, to: string): number {
  const a = dayNumber(from);
  const b = dayNumber(to);
  if (b < a) return -businessDaysBetween(cal, to, from);
  let count = 0;
  for (let day = a + 1; day <= b; day++) if (isBusinessDay(cal, dateOf(day))) count++;
  return count;
}

/** The instant a local wall time ('HH:MM') starts on a date in the calendar's zone (09:00 on the clock, even on a day the clocks jumped at midnight). */
export function localTimeOn(cal: CopyrightCalendar, date: string, hhmm: string): Date {
  return localDateTime(date, hhmm, cal.timeZone);
}

/** The restore window of a counter-notice received at `receivedAt` (§512(g)(2)(C)). */
export function restoreWindow(cal: CopyrightCalendar, receivedAt: Date): RestoreWindow {
  const receipt = receiptDate(cal, receivedAt);
  const earliest = nthBusinessDayAfter(cal, receipt, RESTORE_EARLIEST_BUSINESS_DAYS);
  const latest = nthBusinessDayAfter(cal, earliest, RESTORE_LATEST_BUSINESS_DAYS - RESTORE_EARLIEST_BUSINESS_DAYS);
  return {
    receiptDate: receipt,
    earliest,
    latest,
    opensAt: startOfLocalDate(earliest, cal.timeZone),
    closesAt: startOfLocalDate(addDays(latest, 1), cal.timeZone),
    remindAt: localTimeOn(cal, earliest, WINDOW_OPENS_REMINDER_TIME),
  };
}

/**
 * Business days left before a date's end, seen from `now`: the business days after today up to and
 * including `date`, so 0 on the last day itself and negative once it has passed (-1: one business
 * day late).
 */
export function businessDaysLeft(cal: CopyrightCalendar, now: Date, date: string): number {
  return businessDaysBetween(cal, receiptDate(cal, now), date);
}

/**
 * One business day after an instant, for "promptly" (§512(g)(2)(B)): the same local time on the
 * next business day when `at` falls on a business day; otherwise the end of the first business day
 * after it (a counter-notice in on Saturday is due by the end of Monday). Business time runs only
 * on business days, 24 hours each.
 */
export function oneBusinessDayAfter(cal: CopyrightCalendar, at: Date): Date {
  const today = receiptDate(cal, at);
  if (!isBusinessDay(cal, today)) return startOfLocalDate(addDays(nextBusinessDay(cal, today), 1), cal.timeZone);
  // The same wall-clock time on the next business day, whatever the offsets of the two days.
  const wallMs = wallClockMs(at, cal.timeZone) - dayNumber(today) * DAY_MS;
  return new Date(instantOfWallClock(dayNumber(nextBusinessDay(cal, today)) * DAY_MS + wallMs, cal.timeZone));
}

export type DisputePhase = 'waiting' | 'open' | 'overdue';

/** Where a pending dispute stands at `now`: before the window, inside it, or past its latest date. */
export function disputeClock(
  cal: CopyrightCalendar,
  window: Pick<RestoreWindow, 'earliest' | 'latest' | 'opensAt' | 'closesAt'>,
  now: Date,
): { phase: DisputePhase; daysLeft: number; daysUntilOpen: number } {
  const phase: DisputePhase = now < window.opensAt ? 'waiting' : now < window.closesAt ? 'open' : 'overdue';
  return {
    phase,
    daysLeft: businessDaysLeft(cal, now, window.latest),
    daysUntilOpen: Math.max(0, businessDaysLeft(cal, now, window.earliest)),
  };
}
