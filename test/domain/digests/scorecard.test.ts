import { fixedClock } from '../../../src/clock';
import { periodOfRange, previousLocalDate, type Scorecard, scorecards, vendorScorecard } from '../../../src/domain/digests/scorecard';
import { parseRange } from '../../../src/domain/metrics/range';
import type { PrismaClient } from '../../../src/generated/prisma/client';
import { openTestAnalytics, type TestAnalytics } from '../../support/analytics';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { facts } from '../../support/facts';

// Vendor "nyc" works in America/New_York. Its day under test is Sunday 2026-11-01, the day the clocks
// fall back: EDT (−4) until 06:00Z, EST (−5) after, so the local day is the 25 hours
// [2026-11-01T04:00Z, 2026-11-02T05:00Z). Facts in its last hour (04:00–05:00Z on the 2nd) are on the
// 1st; a converter that kept −4 would put them on the 2nd. Every case: first action due 60 min after
// opening, resolution 240 min (test/support/facts.ts).
//
// Vendor "akl" works in Pacific/Auckland (+13 in December): its 2026-12-01 is
// [2026-11-30T11:00Z, 2026-12-01T11:00Z), already "today" in UTC when its digest runs at 09:00 on the 2nd
// (2026-12-01T20:00Z). Its 2026-09-27 is the 23-hour spring-forward day [2026-09-26T12:00Z, 2026-09-27T11:00Z).
//
// Vendor "oth" (same zone as nyc) has facts on the same day: none may show in nyc's figures.
const NY = 'America/New_York';

let t: TestDatabase;
let db: PrismaClient;
let analytics: TestAnalytics;
let f: ReturnType<typeof facts>;
let q1: number;

const MIN = 60_000;
const HOUR = 60 * MIN;

