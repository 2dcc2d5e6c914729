/**
 * Instants and local wall-clock times, in any IANA zone Intl knows. The one place the product
 * converts between them: the SLA calendar, metric ranges, exports and summaries all use it.
 *
 * A wall-clock time is written as "wall ms": the local date and time read as if they were UTC,
 * so an instant t has wall ms t + offset(t). Intl only answers "what is the local time at
 * instant t"; each zone's offsets are read from it once per 32-day chunk and kept as a list of
 * segments [from, offset]. Turning a wall-clock time back into an instant is then exact
 * arithmetic over those segments (see instantOfWallClock), with no guessing of offsets.
 *
 * Facts this relies on, checked against tzdata 2025b (all 598 zones, every year it lists):
 * - two offset changes are never closer than 95 hours (Africa/Freetown, 1939), so reading the
 *   offset once a day finds every change, and a bisection then finds its second;
 * - no offset is more than 16 hours from UTC (the widest, Asia/Manila before 1845, is −15:56),
 *   so every instant whose wall clock is near a given wall time lies within a day of it.
 */

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;
const CHUNK = 32 * DAY;
/** About 90 years of chunks per zone; beyond that a zone's cache starts over rather than grow. */
const MAX_CHUNKS = 1024;
/** Intl's Gregorian calendar and Date.UTC agree on these years; outside them results are not checked. */
const MIN_INSTANT = Date.UTC(1000, 0, 1);
const MAX_INSTANT = Date.UTC(9999, 11, 31);

type Segment = { from: number; offset: number };
type Zone = { name: string; format: Intl.DateTimeFormat; chunks: Map<number, Segment[]> };

const zones = new Map<string, Zone>();

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function zoneFor(timeZone: string): Zone {
  let zone = zones.get(timeZone);
  if (!zone) {
    // Throws RangeError for a name Intl does not know, before anything is cached.
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    zone = { name: timeZone, format, chunks: new Map() };
    zones.set(timeZone, zone);
  }
  return zone;
}

const FORMATTED = /^(\d+)\/(\d+)\/(\d+), (\d+):(\d+):(\d+)$/;

