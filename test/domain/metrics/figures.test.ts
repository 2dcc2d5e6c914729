import type { Analytics } from '../../../src/analytics/types';
import {
  computeMetrics,
  DIMENSIONS,
  type Figures,
  type MetricsQuery,
  type MetricsResult,
  NONE,
  validateFilters,
} from '../../../src/domain/metrics/figures';
import { parseRange } from '../../../src/domain/metrics/range';
import { AppError } from '../../../src/errors';
import type { PrismaClient } from '../../../src/generated/prisma/client';
import { openTestAnalytics } from '../../support/analytics';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { facts } from '../../support/facts';

// "Now" is Tuesday 2026-03-31, 14:00 in Paris. March 2026 in Paris is [02-28T23:00Z, 03-31T22:00Z):
// UTC+1 until Sunday 29 March, when clocks jump from 02:00 to 03:00 (a 23-hour day), UTC+2 after.
const TZ = 'Europe/Paris';
const NOW = new Date('2026-03-31T12:00:00Z');
const range = (text: string) => parseRange(text, { now: NOW, timeZone: TZ });
const MIN = 60_000;
const at = (iso: string) => new Date(iso);

let t: TestDatabase;
let db: PrismaClient;
let analytics: Analytics;
const metrics = (q: Partial<MetricsQuery> & { range: MetricsQuery['range'] }) => computeMetrics({ db, analytics }, { filters: {}, ...q });

/*
 * The data set. Vendors acme (queue acme_q), bolt (bolt_q) and default (the bootstrap queue); every
 * SLA here is 24/7: first action due 60 min after opening, resolution 240 min after.
 *
 * case  queue    opened (UTC)        first report → surface/type/category            first action       resolved
 * C1    acme     03-10 09:00         r1 claude_ai/harmful_content/hate_speech         09:30 (30 m, met)  10:30 (met)
 * C2    bolt     02-28 22:00         r3 mobile/illegal_content/fraud                  22:59:59.999 (out) 23:00:00.000 (met; = Mar 1 00:00 local)
 * C3    acme     03-31 20:00         r4 claude_code/copyright/ip_infringement         21:59:59.999 (1h59m59.999s, missed)  22:00:00 (out: Apr 1 local)
 * C4    default  03-29 00:30 (01:30)  r5 claude_ai/privacy/privacy_violation          01:10 = 03:10 CEST (40 m real, met)  21:59:59.999 (missed)
 * C5    bolt     03-30 10:00         r6 mcp_apps/mcp_server/malware (surface added the day before)  10:20 (20 m, met)  15:00 (missed)
 * C6    acme     03-20 10:00         r7 api/harmful_content/harassment                —                  —
 * C7    default  03-05 10:00         no report                                        10:05 (5 m, met)   10:05 (met)
 *
 * More reports: r2 api/harmful_content/harassment on C1 (03-10 12:00: C1 stays claude_ai), r8 claude_ai/other/no
 * category with no case (03-15), r9 mobile/privacy/privacy_violation on C4 at 03-29 22:00 (= Mar 30 00:00 CEST).
 *
 * decision  case  decided (UTC)            action              policy             automated
 * d1        C1    03-10 10:30              content_removed     hate_speech        no
 * d2        C1    03-12 08:00              account_warned      hate_speech        no
 * d3        C2    02-28 22:59:59.999 (out) account_warned      fraud              no
 * d4        C2    02-28 23:00:00.000       content_removed     fraud              yes
 * d5        C3    03-31 21:59:59.999       content_removed     ip_infringement    yes
 * d6        C3    03-31 22:00:00 (out)     no_violation        ip_infringement    no
 * d7        C4    03-29 21:59:59.999       content_removed     privacy_violation  no
 * d8        C5    03-30 15:00              account_banned      malware            yes
 * d9        C7    03-05 10:05              account_suspended   spam               no
 * d10       C4    03-30 08:00              no_violation        privacy_violation  no
 *
 * Escalations: e1 C4 03-29 05:00, e2 C6 03-20 12:00, e3 C2 02-28 22:30 (out).
 * Appeals: a1 on d1 filed 03-15 overturned; a2 on d8 filed 03-31 09:00 pending; a3 on d4 filed 03-02 upheld;
 *          a4 on d5 filed 04-01 08:00 (out, upheld).
 * QA: q1 d1 03-11 agree; q2 d8 03-31 08:00 disagree; q3 d9 03-06 agree; q4 d9 03-28 22:59:59.999 (Mar 28 local) agree.
 */
