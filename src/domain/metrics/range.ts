import { badInput } from '../../errors';
import { addDays, isTimeZone, localDate, startOfLocalDate } from '../time';

/** A half-open interval [start, end) whose boundaries are local midnights in `timeZone`. */
export type DateRange = { start: Date; end: Date; label: string; timeZone: string };

export const RANGE_EXAMPLES: readonly string[] = [
  'today',
  'yesterday',
  'last 7d',
  'last 3m',
  'mtd',
  '2026-10',
  '2026-Q3',
  '2026-10-01..2026-10-31',
];

/** 3 × 366 days: three years, however many of them are leap years. */
export const MAX_RANGE_DAYS = 3 * 366;

const EXAMPLE = '/trustops metrics last 7d';
const HINT = `Try one of: ${RANGE_EXAMPLES.map((e) => `\`${e}\``).join(', ')}.`;
const fail = (problem: string) => badInput(`${problem} ${HINT}`, EXAMPLE);

// Calendar arithmetic on 'YYYY-MM-DD' strings in UTC, so no zone or DST can shift a day;
// only the final boundaries become instants, through startOfLocalDate.
const ymd = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);
const parts = (date: string) => date.split('-').map(Number) as [number, number, number];
const daysBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86_400_000;
const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

function checkYear(text: string, y: number): void {
  // Date.UTC maps years 0–99 to 19xx, and no moderation data predates the epoch.
  if (y < 1970) throw fail(`\`${text}\` is too far back: years start at 1970.`);
}

function parseDay(text: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) throw fail(`\`${text}\` is not a date: write days as YYYY-MM-DD.`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  checkYear(text, y);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) throw fail(`\`${text}\` is not a calendar date.`);
  return text;
}

const UNITS = { d: 'day', w: 'week', m: 'month' } as const;

/** Dates as [first day, day after the last), plus a name for the label (none when the dates say it all). */
type Span = { from: string; to: string; name?: string };

function resolve(text: string, today: string): Span | undefined {
  const [ty, tm, td] = parts(today);
  const tomorrow = addDays(today, 1);
  if (text === 'today') return { from: today, to: tomorrow, name: 'today' };
  if (text === 'yesterday') return { from: addDays(today, -1), to: today, name: 'yesterday' };
  if (text === 'mtd') return { from: ymd(ty, tm, 1), to: tomorrow, name: 'month to date' };
  if (text === 'qtd') return { from: ymd(ty, tm - ((tm - 1) % 3), 1), to: tomorrow, name: 'quarter to date' };
  if (text === 'ytd') return { from: ymd(ty, 1, 1), to: tomorrow, name: 'year to date' };

  const last = /^last (\d+) ?(d|days?|w|weeks?|m|months?)$/.exec(text);
  if (last) {
    const n = Number(last[1]);
    const unit = last[2]![0] as keyof typeof UNITS;
    if (n === 0) throw fail(`\`${text}\` covers nothing: the number must be at least 1.`);
    // Reject before doing date arithmetic, which overflows on absurd numbers.
    const maxN = { d: MAX_RANGE_DAYS, w: Math.floor(MAX_RANGE_DAYS / 7), m: 36 }[unit];
    if (n > maxN)
      throw fail(`\`${text}\` is too long: a range may cover at most ${MAX_RANGE_DAYS} days (3 × 366), i.e. \`last ${maxN}${unit}\`.`);
    const name = `last ${n} ${UNITS[unit]}${n === 1 ? '' : 's'}`;
    // Day and week counts include today: `last 7d` is today and the 6 days before it.
    if (unit !== 'm') return { from: addDays(today, -(n * (unit === 'w' ? 7 : 1) - 1)), to: tomorrow, name };
    // Months start on today's day-of-month n months ago, clamped (May 31 − 3 months = Feb 28).
    const back = new Date(Date.UTC(ty, tm - 1 - n, 1));
    const [by, bm] = [back.getUTCFullYear(), back.getUTCMonth() + 1];
    return { from: ymd(by, bm, Math.min(td, daysInMonth(by, bm))), to: tomorrow, name };
  }

  const between = /^(\S+) ?\.\. ?(\S+)$/.exec(text);
  if (between) {
    const [from, lastDay] = [parseDay(between[1]!), parseDay(between[2]!)];
    if (lastDay < from) throw fail(`\`${text}\` ends before it starts: put the earlier date first.`);
    return { from, to: addDays(lastDay, 1) };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const day = parseDay(text);
    return { from: day, to: addDays(day, 1) };
  }

  const period = /^(\d{4})(?:-(\d{2})|-q([1-4])|-h([12]))?$/.exec(text);
  if (!period) return undefined;
  const y = Number(period[1]);
  checkYear(text, y);
  const [month, quarter, half] = [period[2], period[3], period[4]];
  if (month) {
    const mo = Number(month);
    if (mo < 1 || mo > 12) throw fail(`\`${text}\` is not a month: months run from 01 to 12.`);
    const name = new Date(Date.UTC(y, mo - 1, 1)).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
    return { from: ymd(y, mo, 1), to: ymd(y, mo + 1, 1), name };
  }
  if (quarter) return { from: ymd(y, Number(quarter) * 3 - 2, 1), to: ymd(y, Number(quarter) * 3 + 1, 1), name: `${y}-Q${quarter}` };
  if (half) return { from: ymd(y, Number(half) * 6 - 5, 1), to: ymd(y, Number(half) * 6 + 1, 1), name: `${y}-H${half}` };
  return { from: ymd(y, 1, 1), to: ymd(y + 1, 1, 1), name: String(y) };
}

/**
 * Parses the range grammar of `/trustops metrics` (see RANGE_EXAMPLES) into local-midnight boundaries.
 * A period that is still running keeps its calendar end: `2026` is the whole year; callers find no future data.
 */
export function parseRange(input: string, opts: { now: Date; timeZone: string }): DateRange {
  const { now, timeZone } = opts;
  if (!isTimeZone(timeZone)) throw fail(`\`${timeZone}\` is not a known time zone: use an IANA name such as \`Europe/Paris\`.`);
  const text = input.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!text) throw fail('Which dates? The range is empty.');

  const span = resolve(text, localDate(now, timeZone));
  if (!span) throw fail(`\`${input.trim()}\` is not a date range I understand.`);
  const days = daysBetween(span.from, span.to);
  if (days > MAX_RANGE_DAYS) throw fail(`\`${text}\` covers ${days} days: a range may cover at most ${MAX_RANGE_DAYS} days (3 × 366).`);

  const start = startOfLocalDate(span.from, timeZone);
  if (start > now) throw fail(`\`${text}\` starts in the future (${span.from}): there is no data for it yet.`);
  const lastDay = addDays(span.to, -1);
  const dates = span.from === lastDay ? span.from : `${span.from} → ${lastDay}`;
  const label = span.name ? `${span.name} (${dates}, ${timeZone})` : `${dates} (${timeZone})`;
  return { start, end: startOfLocalDate(span.to, timeZone), label, timeZone };
}
