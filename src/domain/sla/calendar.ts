import { z } from 'zod';
import { badInput } from '../../errors';
import { dayNumberOf, instantOfWallClock, isTimeZone, wallClockMs } from '../time';

/**
 * Business-hours calendar math for SLA due times and elapsed SLA time.
 *
 * Spans are local wall-clock times in the calendar's zone. Each local day's spans are turned
 * into UTC intervals, so DST days simply have shorter or longer intervals: a 00:00–24:00 span
 * holds 23 h or 25 h, a skipped local time resolves to the first instant after the gap, and an
 * ambiguous one (the repeated hour) to its earlier occurrence.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
/** A calendar whose holidays close every working day would otherwise be searched forever. */
const MAX_CLOSED_DAYS = 3 * 366;

type Weekday = '0' | '1' | '2' | '3' | '4' | '5' | '6';
const WEEKDAYS: readonly Weekday[] = ['0', '1', '2', '3', '4', '5', '6'];
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export type BusinessCalendar = {
  timezone: string;
  alwaysOpen: boolean;
  hours: Partial<Record<Weekday, [string, string][]>>;
  /** Local dates, YYYY-MM-DD, closed all day. */
  holidays: readonly string[];
};

export const ALWAYS_OPEN: BusinessCalendar = Object.freeze({
  timezone: 'UTC',
  alwaysOpen: true,
  hours: Object.freeze({}),
  holidays: Object.freeze([]),
});

// ---------------------------------------------------------------------------------------------
// Validation

const TIME = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

const ZTime = z.string().regex(TIME, 'expected "HH:MM" from 00:00 to 24:00');
const ZSpan = z
  .tuple([ZTime, ZTime])
  // zod still runs refinements after a bad time, so only compare two well-formed ones.
  .refine(([start, end]) => !TIME.test(start) || !TIME.test(end) || minutesOf(start) < minutesOf(end), 'the start must be before the end');
const ZDaySpans = z.array(ZSpan).superRefine((spans, ctx) => {
  const valid = spans.filter(([s, e]) => TIME.test(s) && TIME.test(e)).sort((a, b) => minutesOf(a[0]) - minutesOf(b[0]));
  for (let i = 1; i < valid.length; i++) {
    const prev = valid[i - 1]!;
    const span = valid[i]!;
    if (minutesOf(span[0]) < minutesOf(prev[1])) {
      ctx.addIssue({ code: 'custom', message: `spans ${JSON.stringify(prev)} and ${JSON.stringify(span)} overlap` });
    }
  }
});

/** The `business_calendars.hours` column: weekday "0" (Sunday) … "6" → [start, end) spans. */
export const ZCalendarHours = z.strictObject({
  '0': ZDaySpans.optional(),
  '1': ZDaySpans.optional(),
  '2': ZDaySpans.optional(),
  '3': ZDaySpans.optional(),
  '4': ZDaySpans.optional(),
  '5': ZDaySpans.optional(),
  '6': ZDaySpans.optional(),
});

const ZLocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a YYYY-MM-DD date')
  .refine((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d) || dayNumberOf(d) !== undefined, 'not a calendar date');

const ZCalendar = z.object({
  timezone: z.string().refine(isTimeZone, 'not an IANA time zone'),
  alwaysOpen: z.boolean(),
  hours: ZCalendarHours,
  holidays: z.array(ZLocalDate).readonly(),
});

/** Names the field, weekday and span at fault, e.g. `hours Monday ("1") span 2 ["13:00","25:00"]`. */
function describeIssue(issue: z.core.$ZodIssue, input: Record<string, unknown>): string {
  const [field, key, index] = issue.path;
  let where = field === undefined ? 'calendar' : String(field);
  if (field === 'hours' && key !== undefined) {
    const name = DAY_NAMES[Number(key)];
    where += name ? ` ${name} ("${String(key)}")` : ` "${String(key)}"`;
    if (typeof index === 'number') {
      const day = (input.hours as Record<string, unknown> | undefined)?.[String(key)];
      where += ` span ${index + 1} ${JSON.stringify(Array.isArray(day) ? day[index] : undefined)}`;
    }
  } else if (field === 'holidays' && typeof key === 'number') {
    where += ` ${JSON.stringify((input.holidays as unknown[])[key])}`;
  }
  return `${where}: ${issue.message}`;
}

function validate(input: Record<string, unknown>): z.infer<typeof ZCalendar> {
  const result = ZCalendar.safeParse(input);
  if (result.success) return result.data;
  throw badInput(`Invalid business calendar: ${result.error.issues.map((i) => describeIssue(i, input)).join('; ')}`);
}

/** Turns a `business_calendars` row (with its holidays) into a checked, frozen calendar. */
export function parseCalendar(row: {
  timezone: string;
  alwaysOpen: boolean;
  hours: unknown;
  holidays: { date: string }[];
}): BusinessCalendar {
  const input = { timezone: row.timezone, alwaysOpen: row.alwaysOpen, hours: row.hours, holidays: row.holidays.map((h) => h.date) };
  const data = validate(input);
  const cal: BusinessCalendar = {
    timezone: data.timezone,
    alwaysOpen: data.alwaysOpen,
    hours: data.hours,
    holidays: Object.freeze([...new Set(data.holidays)].sort()),
  };
  // Compiled forms are cached by identity, so a calendar must not change once used.
  return Object.freeze(cal);
}

