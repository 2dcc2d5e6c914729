import { mulberry32 as random } from '../../../src/db/seed/random';
import {
  ALWAYS_OPEN,
  addBusinessTime,
  type BusinessCalendar,
  businessElapsed,
  isOpen,
  parseCalendar,
} from '../../../src/domain/sla/calendar';

const MIN = 60_000;
const HOUR = 60 * MIN;

type Span = [string, string];
const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];
const MON_FRI = [1, 2, 3, 4, 5];

function calendar(timezone: string, weekdays: number[], spans: Span[], holidays: string[] = []): BusinessCalendar {
  const hours = Object.fromEntries(weekdays.map((d) => [String(d), spans]));
  return parseCalendar({ timezone, alwaysOpen: false, hours, holidays: holidays.map((date) => ({ date })) });
}

// US 2026: spring forward Sun 03-08 02:00 → 03:00, fall back Sun 11-01 02:00 → 01:00.
const NY_9_TO_5 = calendar('America/New_York', MON_FRI, [['09:00', '17:00']], ['2026-07-03', '2026-11-26']);
const NY_9_TO_5_DAILY = calendar('America/New_York', EVERY_DAY, [['09:00', '17:00']]);
const NY_ALL_DAY = calendar('America/New_York', EVERY_DAY, [['00:00', '24:00']]);
const NY_EARLY = calendar('America/New_York', EVERY_DAY, [['01:00', '04:00']]);
// EU 2026: spring forward Sun 03-29, fall back Sun 10-25.
const DUBLIN = calendar('Europe/Dublin', MON_FRI, [['08:00', '18:00']]);
const BERLIN_ALL_DAY = calendar('Europe/Berlin', EVERY_DAY, [['00:00', '24:00']]);
const BERLIN_EARLY = calendar('Europe/Berlin', EVERY_DAY, [['01:00', '04:00']]);
// No DST; two shifts around lunch, Saturdays included; 06-12 is Independence Day (a Friday).
const MANILA = calendar(
  'Asia/Manila',
  [1, 2, 3, 4, 5, 6],
  [
    ['07:00', '12:00'],
    ['13:00', '19:00'],
  ],
  ['2026-06-12'],
);
// A night shift: spans that end and begin at midnight, Monday evening to Saturday morning.
const NIGHTS = parseCalendar({
  timezone: 'Europe/Dublin',
  alwaysOpen: false,
  hours: {
    '1': [['22:00', '24:00']],
    '2': [
      ['00:00', '06:00'],
      ['22:00', '24:00'],
    ],
    '3': [['00:00', '06:00']],
  },
  holidays: [],
});

// Chile changes clocks at midnight: 2026-04-05 00:00 → 04-04 23:00 again, 2026-09-06 00:00 → 01:00.
const SANTIAGO_ALL_DAY = calendar('America/Santiago', EVERY_DAY, [['00:00', '24:00']]);
const SANTIAGO_NIGHTS = calendar('America/Santiago', EVERY_DAY, [
  ['00:00', '02:30'],
  ['22:00', '24:00'],
]);

const at = (iso: string) => new Date(iso);