async function load(): Promise<void> {
  const f = facts(db);
  const calendar = await db.businessCalendar.findUniqueOrThrow({ where: { key: 'always_open' } });
  for (const key of ['acme', 'bolt']) await f.vendorQueue(key, { firstActionMinutes: 60, resolutionMinutes: 240, calendarId: calendar.id });
  await db.surface.create({ data: { key: 'mcp_apps', name: 'MCP Apps', createdAt: at('2026-03-30T09:00:00Z') } });

  const openCase = (name: string, queue: string, opened: string, firstAction: string | null, resolved: string | null) =>
    f.openCase(name, opened, {
      queue,
      firstAction,
      resolved,
      // Whatever the scan last recorded: the figures must not depend on it.
      firstActionState: firstAction ? 'met' : 'ok',
      resolutionState: resolved ? 'missed' : 'breached',
    });
  await openCase('C1', 'acme', '2026-03-10T09:00:00Z', '2026-03-10T09:30:00Z', '2026-03-10T10:30:00Z');
  await openCase('C2', 'bolt', '2026-02-28T22:00:00Z', '2026-02-28T22:59:59.999Z', '2026-02-28T23:00:00.000Z');
  await openCase('C3', 'acme', '2026-03-31T20:00:00Z', '2026-03-31T21:59:59.999Z', '2026-03-31T22:00:00.000Z');
  await openCase('C4', 'default', '2026-03-29T00:30:00Z', '2026-03-29T01:10:00Z', '2026-03-29T21:59:59.999Z');
  await openCase('C5', 'bolt', '2026-03-30T10:00:00Z', '2026-03-30T10:20:00Z', '2026-03-30T15:00:00Z');
  await openCase('C6', 'acme', '2026-03-20T10:00:00Z', null, null);
  await openCase('C7', 'default', '2026-03-05T10:00:00Z', '2026-03-05T10:05:00Z', '2026-03-05T10:05:00Z');

  // r2 is inserted before r1 so that "first" has to come from received_at, not from the id.
  await f.report('r2', 'C1', '2026-03-10T12:00:00Z', { surface: 'api', type: 'harmful_content', category: 'harassment' });
  await f.report('r1', 'C1', '2026-03-10T09:00:00Z', { surface: 'claude_ai', type: 'harmful_content', category: 'hate_speech' });
  await f.report('r3', 'C2', '2026-02-28T22:00:00Z', { surface: 'mobile', type: 'illegal_content', category: 'fraud' });
  await f.report('r4', 'C3', '2026-03-31T20:00:00Z', { surface: 'claude_code', type: 'copyright', category: 'ip_infringement' });
  await f.report('r5', 'C4', '2026-03-29T00:30:00Z', { surface: 'claude_ai', type: 'privacy', category: 'privacy_violation' });
  await f.report('r6', 'C5', '2026-03-30T10:00:00Z', { surface: 'mcp_apps', type: 'mcp_server', category: 'malware' });
  await f.report('r7', 'C6', '2026-03-20T10:00:00Z', { surface: 'api', type: 'harmful_content', category: 'harassment' });
  await f.report('r8', null, '2026-03-15T12:00:00Z', { surface: 'claude_ai', type: 'other', category: null });
  await f.report('r9', 'C4', '2026-03-29T22:00:00Z', { surface: 'mobile', type: 'privacy', category: 'privacy_violation' });

  await f.decide('d1', 'C1', '2026-03-10T10:30:00Z', 'content_removed', 'hate_speech', false);
  await f.decide('d2', 'C1', '2026-03-12T08:00:00Z', 'account_warned', 'hate_speech', false);
  // d4 before d3: C2's first decision must come from decided_at, not from the id.
  await f.decide('d4', 'C2', '2026-02-28T23:00:00.000Z', 'content_removed', 'fraud', true);
  await f.decide('d3', 'C2', '2026-02-28T22:59:59.999Z', 'account_warned', 'fraud', false);
  await f.decide('d5', 'C3', '2026-03-31T21:59:59.999Z', 'content_removed', 'ip_infringement', true);
  await f.decide('d6', 'C3', '2026-03-31T22:00:00.000Z', 'no_violation', 'ip_infringement', false);
  await f.decide('d7', 'C4', '2026-03-29T21:59:59.999Z', 'content_removed', 'privacy_violation', false);
  await f.decide('d8', 'C5', '2026-03-30T15:00:00Z', 'account_banned', 'malware', true);
  await f.decide('d9', 'C7', '2026-03-05T10:05:00Z', 'account_suspended', 'spam', false);
  await f.decide('d10', 'C4', '2026-03-30T08:00:00Z', 'no_violation', 'privacy_violation', false);

  await f.escalate('C4', '2026-03-29T05:00:00Z');
  await f.escalate('C6', '2026-03-20T12:00:00Z');
  await f.escalate('C2', '2026-02-28T22:30:00Z');

  await f.appeal('d1', '2026-03-15T10:00:00Z', 'overturned', '2026-03-17T10:00:00Z');
  await f.appeal('d8', '2026-03-31T09:00:00Z', 'pending', null);
  await f.appeal('d4', '2026-03-02T10:00:00Z', 'upheld', '2026-03-05T10:00:00Z');
  await f.appeal('d5', '2026-04-01T08:00:00Z', 'upheld', '2026-04-01T09:00:00Z');

  await f.qa('d1', '2026-03-11T10:00:00Z', 'agree');
  await f.qa('d8', '2026-03-31T08:00:00Z', 'disagree');
  await f.qa('d9', '2026-03-06T10:00:00Z', 'agree');
  await f.qa('d9', '2026-03-28T22:59:59.999Z', 'agree');
}

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.prisma;
  await load();
  analytics = await openTestAnalytics(t);
}, 60_000);
afterAll(async () => {
  await analytics?.close();
  await t?.drop();
});

