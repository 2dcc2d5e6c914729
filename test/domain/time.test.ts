import { localDate, startOfLocalDate, startOfLocalDay, zoneOffsetMs } from '../../src/domain/time';

describe('local days', () => {
  it.each([
    ['UTC', '2026-11-27', '2026-11-27T00:00:00.000Z'],
    ['Europe/Dublin', '2026-07-01', '2026-06-30T23:00:00.000Z'],
    ['America/New_York', '2026-03-08', '2026-03-08T05:00:00.000Z'], // the spring-forward day starts in EST
    ['America/New_York', '2026-03-09', '2026-03-09T04:00:00.000Z'],
    ['America/New_York', '2026-11-01', '2026-11-01T04:00:00.000Z'], // the fall-back day starts in EDT
    ['Asia/Manila', '2026-11-27', '2026-11-26T16:00:00.000Z'],
  ])('in %s, %s starts at %s', (tz, date, iso) => {
    expect(startOfLocalDate(date, tz).toISOString()).toBe(iso);
  });

  it('has 23 and 25 hours on DST days', () => {
    const hours = (tz: string, a: string, b: string) => (startOfLocalDate(b, tz).getTime() - startOfLocalDate(a, tz).getTime()) / 3600_000;
    expect(hours('Europe/Berlin', '2026-03-29', '2026-03-30')).toBe(23);
    expect(hours('Europe/Berlin', '2026-10-25', '2026-10-26')).toBe(25);
  });

  it('finds the local date and its start for an instant', () => {
    const at = new Date('2026-11-27T02:30:00Z');
    expect(localDate(at, 'America/Los_Angeles')).toBe('2026-11-26');
    expect(startOfLocalDay(at, 'America/Los_Angeles').toISOString()).toBe('2026-11-26T08:00:00.000Z');
    expect(zoneOffsetMs(at, 'Asia/Kolkata')).toBe(5.5 * 3600_000);
  });
});