/** Days since 1970-01-01 of the local date at `t`. */
function localDay(timezone: string, t: number): number {
  return Math.floor(wallClockMs(t, timezone) / DAY);
}

// ---------------------------------------------------------------------------------------------
// Compiled calendars

type Compiled = {
  timezone: string;
  /** Per weekday, flat [startMinute, endMinute, …], sorted. */
  spans: number[][];
  holidays: ReadonlySet<number>;
  hasOpenTime: boolean;
};

const compiled = new WeakMap<BusinessCalendar, Compiled>();

function compile(cal: BusinessCalendar): Compiled {
  let c = compiled.get(cal);
  if (c) return c;
  // Calendars built by hand (not by parseCalendar) get the same checks.
  const data = validate({ timezone: cal.timezone, alwaysOpen: cal.alwaysOpen, hours: cal.hours, holidays: [...cal.holidays] });
  const spans = WEEKDAYS.map((d) =>
    [...(data.hours[d] ?? [])].sort((a, b) => minutesOf(a[0]) - minutesOf(b[0])).flatMap(([s, e]) => [minutesOf(s), minutesOf(e)]),
  );
  c = {
    timezone: data.timezone,
    spans,
    holidays: new Set(data.holidays.map((d) => dayNumberOf(d)!)),
    hasOpenTime: spans.some((s) => s.length > 0),
  };
  compiled.set(cal, c);
  return c;
}

/** Open intervals of one local day as flat UTC [open, close, …], in order. */
function openIntervals(c: Compiled, day: number): number[] {
  if (c.holidays.has(day)) return [];
  // 1970-01-01 was a Thursday.
  const spans = c.spans[(((day + 4) % 7) + 7) % 7]!;
  const out: number[] = [];
  const midnight = day * DAY;
  for (let i = 0; i < spans.length; i += 2) {
    const open = instantOfWallClock(midnight + spans[i]! * MINUTE, c.timezone);
    const close = instantOfWallClock(midnight + spans[i + 1]! * MINUTE, c.timezone);
    // A span inside a skipped hour is empty.
    if (close > open) out.push(open, close);
  }
  return out;
}

function instant(d: Date, name: string): number {
  const t = d.getTime();
  if (!Number.isFinite(t)) throw new RangeError(`${name} is not a valid date`);
  return t;
}

// One day of margin either side of an instant's local date: where a fall-back crosses
// midnight, an instant's local date can differ from the day whose span holds it.

/** The instant at which `durationMs` of open time has elapsed after `start`. */
export function addBusinessTime(start: Date, durationMs: number, cal: BusinessCalendar): Date {
  const from = instant(start, 'start');
  if (!Number.isFinite(durationMs) || durationMs < 0) throw new RangeError(`durationMs must be a finite number ≥ 0, got ${durationMs}`);
  if (durationMs === 0) return new Date(from);
  if (cal.alwaysOpen) return new Date(from + durationMs);
  const c = compile(cal);
  if (!c.hasOpenTime) throw new Error(`Business calendar (${cal.timezone}) has no working hours on any weekday, so nothing can come due`);
  let remaining = durationMs;
  let closedDays = 0;
  for (let day = localDay(c.timezone, from) - 1; ; day++) {
    const intervals = openIntervals(c, day);
    let openToday = false;
    for (let i = 0; i < intervals.length; i += 2) {
      const open = Math.max(intervals[i]!, from);
      const close = intervals[i + 1]!;
      if (close <= open) continue;
      openToday = true;
      if (remaining <= close - open) return new Date(open + remaining);
      remaining -= close - open;
    }
    closedDays = openToday ? 0 : closedDays + 1;
    if (closedDays > MAX_CLOSED_DAYS) {
      throw new Error(
        `Business calendar (${cal.timezone}) has no open time for 3 years after ${new Date(from).toISOString()}: check its holidays`,
      );
    }
  }
}

/** Open milliseconds in [start, end); 0 if end <= start. */
export function businessElapsed(start: Date, end: Date, cal: BusinessCalendar): number {
  const from = instant(start, 'start');
  const to = instant(end, 'end');
  if (to <= from) return 0;
  if (cal.alwaysOpen) return to - from;
  const c = compile(cal);
  if (!c.hasOpenTime) return 0;
  let total = 0;
  const last = localDay(c.timezone, to) + 1;
  for (let day = localDay(c.timezone, from) - 1; day <= last; day++) {
    const intervals = openIntervals(c, day);
    for (let i = 0; i < intervals.length; i += 2) {
      const open = Math.max(intervals[i]!, from);
      const close = Math.min(intervals[i + 1]!, to);
      if (close > open) total += close - open;
    }
  }
  return total;
}

export function isOpen(at: Date, cal: BusinessCalendar): boolean {
  const t = instant(at, 'at');
  if (cal.alwaysOpen) return true;
  const c = compile(cal);
  const day = localDay(c.timezone, t);
  for (let d = day - 1; d <= day + 1; d++) {
    const intervals = openIntervals(c, d);
    for (let i = 0; i < intervals.length; i += 2) {
      if (intervals[i]! <= t && t < intervals[i + 1]!) return true;
    }
  }
  return false;
}