/** Figures with every count zero and every rate null, overridden where a test expects something. */
const ZERO: Figures = {
  reportsReceived: 0,
  decisions: 0,
  casesDecided: 0,
  actionsByType: {},
  actionRate: null,
  timeToAction: { medianMs: null, p90Ms: null, n: 0 },
  firstActionSla: { met: 0, total: 0, rate: null },
  resolutionSla: { met: 0, total: 0, rate: null },
  escalations: 0,
  appeals: { filed: 0, resolved: 0, overturned: 0, overturnRate: null },
  automated: { automated: 0, human: 0, share: null },
  qa: { reviewed: 0, agree: 0, accuracy: null },
};

/** Every figure that is a count: these must add up across groups. */
function additive(f: Figures): Record<string, number> {
  return {
    reportsReceived: f.reportsReceived,
    decisions: f.decisions,
    casesDecided: f.casesDecided,
    ...Object.fromEntries(Object.entries(f.actionsByType).map(([a, n]) => [`action:${a}`, n])),
    ttaN: f.timeToAction.n,
    faMet: f.firstActionSla.met,
    faTotal: f.firstActionSla.total,
    resMet: f.resolutionSla.met,
    resTotal: f.resolutionSla.total,
    escalations: f.escalations,
    appealsFiled: f.appeals.filed,
    appealsResolved: f.appeals.resolved,
    appealsOverturned: f.appeals.overturned,
    automated: f.automated.automated,
    human: f.automated.human,
    qaReviewed: f.qa.reviewed,
    qaAgree: f.qa.agree,
  };
}
function sum(figures: Figures[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of figures) for (const [k, v] of Object.entries(additive(f))) out[k] = (out[k] ?? 0) + v;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== 0));
}
const nonZero = (f: Figures) => Object.fromEntries(Object.entries(additive(f)).filter(([, v]) => v !== 0));
/** Per group, the first `columns` of: reports, decisions, cases decided, time-to-action n, escalations, appeals filed, QA reviewed. */
const countsByGroup = (r: MetricsResult, columns = 7) =>
  Object.fromEntries(
    r.groups!.map(({ key, figures: f }) => [
      key,
      [f.reportsReceived, f.decisions, f.casesDecided, f.timeToAction.n, f.escalations, f.appeals.filed, f.qa.reviewed].slice(0, columns),
    ]),
  );
