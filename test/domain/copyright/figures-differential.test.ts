import fc from 'fast-check';
import type { Analytics } from '../../../src/analytics/types';
import { fixedClock } from '../../../src/clock';
import {
  assembleFigures,
  COPYRIGHT_DIMENSIONS,
  type CopyrightDimension,
  type CopyrightQuery,
  cohortRows,
  computeCopyrightFigures,
  type DisputeRow,
  type FigureRow,
  type InfringerRow,
  surfaceRows,
} from '../../../src/domain/copyright/figures';
import { loadCopyrightCalendar } from '../../../src/domain/copyright/holidays';
import { strikePolicy } from '../../../src/domain/copyright/repeat-infringers';
import { parseRange } from '../../../src/domain/metrics/range';
import type { PrismaClient } from '../../../src/generated/prisma/client';
import { openTestAnalytics } from '../../support/analytics';
import { createTestDatabase, type TestDatabase } from '../../support/database';

// `/trustops copyright` reads the analytics copy (DuckDB). The Postgres SQL it had before is kept here as the
// oracle: over the same seeded random notices, items, counter-notices and strikes (some changed, some deleted
// after the copy was built), both must give identical counts, keys and order, and time-to-action percentiles
// equal to 1e-9, for random ranges, zones and groupings. COPYRIGHT_SEED=<n> replays a failure.

const SEED = Number(process.env.COPYRIGHT_SEED ?? 20261202);
const ZONES = ['UTC', 'Europe/Paris', 'America/Santiago', 'Asia/Kathmandu', 'America/New_York'] as const;
const NOW = new Date('2026-11-27T12:00:00Z');
const WINDOW_START = Date.parse('2026-02-20T00:00:00Z');
const WINDOW_END = Date.parse('2026-11-25T00:00:00Z');
const HOUR = 3_600_000;
const rangeOf = (text: string, timeZone: string) => parseRange(text, { now: NOW, timeZone });
const EDGE_DAYS = ['2026-03-08', '2026-03-29', '2026-04-05', '2026-09-06', '2026-10-25', '2026-11-01', '2026-06-30', '2026-07-01'];
/** Local midnights of every zone on the edge days, a millisecond either side. */
const EDGE_INSTANTS = ZONES.flatMap((zone) =>
  EDGE_DAYS.flatMap((day) => {
    const { start, end } = rangeOf(day, zone);
    return [start.getTime() - 1, start.getTime(), start.getTime() + 1, end.getTime() - 1];
  }),
);
const instant = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...EDGE_INSTANTS) },
  { weight: 3, arbitrary: fc.integer({ min: WINDOW_START, max: WINDOW_END - 1 }) },
);
const SURFACES = ['api', 'claude_ai', 'claude_code', 'mcp_directory', 'mobile'] as const;
// 14 claimants: the top 10 named, the rest summed; some with equal counts (ties ordered by name).
const CLAIMANTS = Array.from({ length: 14 }, (_, i) => `Claimant ${String.fromCharCode(65 + i)}`);
const KINDS = ['rights_holder', 'agent', 'automated_agent'] as const;
const STATUSES = ['received', 'incomplete', 'taken_down', 'rejected', 'retracted'] as const;
const ACTIONS = ['content_removed', 'no_violation', 'no_action', null] as const;
const CN_STATUS = ['pending', 'info_requested', 'restored', 'held', 'rejected'] as const;
const CN_OUTCOMES = [
  'restored_in_window',
  'restored_late',
  'restored_false_positive',
  'held',
  'rejected',
  'notice_retracted',
  null,
] as const;
// Hours to action: some equal (ties in the percentiles), some fractional to the millisecond.
const delay = fc.oneof(fc.constantFrom(0, HOUR, 3 * HOUR, 72 * HOUR), fc.integer({ min: 0, max: 200 * HOUR }));