/** Offset (wall − UTC, ms) at `t` as Intl reads it; `t` must be a whole second (Intl drops milliseconds). */
function intlOffset(zone: Zone, t: number): number {
  const text = zone.format.format(t);
  const m = FORMATTED.exec(text);
  if (!m) throw new Error(`Cannot read the local time in ${zone.name} at ${new Date(t).toISOString()}: "${text}"`);
  const [month, day, year, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(year, month - 1, day, hour, minute, second) - t;
}

function buildChunk(zone: Zone, index: number): Segment[] {
  const start = index * CHUNK;
  let offset = intlOffset(zone, start);
  const segments: Segment[] = [{ from: start, offset }];
  for (let t = start + DAY; t <= start + CHUNK; t += DAY) {
    const next = intlOffset(zone, t);
    let lo = t - DAY;
    // Normally at most one change between two daily readings; the loop would find a second one.
    while (offset !== next) {
      // offset(lo) === offset, and some instant in (lo, t] has another: find the first such second.
      let hi = t;
      while (hi - lo > SECOND) {
        const mid = lo + Math.floor((hi - lo) / (2 * SECOND)) * SECOND;
        if (intlOffset(zone, mid) === offset) lo = mid;
        else hi = mid;
      }
      offset = intlOffset(zone, hi);
      if (hi < start + CHUNK) segments.push({ from: hi, offset });
      lo = hi;
    }
  }
  return segments;
}

function chunk(zone: Zone, index: number): Segment[] {
  let segments = zone.chunks.get(index);
  if (!segments) {
    if (zone.chunks.size >= MAX_CHUNKS) zone.chunks.clear();
    segments = buildChunk(zone, index);
    zone.chunks.set(index, segments);
  }
  return segments;
}

function checked(t: number, what: string): number {
  if (!Number.isFinite(t)) throw new RangeError(`${what} is not a valid time`);
  if (t < MIN_INSTANT || t > MAX_INSTANT) throw new RangeError(`${what} (${new Date(t).toISOString()}) is outside the years 1000–9999`);
  return t;
}

function offsetAt(zone: Zone, t: number): number {
  const segments = chunk(zone, Math.floor(t / CHUNK));
  let i = segments.length - 1;
  while (i > 0 && segments[i]!.from > t) i--;
  return segments[i]!.offset;
}

/** The UTC offset (ms, local − UTC) of a time zone at an instant. */
export function zoneOffsetMs(at: Date, timeZone: string): number {
  const t = checked(at.getTime(), 'the instant');
  return offsetAt(zoneFor(timeZone), t);
}

/** The local wall-clock time of an instant, as wall ms (the local date and time read as if UTC). */
export function wallClockMs(at: Date | number, timeZone: string): number {
  const t = checked(typeof at === 'number' ? at : at.getTime(), 'the instant');
  return t + offsetAt(zoneFor(timeZone), t);
}

/**
 * The first instant whose local wall-clock time is at or after `wall` (wall ms). So a time that
 * occurs twice (the repeated hour of a fall-back) gives its first occurrence, and a time that
 * does not exist (inside a spring-forward gap, or on a skipped day) gives the first instant
 * after the gap.
 */
export function instantOfWallClock(wall: number, timeZone: string): number {
  checked(wall, 'the local time');
  const zone = zoneFor(timeZone);
  // Within one segment (constant offset o) the wall clock t + o rises with t, so the segment's
  // first instant at or after `wall` is max(from, wall − o), if that is still inside it. The
  // segments are in time order, so the first segment that has one has the earliest. Offsets
  // stay within 16 h of UTC, so the answer lies within a day of `wall`: start a day before it.
  const last = Math.floor((wall + DAY) / CHUNK);
  for (let index = Math.floor((wall - DAY) / CHUNK); index <= last; index++) {
    const segments = chunk(zone, index);
    for (let i = 0; i < segments.length; i++) {
      const { from, offset } = segments[i]!;
      const to = i + 1 < segments.length ? segments[i + 1]!.from : (index + 1) * CHUNK;
      const t = Math.max(from, wall - offset);
      if (t < to) return t;
    }
  }
  throw new Error(`No instant in ${timeZone} has the local time ${new Date(wall).toISOString().slice(0, 19)} within a day of it`);
}

/**
 * The zone's offsets over [from, to) as segments in time order: the first starts at `from`, each
 * holds until the next. For engines that should not convert zones themselves (their time-zone
 * data may be another version): local time = instant + the offset of the segment holding it.
 */
export function offsetSegments(from: Date, to: Date, timeZone: string): { from: Date; offsetMs: number }[] {
  const a = checked(from.getTime(), 'from');
  const b = checked(to.getTime(), 'to');
  const zone = zoneFor(timeZone);
  const out: { from: Date; offsetMs: number }[] = [{ from: new Date(a), offsetMs: offsetAt(zone, a) }];
  for (let index = Math.floor(a / CHUNK); index <= Math.floor((b - 1) / CHUNK); index++) {
    for (const segment of chunk(zone, index)) {
      if (segment.from <= a || segment.from >= b || segment.offset === out[out.length - 1]!.offsetMs) continue;
      out.push({ from: new Date(segment.from), offsetMs: segment.offset });
    }
  }
  return out;
}

/** Days since 1970-01-01 of a YYYY-MM-DD calendar date; undefined if it is not one. */
export function dayNumberOf(date: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const [y, mo, d] = m.slice(1).map(Number) as [number, number, number];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return ms / DAY;
}

/** The YYYY-MM-DD date `n` calendar days after `date` (before, for a negative `n`); no zone, so no DST shifts it. */
export function addDays(date: string, n: number): string {
  const day = dayNumberOf(date);
  if (day === undefined) throw new RangeError(`"${date}" is not a YYYY-MM-DD calendar date`);
  return new Date((day + n) * DAY).toISOString().slice(0, 10);
}

/** The Monday on or before a YYYY-MM-DD date: the key of its ISO week. */
export function mondayOf(date: string): string {
  const day = dayNumberOf(date);
  if (day === undefined) throw new RangeError(`"${date}" is not a YYYY-MM-DD calendar date`);
  // 1970-01-01 was a Thursday, so day 4 was a Monday.
  return addDays(date, -((((day - 4) % 7) + 7) % 7));
}

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  return new Date(wallClockMs(at, timeZone)).toISOString().slice(0, 10);
}

/**
 * The first instant of a local date in a time zone. That is local midnight, unless midnight
 * falls in a DST gap (America/Santiago, America/Havana): then the day starts when the clocks
 * jump (01:00 local). A date the zone skipped entirely (Pacific/Apia 2011-12-30) has no instant;
 * it gets the start of the next date, so the day [start, start of the next) is empty.
 */
export function startOfLocalDate(date: string, timeZone: string): Date {
  const day = dayNumberOf(date);
  if (day === undefined) throw new RangeError(`"${date}" is not a YYYY-MM-DD calendar date`);
  return new Date(instantOfWallClock(day * DAY, timeZone));
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * The instant a local wall time ('HH:MM') starts on a local date: 09:00 on the day is 09:00 on
 * the clock, even when the day itself began late (a midnight DST gap). A time the clocks skip
 * gives the first instant after the gap, as instantOfWallClock does.
 */
export function localDateTime(date: string, hhmm: string, timeZone: string): Date {
  const day = dayNumberOf(date);
  if (day === undefined) throw new RangeError(`"${date}" is not a YYYY-MM-DD calendar date`);
  const m = HHMM.exec(hhmm);
  if (!m) throw new RangeError(`"${hhmm}" is not a HH:MM time (00:00–23:59)`);
  return new Date(instantOfWallClock(day * DAY + (Number(m[1]) * 60 + Number(m[2])) * 60_000, timeZone));
}

/** The first instant of the local date that `at` falls on. */
export function startOfLocalDay(at: Date, timeZone: string): Date {
  const wall = wallClockMs(at, timeZone);
  return new Date(instantOfWallClock(Math.floor(wall / DAY) * DAY, timeZone));
}

/** "2026-11-27 15:02 UTC": for messages that cannot use Slack's local date formatting. */
export function utcMinute(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