describe('businessElapsed', () => {
  const cases: [string, BusinessCalendar, string, string, number][] = [
    ['a plain working day', NY_9_TO_5, '2026-01-05T00:00:00-05:00', '2026-01-06T00:00:00-05:00', 8 * HOUR],
    ['a whole working week', NY_9_TO_5, '2026-01-05T00:00:00-05:00', '2026-01-12T00:00:00-05:00', 40 * HOUR],
    ['a start inside a span counts from the start', NY_9_TO_5, '2026-01-05T16:30:00-05:00', '2026-01-06T09:30:00-05:00', 60 * MIN],
    ['the weekend counts nothing', NY_9_TO_5, '2026-01-09T17:00:00-05:00', '2026-01-12T09:00:00-05:00', 0],
    ['a holiday counts nothing (Thanksgiving)', NY_9_TO_5, '2026-11-25T00:00:00-05:00', '2026-11-28T00:00:00-05:00', 16 * HOUR],
    ['end before start', NY_9_TO_5, '2026-01-06T12:00:00-05:00', '2026-01-05T12:00:00-05:00', 0],
    ['end equal to start', NY_9_TO_5, '2026-01-05T12:00:00-05:00', '2026-01-05T12:00:00-05:00', 0],
    ['US spring forward: 00:00–24:00 holds 23 h', NY_ALL_DAY, '2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00', 23 * HOUR],
    ['US fall back: 00:00–24:00 holds 25 h', NY_ALL_DAY, '2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00', 25 * HOUR],
    ['US spring forward: 09:00–17:00 is still 8 h', NY_9_TO_5_DAILY, '2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00', 8 * HOUR],
    ['US fall back: 09:00–17:00 is still 8 h', NY_9_TO_5_DAILY, '2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00', 8 * HOUR],
    ['US spring forward: 01:00–04:00 skips an hour', NY_EARLY, '2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00', 2 * HOUR],
    ['US fall back: 01:00–04:00 repeats an hour', NY_EARLY, '2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00', 4 * HOUR],
    ['US: a week of 9–5 across spring forward', NY_9_TO_5, '2026-03-06T09:00:00-05:00', '2026-03-09T17:00:00-04:00', 16 * HOUR],
    ['EU spring forward: 00:00–24:00 holds 23 h', BERLIN_ALL_DAY, '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00', 23 * HOUR],
    ['EU fall back: 00:00–24:00 holds 25 h', BERLIN_ALL_DAY, '2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00', 25 * HOUR],
    ['EU spring forward: 01:00–04:00 skips an hour', BERLIN_EARLY, '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00', 2 * HOUR],
    ['EU fall back: 01:00–04:00 repeats an hour', BERLIN_EARLY, '2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00', 4 * HOUR],
    ['Dublin: Fri + Mon across spring forward', DUBLIN, '2026-03-27T08:00:00Z', '2026-03-30T18:00:00+01:00', 20 * HOUR],
    ['Dublin: Fri + Mon across fall back', DUBLIN, '2026-10-23T08:00:00+01:00', '2026-10-26T18:00:00Z', 20 * HOUR],
    ['Manila: a split day is 11 h', MANILA, '2026-06-08T00:00:00+08:00', '2026-06-09T00:00:00+08:00', 11 * HOUR],
    ['Manila: lunch counts nothing', MANILA, '2026-06-08T11:30:00+08:00', '2026-06-08T13:30:00+08:00', 60 * MIN],
    ['Manila: Thu + holiday Fri + Sat', MANILA, '2026-06-11T00:00:00+08:00', '2026-06-14T00:00:00+08:00', 22 * HOUR],
    ['night shift across midnight', NIGHTS, '2026-01-05T23:00:00Z', '2026-01-06T02:00:00Z', 3 * HOUR],
    ['a week of night shifts', NIGHTS, '2026-01-04T00:00:00Z', '2026-01-11T00:00:00Z', 16 * HOUR],
    ['always open is plain arithmetic', ALWAYS_OPEN, '2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00', 23 * HOUR],
    ['fall back at midnight: no gap, no double count', SANTIAGO_ALL_DAY, '2026-04-03T00:00:00Z', '2026-04-07T00:00:00Z', 96 * HOUR],
    ['spring forward at midnight: no gap, no double count', SANTIAGO_ALL_DAY, '2026-09-04T00:00:00Z', '2026-09-08T00:00:00Z', 96 * HOUR],
  ];
  it.each(cases)('%s', (_name, cal, start, end, expected) => {
    expect(businessElapsed(at(start), at(end), cal)).toBe(expected);
  });
});