const hasNaN = (v: unknown): boolean =>
  typeof v === 'number' ? Number.isNaN(v) : typeof v === 'object' && v !== null ? Object.values(v).some(hasNaN) : false;

describe('figures for March 2026 in Paris', () => {
  it('counts every figure as computed by hand', async () => {
    const r = await metrics({ range: range('2026-03') });
    expect(r.groups).toBeUndefined();
    expect(r.total).toEqual({
      // r1 r2 r4 r5 r6 r7 r8 r9 (r3 is Feb 28, 23:00 local)
      reportsReceived: 8,
      // d1 d2 d4 d5 d7 d8 d9 d10 (d3 is 23:59:59.999 on Feb 28, d6 00:00 on Apr 1)
      decisions: 8,
      // resolved in range: C1 C2 C4 C5 C7 (C3 resolved at 00:00 Apr 1)
      casesDecided: 5,
      actionsByType: { account_banned: 1, account_suspended: 1, account_warned: 1, content_removed: 4, no_violation: 1 },
      // 7 of 8 are not no_violation
      actionRate: 7 / 8,
      // C7 5 m, C5 20 m, C1 30 m, C4 40 m (across the DST jump), C3 1h59m59.999s:
      // median = the 3rd = 1 800 000; p90 at rank 0.9 × 4 = 3.6 = 2 400 000 + 0.6 × (7 199 999 − 2 400 000)
      timeToAction: { medianMs: 1_800_000, p90Ms: 5_279_999.4, n: 5 },
      // all but C3
      firstActionSla: { met: 4, total: 5, rate: 0.8 },
      // C1 C2 C7 met; C4 and C5 late
      resolutionSla: { met: 3, total: 5, rate: 0.6 },
      // e1 e2
      escalations: 2,
      // a1 a2 a3 filed; a1 overturned, a3 upheld, a2 pending
      appeals: { filed: 3, resolved: 2, overturned: 1, overturnRate: 0.5 },
      // d4 d5 d8
      automated: { automated: 3, human: 5, share: 3 / 8 },
      // q1 q2 q3 q4; q2 disagrees
      qa: { reviewed: 4, agree: 3, accuracy: 0.75 },
    });
  });

  it('includes 00:00:00.000 local on the first day and 23:59:59.999 on the last, and nothing a millisecond outside', async () => {
    // Feb 28 local: r3, d3, C2's first action (22:59:59.999Z), e3 — but not d4 or C2's resolution (23:00Z = Mar 1).
    const feb28 = await metrics({ range: range('2026-02-28') });
    expect(nonZero(feb28.total)).toEqual({
      reportsReceived: 1,
      decisions: 1,
      'action:account_warned': 1,
      human: 1,
      ttaN: 1,
      faMet: 1,
      faTotal: 1,
      escalations: 1,
    });
    expect(feb28.total.timeToAction).toEqual({ medianMs: 59 * MIN + 59_999, p90Ms: 59 * MIN + 59_999, n: 1 });

    // Mar 1 local: d4 at 00:00:00.000 and C2's resolution.
    const mar1 = await metrics({ range: range('2026-03-01') });
    expect(nonZero(mar1.total)).toEqual({
      decisions: 1,
      'action:content_removed': 1,
      automated: 1,
      casesDecided: 1,
      resMet: 1,
      resTotal: 1,
    });

    // Mar 31 local (CEST): r4, d5 and C3's first action at 23:59:59.999, q2, a2 — not d6 or C3's resolution at 00:00 Apr 1.
    const mar31 = await metrics({ range: range('2026-03-31') });
    expect(nonZero(mar31.total)).toEqual({
      reportsReceived: 1,
      decisions: 1,
      'action:content_removed': 1,
      automated: 1,
      ttaN: 1,
      faTotal: 1,
      appealsFiled: 1,
      qaReviewed: 1,
    });
    expect(mar31.total.timeToAction.medianMs).toBe(2 * 60 * MIN - 1);
  });

  it('counts the 23-hour DST day from 00:00 CET to 24:00 CEST', async () => {
    const r = range('2026-03-29');
    expect([r.start.toISOString(), r.end.toISOString()]).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
    const day = await metrics({ range: r });
    // r5 (01:30 CET), C4's first action at 03:10 CEST — 40 minutes after opening, not the 1h40 the wall clock shows —,
    // e1, d7 and C4's resolution at 23:59:59.999 CEST. Not q4 (23:59:59.999 on the 28th) nor r9 (00:00 on the 30th).
    expect(nonZero(day.total)).toEqual({
      reportsReceived: 1,
      decisions: 1,
      'action:content_removed': 1,
      human: 1,
      casesDecided: 1,
      resTotal: 1,
      ttaN: 1,
      faMet: 1,
      faTotal: 1,
      escalations: 1,
    });
    expect(day.total.timeToAction).toEqual({ medianMs: 40 * MIN, p90Ms: 40 * MIN, n: 1 });

    const days = await metrics({ range: range('2026-03-28..2026-03-30'), by: 'day' });
    expect(days.groups!.map((g) => [g.key, nonZero(g.figures)])).toEqual([
      ['2026-03-28', { qaReviewed: 1, qaAgree: 1 }],
      ['2026-03-29', nonZero(day.total)],
      // r6 r9; d8 d10; C5 first action and resolution (late)
      [
        '2026-03-30',
        {
          reportsReceived: 2,
          decisions: 2,
          'action:account_banned': 1,
          'action:no_violation': 1,
          automated: 1,
          human: 1,
          casesDecided: 1,
          resTotal: 1,
          ttaN: 1,
          faMet: 1,
          faTotal: 1,
        },
      ],
    ]);
  });

  it('shows 0 and null, never NaN, for a range with nothing in it', async () => {
    const r = await metrics({ range: range('2025-06') });
    expect(r.total).toEqual(ZERO);
    const byDay = await metrics({ range: range('2025-06'), by: 'day' });
    expect(byDay.total).toEqual(ZERO);
    expect(byDay.groups).toHaveLength(30);
    expect(byDay.groups!.every((g) => JSON.stringify(g.figures) === JSON.stringify(ZERO))).toBe(true);
    const byPolicy = await metrics({ range: range('2025-06'), by: 'policy' });
    expect(byPolicy.groups).toEqual([]);
    expect(hasNaN([r, byDay, byPolicy])).toBe(false);
  });
});

