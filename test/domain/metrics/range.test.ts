import { parseRange, RANGE_EXAMPLES } from '../../../src/domain/metrics/range';
import { isTimeZone, startOfLocalDate } from '../../../src/domain/time';
import { AppError } from '../../../src/errors';

// Friday 2026-11-27: the same local date in UTC, Paris (13:00) and New York (07:00).
const NOW = new Date('2026-11-27T12:00:00Z');
const ZONES = ['UTC', 'Europe/Paris', 'America/New_York'];
const iso = (text: string, timeZone: string, now = NOW) => {
  const r = parseRange(text, { now, timeZone });
  return [r.start.toISOString(), r.end.toISOString()];
};
const hours = (text: string, timeZone: string) => {
  const r = parseRange(text, { now: NOW, timeZone });
  return (r.end.getTime() - r.start.getTime()) / 3600_000;
};

describe('every form, in every zone', () => {
  // [text, first local day, day after the last]
  const forms: [string, string, string][] = [
    ['today', '2026-11-27', '2026-11-28'],
    ['yesterday', '2026-11-26', '2026-11-27'],
    ['last 7d', '2026-11-21', '2026-11-28'],
    ['last 1d', '2026-11-27', '2026-11-28'],
    ['last 2w', '2026-11-14', '2026-11-28'],
    ['last 3m', '2026-08-27', '2026-11-28'],
    ['mtd', '2026-11-01', '2026-11-28'],
    ['qtd', '2026-10-01', '2026-11-28'],
    ['ytd', '2026-01-01', '2026-11-28'],
    ['2026-10', '2026-10-01', '2026-11-01'],
    ['2026-Q3', '2026-07-01', '2026-10-01'],
    ['2026-H1', '2026-01-01', '2026-07-01'],
    ['2026-H2', '2026-07-01', '2027-01-01'],
    ['2026', '2026-01-01', '2027-01-01'],
    ['2026-10-01..2026-10-31', '2026-10-01', '2026-11-01'],
    ['2026-10-05', '2026-10-05', '2026-10-06'],
  ];
  describe.each(ZONES)('in %s', (tz) => {
    it.each(forms)('%s runs from local midnight %s to local midnight %s', (text, from, to) => {
      const r = parseRange(text, { now: NOW, timeZone: tz });
      expect(r.start).toEqual(startOfLocalDate(from, tz));
      expect(r.end).toEqual(startOfLocalDate(to, tz));
      expect(r.timeZone).toBe(tz);
    });
  });

  it('lands on the real instants of local midnight', () => {
    expect(iso('today', 'Europe/Paris')).toEqual(['2026-11-26T23:00:00.000Z', '2026-11-27T23:00:00.000Z']);
    expect(iso('2026-10', 'Europe/Paris')).toEqual(['2026-09-30T22:00:00.000Z', '2026-10-31T23:00:00.000Z']);
    expect(iso('2026-H1', 'Europe/Paris')).toEqual(['2025-12-31T23:00:00.000Z', '2026-06-30T22:00:00.000Z']);
    expect(iso('last 3m', 'America/New_York')).toEqual(['2026-08-27T04:00:00.000Z', '2026-11-28T05:00:00.000Z']);
    expect(iso('mtd', 'America/New_York')).toEqual(['2026-11-01T04:00:00.000Z', '2026-11-28T05:00:00.000Z']); // Nov 1 starts in EDT
    expect(iso('2026', 'UTC')).toEqual(['2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  });

  it('reads "today" in the given zone, not in UTC', () => {
    const lateEvening = new Date('2026-11-27T02:30:00Z'); // still Nov 26 in New York
    expect(iso('today', 'America/New_York', lateEvening)).toEqual(['2026-11-26T05:00:00.000Z', '2026-11-27T05:00:00.000Z']);
    expect(iso('today', 'Europe/Paris', lateEvening)).toEqual(['2026-11-26T23:00:00.000Z', '2026-11-27T23:00:00.000Z']);
  });

  it('ignores case and extra whitespace, and accepts spelled-out units', () => {
    expect(iso('  Last   7D ', 'UTC')).toEqual(iso('last 7d', 'UTC'));
    expect(iso('last 7 days', 'UTC')).toEqual(iso('last 7d', 'UTC'));
    expect(iso('2026-q3', 'UTC')).toEqual(iso('2026-Q3', 'UTC'));
    expect(iso('YTD', 'UTC')).toEqual(iso('ytd', 'UTC'));
    expect(iso('2026-10-01 .. 2026-10-31', 'UTC')).toEqual(iso('2026-10-01..2026-10-31', 'UTC'));
  });

  it('labels the range with its dates and zone', () => {
    const label = (text: string) => parseRange(text, { now: NOW, timeZone: 'Europe/Paris' }).label;
    expect(label('last 7d')).toBe('last 7 days (2026-11-21 → 2026-11-27, Europe/Paris)');
    expect(label('last 1w')).toBe('last 1 week (2026-11-21 → 2026-11-27, Europe/Paris)');
    expect(label('today')).toBe('today (2026-11-27, Europe/Paris)');
    expect(label('mtd')).toBe('month to date (2026-11-01 → 2026-11-27, Europe/Paris)');
    expect(label('2026-10')).toBe('October 2026 (2026-10-01 → 2026-10-31, Europe/Paris)');
    expect(label('2026-q3')).toBe('2026-Q3 (2026-07-01 → 2026-09-30, Europe/Paris)');
    expect(label('2026-10-01..2026-10-31')).toBe('2026-10-01 → 2026-10-31 (Europe/Paris)');
    expect(label('2026-10-05')).toBe('2026-10-05 (Europe/Paris)');
  });
});

describe('boundaries', () => {
  it('adjacent periods share a boundary', () => {
    const r = (text: string) => parseRange(text, { now: NOW, timeZone: 'Europe/Paris' });
    expect(r('2026-10').end).toEqual(r('2026-11').start);
    expect(r('2026-Q3').end).toEqual(r('2026-Q4').start);
    expect(r('2026-H1').end).toEqual(r('2026-H2').start);
    expect(r('yesterday').end).toEqual(r('today').start);
    expect(r('2026-10-01..2026-10-04').end).toEqual(r('2026-10-05').start);
  });

  it('gives DST days 23 or 25 hours', () => {
    expect(hours('2026-03-29', 'Europe/Paris')).toBe(23);
    expect(hours('2026-10-25', 'Europe/Paris')).toBe(25);
    expect(hours('2026-03-08', 'America/New_York')).toBe(23);
    expect(hours('2026-11-01', 'America/New_York')).toBe(25);
    expect(hours('2026-03-29', 'UTC')).toBe(24);
    expect(hours('2026-10', 'Europe/Paris')).toBe(31 * 24 + 1);
  });

  it('includes both ends of a .. range', () => {
    expect(hours('2026-11-02..2026-11-03', 'UTC')).toBe(48);
    expect(hours('2026-11-05..2026-11-05', 'UTC')).toBe(24);
  });

  it('clamps `last Nm` to the end of a shorter month', () => {
    const endOfMay = new Date('2026-05-31T12:00:00Z');
    expect(iso('last 3m', 'UTC', endOfMay)).toEqual(['2026-02-28T00:00:00.000Z', '2026-06-01T00:00:00.000Z']);
    expect(iso('last 1m', 'UTC', endOfMay)).toEqual(['2026-04-30T00:00:00.000Z', '2026-06-01T00:00:00.000Z']);
    expect(iso('last 3m', 'UTC', new Date('2028-05-31T12:00:00Z'))[0]).toBe('2028-02-29T00:00:00.000Z');
    expect(iso('last 12m', 'UTC', endOfMay)[0]).toBe('2025-05-31T00:00:00.000Z');
  });

  it('knows leap years', () => {
    const in2028 = new Date('2028-03-15T12:00:00Z');
    expect(iso('2028-02-29', 'UTC', in2028)).toEqual(['2028-02-29T00:00:00.000Z', '2028-03-01T00:00:00.000Z']);
    expect(hours('2024-02', 'UTC')).toBe(29 * 24);
    expect(() => parseRange('2027-02-29', { now: in2028, timeZone: 'UTC' })).toThrow('`2027-02-29` is not a calendar date.');
  });

  it('keeps a running period whole: callers find no data after now', () => {
    expect(iso('2026-Q4', 'UTC')).toEqual(['2026-10-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  });
});

describe('mistakes', () => {
  const error = (text: string, timeZone = 'UTC', now = NOW): AppError => {
    try {
      parseRange(text, { now, timeZone });
    } catch (err) {
      if (err instanceof AppError) return err;
      throw err;
    }
    throw new Error(`"${text}" parsed`);
  };

  it('every error is bad input with valid forms and a command example', () => {
    const err = error('soon');
    expect(err.code).toBe('bad_input');
    expect(err.example).toBe('/trustops metrics last 7d');
    for (const form of RANGE_EXAMPLES) expect(err.message).toContain(`\`${form}\``);
  });

  it.each([
    ['', /^Which dates\? The range is empty\./],
    ['   ', /^Which dates\? The range is empty\./],
    ['next week', /^`next week` is not a date range I understand\./],
    ['2026-10-31..2026-10-01', /^`2026-10-31\.\.2026-10-01` ends before it starts: put the earlier date first\./],
    ['2027', /^`2027` starts in the future \(2027-01-01\)/],
    ['2026-11-28', /^`2026-11-28` starts in the future \(2026-11-28\)/],
    ['2026-02-30', /^`2026-02-30` is not a calendar date\./],
    ['2026-02-01..2026-02-30', /^`2026-02-30` is not a calendar date\./],
    ['2026-10-1..2026-10-31', /^`2026-10-1` is not a date: write days as YYYY-MM-DD\./],
    ['2026-13', /^`2026-13` is not a month: months run from 01 to 12\./],
    ['1969-12', /^`1969-12` is too far back: years start at 1970\./],
    ['last 0d', /^`last 0d` covers nothing: the number must be at least 1\./],
    ['2024-01-01..2027-01-03', /^`2024-01-01\.\.2027-01-03` covers 1099 days: a range may cover at most 1098 days \(3 × 366\)\./],
    ['last 1099d', /^`last 1099d` is too long: a range may cover at most 1098 days \(3 × 366\), i\.e\. `last 1098d`\./],
    ['last 157w', /at most 1098 days \(3 × 366\), i\.e\. `last 156w`/],
    ['last 37m', /at most 1098 days \(3 × 366\), i\.e\. `last 36m`/],
    ['last 99999999999999999999d', /is too long: a range may cover at most 1098 days/],
  ])('%j is refused with a message that says why', (text, message) => {
    expect(error(text).message).toMatch(message);
  });

  it('accepts ranges right at the limits', () => {
    expect(() => parseRange('2024-01-01..2027-01-02', { now: NOW, timeZone: 'UTC' })).not.toThrow();
    for (const text of ['last 1098d', 'last 156w', 'last 36m']) expect(() => parseRange(text, { now: NOW, timeZone: 'UTC' })).not.toThrow();
  });

  it('refuses an unknown time zone', () => {
    expect(error('today', 'Mars/Olympus').message).toMatch(
      /^`Mars\/Olympus` is not a known time zone: use an IANA name such as `Europe\/Paris`\./,
    );
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
  });
});