const noticeArb = fc.record({
  claimant: fc.constantFrom(...CLAIMANTS),
  kind: fc.constantFrom(...KINDS),
  received: instant,
  missing: fc.option(fc.constantFrom(['signature'], ['work', 'contact']), { freq: 5 }),
  status: fc.constantFrom(...STATUSES),
  action: fc.constantFrom(...ACTIONS),
  actionedAfter: fc.option(delay, { freq: 4 }),
  items: fc.array(fc.constantFrom(...SURFACES), { minLength: 1, maxLength: 4 }),
});
const counterArb = fc.record({
  noticeIndex: fc.nat(),
  status: fc.constantFrom(...CN_STATUS),
  outcome: fc.constantFrom(...CN_OUTCOMES),
  latest: fc.option(fc.integer({ min: 0, max: 40 }), { freq: 4 }),
  received: instant,
});
// Strikes within the last 400 days of NOW (the default window is 365), on few accounts so some reach 3.
const strikeArb = fc.record({
  noticeIndex: fc.nat(),
  account: fc.integer({ min: 0, max: 12 }),
  daysAgo: fc.integer({ min: 0, max: 400 }),
  removed: fc.boolean(),
});
const batchArb = (n: number) =>
  fc.record({
    notices: fc.array(noticeArb, { minLength: n, maxLength: n }),
    counters: fc.array(counterArb, { minLength: n / 3, maxLength: n / 3 }),
    strikes: fc.array(strikeArb, { minLength: n / 2, maxLength: n / 2 }),
  });
type Batch = ReturnType<typeof batchArb> extends fc.Arbitrary<infer T> ? T : never;
const updatesArb = fc.record({
  statuses: fc.array(fc.record({ i: fc.nat(), status: fc.constantFrom(...STATUSES), action: fc.constantFrom(...ACTIONS) }), {
    minLength: 20,
    maxLength: 20,
  }),
  outcomes: fc.array(fc.record({ i: fc.nat(), status: fc.constantFrom(...CN_STATUS), outcome: fc.constantFrom(...CN_OUTCOMES) }), {
    minLength: 10,
    maxLength: 10,
  }),
  removeStrikes: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
  deleteCounters: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
});
const [initial, later, updates] = fc.sample(fc.tuple(batchArb(150), batchArb(60), updatesArb), { seed: SEED, numRuns: 1 })[0]!;

let t: TestDatabase;
let db: PrismaClient;
let analytics: Analytics & { close(): Promise<void> };
const noticeIds: number[] = [];
let names = 0;

async function write(batch: Batch): Promise<void> {
  for (const n of batch.notices) {
    const name = `N${names++}`;
    const notice = await db.copyrightNotice.create({
      data: {
        externalId: name,
        claimant: n.claimant,
        senderKind: n.kind,
        work: 'A work',
        itemCount: n.items.length,
        elementsPresent: [],
        missingElements: n.missing ? [...n.missing] : [],
        status: n.status,
        actionTaken: n.action,
        receivedAt: new Date(n.received),
        actionedAt: n.actionedAfter === null ? null : new Date(n.received + n.actionedAfter),
        items: {
          create: n.items.map((surface, position) => ({
            position,
            surface,
            contentRef: `${name}-${position}`,
            accountId: `acct_${position}`,
          })),
        },
      },
    });
    noticeIds.push(notice.id);
  }
  const noticeAt = (i: number) => noticeIds[i % noticeIds.length]!;
  for (const c of batch.counters) {
    await db.counterNotice.create({
      data: {
        externalId: `CN${names++}`,
        noticeId: noticeAt(c.noticeIndex),
        accountId: `acct_${c.noticeIndex % 5}`,
        receivedAt: new Date(c.received),
        latestRestoreOn: c.latest === null ? null : new Date(Date.parse('2026-11-20T00:00:00Z') + c.latest * 86_400_000),
        status: c.status,
        outcome: c.outcome,
      },
    });
  }
  for (const s of batch.strikes) {
    await db.copyrightStrike.upsert({
      where: { accountId_noticeId: { accountId: `acct_s${s.account}`, noticeId: noticeAt(s.noticeIndex) } },
      create: {
        accountId: `acct_s${s.account}`,
        noticeId: noticeAt(s.noticeIndex),
        createdAt: new Date(NOW.getTime() - s.daysAgo * 86_400_000),
        removedAt: s.removed ? NOW : null,
      },
      update: {},
    });
  }
}