describe('addBusinessTime', () => {
  const cases: [string, BusinessCalendar, string, number, string][] = [
    ['24 h from Friday 16:00 is due Wednesday 16:00', NY_9_TO_5, '2026-01-09T16:00:00-05:00', 24 * HOUR, '2026-01-14T16:00:00-05:00'],
    ['a start inside a span counts from the start', NY_9_TO_5, '2026-01-05T10:30:00-05:00', 30 * MIN, '2026-01-05T11:00:00-05:00'],
    ['a full day ends at closing, not next opening', NY_9_TO_5, '2026-01-05T09:00:00-05:00', 8 * HOUR, '2026-01-05T17:00:00-05:00'],
    ['before opening', NY_9_TO_5, '2026-01-05T07:00:00-05:00', HOUR, '2026-01-05T10:00:00-05:00'],
    ['after closing', NY_9_TO_5, '2026-01-05T18:00:00-05:00', HOUR, '2026-01-06T10:00:00-05:00'],
    ['exactly at closing', NY_9_TO_5, '2026-01-05T17:00:00-05:00', HOUR, '2026-01-06T10:00:00-05:00'],
    ['on a weekend', NY_9_TO_5, '2026-01-10T12:00:00-05:00', HOUR, '2026-01-12T10:00:00-05:00'],
    ['on a holiday (Thanksgiving)', NY_9_TO_5, '2026-11-26T10:00:00-05:00', 2 * HOUR, '2026-11-27T11:00:00-05:00'],
    ['on a holiday before a weekend (July 3)', NY_9_TO_5, '2026-07-02T16:00:00-04:00', 2 * HOUR, '2026-07-06T10:00:00-04:00'],
    ['zero duration returns start even when closed', NY_9_TO_5, '2026-01-10T12:00:00-05:00', 0, '2026-01-10T12:00:00-05:00'],
    ['US: across the spring-forward weekend', NY_9_TO_5, '2026-03-06T16:00:00-05:00', 2 * HOUR, '2026-03-09T10:00:00-04:00'],
    ['US: across the fall-back weekend', NY_9_TO_5, '2026-10-30T16:00:00-04:00', 2 * HOUR, '2026-11-02T10:00:00-05:00'],
    [
      'US: 24 h of 00:00–24:00 over spring forward is 24 real hours',
      NY_ALL_DAY,
      '2026-03-07T12:00:00-05:00',
      24 * HOUR,
      '2026-03-08T13:00:00-04:00',
    ],
    [
      'US: 24 h of 00:00–24:00 over fall back is 24 real hours',
      NY_ALL_DAY,
      '2026-10-31T12:00:00-04:00',
      24 * HOUR,
      '2026-11-01T11:00:00-05:00',
    ],
    ['US: the skipped hour counts zero', NY_EARLY, '2026-03-08T01:00:00-05:00', 90 * MIN, '2026-03-08T03:30:00-04:00'],
    ['US: the repeated hour counts twice', NY_EARLY, '2026-11-01T01:00:00-04:00', 2 * HOUR, '2026-11-01T02:00:00-05:00'],
    ['EU: the skipped hour counts zero', BERLIN_EARLY, '2026-03-29T01:00:00+01:00', 90 * MIN, '2026-03-29T03:30:00+02:00'],
    ['EU: the repeated hour counts twice', BERLIN_EARLY, '2026-10-25T01:00:00+02:00', 2 * HOUR, '2026-10-25T02:00:00+01:00'],
    [
      'EU: 25 h of 00:00–24:00 on fall-back day ends at midnight',
      BERLIN_ALL_DAY,
      '2026-10-25T00:00:00+02:00',
      25 * HOUR,
      '2026-10-26T00:00:00+01:00',
    ],
    ['Dublin: Friday evening to Monday after spring forward', DUBLIN, '2026-03-27T17:00:00Z', 2 * HOUR, '2026-03-30T09:00:00+01:00'],
    ['Manila: over lunch', MANILA, '2026-06-08T11:30:00+08:00', HOUR, '2026-06-08T13:30:00+08:00'],
    ['Manila: over the holiday to Saturday', MANILA, '2026-06-11T18:00:00+08:00', 2 * HOUR, '2026-06-13T08:00:00+08:00'],
    ['Manila: Saturday evening to Monday', MANILA, '2026-06-13T18:30:00+08:00', HOUR, '2026-06-15T07:30:00+08:00'],
    ['night shift: over midnight', NIGHTS, '2026-01-05T23:00:00Z', 2 * HOUR, '2026-01-06T01:00:00Z'],
    ['night shift: a span ending at 24:00 is used to the end', NIGHTS, '2026-01-05T22:00:00Z', 2 * HOUR, '2026-01-06T00:00:00Z'],
    ['night shift: from the weekend to Monday night', NIGHTS, '2026-01-10T12:00:00Z', 3 * HOUR, '2026-01-13T01:00:00Z'],
    ['always open is plain arithmetic', ALWAYS_OPEN, '2026-03-07T12:00:00-05:00', 24 * HOUR, '2026-03-08T13:00:00-04:00'],
  ];
  it.each(cases)('%s', (_name, cal, start, duration, expected) => {
    expect(addBusinessTime(at(start), duration, cal).toISOString()).toBe(at(expected).toISOString());
  });

  it('refuses a calendar with no working hours instead of looping forever', () => {
    const closed = calendar('Europe/Dublin', [], []);
    expect(() => addBusinessTime(at('2026-01-05T09:00:00Z'), HOUR, closed)).toThrow(/no working hours/);
  });

  it('gives up after 3 years of closed days', () => {
    // Open only on Mondays, and every Monday for four years is a holiday.
    const mondays: string[] = [];
    for (let t = Date.UTC(2026, 0, 5); t < Date.UTC(2030, 0, 1); t += 7 * 24 * HOUR) mondays.push(new Date(t).toISOString().slice(0, 10));
    const cal = calendar('Europe/Dublin', [1], [['09:00', '17:00']], mondays);
    expect(() => addBusinessTime(at('2026-01-01T00:00:00Z'), HOUR, cal)).toThrow(/3 years/);
  });

  it('refuses a negative duration or an invalid start', () => {
    expect(() => addBusinessTime(at('2026-01-05T09:00:00Z'), -1, NY_9_TO_5)).toThrow(RangeError);
    expect(() => addBusinessTime(new Date(Number.NaN), HOUR, NY_9_TO_5)).toThrow(RangeError);
  });
});