async function qa(decision: string, reviewed: string, outcome: 'agree' | 'disagree', correctAction?: string, category?: string) {
  await db.qaReview.create({
    data: {
      decisionId: f.ids[decision]!,
      outcome,
      correctAction: correctAction ?? null,
      errorCategory: category ?? null,
      errorSeverity: outcome === 'disagree' ? 'minor' : null,
      reviewedAt: new Date(reviewed),
    },
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.prisma;
  f = facts(db);
  const calendar = await db.businessCalendar.findUniqueOrThrow({ where: { key: 'always_open' } });
  const sla = { firstActionMinutes: 60, resolutionMinutes: 240, calendarId: calendar.id };
  for (const key of ['nyc', 'oth', 'akl']) await f.vendorQueue(key, sla);
  await db.vendor.update({ where: { key: 'nyc' }, data: { timezone: NY } });
  await db.vendor.update({ where: { key: 'oth' }, data: { timezone: NY } });
  await db.vendor.update({ where: { key: 'akl' }, data: { timezone: 'Pacific/Auckland' } });
  // nyc's second queue, with no minutes-per-case setting.
  const nyc = await db.vendor.findUniqueOrThrow({ where: { key: 'nyc' } });
  const second = await db.queue.create({ data: { key: 'nyc_q2', name: 'nyc 2', vendorId: nyc.id } });
  await db.slaPolicy.create({ data: { queueId: second.id, ...sla, effectiveFrom: new Date('2020-01-01T00:00:00Z') } });
  q1 = (await db.queue.findUniqueOrThrow({ where: { key: 'nyc_q' } })).id;

  // Baseline: 14 cases opened and decided on Oct 28 (all met) → 2 cases decided per day over Oct 25–31.
  for (let i = 0; i < 14; i++) {
    await f.openCase(`base${i}`, '2026-10-28T12:00:00Z', {
      queue: 'nyc',
      firstAction: '2026-10-28T12:30:00Z',
      resolved: '2026-10-28T13:00:00Z',
    });
    await f.decide(`dbase${i}`, `base${i}`, '2026-10-28T13:00:00Z', 'content_removed', 'harm', false);
  }
  // G: opened Oct 20 on the second queue, never acted on: the oldest case and the oldest open breach.
  await f.openCase('G', '2026-10-20T12:00:00Z', { queue: 'nyc_q2' });
  // F: opened Oct 30, open (Oct 30: intake 1 > throughput 0).
  await f.openCase('F', '2026-10-30T16:00:00Z', { queue: 'nyc' });
  // E: opened 23:59 EDT Oct 31, open; both its targets fall due on Nov 1 unmet (2 breaches that day).
  await f.openCase('E', '2026-11-01T03:59:00Z', { queue: 'nyc' });
  await f.report('rE', 'E', '2026-11-01T03:59:00Z');
  // I: opened Oct 31 (Oct 31: intake 2 > throughput 0), acted on in time, resolved in Nov 1's 25th hour, late.
  await f.openCase('I', '2026-10-31T12:00:00Z', { queue: 'nyc', firstAction: '2026-10-31T12:30:00Z', resolved: '2026-11-02T04:45:00Z' });
  await f.decide('dI', 'I', '2026-11-02T04:45:00Z', 'content_removed', 'harm', false);

  // Nov 1.
  await f.openCase('A', '2026-11-01T05:00:00Z', { queue: 'nyc', firstAction: '2026-11-01T05:30:00Z', resolved: '2026-11-01T08:00:00Z' });
  await f.report('rA', 'A', '2026-11-01T04:55:00Z');
  await f.report('rA2', 'A', '2026-11-02T05:00:00Z'); // the first instant of Nov 2: not Nov 1
  await f.decide('dA', 'A', '2026-11-01T08:00:00Z', 'content_removed', 'harm', false);
  // B: first action 30 min late, resolution an hour late: 2 breaches.
  await f.openCase('B', '2026-11-01T10:00:00Z', { queue: 'nyc', firstAction: '2026-11-01T11:30:00Z', resolved: '2026-11-01T15:00:00Z' });
  await f.report('rB', 'B', '2026-11-01T10:00:00Z');
  await f.decide('dB', 'B', '2026-11-01T15:00:00Z', 'no_violation', 'harm', false);
  // C: opened at 23:30 EST, half an hour before the day ends: open, nothing due yet.
  await f.openCase('C', '2026-11-02T04:30:00Z', { queue: 'nyc' });
  await f.report('rC', 'C', '2026-11-02T04:30:00Z');
  // H: acted on in time, then closed without a decision before its resolution was due: no breach.
  await f.openCase('H', '2026-11-01T20:00:00Z', { queue: 'nyc', firstAction: '2026-11-01T20:10:00Z', status: 'closed' });
  await db.case.update({ where: { id: f.ids.H! }, data: { closedAt: new Date('2026-11-01T21:00:00Z') } });
  await f.report('rH', 'H', '2026-11-01T20:00:00Z');
  // J: acted on in time, resolved only on Nov 2 (after its 16:00Z due time): 1 breach, open at the end of Nov 1.
  await f.openCase('J', '2026-11-01T12:00:00Z', { queue: 'nyc', firstAction: '2026-11-01T12:20:00Z', resolved: '2026-11-02T06:00:00Z' });
  await f.report('rJ', 'J', '2026-11-01T12:00:00Z');
  await f.decide('dJ', 'J', '2026-11-02T06:00:00Z', 'content_removed', 'harm', false);

  // QA on Nov 1: 30 reviews of dA (content_removed): 27 agree, 2 say no action was warranted (false
  // positives), 1 says another action; 10 of dB (no_violation): 8 agree, 2 say an action was needed
  // (false negatives). One more review at the first instant of Nov 2.
  for (let i = 0; i < 27; i++) await qa('dA', '2026-11-01T18:00:00Z', 'agree');
  for (let i = 0; i < 2; i++) await qa('dA', '2026-11-01T18:00:00Z', 'disagree', 'no_violation', 'misread_context');
  await qa('dA', '2026-11-01T18:00:00Z', 'disagree', 'content_restricted', 'wrong_action');
  for (let i = 0; i < 8; i++) await qa('dB', '2026-11-02T04:50:00Z', 'agree');
  for (let i = 0; i < 2; i++) await qa('dB', '2026-11-02T04:50:00Z', 'disagree', 'content_removed', 'missed_violation');
  await qa('dB', '2026-11-02T05:00:00Z', 'disagree', 'content_removed', 'missed_violation');
  // Appeals resolved on Nov 1: one overturned, one upheld (in the 25th hour); one more resolved on Nov 2, one pending.
  await f.appeal('dA', '2026-11-01T09:00:00Z', 'overturned', '2026-11-01T10:00:00Z');
  await f.appeal('dB', '2026-11-01T16:00:00Z', 'upheld', '2026-11-02T04:59:00Z');
  await f.appeal('dA', '2026-11-01T09:00:00Z', 'overturned', '2026-11-02T05:00:00Z');
  await f.appeal('dB', '2026-11-01T17:00:00Z', 'pending');

  // The other vendor, same day: a report, a case decided, a review, an appeal, an open case.
  await f.openCase('O1', '2026-11-01T12:00:00Z', { queue: 'oth', firstAction: '2026-11-01T14:00:00Z', resolved: '2026-11-01T14:00:00Z' });
  await f.report('rO1', 'O1', '2026-11-01T12:00:00Z');
  await f.decide('dO1', 'O1', '2026-11-01T14:00:00Z', 'content_removed', 'harm', false);
  await qa('dO1', '2026-11-01T18:00:00Z', 'disagree', 'no_violation', 'other_vendor_error');
  await f.appeal('dO1', '2026-11-01T15:00:00Z', 'overturned', '2026-11-01T16:00:00Z');
  await f.openCase('O2', '2026-10-01T12:00:00Z', { queue: 'oth' });

  // Auckland.
  await f.openCase('K', '2026-11-30T11:00:00Z', { queue: 'akl', firstAction: '2026-11-30T11:30:00Z', resolved: '2026-11-30T11:30:00Z' });
  await f.openCase('L', '2026-11-30T10:59:00Z', { queue: 'akl' });
  await f.openCase('M', '2026-12-01T10:59:00Z', { queue: 'akl' });
  await f.openCase('N', '2026-12-01T11:00:00Z', { queue: 'akl' });
  await f.openCase('P', '2026-09-27T10:30:00Z', { queue: 'akl', firstAction: '2026-09-27T10:40:00Z', resolved: '2026-09-27T10:40:00Z' });
  await f.openCase('Q', '2026-09-27T11:30:00Z', { queue: 'akl', firstAction: '2026-09-27T11:40:00Z', resolved: '2026-09-27T11:40:00Z' });

  analytics = await openTestAnalytics(t);
}, 120_000);

afterAll(async () => {
  await analytics?.close();
  await t?.drop();
});

const deps = (now: string) => ({ clock: fixedClock(now), analytics });
const nycDay = (now = '2026-11-02T14:00:00Z') =>
  vendorScorecard(deps(now), 'nyc', { from: '2026-11-01', to: '2026-11-01', minutesPerCase: new Map([[q1, 30]]) });

describe('a vendor-day scorecard, computed by hand (nyc, 2026-11-01, a 25-hour day)', () => {
  let card: Scorecard;
  beforeAll(async () => {
    card = await nycDay();
  });

  it('covers the 25 hours of the local day the clocks fell back', () => {
    expect(card.period.start).toEqual(new Date('2026-11-01T04:00:00Z'));
    expect(card.period.end).toEqual(new Date('2026-11-02T05:00:00Z'));
    expect(card.period.end.getTime() - card.period.start.getTime()).toBe(25 * HOUR);
    expect(card.period.asOf).toEqual(card.period.end);
    expect(card.vendor).toMatchObject({ key: 'nyc', timeZone: NY });
  });

  it('counts reports (rA, rB, rC, rH, rJ), decisions (dA, dB, dI) and cases opened (A, B, C, H, J)', () => {
    expect(card.reportsReceived).toBe(5);
    expect(card.decisions).toBe(3);
    expect(card.casesOpened).toBe(5);
    expect(card.quiet).toBe(false);
  });

  it('measures SLA attainment against target and counts the breaches of the day', () => {
    // First actions on Nov 1: A, H, J in time; B late → 3 of 4. Resolutions: A in time; B and I late → 1 of 3.
    expect(card.sla.firstAction).toEqual({ met: 3, missed: 1, rate: 0.75, target: 0.95, belowTarget: true });
    expect(card.sla.resolution).toMatchObject({ met: 1, missed: 2, target: 0.9, belowTarget: true });
    expect(card.sla.resolution.rate).toBeCloseTo(1 / 3, 10);
    // Due on Nov 1 and not met: B ×2, E ×2, J ×1. H's resolution was due after it was closed.
    expect(card.sla.breaches).toBe(5);
    // Open at the end of the day past a due time: G, F, E, J; G was opened first, its first action due 13:00Z.
    expect(card.sla.oldestOpenBreach).toEqual({
      caseId: f.ids.G,
      openedAt: new Date('2026-10-20T12:00:00Z'),
      breachedAt: new Date('2026-10-20T13:00:00Z'),
    });
  });

  it('measures QA accuracy with its Wilson interval, false-positive and false-negative rates and top error categories', () => {
    // 40 reviews, 35 agree: 87.5 %, Wilson 95 % 0.7389–0.9454 (computed by the formula, rounded to 4 places).
    expect(card.qa.accuracy).toMatchObject({ k: 35, n: 40, rate: 0.875, enough: false });
    expect(card.qa.accuracy.interval!.lower).toBeCloseTo(0.7389, 4);
    expect(card.qa.accuracy.interval!.upper).toBeCloseTo(0.9454, 4);
    expect(card.qa.belowTarget).toBe(true);
    // False positives: 2 of the 30 reviewed decisions that took an action; false negatives: 2 of the 10 that took none.
    expect(card.qa.falsePositive).toMatchObject({ k: 2, n: 30 });
    expect(card.qa.falseNegative).toMatchObject({ k: 2, n: 10, enough: false });
    expect(card.qa.topErrors).toEqual([
      { category: 'misread_context', count: 2 },
      { category: 'missed_violation', count: 2 },
      { category: 'wrong_action', count: 1 },
    ]);
  });

  it('takes the appeal overturn rate over the appeals resolved that day', () => {
    expect(card.appeals.overturned).toMatchObject({ k: 1, n: 2, rate: 0.5 });
  });

  it('reconstructs the backlog at the end of the day by age, with the oldest case', () => {
    // Open at 2026-11-02T05:00Z: C (30 min), J (17 h), E (25 h 1 min), F (2 d 13 h), G (12 d 17 h).
    expect(card.backlog.total).toBe(5);
    expect(card.backlog.byAge).toEqual({ under4h: 1, from4to24h: 1, from1to3d: 2, over3d: 1 });
    expect(card.backlog.oldest).toEqual({ caseId: f.ids.G, openedAt: new Date('2026-10-20T12:00:00Z') });
  });

  it('compares throughput with the 7 days before, forecasts the days to clear, and sees the backlog growing', () => {
    // Decided on Nov 1: A, B, I. The 7 days before (Oct 25–31): 14, all on Oct 28 → 2 a day.
    expect(card.throughput).toEqual({ total: 3, perDay: 3, baselinePerDay: 2 });
    // 5 open ÷ 2 a day; 4 cases × 30 min on the first queue + 1 × 10 min (the default) on the second = 130 min.
    expect(card.capacity.pacePerDay).toBe(2);
    expect(card.capacity.daysToClear).toBe(2.5);
    expect(card.capacity.reviewerHours).toBeCloseTo(130 / 60, 10);
    // Intake over throughput: Oct 30 1 > 0, Oct 31 2 > 0, Nov 1 5 > 3.
    expect(card.capacity.growing).toBe(true);
  });

  it('gives the 30 local days ending on the day for the chart', () => {
    expect(card.series).toHaveLength(30);
    expect(card.series[0]!.date).toBe('2026-10-03');
    expect(card.series[29]).toMatchObject({ date: '2026-11-01', opened: 5, decided: 3, reports: 5, breaches: 5, qaReviewed: 40 });
    expect(card.series.find((d) => d.date === '2026-10-28')).toMatchObject({ opened: 14, decided: 14, firstActionMet: 14 });
    expect(card.series.find((d) => d.date === '2026-10-20')).toMatchObject({ opened: 1, breaches: 2 });
  });

  it('shows the same figures when sent late, after more happened', async () => {
    await f.decide('dC', 'C', '2026-11-02T08:00:00Z', 'content_removed', 'harm', false);
    await db.case.update({
      where: { id: f.ids.C! },
      data: { status: 'decided', firstActionAt: new Date('2026-11-02T08:00:00Z'), resolvedAt: new Date('2026-11-02T08:00:00Z') },
    });
    await qa('dC', '2026-11-02T09:00:00Z', 'agree');
    const late = await nycDay('2026-11-05T14:00:00Z');
    expect(late).toEqual(card);
  });
});

describe('vendor days in other zones', () => {
  it('takes the Auckland day that is already "today" in UTC when its digest runs', async () => {
    const now = new Date('2026-12-01T20:00:00Z'); // 09:00 on Dec 2 in Auckland
    expect(previousLocalDate(now, 'Pacific/Auckland')).toBe('2026-12-01');
    expect(now.toISOString().slice(0, 10)).toBe('2026-12-01');
    const card = await vendorScorecard(deps(now.toISOString()), 'akl', { from: '2026-12-01', to: '2026-12-01' });
    expect(card.period.start).toEqual(new Date('2026-11-30T11:00:00Z'));
    // Opened on Dec 1 local: K (at its first instant) and M (at 23:59); not L (Nov 30) nor N (Dec 2).
    expect(card.casesOpened).toBe(2);
    expect(card.throughput.total).toBe(1);
    // At the end of Dec 1: L (24 h 1 min old) and M (1 min).
    expect(card.backlog).toMatchObject({ total: 2, byAge: { under4h: 1, from4to24h: 0, from1to3d: 1, over3d: 0 } });
    expect(card.backlog.oldest!.caseId).toBe(f.ids.L);
  });

  it('takes the 23 hours of the Auckland day the clocks sprang forward', async () => {
    const card = await vendorScorecard(deps('2026-10-01T00:00:00Z'), 'akl', { from: '2026-09-27', to: '2026-09-27' });
    expect(card.period.end.getTime() - card.period.start.getTime()).toBe(23 * HOUR);
    // P at 23:30 NZDT on the 27th is in; Q at 00:30 on the 28th is not.
    expect(card.casesOpened).toBe(1);
    expect(card.throughput.total).toBe(1);
    expect(card.series.at(-1)).toMatchObject({ date: '2026-09-27', opened: 1, decided: 1 });
  });

  it('gives the figures as of now for a day that is not over', async () => {
    const card = await vendorScorecard(deps('2026-11-01T10:30:00Z'), 'nyc', { from: '2026-11-01', to: '2026-11-01' });
    expect(card.period.asOf).toEqual(new Date('2026-11-01T10:30:00Z'));
    // B's first action is due at 11:00Z: not a breach yet. E's two are.
    expect(card.sla.breaches).toBe(2);
    expect(card.backlog.total).toBe(5); // G, F, E, I, B (A was resolved at 08:00Z)
  });
});

describe('ranges and several vendors', () => {
  it('adds up the days of a range and paces the forecast on the range itself', async () => {
    const card = await vendorScorecard(deps('2026-11-10T00:00:00Z'), 'nyc', { from: '2026-10-28', to: '2026-11-01' });
    expect(card.period.days).toBe(5);
    // Decided: 14 on Oct 28, 3 on Nov 1.
    expect(card.throughput.total).toBe(17);
    expect(card.throughput.perDay).toBeCloseTo(17 / 5, 10);
    expect(card.capacity.pacePerDay).toBeCloseTo(17 / 5, 10);
    // Oct 21–27: nothing decided.
    expect(card.throughput.baselinePerDay).toBe(0);
    expect(card.sla.firstAction).toMatchObject({ met: 14 + 3 + 1, missed: 1 }); // + I's on Oct 31
    expect(card.series.at(-1)!.date).toBe('2026-11-01');
  });

  it('takes a range parsed as the metrics parse it, in the vendor zone', async () => {
    const now = new Date('2026-11-02T14:00:00Z');
    const period = periodOfRange(parseRange('last 7d', { now, timeZone: NY }));
    expect(period).toEqual({ from: '2026-10-27', to: '2026-11-02', timeZone: NY });
    expect(periodOfRange(parseRange('2026-11-01..2026-11-01', { now, timeZone: NY }))).toEqual({
      from: '2026-11-01',
      to: '2026-11-01',
      timeZone: NY,
    });
    const card = await vendorScorecard(deps(now.toISOString()), 'nyc', period);
    // Decided: 14 on Oct 28; A, B and I on Nov 1; J and C (decided by the test above) on Nov 2.
    expect(card.throughput.total).toBe(19);
    expect(card.period.asOf).toEqual(now);
  });

  it('keeps each vendor to its own facts, and every vendor in its own zone', async () => {
    const cards = await scorecards(deps('2026-11-10T00:00:00Z'), { from: '2026-11-01', to: '2026-11-01' });
    // The template database has a vendor "default" of its own.
    expect(cards.map((c) => c.vendor.key)).toEqual(['akl', 'default', 'nyc', 'oth']);
    const oth = cards[3]!;
    expect(oth).toMatchObject({ reportsReceived: 1, decisions: 1, casesOpened: 1 });
    expect(oth.qa.falsePositive).toMatchObject({ k: 1, n: 1 });
    expect(oth.appeals.overturned).toMatchObject({ k: 1, n: 1 });
    expect(oth.backlog.total).toBe(1);
    expect(cards[0]!.period.timeZone).toBe('Pacific/Auckland');
    expect(cards[0]!.quiet).toBe(true);
  });

  it('can put every vendor on one zone (the overview)', async () => {
    const cards = await scorecards(deps('2026-11-10T00:00:00Z'), { from: '2026-11-01', to: '2026-11-01', timeZone: 'UTC' });
    expect(cards.every((c) => c.period.timeZone === 'UTC')).toBe(true);
    // In UTC, Nov 1 is [00:00Z, 24:00Z): rA2/rC's late hours fall on Nov 2, rE (03:59Z) on Nov 1.
    expect(cards.find((c) => c.vendor.key === 'nyc')!.reportsReceived).toBe(5); // rE, rA, rB, rH, rJ
  });

  it('reads the same figures without the 30-day series (the overview draws no chart), over a shorter window', async () => {
    const input = { from: '2026-11-01', to: '2026-11-01', timeZone: 'UTC' };
    const full = await scorecards(deps('2026-11-10T00:00:00Z'), input);
    const short = await scorecards(deps('2026-11-10T00:00:00Z'), { ...input, series: false });
    expect(short.every((c) => c.series.length === 0)).toBe(true);
    expect(full.some((c) => c.series.length === 30)).toBe(true);
    expect(short).toEqual(full.map((c) => ({ ...c, series: [] })));
  });

  it('names the vendors there are when asked for one that is not', async () => {
    await expect(vendorScorecard(deps('2026-11-10T00:00:00Z'), 'nope', { from: '2026-11-01', to: '2026-11-01' })).rejects.toThrow(
      /No vendor `nope`\. Vendors: akl, default, nyc, oth\./,
    );
  });

  it('refuses a period that ends before it starts, or is longer than a year', async () => {
    const d = deps('2026-11-10T00:00:00Z');
    await expect(vendorScorecard(d, 'nyc', { from: '2026-11-02', to: '2026-11-01' })).rejects.toThrow(/ends .* before it starts/);
    await expect(vendorScorecard(d, 'nyc', { from: '2025-01-01', to: '2026-11-01' })).rejects.toThrow(/at most 366 days/);
    await expect(vendorScorecard(d, 'nyc', { from: '2026-02-30', to: '2026-03-01' })).rejects.toThrow(/YYYY-MM-DD/);
  });
});
