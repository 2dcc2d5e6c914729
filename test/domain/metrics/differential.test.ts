import fc from 'fast-check';
import type { Analytics } from '../../../src/analytics/types';
import {
  computeMetrics,
  DIMENSIONS,
  type Dimension,
  FILTER_DIMENSIONS,
  type MetricsFilters,
  type MetricsQuery,
  type MetricsResult,
} from '../../../src/domain/metrics/figures';
import { parseRange } from '../../../src/domain/metrics/range';
import type { PrismaClient } from '../../../src/generated/prisma/client';
import type { AppealOutcome, QaOutcome } from '../../../src/generated/prisma/enums';
import { openTestAnalytics } from '../../support/analytics';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { facts } from '../../support/facts';
import { oracleMetrics } from '../../support/metrics-oracle';

// The figures read from the analytics copy (DuckDB) must equal what the Postgres SQL of before the copy
// computes from the record (test/support/metrics-oracle.ts): identical counts, groups and keys; rates
// and percentiles equal to 1e-9. Data and look-ups are random but seeded (METRICS_SEED reproduces a
// failure), and lean on what breaks aggregates: facts on range edges and DST days, ties in decided_at,
// cases with several reports and decisions, reassigned cases, and facts written after the copy was built.

const SEED = Number(process.env.METRICS_SEED ?? 20261202);
const ZONES = ['UTC', 'Europe/Paris', 'America/Santiago', 'Asia/Kathmandu', 'America/New_York'] as const;
// Far enough ahead that no range is "in the future".
const NOW = new Date('2027-01-15T12:00:00Z');
const WINDOW_START = Date.parse('2026-02-20T00:00:00Z');
const WINDOW_END = Date.parse('2026-11-10T00:00:00Z');
const HOUR = 3_600_000;

/** Days that are short, long or start at 01:00 somewhere among ZONES, with their neighbours and some month edges. */
const EDGE_DAYS = [
  '2026-02-28',
  '2026-03-01',
  '2026-03-07',
  '2026-03-08', // New York springs forward
  '2026-03-28',
  '2026-03-29', // Paris springs forward
  '2026-03-31',
  '2026-04-01',
  '2026-04-04',
  '2026-04-05', // Santiago falls back (midnight happens twice)
  '2026-06-30',
  '2026-07-01',
  '2026-09-05',
  '2026-09-06', // Santiago springs forward at midnight: the day starts at 01:00
  '2026-10-25', // Paris falls back
  '2026-10-31',
  '2026-11-01', // New York falls back
];
const rangeOf = (text: string, timeZone: string) => parseRange(text, { now: NOW, timeZone });

/** Local midnights of every zone on the edge days, a millisecond either side, and the DST changes themselves. */
const EDGE_INSTANTS: number[] = [
  ...ZONES.flatMap((zone) =>
    EDGE_DAYS.flatMap((day) => {
      const { start, end } = rangeOf(day, zone);
      return [start.getTime() - 1, start.getTime(), start.getTime() + 1, end.getTime() - 1];
    }),
  ),
  Date.parse('2026-03-08T07:00:00Z'),
  Date.parse('2026-03-29T01:00:00Z'),
  Date.parse('2026-04-05T03:00:00Z'),
  Date.parse('2026-09-06T04:00:00Z'),
  Date.parse('2026-10-25T01:00:00Z'),
  Date.parse('2026-11-01T06:00:00Z'),
].filter((ms) => ms >= WINDOW_START && ms < WINDOW_END);