describe('isOpen', () => {
  const cases: [string, BusinessCalendar, string, boolean][] = [
    ['at opening', NY_9_TO_5, '2026-01-05T09:00:00-05:00', true],
    ['just before opening', NY_9_TO_5, '2026-01-05T08:59:59.999-05:00', false],
    ['just before closing', NY_9_TO_5, '2026-01-05T16:59:59.999-05:00', true],
    ['at closing (spans are half-open)', NY_9_TO_5, '2026-01-05T17:00:00-05:00', false],
    ['on a Saturday', NY_9_TO_5, '2026-01-10T12:00:00-05:00', false],
    ['on a holiday', NY_9_TO_5, '2026-11-26T12:00:00-05:00', false],
    ['the first instant after the skipped hour', NY_EARLY, '2026-03-08T03:00:00-04:00', true],
    ['the repeated hour, second time', NY_EARLY, '2026-11-01T01:30:00-05:00', true],
    ['Manila at lunch', MANILA, '2026-06-08T12:30:00+08:00', false],
    ['Manila after lunch', MANILA, '2026-06-08T13:00:00+08:00', true],
    ['Manila on a holiday', MANILA, '2026-06-12T10:00:00+08:00', false],
    ['night shift at midnight', NIGHTS, '2026-01-06T00:00:00Z', true],
    ['night shift just before midnight', NIGHTS, '2026-01-05T23:59:59.999Z', true],
    ['always open', ALWAYS_OPEN, '2026-01-10T03:00:00Z', true],
  ];
  it.each(cases)('%s', (_name, cal, instant, expected) => {
    expect(isOpen(at(instant), cal)).toBe(expected);
  });
});

describe('parseCalendar', () => {
  const row = (hours: unknown, extra: Partial<{ timezone: string; holidays: { date: string }[] }> = {}) => ({
    timezone: 'America/New_York',
    alwaysOpen: false,
    hours,
    holidays: [],
    ...extra,
  });

  it('reads a row with holidays', () => {
    const cal = parseCalendar(row({ '1': [['09:00', '17:00']], '0': [] }, { holidays: [{ date: '2026-12-25' }, { date: '2026-01-01' }] }));
    expect(cal).toEqual({
      timezone: 'America/New_York',
      alwaysOpen: false,
      hours: { '1': [['09:00', '17:00']], '0': [] },
      holidays: ['2026-01-01', '2026-12-25'],
    });
  });

  const bad: [string, ReturnType<typeof row>, RegExp][] = [
    ['a time past 24:00', row({ '1': [['09:00', '25:00']] }), /Monday \("1"\) span 1 \["09:00","25:00"\]: expected "HH:MM"/],
    [
      'a malformed time',
      row({
        '2': [
          ['09:00', '12:00'],
          ['1pm', '17:00'],
        ],
      }),
      /Tuesday \("2"\) span 2 \["1pm","17:00"\]: expected "HH:MM"/,
    ],
    [
      'an end before the start',
      row({ '3': [['17:00', '09:00']] }),
      /Wednesday \("3"\) span 1 \["17:00","09:00"\]: the start must be before the end/,
    ],
    ['an empty span', row({ '4': [['09:00', '09:00']] }), /Thursday \("4"\) span 1 .*start must be before the end/],
    ['a span starting at 24:00', row({ '4': [['24:00', '24:00']] }), /Thursday \("4"\) span 1/],
    [
      'overlapping spans',
      row({
        '5': [
          ['09:00', '12:00'],
          ['11:00', '17:00'],
        ],
      }),
      /Friday \("5"\): spans \["09:00","12:00"\] and \["11:00","17:00"\] overlap/,
    ],
    ['an unknown weekday', row({ '7': [['09:00', '17:00']] }), /hours: Unrecognized key: "7"/],
    ['a span that is not a pair', row({ '6': [['09:00']] }), /Saturday \("6"\) span 1/],
    ['hours that are not an object', row(null), /hours: .*expected object/],
    ['an unknown time zone', row({}, { timezone: 'Mars/Olympus' }), /timezone: not an IANA time zone/],
    ['an impossible holiday', row({}, { holidays: [{ date: '2026-02-30' }] }), /holidays "2026-02-30": not a calendar date/],
  ];
  it.each(bad)('names the fault: %s', (_name, input, message) => {
    expect(() => parseCalendar(input)).toThrow(message);
  });

  it('checks hand-built calendars too, on first use', () => {
    const cal: BusinessCalendar = { timezone: 'UTC', alwaysOpen: false, hours: { '1': [['09:00', '99:00']] }, holidays: [] };
    expect(() => businessElapsed(at('2026-01-05T00:00:00Z'), at('2026-01-06T00:00:00Z'), cal)).toThrow(/Monday \("1"\) span 1/);
  });
});