async function change(): Promise<void> {
  for (const u of updates.statuses) {
    await db.copyrightNotice.update({
      where: { id: noticeIds[u.i % noticeIds.length]! },
      data: { status: u.status, actionTaken: u.action },
    });
  }
  const counters = (await db.counterNotice.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((c) => c.id);
  for (const o of updates.outcomes) {
    await db.counterNotice.update({ where: { id: counters[o.i % counters.length]! }, data: { status: o.status, outcome: o.outcome } });
  }
  const strikes = (await db.copyrightStrike.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((s) => s.id);
  await db.copyrightStrike.updateMany({
    where: { id: { in: updates.removeStrikes.map((i) => strikes[i % strikes.length]!) } },
    data: { removedAt: NOW },
  });
  await db.counterNotice.deleteMany({ where: { id: { in: updates.deleteCounters.map((i) => counters[i % counters.length]!) } } });
}

// ---- The oracle: the Postgres SQL of the figures before the analytics copy (as of 677b98f). ----
const COHORT = `
  WITH cn AS (
    SELECT c.notice_id,
           count(*)::int AS counter_notices,
           count(*) FILTER (WHERE c.outcome = 'restored_in_window')::int AS in_window,
           count(*) FILTER (WHERE c.outcome = 'restored_late')::int AS late,
           count(*) FILTER (WHERE c.outcome = 'restored_false_positive')::int AS false_positive,
           count(*) FILTER (WHERE c.outcome = 'held')::int AS held
      FROM counter_notices c JOIN copyright_notices n ON n.id = c.notice_id
     WHERE n.received_at >= $1::timestamptz AND n.received_at < $2::timestamptz
     GROUP BY c.notice_id
  ), n AS (
    SELECT n.id, n.claimant, n.sender_kind::text AS sender_kind, n.status::text AS status,
           cardinality(n.missing_elements) = 0 AS complete,
           (n.action_taken IS NOT NULL AND n.action_taken NOT IN ('no_action', 'no_violation')) AS taken_down,
           n.item_count,
           CASE WHEN n.actioned_at IS NOT NULL THEN extract(epoch FROM n.actioned_at - n.received_at) / 3600.0 END AS hours,
           coalesce(cn.counter_notices, 0) AS counter_notices, coalesce(cn.in_window, 0) AS in_window, coalesce(cn.late, 0) AS late,
           coalesce(cn.false_positive, 0) AS false_positive, coalesce(cn.held, 0) AS held
      FROM copyright_notices n LEFT JOIN cn ON cn.notice_id = n.id
     WHERE n.received_at >= $1::timestamptz AND n.received_at < $2::timestamptz
  )`;
const FIGURES = `
  count(*)::int AS notices,
  count(*) FILTER (WHERE complete)::int AS complete,
  count(*) FILTER (WHERE NOT complete)::int AS incomplete,
  count(*) FILTER (WHERE taken_down)::int AS taken_down,
  count(*) FILTER (WHERE status = 'rejected')::int AS rejected,
  coalesce(sum(item_count) FILTER (WHERE taken_down), 0)::int AS items_taken_down,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) AS tta_median,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY hours) AS tta_p90,
  coalesce(sum(counter_notices), 0)::int AS counter_notices,
  coalesce(sum(in_window), 0)::int AS in_window,
  coalesce(sum(late), 0)::int AS late,
  coalesce(sum(false_positive), 0)::int AS false_positive,
  coalesce(sum(held), 0)::int AS held,
  count(*) FILTER (WHERE status = 'retracted')::int AS retractions,
  count(*) FILTER (WHERE taken_down AND (status = 'retracted' OR in_window + late + false_positive > 0))::int AS false_positives`;

async function oracleRows(q: CopyrightQuery): Promise<{ grouped: FigureRow[]; bySurfaceRows: FigureRow[] }> {
  const args = [q.range.start.toISOString(), q.range.end.toISOString()];
  const grouped = await db.$queryRawUnsafe<FigureRow[]>(
    `${COHORT}
     SELECT CASE WHEN grouping(sender_kind) = 0 THEN 'sender_kind' WHEN grouping(claimant) = 0 THEN 'claimant' END AS dim,
            coalesce(sender_kind, claimant) AS key, ${FIGURES}
       FROM n GROUP BY GROUPING SETS ((), (sender_kind), (claimant))`,
    ...args,
  );
  const bySurfaceRows =
    q.by !== 'surface'
      ? []
      : await db.$queryRawUnsafe<FigureRow[]>(
          `${COHORT}, s AS (
             SELECT n.*, i.surface, i.items AS surface_items
               FROM n JOIN (SELECT notice_id, surface, count(*)::int AS items FROM copyright_notice_items
                             WHERE notice_id IN (SELECT id FROM n) GROUP BY notice_id, surface) i ON i.notice_id = n.id
           )
           SELECT 'surface' AS dim, surface AS key, ${FIGURES.replace(
             'coalesce(sum(item_count) FILTER (WHERE taken_down), 0)::int AS items_taken_down',
             'coalesce(sum(surface_items) FILTER (WHERE taken_down), 0)::int AS items_taken_down',
           )}
             FROM s GROUP BY surface ORDER BY count(*) DESC, surface`,
          ...args,
        );
  return { grouped, bySurfaceRows };
}

async function oracleFigures(q: CopyrightQuery) {
  const deps = { db, clock: fixedClock(NOW), copyrightTimeZone: 'America/New_York' };
  const [policy, cal] = [await strikePolicy(db), await loadCopyrightCalendar(deps)];
  const { grouped, bySurfaceRows } = await oracleRows(q);
  const infringers = await db.$queryRawUnsafe<InfringerRow[]>(
    `SELECT account_id, count(*)::int AS strikes, count(*) OVER ()::int AS total
       FROM copyright_strikes
      WHERE removed_at IS NULL AND created_at > $1::timestamptz AND created_at <= $2::timestamptz
      GROUP BY account_id HAVING count(*) >= $3
      ORDER BY count(*) DESC, account_id LIMIT 10`,
    new Date(NOW.getTime() - policy.windowDays * 86_400_000).toISOString(),
    NOW.toISOString(),
    policy.strikes,
  );
  const disputes = await db.$queryRawUnsafe<DisputeRow[]>(
    `SELECT c.external_id AS cn, n.external_id AS notice, c.account_id, c.latest_restore_on AS latest, count(*) OVER ()::int AS total
       FROM counter_notices c JOIN copyright_notices n ON n.id = c.notice_id
      WHERE c.status IN ('pending', 'info_requested')
      ORDER BY c.latest_restore_on NULLS LAST, c.received_at, c.id LIMIT 10`,
  );
  return assembleFigures({ query: q, now: NOW, policy, cal, grouped, bySurfaceRows, infringers, disputes });
}

/** Every place two results differ: integers exactly, other numbers to 1e-9, keys and order exactly. */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a === 'number' && typeof b === 'number') {
    const same = Number.isInteger(a) && Number.isInteger(b) ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
    return same ? [] : [`${path}: copy ${a}, oracle ${b}`];
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if (JSON.stringify(Object.keys(a)) !== JSON.stringify(Object.keys(b)))
      return [`${path}: keys ${JSON.stringify(Object.keys(a))} in the copy, ${JSON.stringify(Object.keys(b))} in the oracle`];
    return Object.keys(a).flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`));
  }
  return Object.is(a, b) ? [] : [`${path}: copy ${JSON.stringify(a)}, oracle ${JSON.stringify(b)}`];
}

/** Raw rows in one order (the grouping-set rows come in no particular order from either engine). */
const sorted = (rows: readonly FigureRow[]) =>
  [...rows].map((r) => ({ ...r })).sort((x, y) => `${x.dim}|${x.key}`.localeCompare(`${y.dim}|${y.key}`));

const dayString = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const queryArb = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    start: fc.oneof(fc.integer({ min: WINDOW_START, max: WINDOW_END - 86_400_000 }).map(dayString), fc.constantFrom(...EDGE_DAYS)),
    days: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 200 })),
    by: fc.constantFrom(...COPYRIGHT_DIMENSIONS),
  })
  .map(({ zone, start, days, by }): CopyrightQuery => {
    const end = dayString(Date.parse(`${start}T00:00:00Z`) + (days - 1) * 86_400_000);
    return { range: rangeOf(`${start}..${end}`, zone), by: by as CopyrightDimension };
  });
const QUERIES = fc.sample(queryArb, { seed: SEED + 1, numRuns: 60 });

const seen = { compared: 0, nonEmpty: 0, percentiles: 0 };
async function expectSame(q: CopyrightQuery): Promise<void> {
  const label = `${q.range.label} [${q.range.start.toISOString()}, ${q.range.end.toISOString()}) tz:${q.range.timeZone} by:${q.by}`;
  // The rows before rounding: percentiles to 1e-9.
  const copy = await analytics.read(async (r) => ({
    grouped: sorted(await cohortRows(r, q.range)),
    bySurfaceRows: q.by === 'surface' ? await surfaceRows(r, q.range) : [],
  }));
  const oracle = await oracleRows(q);
  const raw = differences(copy, { grouped: sorted(oracle.grouped), bySurfaceRows: oracle.bySurfaceRows });
  if (raw.length) throw new Error(`${label}\n${raw.slice(0, 10).join('\n')}`);
  // The answer as the command gives it.
  const deps = { db, analytics, clock: fixedClock(NOW), copyrightTimeZone: 'America/New_York' };
  const answer = differences(await computeCopyrightFigures(deps, q), await oracleFigures(q));
  if (answer.length) throw new Error(`${label}\n${answer.slice(0, 10).join('\n')}`);
  seen.compared++;
  const total = copy.grouped.find((r) => r.dim === null);
  if (total && total.notices > 0) seen.nonEmpty++;
  if (total?.tta_median !== null && total?.tta_median !== undefined) seen.percentiles++;
}

jest.setTimeout(240_000);

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.prisma;
  await write(initial);
  analytics = await openTestAnalytics(t);
  // Built from this data; what follows arrives by catch-up.
  await analytics.read(async () => undefined);
  await write(later);
  await change();
});

afterAll(async () => {
  await analytics?.close();
  await t?.drop();
});

describe('copyright figures: the analytics copy against the Postgres oracle', () => {
  it('agree on every random range, zone and grouping, after inserts, updates and deletes since the build', async () => {
    for (const q of QUERIES) await expectSame(q);
    // Whole years too, in each zone: every notice in one cohort.
    for (const zone of ZONES) for (const by of COPYRIGHT_DIMENSIONS) await expectSame({ range: rangeOf('2026', zone), by });
    expect(seen.compared).toBe(QUERIES.length + ZONES.length * COPYRIGHT_DIMENSIONS.length);
    // The comparison is not vacuous: most ranges hold notices, and percentiles were compared.
    expect(seen.nonEmpty).toBeGreaterThan(seen.compared / 2);
    expect(seen.percentiles).toBeGreaterThan(seen.compared / 2);
  });

  it('agree on the repeat infringers and open disputes, which some accounts and disputes reach', async () => {
    const f = await computeCopyrightFigures(
      { db, analytics, clock: fixedClock(NOW), copyrightTimeZone: 'America/New_York' },
      {
        range: rangeOf('2026', 'UTC'),
        by: 'claimant',
      },
    );
    expect(f.repeatInfringers.count).toBeGreaterThan(0);
    expect(f.openDisputes.count).toBeGreaterThan(0);
    expect(f.byClaimant.at(-1)?.key).toBe('(4 other claimants)');
    expect(differences(f, await oracleFigures(f.query))).toEqual([]);
  });

  it('a change committed after a look-up shows in the next one (the copy catches up)', async () => {
    const q: CopyrightQuery = { range: rangeOf('2026', 'UTC'), by: 'claimant' };
    const deps = { db, analytics, clock: fixedClock(NOW), copyrightTimeZone: 'America/New_York' };
    const before = await computeCopyrightFigures(deps, q);
    await db.copyrightNotice.updateMany({ where: { status: 'rejected' }, data: { status: 'retracted' } });
    const after = await computeCopyrightFigures(deps, q);
    expect(after.total.rejected).toBe(0);
    expect(after.total.retractions).toBe(before.total.retractions + before.total.rejected);
    expect(differences(after, await oracleFigures(q))).toEqual([]);
  });
});