const instant = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_INSTANTS) },
  { weight: 3, arbitrary: fc.integer({ min: WINDOW_START, max: WINDOW_END - 1 }) },
);
const SURFACES = ['api', 'claude_ai', 'claude_code', 'mcp_directory', 'mobile'] as const;
const TYPES = ['copyright', 'harmful_content', 'illegal_content', 'privacy'] as const;
const POLICIES = ['fraud', 'harassment', 'hate_speech', 'malware', 'spam'] as const;
const ACTIONS = ['account_banned', 'account_warned', 'content_removed', 'no_violation'] as const;
const QUEUES = ['acme', 'bolt', 'default'] as const;
const APPEAL_OUTCOMES: AppealOutcome[] = ['pending', 'upheld', 'overturned'];
const QA_OUTCOMES: QaOutcome[] = ['agree', 'disagree'];
// Delays from opening: some within the 60-minute first-action target and the 240-minute resolution one, some past them.
const delay = fc.oneof(fc.constantFrom(0, 60 * 60_000, 60 * 60_000 + 1, 240 * 60_000), fc.integer({ min: 0, max: 10 * HOUR }));

const caseArb = fc.record({
  queue: fc.constantFrom(...QUEUES),
  opened: instant,
  firstAction: fc.option(delay, { freq: 3 }),
  resolution: fc.option(delay, { freq: 3 }),
});
const reportArb = fc.record({
  // Index into the cases (modulo their number); null: a report with no case.
  caseIndex: fc.option(fc.nat(), { freq: 8 }),
  // At the case's opening (so two reports of a case can tie), or anywhere.
  atOpening: fc.boolean(),
  received: instant,
  surface: fc.constantFrom(...SURFACES),
  type: fc.constantFrom(...TYPES),
  category: fc.option(fc.constantFrom(...POLICIES), { freq: 6 }),
});
const decisionArb = fc.record({
  caseIndex: fc.nat(),
  // At the same instant as an earlier decision of the case, so the first decision is decided by id.
  tie: fc.boolean(),
  decided: instant,
  action: fc.constantFrom(...ACTIONS),
  policy: fc.constantFrom(...POLICIES),
  automated: fc.boolean(),
});
const onDecision = <T>(outcomes: readonly T[]) =>
  fc.record({
    decisionIndex: fc.nat(),
    at: instant,
    outcome: fc.constantFrom(...outcomes),
    resolvedAfter: fc.integer({ min: 0, max: 48 * HOUR }),
  });
const batchArb = (n: number) =>
  fc.record({
    cases: fc.array(caseArb, { minLength: n, maxLength: n }),
    reports: fc.array(reportArb, { minLength: 2 * n, maxLength: 2 * n }),
    decisions: fc.array(decisionArb, { minLength: 2 * n, maxLength: 2 * n }),
    appeals: fc.array(onDecision(APPEAL_OUTCOMES), { minLength: n / 2, maxLength: n / 2 }),
    qa: fc.array(onDecision(QA_OUTCOMES), { minLength: n / 2, maxLength: n / 2 }),
    escalations: fc.array(fc.record({ caseIndex: fc.nat(), at: instant }), { minLength: n / 3, maxLength: n / 3 }),
  });
type Batch = ReturnType<typeof batchArb> extends fc.Arbitrary<infer T> ? T : never;
/** Changes to rows the copy already holds. */
const updatesArb = fc.record({
  reassign: fc.array(fc.record({ caseIndex: fc.nat(), queue: fc.constantFrom(...QUEUES) }), { minLength: 15, maxLength: 15 }),
  appealOutcomes: fc.array(fc.record({ appealIndex: fc.nat(), outcome: fc.constantFrom(...APPEAL_OUTCOMES) }), {
    minLength: 10,
    maxLength: 10,
  }),
  firstActions: fc.array(fc.record({ caseIndex: fc.nat(), after: delay }), { minLength: 10, maxLength: 10 }),
  deleteQa: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
});
const [initial, later, updates] = fc.sample(fc.tuple(batchArb(60), batchArb(30), updatesArb), { seed: SEED, numRuns: 1 })[0]!;

let t: TestDatabase;
let db: PrismaClient;
let analytics: Analytics;
let f: ReturnType<typeof facts>;
const cases: { name: string; opened: number }[] = [];
const decisionsOfCase = new Map<string, number[]>();
const decisions: string[] = [];
const appealIds: number[] = [];
let names = 0;

