import { LATE_AFTER_MS, latestDue, MAX_MISSED_DAYS, planDigest } from '../../../src/domain/digests/schedule';

const at = (iso: string) => new Date(iso);

describe('latestDue: the latest local day whose digest time has come', () => {
  it('is yesterday once the local time has passed, the day before until then', () => {
    // 09:00 in New York on 2026-12-02 is 14:00 UTC.
    expect(latestDue(at('2026-12-02T14:00:00Z'), 'America/New_York', '09:00')).toEqual({
      date: '2026-12-01',
      scheduledAt: at('2026-12-02T14:00:00Z'),
    });
    expect(latestDue(at('2026-12-02T13:59:59Z'), 'America/New_York', '09:00')).toEqual({
      date: '2026-11-30',
      scheduledAt: at('2026-12-01T14:00:00Z'),
    });
  });

  it('takes a vendor whose day is already "today" in UTC: Kiritimati (UTC+14) at 12:00 UTC on Dec 2 is 02:00 on Dec 3', () => {
    expect(latestDue(at('2026-12-02T12:00:00Z'), 'Pacific/Kiritimati', '01:30')).toEqual({
      date: '2026-12-02',
      scheduledAt: at('2026-12-02T11:30:00Z'),
    });
  });

  it('sends at the first instant after a time the clocks skip (02:30 on the spring-forward day in New York)', () => {
    // 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00 UTC); 02:30 does not exist.
    expect(latestDue(at('2026-03-08T07:00:00Z'), 'America/New_York', '02:30')).toEqual({
      date: '2026-03-07',
      scheduledAt: at('2026-03-08T07:00:00Z'),
    });
    expect(latestDue(at('2026-03-08T06:59:59Z'), 'America/New_York', '02:30').date).toBe('2026-03-06');
  });

  it('sends once on the fall-back day, at the first of the two 01:30s', () => {
    // 2026-11-01: 01:30 EDT is 05:30 UTC, then 01:30 EST is 06:30 UTC.
    expect(latestDue(at('2026-11-01T05:30:00Z'), 'America/New_York', '01:30')).toEqual({
      date: '2026-10-31',
      scheduledAt: at('2026-11-01T05:30:00Z'),
    });
    expect(latestDue(at('2026-11-01T06:30:00Z'), 'America/New_York', '01:30').date).toBe('2026-10-31');
  });
});

describe('planDigest: what to send, given the last day in the ledger', () => {
  const NOW = at('2026-12-02T14:05:00Z');

  it('sends the latest day on time, and nothing once it is in the ledger', () => {
    expect(planDigest(NOW, 'America/New_York', '09:00', '2026-11-30')).toEqual({
      date: '2026-12-01',
      scheduledAt: at('2026-12-02T14:00:00Z'),
      late: false,
      missed: [],
    });
    expect(planDigest(NOW, 'America/New_York', '09:00', '2026-12-01')).toBeNull();
  });

  it('starts a vendor with no ledger at its latest day, listing nothing before it', () => {
    expect(planDigest(NOW, 'UTC', '09:00', null)).toMatchObject({ date: '2026-12-01', missed: [] });
  });

  it(`is late when sent more than ${LATE_AFTER_MS / 60_000} minutes after its time`, () => {
    expect(planDigest(at('2026-12-02T14:15:00Z'), 'America/New_York', '09:00', '2026-11-30')?.late).toBe(false);
    expect(planDigest(at('2026-12-02T14:15:01Z'), 'America/New_York', '09:00', '2026-11-30')?.late).toBe(true);
  });

  it('after two days down sends the latest day, late, and lists the day before it as missed', () => {
    // Last sent: Nov 29 (at 09:00 on Nov 30). Down from then until Dec 2, 14:05 UTC.
    expect(planDigest(NOW, 'America/New_York', '09:00', '2026-11-29')).toEqual({
      date: '2026-12-01',
      scheduledAt: at('2026-12-02T14:00:00Z'),
      late: true,
      missed: ['2026-11-30'],
    });
  });

  it(`lists at most ${MAX_MISSED_DAYS} missed days after a long outage, the latest ones`, () => {
    const plan = planDigest(NOW, 'UTC', '09:00', '2025-01-01')!;
    expect(plan.missed).toHaveLength(MAX_MISSED_DAYS);
    expect(plan.missed.at(-1)).toBe('2026-11-30');
  });
});