describe('groups', () => {
  it.each(DIMENSIONS)('by:%s add up to the total, for every count', async (by) => {
    const r = await metrics({ range: range('2026-03'), by });
    expect(r.groups!.length).toBeGreaterThan(1);
    expect(sum(r.groups!.map((g) => g.figures))).toEqual(nonZero(r.total));
    expect(new Set(r.groups!.map((g) => g.key)).size).toBe(r.groups!.length);
    expect(hasNaN(r)).toBe(false);
  });

  it('by:surface puts a case under its first report’s surface, lists every surface, the one added yesterday too', async () => {
    const r = await metrics({ range: range('2026-03'), by: 'surface' });
    const rows = Object.fromEntries(r.groups!.map((g) => [g.key, nonZero(g.figures)]));
    expect(r.groups!.map((g) => g.key)).toEqual(['api', 'claude_ai', 'claude_code', 'mcp_apps', 'mcp_directory', 'mobile', NONE]);
    expect(rows).toEqual({
      // r2 r7; e2 (C6)
      api: { reportsReceived: 2, escalations: 1 },
      // r1 r5 r8; C1 (d1 d2) and C4 (d7 d10); q1 a1 e1
      claude_ai: {
        reportsReceived: 3,
        decisions: 4,
        'action:content_removed': 2,
        'action:account_warned': 1,
        'action:no_violation': 1,
        human: 4,
        casesDecided: 2,
        resMet: 1,
        resTotal: 2,
        ttaN: 2,
        faMet: 2,
        faTotal: 2,
        escalations: 1,
        appealsFiled: 1,
        appealsResolved: 1,
        appealsOverturned: 1,
        qaReviewed: 1,
        qaAgree: 1,
      },
      // r4; C3: d5, first action (late)
      claude_code: { reportsReceived: 1, decisions: 1, 'action:content_removed': 1, automated: 1, ttaN: 1, faTotal: 1 },
      // r6; C5: d8, first action, resolution (late), a2, q2
      mcp_apps: {
        reportsReceived: 1,
        decisions: 1,
        'action:account_banned': 1,
        automated: 1,
        casesDecided: 1,
        resTotal: 1,
        ttaN: 1,
        faMet: 1,
        faTotal: 1,
        appealsFiled: 1,
        qaReviewed: 1,
      },
      mcp_directory: {},
      // r9 (C4 stays claude_ai); C2: d4, resolution, a3
      mobile: {
        reportsReceived: 1,
        decisions: 1,
        'action:content_removed': 1,
        automated: 1,
        casesDecided: 1,
        resMet: 1,
        resTotal: 1,
        appealsFiled: 1,
        appealsResolved: 1,
      },
      // C7 has no report: d9, first action, resolution, q3 q4
      [NONE]: {
        decisions: 1,
        'action:account_suspended': 1,
        human: 1,
        casesDecided: 1,
        resMet: 1,
        resTotal: 1,
        ttaN: 1,
        faMet: 1,
        faTotal: 1,
        qaReviewed: 2,
        qaAgree: 2,
      },
    });
    // C1 30 m and C4 40 m: median 35 m, p90 = 30 m + 0.9 × 10 m
    expect(r.groups!.find((g) => g.key === 'claude_ai')!.figures.timeToAction).toEqual({ medianMs: 35 * MIN, p90Ms: 39 * MIN, n: 2 });
  });

  it('by:policy uses report categories for reports and cases, decision policies for decisions, appeals and QA', async () => {
    const r = await metrics({ range: range('2026-03'), by: 'policy' });
    expect(countsByGroup(r)).toEqual({
      //                 reports decisions decided tta esc appeals qa
      fraud: [0, 1, 1, 0, 0, 1, 0], // d4; C2; a3
      harassment: [2, 0, 0, 0, 1, 0, 0], // r2 r7; e2
      hate_speech: [1, 2, 1, 1, 0, 1, 1], // r1; d1 d2; C1; a1; q1
      ip_infringement: [1, 1, 0, 1, 0, 0, 0], // r4; d5; C3
      malware: [1, 1, 1, 1, 0, 1, 1], // r6; d8; C5; a2; q2
      privacy_violation: [2, 2, 1, 1, 1, 0, 0], // r5 r9; d7 d10; C4; e1
      spam: [0, 1, 0, 0, 0, 0, 2], // d9; q3 q4 (C7, with no report, has no category)
      [NONE]: [1, 0, 1, 1, 0, 0, 0], // r8 (no category); C7
    });
  });

  it('by:vendor follows the case’s queue; a report with no case has no vendor', async () => {
    const r = await metrics({ range: range('2026-03'), by: 'vendor' });
    expect(countsByGroup(r)).toEqual({
      acme: [4, 3, 1, 2, 1, 1, 1], // r1 r2 r4 r7; d1 d2 d5; C1; C1 C3; e2; a1; q1
      bolt: [1, 2, 2, 1, 0, 2, 1], // r6; d4 d8; C2 C5; C5; a2 a3; q2
      default: [2, 3, 2, 2, 1, 0, 2], // r5 r9; d7 d9 d10; C4 C7; C4 C7; e1; q3 q4
      [NONE]: [1, 0, 0, 0, 0, 0, 0], // r8
    });
  });

  it('by:action puts decisions under their action and everything else under the case’s first decision', async () => {
    const r = await metrics({ range: range('2026-03'), by: 'action' });
    expect(countsByGroup(r, 5)).toEqual({
      account_banned: [1, 1, 1, 1, 0], // r6; d8; C5; C5
      account_suspended: [0, 1, 1, 1, 0], // d9; C7; C7
      account_warned: [0, 1, 1, 0, 0], // d2; C2, whose first decision is d3 (Feb 28)
      content_removed: [5, 4, 2, 3, 1], // r1 r2 r4 r5 r9; d1 d4 d5 d7; C1 C4; C1 C3 C4; e1
      no_violation: [0, 1, 0, 0, 0], // d10
      [NONE]: [2, 0, 0, 0, 1], // r7 (C6, undecided) r8 (no case); e2
    });
  });

  it('by:week starts weeks on Monday, local: Sunday March 1 is in the week of February 23', async () => {
    const r = await metrics({ range: range('2026-03'), by: 'week' });
    expect(r.groups!.map((g) => [g.key, g.figures.decisions])).toEqual([
      ['2026-02-23', 1], // d4 at 00:00 on Sunday Mar 1
      ['2026-03-02', 1], // d9
      ['2026-03-09', 2], // d1 d2
      ['2026-03-16', 0],
      ['2026-03-23', 1], // d7
      ['2026-03-30', 3], // d5 d8 d10
    ]);
  });
});

