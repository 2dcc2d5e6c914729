import fc from 'fast-check';
import {
  addDays,
  dayNumberOf,
  instantOfWallClock,
  localDate,
  localDateTime,
  mondayOf,
  offsetSegments,
  startOfLocalDate,
  startOfLocalDay,
  wallClockMs,
  zoneOffsetMs,
} from '../../src/domain/time';
import { intlDate, intlLocal, intlOffset, intlTransitions } from './zone-oracle';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const iso = (t: number | Date) => new Date(t).toISOString();
/** Wall ms of a local "YYYY-MM-DDTHH:MM". */
const wall = (local: string) => Date.parse(`${local}:00Z`);
const hoursOf = (tz: string, date: string) => {
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
  return (startOfLocalDate(next, tz).getTime() - startOfLocalDate(date, tz).getTime()) / HOUR;
};

describe('local days', () => {
  it.each([
    ['UTC', '2026-11-27', '2026-11-27T00:00:00.000Z'],
    ['Europe/Dublin', '2026-07-01', '2026-06-30T23:00:00.000Z'],
    ['America/New_York', '2026-03-08', '2026-03-08T05:00:00.000Z'], // the spring-forward day starts in EST
    ['America/New_York', '2026-03-09', '2026-03-09T04:00:00.000Z'],
    ['America/New_York', '2026-11-01', '2026-11-01T04:00:00.000Z'], // the fall-back day starts in EDT
    ['Asia/Manila', '2026-11-27', '2026-11-26T16:00:00.000Z'],
    // Midnight does not exist: at 00:00 −04 (04:00Z) the clocks jump to 01:00 −03, where the day starts.
    ['America/Santiago', '2026-09-06', '2026-09-06T04:00:00.000Z'],
    // At 24:00 −03 on 04-04 (03:00Z) the clocks go back to 23:00 −04; 00:00 of 04-05 comes once, at −04.
    ['America/Santiago', '2026-04-05', '2026-04-05T04:00:00.000Z'],
    // Havana springs forward at 00:00 CST (−05, 05:00Z) to 01:00 CDT.
    ['America/Havana', '2026-03-08', '2026-03-08T05:00:00.000Z'],
    // Havana falls back at 01:00 CDT (−04, 05:00Z) to 00:00 CST: 00:00 comes twice; the first is 04:00Z.
    ['America/Havana', '2026-11-01', '2026-11-01T04:00:00.000Z'],
    ['Asia/Kathmandu', '2026-11-27', '2026-11-26T18:15:00.000Z'], // +5:45
    // Nepal moved from +5:30 to +5:45 at midnight: 00:00 +5:30 (18:30Z) became 00:15.
    ['Asia/Kathmandu', '1986-01-01', '1985-12-31T18:30:00.000Z'],
    ['Australia/Lord_Howe', '2026-04-05', '2026-04-04T13:00:00.000Z'], // midnight at +11, before the 30-minute fall-back
    ['Australia/Lord_Howe', '2026-10-04', '2026-10-03T13:30:00.000Z'], // midnight at +10:30, before the 30-minute spring-forward
    ['Pacific/Chatham', '2026-04-05', '2026-04-04T10:15:00.000Z'], // midnight at +13:45
    ['Pacific/Chatham', '2026-09-27', '2026-09-26T11:15:00.000Z'], // midnight at +12:45
    // Samoa skipped 2011-12-30: 23:59:59 of 12-29 (−10) was followed by 00:00 of 12-31 (+14) at 10:00Z.
    ['Pacific/Apia', '2011-12-29', '2011-12-29T10:00:00.000Z'],
    ['Pacific/Apia', '2011-12-30', '2011-12-30T10:00:00.000Z'], // no instant: the start of the next date, so the day is empty
    ['Pacific/Apia', '2011-12-31', '2011-12-30T10:00:00.000Z'],
    // Brazil's last DST began at midnight: 00:00 −03 (03:00Z) became 01:00 −02.
    ['America/Sao_Paulo', '2018-11-04', '2018-11-04T03:00:00.000Z'],
  ])('in %s, %s starts at %s', (tz, date, expected) => {
    expect(startOfLocalDate(date, tz).toISOString()).toBe(expected);
  });

  it.each([
    ['Europe/Berlin', '2026-03-29', 23],
    ['Europe/Berlin', '2026-10-25', 25],
    ['America/Santiago', '2026-09-06', 23],
    ['America/Santiago', '2026-04-04', 25], // the repeated hour is 23:00 of 04-04
    ['America/Havana', '2026-03-08', 23],
    ['America/Havana', '2025-11-02', 25], // not 2026-11-01: tzdata 2026f says Cuba keeps −04 that day
    ['Australia/Lord_Howe', '2026-04-05', 24.5],
    ['Australia/Lord_Howe', '2026-10-04', 23.5],
    ['Pacific/Chatham', '2026-09-27', 23],
    ['Pacific/Apia', '2011-12-29', 24],
    ['Pacific/Apia', '2011-12-30', 0],
    ['Asia/Kathmandu', '1986-01-01', 23.75],
    ['UTC', '2026-03-29', 24],
  ])('in %s, %s lasts %s hours', (tz, date, hours) => {
    expect(hoursOf(tz, date)).toBe(hours);
  });

  it('finds the local date and its start for an instant', () => {
    const at = new Date('2026-11-27T02:30:00Z');
    expect(localDate(at, 'America/Los_Angeles')).toBe('2026-11-26');
    expect(startOfLocalDay(at, 'America/Los_Angeles').toISOString()).toBe('2026-11-26T08:00:00.000Z');
    expect(zoneOffsetMs(at, 'Asia/Kolkata')).toBe(5.5 * HOUR);
    expect(zoneOffsetMs(at, 'Pacific/Chatham')).toBe(13.75 * HOUR);
  });

  it('puts an instant during Santiago’s repeated hour on the day it reads locally', () => {
    // 2026-04-05T03:30Z is 23:30 of 04-04 a second time (−04), so its day started at 04-04 00:00 −03.
    expect(localDate(new Date('2026-04-05T03:30:00Z'), 'America/Santiago')).toBe('2026-04-04');
    expect(startOfLocalDay(new Date('2026-04-05T03:30:00Z'), 'America/Santiago').toISOString()).toBe('2026-04-04T03:00:00.000Z');
  });

  it('lists the offsets over an interval as segments, for engines that should not convert zones themselves', () => {
    const segments = offsetSegments(new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'), 'America/Santiago');
    expect(segments.map((s) => [s.from.toISOString(), s.offsetMs / HOUR])).toEqual([
      ['2026-01-01T00:00:00.000Z', -3],
      ['2026-04-05T03:00:00.000Z', -4],
      ['2026-09-06T04:00:00.000Z', -3],
    ]);
    expect(offsetSegments(new Date('2026-01-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'), 'Asia/Kathmandu')).toEqual([
      { from: new Date('2026-01-01T00:00:00Z'), offsetMs: 5.75 * HOUR },
    ]);
  });

  it('rejects a date that is not on the calendar and a zone Intl does not know', () => {
    expect(() => startOfLocalDate('2026-02-30', 'UTC')).toThrow('"2026-02-30" is not a YYYY-MM-DD calendar date');
    expect(() => startOfLocalDate('2026-2-3', 'UTC')).toThrow(RangeError);
    expect(() => localDate(new Date('2026-01-01T00:00:00Z'), 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => localDate(new Date(Number.NaN), 'UTC')).toThrow('the instant is not a valid time');
    expect(dayNumberOf('1970-01-02')).toBe(1);
  });
});

describe('wall-clock times to instants', () => {
  it.each([
    // Spring-forward gaps give the first instant after the gap.
    ['America/New_York', '2026-03-08T02:30', '2026-03-08T07:00:00.000Z'], // 03:00 EDT
    ['Europe/Paris', '2026-03-29T02:30', '2026-03-29T01:00:00.000Z'], // 03:00 CEST
    ['Australia/Lord_Howe', '2026-10-04T02:15', '2026-10-03T15:30:00.000Z'], // 02:30 +11
    ['Pacific/Chatham', '2026-09-27T03:00', '2026-09-26T14:00:00.000Z'], // 03:45 +13:45
    ['Pacific/Apia', '2011-12-30T12:00', '2011-12-30T10:00:00.000Z'], // the skipped day: 12-31 00:00 +14
    // Repeated times give the first occurrence.
    ['America/New_York', '2026-11-01T01:30', '2026-11-01T05:30:00.000Z'], // EDT; 06:30Z (EST) is the second
    ['Europe/London', '2026-10-25T01:15', '2026-10-25T00:15:00.000Z'], // BST; 01:15Z (GMT) is the second
    ['Australia/Lord_Howe', '2026-04-05T01:45', '2026-04-04T14:45:00.000Z'], // +11; 15:15Z (+10:30) is the second
    ['America/Santiago', '2026-04-04T23:30', '2026-04-05T02:30:00.000Z'], // −03; 03:30Z (−04) is the second
    // Ordinary times.
    ['Asia/Kathmandu', '2026-11-27T09:00', '2026-11-27T03:15:00.000Z'],
    ['UTC', '2026-11-27T09:00', '2026-11-27T09:00:00.000Z'],
  ])('in %s, %s is %s', (tz, local, expected) => {
    expect(iso(instantOfWallClock(wall(local), tz))).toBe(expected);
  });

  it('finds each of the midnight spring-forwards of America/Havana in 2024–2027 as the start of its day', () => {
    // Which dates these are comes from Intl, not from the test: 2024–2026 at least (tzdata 2026f
    // drops the 2027 one, as Cuba keeps −04 from 2026-03-08 to 2027-11-07).
    const jumps = intlTransitions('America/Havana', Date.UTC(2024, 0, 1), Date.UTC(2028, 0, 1)).filter((t) => t.after > t.before);
    expect(jumps.length).toBeGreaterThanOrEqual(3);
    for (const jump of jumps) {
      const date = intlDate(jump.at, 'America/Havana');
      expect(intlLocal(jump.at, 'America/Havana')).toBe(`${date} 01:00:00`);
      expect(iso(startOfLocalDate(date, 'America/Havana'))).toBe(iso(jump.at));
    }
  });
});

describe('calendar dates without a zone', () => {
  it('adds days across month, year and leap-day ends, and backwards', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-11-08', 0)).toBe('2026-11-08');
    expect(addDays('1969-12-31', 1)).toBe('1970-01-01');
    expect(() => addDays('2026-02-30', 1)).toThrow('"2026-02-30" is not a YYYY-MM-DD calendar date');
  });

  it('finds the Monday of the week a date is in, before and after 1970', () => {
    expect(mondayOf('2026-12-02')).toBe('2026-11-30'); // a Wednesday
    expect(mondayOf('2026-11-30')).toBe('2026-11-30');
    expect(mondayOf('2026-12-06')).toBe('2026-11-30'); // the Sunday ends that week
    expect(mondayOf('1969-12-31')).toBe('1969-12-29');
    expect(mondayOf('2027-01-01')).toBe('2026-12-28');
  });
});

describe('a local wall time on a date', () => {
  it.each([
    // Midnight spring-forwards: the day starts at 01:00, yet 09:00 is still 09:00 on the clock.
    ['America/Santiago', '2026-09-06', '09:00', '2026-09-06T12:00:00.000Z'],
    ['America/Havana', '2026-03-08', '09:00', '2026-03-08T13:00:00.000Z'],
    ['America/Havana', '2026-03-08', '00:30', '2026-03-08T05:00:00.000Z'], // skipped: 01:00, when the day starts
    ['Africa/Cairo', '2026-04-24', '09:00', '2026-04-24T06:00:00.000Z'],
    // A 02:00 gap, a repeated hour (first occurrence), and an ordinary day.
    ['America/New_York', '2026-03-08', '02:30', '2026-03-08T07:00:00.000Z'],
    ['America/New_York', '2026-11-01', '01:30', '2026-11-01T05:30:00.000Z'],
    ['Asia/Kolkata', '2026-12-02', '09:00', '2026-12-02T03:30:00.000Z'],
  ])('in %s, %s %s is %s', (tz, date, hhmm, expected) => {
    expect(iso(localDateTime(date, hhmm, tz))).toBe(expected);
  });

  it('refuses a date or a time that is not one', () => {
    expect(() => localDateTime('2026-02-30', '09:00', 'UTC')).toThrow('"2026-02-30" is not a YYYY-MM-DD calendar date');
    expect(() => localDateTime('2026-02-03', '24:00', 'UTC')).toThrow(/HH:MM/);
    expect(() => localDateTime('2026-02-03', '9:00', 'UTC')).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties, against Intl read directly (test/domain/zone-oracle.ts).

const ZONES = Intl.supportedValuesOf('timeZone');
const intlWall = (t: number, tz: string) => Date.parse(`${intlLocal(t, tz).replace(' ', 'T')}Z`);
/** Zones whose days start oddly (midnight DST, 30- and 45-minute offsets, a skipped day) get half the draws. */
const ODD_ZONES = [
  'America/Santiago',
  'America/Havana',
  'America/Sao_Paulo',
  'America/Asuncion',
  'Asia/Beirut',
  'Asia/Tehran',
  'Asia/Amman',
  'Asia/Gaza',
  'Africa/Casablanca',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Pacific/Apia',
  'America/St_Johns',
];
const zone = fc.oneof(fc.constantFrom(...ODD_ZONES), fc.constantFrom(...ZONES, 'UTC'));
const instant = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) });
/** Instants near an offset change are where mistakes hide: half the draws land within 2 h of one. */
const nearChange = fc
  .tuple(zone, fc.integer({ min: 1970, max: 2037 }), fc.integer({ min: -2 * HOUR, max: 2 * HOUR }))
  .map(([tz, year, delta]) => {
    const changes = intlTransitions(tz, Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1), 6 * HOUR);
    const at = changes.length ? changes[Math.abs(delta) % changes.length]!.at + delta : Date.UTC(year, 6, 1) + delta;
    return [tz, at] as const;
  });
const zoneAndInstant = fc.oneof(fc.tuple(zone, instant), nearChange);

describe('properties over every zone Intl knows', () => {
  it('reads the same local date and time as Intl', () => {
    fc.assert(
      fc.property(zoneAndInstant, ([tz, t]) => {
        expect(iso(wallClockMs(t, tz)).slice(0, 19).replace('T', ' ')).toBe(intlLocal(t, tz));
        expect(localDate(new Date(t), tz)).toBe(intlDate(t, tz));
      }),
      { numRuns: 400 },
    );
  });

  it('gives offset segments that agree with Intl at every instant they cover', () => {
    fc.assert(
      fc.property(zoneAndInstant, fc.integer({ min: 1, max: 400 * DAY }), ([tz, t], length) => {
        const segments = offsetSegments(new Date(t), new Date(t + length), tz);
        expect(segments[0]!.from.getTime()).toBe(t);
        segments.forEach((s, i) => {
          const end = segments[i + 1]?.from.getTime() ?? t + length;
          expect(s.from.getTime()).toBeLessThan(end);
          if (i > 0) expect(s.offsetMs).not.toBe(segments[i - 1]!.offsetMs);
          for (const u of [s.from.getTime(), end - 1, Math.floor((s.from.getTime() + end) / 2)]) {
            expect(intlWall(u, tz) - Math.floor(u / 1000) * 1000).toBe(s.offsetMs);
          }
        });
      }),
      { numRuns: 150 },
    );
  });

  it('starts an instant’s local day at or before it, on the same date, with no earlier instant of that date', () => {
    fc.assert(
      fc.property(zoneAndInstant, ([tz, t]) => {
        const date = intlDate(t, tz);
        const start = startOfLocalDay(new Date(t), tz).getTime();
        expect(start).toBeLessThanOrEqual(t);
        expect(intlDate(start, tz)).toBe(date);
        expect(intlDate(start - 1, tz) < date).toBe(true);
        expect(intlDate(start - MINUTE, tz) < date).toBe(true);
        // Offsets stay within 16 h of UTC, so an earlier instant of the date would be within 40 h before.
        for (let u = start - 40 * HOUR; u < start; u += 30 * MINUTE) expect(intlDate(u, tz) < date).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('turns a wall-clock time into the first instant that reads it, or the first after it when it does not exist', () => {
    const wallTime = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }).map((t) => Math.floor(t / MINUTE) * MINUTE);
    const nearChangeWall = nearChange.map(([tz, t]) => [tz, Math.floor(intlWall(t, tz) / MINUTE) * MINUTE] as const);
    fc.assert(
      fc.property(fc.oneof(fc.tuple(zone, wallTime), nearChangeWall), ([tz, w]) => {
        const t = instantOfWallClock(w, tz);
        expect(intlWall(t, tz)).toBeGreaterThanOrEqual(w);
        expect(intlWall(t - 1000, tz)).toBeLessThan(w);
        // When `w` is skipped, no instant reads it: an instant u reads w only if u = w − offset(u),
        // and the offsets within a day of t are the ones either side of its change.
        if (intlWall(t, tz) !== w) {
          for (const offset of new Set([t - DAY, t - 1000, t, t + DAY].map((u) => intlOffset(u, tz)))) {
            expect(intlWall(w - offset, tz)).not.toBe(w);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