describe('round trip', () => {
  const calendars: [string, BusinessCalendar][] = [
    ['New York 9–5', NY_9_TO_5],
    ['New York 01:00–04:00', NY_EARLY],
    ['Berlin all day', BERLIN_ALL_DAY],
    ['Dublin', DUBLIN],
    ['Manila split days', MANILA],
    ['night shifts', NIGHTS],
    ['Santiago nights (DST changes at midnight)', SANTIAGO_NIGHTS],
  ];
  it.each(calendars)('%s: businessElapsed(start, addBusinessTime(start, d)) === d', (_name, cal) => {
    const next = random(20260308);
    const from = Date.UTC(2026, 0, 1);
    const to = Date.UTC(2027, 0, 1);
    for (let i = 0; i < 300; i++) {
      const start = new Date(from + Math.floor(next() * (to - from)));
      const duration = Math.floor(next() * 120 * HOUR);
      const due = addBusinessTime(start, duration, cal);
      expect(businessElapsed(start, due, cal)).toBe(duration);
      // The due instant is reached while open: the millisecond before it is working time.
      if (duration > 0) expect(isOpen(new Date(due.getTime() - 1), cal)).toBe(true);
    }
  });
});

/**
 * An independent, slow oracle: walks minute by minute and asks Intl for the local wall time.
 * Agrees with the span math wherever no span ends inside a repeated hour.
 */
function naiveElapsed(start: Date, end: Date, timezone: string, hours: BusinessCalendar['hours']): number {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  let open = 0;
  for (let t = start.getTime(); t < end.getTime(); t += MIN) {
    const parts = Object.fromEntries(fmt.formatToParts(t).map((p) => [p.type, p.value]));
    const day = String(weekdays.indexOf(parts.weekday ?? '')) as keyof BusinessCalendar['hours'];
    const minute = Number(parts.hour) * 60 + Number(parts.minute);
    const spans = hours[day] ?? [];
    const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
    if (spans.some(([s, e]) => toMin(s) <= minute && minute < toMin(e))) open += MIN;
  }
  return open;
}

describe('agrees with a minute-by-minute oracle around DST changes', () => {
  const windows: [string, BusinessCalendar, string, string][] = [
    ['New York spring forward', NY_EARLY, '2026-03-06T00:00:00Z', '2026-03-10T00:00:00Z'],
    ['New York fall back', NY_EARLY, '2026-10-30T00:00:00Z', '2026-11-03T00:00:00Z'],
    ['New York 9–5 fall back', NY_9_TO_5_DAILY, '2026-10-30T00:00:00Z', '2026-11-03T00:00:00Z'],
    ['Berlin spring forward', BERLIN_ALL_DAY, '2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z'],
    ['Berlin fall back', BERLIN_EARLY, '2026-10-23T00:00:00Z', '2026-10-27T00:00:00Z'],
    ['Dublin spring forward', DUBLIN, '2026-03-26T00:00:00Z', '2026-03-31T00:00:00Z'],
  ];
  it.each(windows)('%s', (_name, cal, start, end) => {
    const next = random(42);
    const from = at(start).getTime();
    const span = at(end).getTime() - from;
    for (let i = 0; i < 4; i++) {
      // Whole minutes, so the oracle's one-minute steps are exact.
      const a = from + Math.floor((next() * span) / 2 / MIN) * MIN;
      const b = a + Math.floor((next() * span) / 2 / MIN) * MIN;
      expect(businessElapsed(new Date(a), new Date(b), cal)).toBe(naiveElapsed(new Date(a), new Date(b), cal.timezone, cal.hours));
    }
  });
});