describe('filters', () => {
  it.each(['surface', 'type', 'policy', 'vendor'] as const)(
    'a %s filter gives exactly the figures of the matching group when grouped by it',
    async (dim) => {
      const grouped = await metrics({ range: range('2026-03'), by: dim });
      for (const g of grouped.groups!.filter((x) => x.key !== NONE)) {
        const filtered = await metrics({ range: range('2026-03'), filters: { [dim]: g.key } });
        expect([g.key, filtered.total]).toEqual([g.key, g.figures]);
      }
    },
  );

  it('combine, and accept any case, answering with the canonical key', async () => {
    const r = await metrics({ range: range('2026-03'), filters: { vendor: 'ACME', surface: ' Claude_AI ' }, by: 'type' });
    expect(r.query.filters).toEqual({ vendor: 'acme', surface: 'claude_ai' });
    // acme ∩ claude_ai: r1 (r8 has no vendor, r5 is default's); C1 with d1 d2, a1, q1
    expect(nonZero(r.total)).toEqual({
      reportsReceived: 1,
      decisions: 2,
      'action:content_removed': 1,
      'action:account_warned': 1,
      human: 2,
      casesDecided: 1,
      resMet: 1,
      resTotal: 1,
      ttaN: 1,
      faMet: 1,
      faTotal: 1,
      appealsFiled: 1,
      appealsResolved: 1,
      appealsOverturned: 1,
      qaReviewed: 1,
      qaAgree: 1,
    });
  });

  it('accept a surface added yesterday', async () => {
    expect(await validateFilters({ db }, { surface: 'mcp_apps' })).toEqual({ surface: 'mcp_apps' });
    const r = await metrics({ range: range('yesterday'), filters: { surface: 'mcp_apps' } });
    // r6, C5's first action and resolution, d8
    expect([r.total.reportsReceived, r.total.decisions, r.total.casesDecided, r.total.timeToAction.medianMs]).toEqual([1, 1, 1, 20 * MIN]);
  });

  it('reject unknown values with one message listing the valid ones for each', async () => {
    const err = await validateFilters({ db }, { surface: 'tiktok', type: 'harmful_content', policy: 'nudity', vendor: 'nope' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('bad_input');
    expect((err as AppError).message).toBe(
      [
        'Unknown surface `tiktok`. Valid surfaces: `api`, `claude_ai`, `claude_code`, `mcp_apps`, `mcp_directory`, `mobile`.',
        'Unknown policy `nudity`. Valid policies: `fraud`, `harassment`, `hate_speech`, `ip_infringement`, `malware`, `privacy_violation`, `spam`.',
        'Unknown vendor `nope`. Valid vendors: `acme`, `bolt`, `default`.',
      ].join('\n'),
    );
    expect((err as AppError).example).toMatch(/^\/trustops metrics /);
    await expect(metrics({ range: range('2026-03'), filters: { type: 'spam' } })).rejects.toThrow(
      'Unknown type `spam`. Valid report types: `copyright`, `harmful_content`, `illegal_content`, `impersonation`, `mcp_server`, `other`, `privacy`.',
    );
  });
});