async function write(batch: Batch): Promise<void> {
  const iso = (ms: number) => new Date(ms).toISOString();
  for (const c of batch.cases) {
    const name = `C${names++}`;
    await f.openCase(name, iso(c.opened), {
      queue: c.queue,
      firstAction: c.firstAction === null ? null : iso(c.opened + c.firstAction),
      resolved: c.resolution === null ? null : iso(c.opened + c.resolution),
    });
    cases.push({ name, opened: c.opened });
  }
  // New facts land on the new cases and the older ones alike (an earlier report or decision changes a case's first).
  const caseAt = (i: number) => cases[i % cases.length]!;
  for (const r of batch.reports) {
    const c = r.caseIndex === null ? null : caseAt(r.caseIndex);
    await f.report(`R${names++}`, c?.name ?? null, iso(c && r.atOpening ? c.opened : r.received), {
      surface: r.surface,
      type: r.type,
      category: r.category,
    });
  }
  for (const d of batch.decisions) {
    const c = caseAt(d.caseIndex);
    const before = decisionsOfCase.get(c.name) ?? [];
    const decided = d.tie && before.length ? before[d.caseIndex % before.length]! : d.decided;
    const name = `D${names++}`;
    await f.decide(name, c.name, iso(decided), d.action, d.policy, d.automated);
    decisionsOfCase.set(c.name, [...before, decided]);
    decisions.push(name);
  }
  for (const a of batch.appeals) {
    await f.appeal(decisions[a.decisionIndex % decisions.length]!, iso(a.at), a.outcome, a.outcome === 'pending' ? null : a.resolvedAfter);
  }
  appealIds.push(...(await db.appeal.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((a) => a.id).slice(appealIds.length));
  for (const q of batch.qa) await f.qa(decisions[q.decisionIndex % decisions.length]!, iso(q.at), q.outcome);
  for (const e of batch.escalations) await f.escalate(caseAt(e.caseIndex).name, iso(e.at));
}

async function change(): Promise<void> {
  const queueIds = Object.fromEntries((await db.queue.findMany({ include: { vendor: true } })).map((q) => [q.vendor.key, q.id]));
  for (const r of updates.reassign) {
    await db.case.update({ where: { id: f.ids[cases[r.caseIndex % cases.length]!.name]! }, data: { queueId: queueIds[r.queue]! } });
  }
  for (const a of updates.appealOutcomes) {
    const id = appealIds[a.appealIndex % appealIds.length]!;
    await db.appeal.update({ where: { id }, data: { outcome: a.outcome, resolvedAt: a.outcome === 'pending' ? null : NOW } });
  }
  for (const u of updates.firstActions) {
    const c = cases[u.caseIndex % cases.length]!;
    await db.case.update({ where: { id: f.ids[c.name]! }, data: { firstActionAt: new Date(c.opened + u.after) } });
  }
  const qa = await db.qaReview.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
  await db.qaReview.deleteMany({ where: { id: { in: updates.deleteQa.map((i) => qa[i % qa.length]!.id) } } });
}

/** Every place two results differ: counts, keys and order exactly; other numbers to 1e-9. */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a === 'number' && typeof b === 'number') {
    const same = Number.isInteger(a) && Number.isInteger(b) ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
    return same ? [] : [`${path}: copy ${a}, oracle ${b}`];
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    if (JSON.stringify(Object.keys(a)) !== JSON.stringify(Object.keys(b)))
      return [`${path}: keys ${JSON.stringify(Object.keys(a))} in the copy, ${JSON.stringify(Object.keys(b))} in the oracle`];
    return keys.flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`));
  }
  return Object.is(a, b) ? [] : [`${path}: copy ${JSON.stringify(a)}, oracle ${JSON.stringify(b)}`];
}

const describeQuery = (q: MetricsQuery) =>
  `${q.range.label} [${q.range.start.toISOString()}, ${q.range.end.toISOString()}) tz:${q.range.timeZone} ${JSON.stringify(q.filters)} by:${q.by ?? '-'}`;

let compared = 0;
const groupsSeen = { total: 0, nonEmpty: 0 };
async function expectSame(q: MetricsQuery): Promise<MetricsResult> {
  const [copy, oracle] = [await computeMetrics({ db, analytics }, q), await oracleMetrics(db, q)];
  const diff = differences(copy, oracle);
  if (diff.length) throw new Error(`${describeQuery(q)}\n${diff.slice(0, 10).join('\n')}`);
  compared++;
  groupsSeen.total += copy.groups?.length ?? 0;
  groupsSeen.nonEmpty += copy.groups?.filter((g) => g.figures.decisions + g.figures.reportsReceived > 0).length ?? 0;
  return copy;
}

const FILTER_VALUES: Record<(typeof FILTER_DIMENSIONS)[number], readonly string[]> = {
  surface: SURFACES,
  type: TYPES,
  policy: POLICIES,
  vendor: QUEUES,
};
const dayString = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const queryArb = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    // A span of days from a random day or from an edge day, or a whole month.
    start: fc.oneof(fc.integer({ min: WINDOW_START, max: WINDOW_END - 86_400_000 }).map(dayString), fc.constantFrom(...EDGE_DAYS)),
    days: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 70 })),
    month: fc.option(fc.integer({ min: 2, max: 11 }), { freq: 5 }),
    filters: fc.record(
      Object.fromEntries(FILTER_DIMENSIONS.map((d) => [d, fc.option(fc.constantFrom(...FILTER_VALUES[d]), { freq: 3 })])) as Record<
        (typeof FILTER_DIMENSIONS)[number],
        fc.Arbitrary<string | null>
      >,
    ),
    by: fc.option(fc.constantFrom(...DIMENSIONS), { freq: 5 }),
  })
  .map(({ zone, start, days, month, filters, by }): MetricsQuery => {
    const end = dayString(Date.parse(`${start}T00:00:00Z`) + (days - 1) * 86_400_000);
    const range = rangeOf(month === null ? `${start}..${end}` : `2026-${String(month).padStart(2, '0')}`, zone);
    const chosen = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== null)) as MetricsFilters;
    return { range, filters: chosen, ...(by === null ? {} : { by }) };
  });

/** Every grouping in every zone over a range full of edges, then every filter value alone. */
async function sweep(): Promise<void> {
  for (const zone of ZONES)
    for (const by of [undefined, ...DIMENSIONS] as (Dimension | undefined)[])
      await expectSame({ range: rangeOf('2026-02-28..2026-04-06', zone), filters: {}, ...(by ? { by } : {}) });
  for (const dim of FILTER_DIMENSIONS)
    for (const value of FILTER_VALUES[dim])
      await expectSame({ range: rangeOf('2026-09-05..2026-11-02', 'America/Santiago'), filters: { [dim]: value } });
}

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.prisma;
  f = facts(db);
  const calendar = await db.businessCalendar.findUniqueOrThrow({ where: { key: 'always_open' } });
  for (const key of ['acme', 'bolt']) await f.vendorQueue(key, { firstActionMinutes: 60, resolutionMinutes: 240, calendarId: calendar.id });
  await write(initial);
  analytics = await openTestAnalytics(t);
  // Build the copy now, so that what follows reaches it through the catch-up.
  await analytics.read(async () => undefined);
}, 120_000);
afterAll(async () => {
  await analytics?.close();
  await t?.drop();
});

describe('figures from the analytics copy equal the Postgres oracle', () => {
  it('for every grouping in every zone and every filter value, on the initial load', async () => {
    await sweep();
    // The data must actually populate the groups, or equality proves little.
    expect(groupsSeen.nonEmpty).toBeGreaterThan(groupsSeen.total / 3);
  }, 60_000);

  it('after new facts and changed rows reach the copy through the catch-up', async () => {
    await write(later);
    await change();
    await sweep();
  }, 60_000);

  it('for random look-ups: ranges, zones, filters and groupings', async () => {
    const before = compared;
    await fc.assert(
      fc.asyncProperty(queryArb, async (q) => {
        await expectSame(q);
      }),
      { seed: SEED, numRuns: 120 },
    );
    expect(compared - before).toBeGreaterThanOrEqual(120);
  }, 60_000);
});
