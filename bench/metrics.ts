import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { type Analytics, type AnalyticsEngine, openAnalytics } from '../src/analytics';
import { fixedClock } from '../src/clock';
import { openDatabase } from '../src/db/client';
import { dsaAggregates } from '../src/domain/exports/dsa';
import { lookUpMetrics, parseMetricsQuery } from '../src/domain/metrics/lookup';
import { type DateRange, parseRange } from '../src/domain/metrics/range';
import { createLogger } from '../src/logger';
import { machine } from './machine';
import { DEFAULT_SCALE, DEFAULT_VENDORS, keptMetricsDatabase } from './metrics-seed';
import type { BenchResult } from './run';
import { percentile } from './support';

// Issue 11: every figure from the DuckDB read model (src/analytics/) at ten million decisions. The look-ups run
// in this process the way the bot runs them (lookUpMetrics / dsaAggregates over the analytics copy, catalogs
// from Postgres), against a floor of hand-written DuckDB SQL on the same file; then freshness (1,000 decisions
// committed, then a look-up), a cold rebuild of the copy, and the process's memory with the copy loaded.

const SCALE = Number(process.env.BENCH_METRICS_SCALE ?? DEFAULT_SCALE);
const VENDORS = Number(process.env.BENCH_METRICS_VENDORS ?? DEFAULT_VENDORS);
const RUNS = Number(process.env.BENCH_METRICS_RUNS ?? 20);
/** DuckDB's limits for the copy: the bot's defaults unless set (TRUSTOPS_ANALYTICS_*). */
const THREADS = Number(process.env.TRUSTOPS_ANALYTICS_THREADS ?? 2);
const MEMORY = process.env.TRUSTOPS_ANALYTICS_MEMORY ?? '4GB';
/** The look-ups' "now": the last hour of the seed's last day, so `last 90d`, `2026` and `2026-H2` all hold data. */
const NOW = new Date('2026-12-31T23:00:00Z');
const TIME_ZONE = 'UTC';
const SURFACE = 'claude_ai';
const LOOKUPS = ['last 90d by:policy', '2026 by:surface', `last 30d surface:${SURFACE} by:day tz:Asia/Kathmandu`] as const;
type Lookup = (typeof LOOKUPS)[number];
const DSA_RANGE = '2026-H2';
const FRESH_BATCH = 1000;
const CATCH_UP_ROUNDS = 10;
/** Where the copies live between runs (a cache, one directory per seeded database). */
const ANALYTICS_ROOT = process.env.BENCH_METRICS_ANALYTICS_DIR ?? path.join(os.tmpdir(), 'trustops-bench-analytics');
/** Last issue's Postgres figures, at the commit that measured them. */
const POSTGRES_COMMIT = 'b61d82d';

type Series = { ms: number[]; first: number };

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/**
 * The look-up and its floor, alternately (the order swapped each round) so both meet the same load from
 * whatever else runs on the machine: one warm-up of each, then RUNS timed runs of each. A floor run reports
 * its own time (measured around its statements only).
 */
async function pairedSeries(what: string, lookUp: () => Promise<unknown>, floor: () => Promise<number>): Promise<[Series, Series]> {
  const firstLookUp = (await timed(lookUp)).ms;
  const firstFloor = await floor();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    if (i % 2 === 0) {
      a.push((await timed(lookUp)).ms);
      b.push(await floor());
    } else {
      b.push(await floor());
      a.push((await timed(lookUp)).ms);
    }
  }
  a.sort((x, y) => x - y);
  b.sort((x, y) => x - y);
  const show = (ms: number[], first: number) =>
    `first ${Math.round(first)} ms, p50 ${Math.round(percentile(ms, 50))} ms, p95 ${Math.round(percentile(ms, 95))} ms`;
  console.log(`  ${what}: ${show(a, firstLookUp)}; floor ${show(b, firstFloor)}`);
  return [
    { ms: a, first: firstLookUp },
    { ms: b, first: firstFloor },
  ];
}

/** The floor's statements, one after another on a connection of the engine's own DuckDB instance; only they are timed. */
function floorRun(engine: AnalyticsEngine, statements: readonly string[]): () => Promise<number> {
  return () =>
    engine.read(async (reader) => {
      const t0 = performance.now();
      for (const sql of statements) await reader.query(sql);
      return performance.now() - t0;
    });
}

const r1 = (n: number) => +n.toFixed(1);
const r2 = (n: number) => +n.toFixed(2);
const p = (s: Series, q: number) => r1(percentile(s.ms, q));
const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

// ---- the floor: the same figures, hand-written as DuckDB SQL, one statement per figure family ----
const tsLit = (d: Date) => `TIMESTAMPTZ '${d.toISOString()}'`;
const within = (col: string, r: DateRange) => `${col} >= ${tsLit(r.start)} AND ${col} < ${tsLit(r.end)}`;

/** Per fact family: the table, its instant, and its column for each dimension the look-ups use. */
const FAMILIES = [
  { table: 'reports', at: 'received_at', policy: 'category', surface: 'surface_id', agg: 'count(*)' },
  {
    table: 'decisions',
    at: 'decided_at',
    policy: 'policy',
    surface: 'case_surface_id',
    agg: 'count(*), count(*) FILTER (WHERE automated)',
    split: 'action',
  },
  {
    table: 'cases',
    at: 'first_action_at',
    policy: 'category',
    surface: 'surface_id',
    agg: `count(*), count(*) FILTER (WHERE first_action_at <= first_action_due_at),
          quantile_cont(epoch_ms(first_action_at) - epoch_ms(opened_at), [0.5, 0.9])`,
  },
  {
    table: 'cases',
    at: 'resolved_at',
    policy: 'category',
    surface: 'surface_id',
    agg: 'count(*), count(*) FILTER (WHERE resolved_at <= resolution_due_at)',
  },
  { table: 'escalations', at: 'created_at', policy: 'case_category', surface: 'case_surface_id', agg: 'count(*)' },
  {
    table: 'appeals',
    at: 'filed_at',
    policy: 'decision_policy',
    surface: 'case_surface_id',
    agg: "count(*), count(*) FILTER (WHERE outcome <> 'pending'), count(*) FILTER (WHERE outcome = 'overturned')",
  },
  {
    table: 'qa_reviews',
    at: 'reviewed_at',
    policy: 'decision_policy',
    surface: 'case_surface_id',
    agg: "count(*), count(*) FILTER (WHERE outcome = 'agree')",
  },
] as const;

/** The zone's offset from UTC at an instant, in milliseconds. */
function offsetMs(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const n = (t: string) => Number(parts.find((x) => x.type === t)?.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(at.getTime() / 1000) * 1000;
}

function floorStatements(lookup: Lookup, range: DateRange, surfaceId: number): string[] {
  return FAMILIES.map((f) => {
    const split = 'split' in f ? f.split : undefined;
    let group: string;
    let where = within(f.at, range);
    if (lookup.includes('by:policy')) group = f.policy;
    else if (lookup.includes('by:surface')) group = f.surface;
    else {
      // The local day as a day number: Kathmandu keeps one offset (+05:45) all year, so a constant shift is exact.
      group = `(epoch_ms(${f.at}) + ${offsetMs(range.timeZone, range.start)}) // 86400000`;
      where += ` AND ${f.surface} = ${surfaceId}`;
    }
    const sets = split ? `GROUPING SETS ((${group}, ${split}), (${split}))` : `ROLLUP (${group})`;
    return `SELECT ${group} AS g${split ? `, ${split}` : ''}, ${f.agg} FROM ${f.table} WHERE ${where} GROUP BY ${sets}`;
  });
}

const SOURCE_FLOOR = `CASE WHEN d.case_first_report_id IS NULL OR d.case_first_report_own_initiative THEN 'SOURCE_VOLUNTARY'
                           WHEN d.case_first_report_trusted_flagger THEN 'SOURCE_TRUSTED_FLAGGER' ELSE 'SOURCE_ARTICLE_16' END`;

/** The DSA sections: notices, actions (counts; medians by source), complaints, automation, QA. */
function dsaFloorStatements(range: DateRange): string[] {
  return [
    `SELECT coalesce(m.category, 'STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE') AS category, count(*), count(*) FILTER (WHERE r.trusted_flagger)
       FROM reports r LEFT JOIN dsa_category_map m ON m.policy = r.category
      WHERE ${within('r.received_at', range)} AND NOT r.own_initiative GROUP BY 1`,
    // Each decision carries its case's first report (source) and opening, so no join but the small map.
    // Counts at the finest level (the breakdowns are sums of them); medians only where the report has them.
    `SELECT source, coalesce(m.category, 'UNMAPPED') AS category, coalesce(m.decision_ground, 'UNMAPPED') AS ground, action, automated, n
       FROM (SELECT ${SOURCE_FLOOR} AS source, policy, action, automated, count(*) AS n
               FROM decisions d WHERE ${within('d.decided_at', range)} AND d.action <> 'no_violation' GROUP BY ALL) g
       LEFT JOIN dsa_category_map m ON m.policy = g.policy`,
    `SELECT ${SOURCE_FLOOR} AS source, median(epoch_ms(d.decided_at) - epoch_ms(coalesce(d.case_first_report_at, d.case_opened_at)))
       FROM decisions d WHERE ${within('d.decided_at', range)} AND d.action <> 'no_violation'
      GROUP BY GROUPING SETS ((source), ())`,
    `SELECT coalesce(m.category, 'UNMAPPED') AS category, a.outcome, a.decision_automated, count(*),
            median(CASE WHEN a.outcome <> 'pending' THEN epoch_ms(a.resolved_at) - epoch_ms(a.filed_at) END)
       FROM appeals a LEFT JOIN dsa_category_map m ON m.policy = a.decision_policy
      WHERE ${within('a.filed_at', range)} GROUP BY GROUPING SETS ((category, a.outcome, a.decision_automated), ())`,
    `SELECT count(*), count(*) FILTER (WHERE automated) FROM decisions WHERE ${within('decided_at', range)}`,
    `SELECT decision_automated, outcome, error_severity, count(*) FROM qa_reviews WHERE ${within('reviewed_at', range)} GROUP BY 1, 2, 3`,
  ];
}

/** Last issue's Postgres figures, read from git (not rerun). */
function postgresFigures(): Record<string, number | string> {
  try {
    const json = execFileSync('git', ['show', `${POSTGRES_COMMIT}:bench/results/metrics.json`], {
      cwd: path.resolve(__dirname, '..'),
    }).toString();
    const result = JSON.parse(json) as BenchResult;
    return { ...result.figures, at: result.at };
  } catch {
    return {};
  }
}

function openEngine(url: string, dir: string): Promise<AnalyticsEngine> {
  // No background catch-up: each look-up catches up itself, so what it adds is measured where it happens.
  return openAnalytics({
    databaseUrl: url,
    dir,
    memory: MEMORY,
    threads: THREADS,
    log: createLogger({ level: 'warn' }),
    syncIntervalMs: 0,
  });
}

/** DuckDB's own account of its memory (buffer manager), when it gives one. */
async function duckMemory(engine: AnalyticsEngine): Promise<string> {
  try {
    const [row] = await engine.read((r) =>
      r.query<{ used: number; temp: number }>(
        'SELECT sum(memory_usage_bytes) AS used, sum(temporary_storage_bytes) AS temp FROM duckdb_memory()',
      ),
    );
    return `${mib(Number(row?.used ?? 0))} in its buffer manager (${mib(Number(row?.temp ?? 0))} spilled)`;
  } catch (err) {
    return `not reported (${(err as Error).message.split('\n')[0]})`;
  }
}

/**
 * One more run with every statement of the read timed: the catch-up before it, each statement (named by the
 * table it reads), and the rest of the run (catalogs from Postgres, assembling the figures).
 */
async function breakdown(engine: AnalyticsEngine, run: (analytics: Pick<Analytics, 'read'>) => Promise<unknown>): Promise<string> {
  const parts: string[] = [];
  let inRead = 0;
  const analytics: Pick<Analytics, 'read'> = {
    read: async (fn) => {
      const c = await timed(() => engine.catchUp());
      parts.push(`catch-up ${r1(c.ms)}`);
      const t0 = performance.now();
      try {
        return await engine.read((reader) =>
          fn({
            ...reader,
            query: async (sql, params) => {
              const q = await timed(() => reader.query(sql, params));
              parts.push(`${/\bFROM\s+([a-z_]+)/i.exec(sql)?.[1] ?? '?'} ${r1(q.ms)}`);
              return q.value as never;
            },
          }),
        );
      } finally {
        inRead += performance.now() - t0;
      }
    },
  };
  const all = await timed(() => run(analytics));
  return `total ${r1(all.ms)}: ${parts.join(', ')}; outside the read ${r1(all.ms - inRead)}`;
}

function fileSize(file: string): string {
  const wal = `${file}.wal`;
  return mib(statSync(file).size + (existsSync(wal) ? statSync(wal).size : 0));
}

export async function metricsBench(): Promise<BenchResult> {
  const figures: Record<string, number | string> = {};
  const seeded = await keptMetricsDatabase(SCALE, console.log, VENDORS);
  const dir = path.join(ANALYTICS_ROOT, seeded.name);
  mkdirSync(dir, { recursive: true });
  const pg = new Client({ connectionString: seeded.url });
  await pg.connect();
  const db = await openDatabase({ databaseUrl: seeded.url, dataDir: '', poolSize: 4 });
  let engine: AnalyticsEngine | undefined;
  try {
    const [counts] = (
      await pg.query(
        `SELECT (SELECT count(*) FROM decisions)::int8 AS decisions, (SELECT count(*) FROM reports)::int8 AS reports,
                (SELECT count(*) FROM cases)::int8 AS cases, pg_size_pretty(pg_database_size(current_database())) AS size,
                (SELECT min(decided_at) FROM decisions) AS first, (SELECT max(decided_at) FROM decisions) AS last,
                (SELECT id FROM surfaces WHERE key = $1) AS surface`,
        [SURFACE],
      )
    ).rows;
    const surfaceId = Number(counts.surface);
    Object.assign(figures, {
      scale: SCALE,
      decisions: Number(counts.decisions),
      reports: Number(counts.reports),
      cases: Number(counts.cases),
      'decided between': `${(counts.first as Date).toISOString().slice(0, 10)} and ${(counts.last as Date).toISOString().slice(0, 10)}`,
      'Postgres database size': String(counts.size),
      seed: seeded.seed,
      'DuckDB threads / memory limit': `${THREADS} / ${MEMORY}`,
    });

    // The copy: caught up if this directory holds one from an earlier run, else built now.
    console.log(`analytics copy under ${dir}…`);
    const found = existsSync(path.join(dir, 'analytics-0.duckdb'));
    const open = await timed(async () => {
      engine = await openEngine(seeded.url, dir);
      await engine.catchUp();
      return engine;
    });
    const e = open.value;
    const [copied] = await e.read((r) => r.query<{ n: number }>('SELECT count(*) AS n FROM decisions'));
    figures['copy at start'] = `${copied?.n} decisions, ready in ${r1(open.ms / 1000)} s (${
      found ? 'a file kept from an earlier run, caught up' : 'no file: built from Postgres'
    }); file ${fileSize(e.file)}`;

    const deps = { db: db.prisma, clock: fixedClock(NOW), timeZone: TIME_ZONE, analytics: e };
    const pgOld = postgresFigures();
    const loads: string[] = [`start ${load()}`];
    const lookupSeries: Partial<Record<Lookup | 'dsa', Series>> = {};
    const ranges: Partial<Record<Lookup | 'dsa', DateRange>> = {};

    for (const text of LOOKUPS) {
      console.log(`${text}:`);
      const q = await parseMetricsQuery(deps, text);
      ranges[text] = q.range;
      const statements = floorStatements(text, q.range, surfaceId);
      const [s, floor] = await pairedSeries('lookUpMetrics', () => lookUpMetrics(deps, text), floorRun(e, statements));
      lookupSeries[text] = s;
      // The look-up's decision count against Postgres over the same range: the copy answers with every fact.
      const result = await lookUpMetrics(deps, text);
      const [pgCount] = (
        await pg.query(
          `SELECT count(*)::int AS n FROM decisions d ${text.includes('surface:') ? 'JOIN cases c ON c.id = d.case_id AND c.surface_id = $3' : ''}
            WHERE d.decided_at >= $1 AND d.decided_at < $2`,
          text.includes('surface:') ? [q.range.start, q.range.end, surfaceId] : [q.range.start, q.range.end],
        )
      ).rows;
      Object.assign(figures, {
        [`${text}: range`]: q.range.label,
        [`${text}: decisions in the answer / in Postgres`]: `${result.total.decisions} / ${pgCount?.n}`,
        [`${text}: first run (ms)`]: Math.round(s.first),
        [`${text}: p50 / p95 / max (ms)`]: `${p(s, 50)} / ${p(s, 95)} / ${p(s, 100)}`,
        [`${text}: floor p50 / p95 (ms), ${statements.length} statements`]: `${p(floor, 50)} / ${p(floor, 95)}`,
        [`${text}: ratio p95 / floor p95`]: r2(percentile(s.ms, 95) / percentile(floor.ms, 95)),
        [`${text}: where one run's time goes (ms)`]: await breakdown(e, (a) => lookUpMetrics({ ...deps, analytics: a }, text)),
      });
    }
    const dsaRange = parseRange(DSA_RANGE, { now: NOW, timeZone: TIME_ZONE });
    ranges.dsa = dsaRange;
    console.log(`dsa ${DSA_RANGE}:`);
    // Being ported alongside this benchmark: a failure is reported, not fatal.
    const dsaError = await dsaAggregates(deps, dsaRange).then(
      () => undefined,
      (err: Error) => err.message.trim().split('\n')[0] ?? String(err),
    );
    if (dsaError) {
      figures[`export dsa ${DSA_RANGE}`] = `failed: ${dsaError}`;
    } else {
      const statements = dsaFloorStatements(dsaRange);
      const [dsa, floor] = await pairedSeries('dsaAggregates', () => dsaAggregates(deps, dsaRange), floorRun(e, statements));
      lookupSeries.dsa = dsa;
      const dsaResult = await dsaAggregates(deps, dsaRange);
      Object.assign(figures, {
        [`export dsa ${DSA_RANGE}: decisions counted`]: dsaResult.automation.decisions,
        [`export dsa ${DSA_RANGE}: first run (ms)`]: Math.round(dsa.first),
        [`export dsa ${DSA_RANGE}: p50 / p95 / max (ms)`]: `${p(dsa, 50)} / ${p(dsa, 95)} / ${p(dsa, 100)}`,
        [`export dsa ${DSA_RANGE}: floor p50 / p95 (ms), ${statements.length} statements`]: `${p(floor, 50)} / ${p(floor, 95)}`,
        [`export dsa ${DSA_RANGE}: ratio p95 / floor p95`]: r2(percentile(dsa.ms, 95) / percentile(floor.ms, 95)),
        [`export dsa ${DSA_RANGE}: where one run's time goes (ms)`]: await breakdown(e, (a) => dsaAggregates({ analytics: a }, dsaRange)),
      });
    }
    loads.push(`after the look-ups ${load()}`);

    // Memory with the copy loaded and every look-up run.
    global.gc?.();
    Object.assign(figures, {
      'bot process RSS with the copy loaded (after the look-ups)': mib(process.memoryUsage().rss),
      'DuckDB memory (after the look-ups)': await duckMemory(e),
      'analytics file size': fileSize(e.file),
    });

    // Freshness: a look-up right after a commit of FRESH_BATCH decisions counts them.
    console.log('freshness…');
    const freshText = LOOKUPS[0];
    const inserted: number[] = [];
    const commitBatch = async () => {
      const res = await pg.query<{ id: number }>(
        `INSERT INTO decisions (case_id, action, policy, actor_type, actor_id, automated, decided_at, created_at)
         SELECT id, 'content_removed', coalesce(category, 'spam'), 'internal_analyst', 'U0BENCHFRESH', false, $1, now()
           FROM cases WHERE resolved_at IS NOT NULL ORDER BY id DESC OFFSET $2 LIMIT $3 RETURNING id`,
        [new Date(NOW.getTime() - 3_600_000), inserted.length, FRESH_BATCH],
      );
      inserted.push(...res.rows.map((r) => Number(r.id)));
    };
    const before = (await lookUpMetrics(deps, freshText)).total.decisions;
    await commitBatch();
    // The look-up catches up itself (its read does); its catch-up is also timed on its own, inside it.
    let firstCatchUp = Number.NaN;
    const timing: Pick<Analytics, 'read'> = {
      read: async (fn) => {
        if (Number.isNaN(firstCatchUp)) firstCatchUp = (await timed(() => e.catchUp())).ms;
        return e.read(fn);
      },
    };
    const fresh = await timed(() => lookUpMetrics({ ...deps, analytics: timing }, freshText));
    const rose = fresh.value.total.decisions - before;
    if (rose !== FRESH_BATCH) throw new Error(`freshness: the look-up counted ${rose} new decisions, not ${FRESH_BATCH}`);
    const catchUps: number[] = [];
    const afterLookups: number[] = [];
    for (let i = 0; i < CATCH_UP_ROUNDS; i++) {
      await commitBatch();
      catchUps.push((await timed(() => e.catchUp())).ms);
      const l = await timed(() => lookUpMetrics(deps, freshText));
      afterLookups.push(l.ms);
      const n = l.value.total.decisions - before;
      if (n !== FRESH_BATCH * (i + 2)) throw new Error(`freshness: ${n} new decisions counted, expected ${FRESH_BATCH * (i + 2)}`);
    }
    catchUps.sort((a, b) => a - b);
    afterLookups.sort((a, b) => a - b);
    // Leave the kept database as it was: the deletions travel through the same catch-up.
    await pg.query('DELETE FROM decisions WHERE id = ANY($1::int[])', [inserted]);
    const removal = await timed(() => e.catchUp());
    const back = (await lookUpMetrics(deps, freshText)).total.decisions;
    const base = lookupSeries[freshText] as Series;
    Object.assign(figures, {
      [`freshness: ${FRESH_BATCH} decisions committed, then \`${freshText}\``]: `counted ${rose} more decisions (asserted exactly ${FRESH_BATCH})`,
      'freshness: that look-up, catch-up included (ms)': r1(fresh.ms),
      'freshness: the catch-up it adds, vs the warm p50 (ms)': r1(fresh.ms - percentile(base.ms, 50)),
      'freshness: that catch-up itself, timed inside the look-up: the first this process applies, cold (ms)': r1(firstCatchUp),
      [`freshness, warm as in a running bot (it applies changes every 5 s): catch-up alone after each further commit of ${FRESH_BATCH}, ${CATCH_UP_ROUNDS} rounds: p50 / max (ms)`]: `${r1(percentile(catchUps, 50))} / ${r1(percentile(catchUps, 100))}`,
      'freshness: the look-up after that catch-up, p50 / max (ms)': `${r1(percentile(afterLookups, 50))} / ${r1(percentile(afterLookups, 100))}`,
      [`freshness: catch-up of the ${inserted.length} deletions that put the database back (ms)`]: r1(removal.ms),
      'freshness: decisions after the deletions': back === before ? `${back}, as before` : `${back} (was ${before})`,
    });
    // The copy against Postgres, per day and fact table (what `npm run analytics:verify` reports).
    const verified = await timed(() => e.verify());
    figures['verify: per-day counts of every fact table, copy vs Postgres'] =
      `${verified.value.differences.length} differences over ${verified.value.tables.length} tables × ${verified.value.days} days, in ${r1(verified.ms / 1000)} s${
        verified.value.differences.length
          ? `: ${verified.value.differences
              .slice(0, 5)
              .map((d) => `${d.table} ${d.day} ${d.postgres}≠${d.analytics}`)
              .join(', ')}`
          : ''
      }`;
    loads.push(`after freshness and verify ${load()}`);
    await e.close();
    engine = undefined;

    // Last issue's Postgres figures beside them.
    const old = (k: string) => pgOld[k] ?? 'n/a';
    Object.assign(figures, {
      'Postgres (issue 6, not rerun): last 90d by:policy p50 / p95 (ms)': `${old('last 90d by:policy: p50 (ms)')} / ${old('last 90d by:policy: p95 (ms)')}`,
      'Postgres (issue 6, not rerun): 2026 by:surface p50 / p95 (ms)': `${old('2026 by:surface: p50 (ms)')} / ${old('2026 by:surface: p95 (ms)')}`,
      'Postgres (issue 6, not rerun): dsa 2026-H2 p50 / p95 (ms)': `${old('dsa 2026-H2: p50 (ms)')} / ${old('dsa 2026-H2: p95 (ms)')}`,
      'Postgres (issue 6, not rerun): hand-written floors p50 / p95 (ms)': `by:policy ${old('last 90d by:policy: floor p50 / p95 (ms)')}, by:surface ${old('2026 by:surface: floor p50 / p95 (ms)')}, dsa ${old('dsa 2026-H2: floor p50 / p95 (ms)')}`,
      'Postgres (issue 6, not rerun): data': `${old('decisions')} decisions over ${old('decided between')} (the row-by-row demo seed), measured ${old('at')}`,
    });

    // Cold rebuild: the file deleted, a new engine builds it from Postgres; ready when its first catch-up is done.
    console.log('cold rebuild…');
    rmSync(e.file, { force: true });
    rmSync(`${e.file}.wal`, { force: true });
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 250);
    const cold = await timed(async () => {
      engine = await openEngine(seeded.url, dir);
      await engine.catchUp();
      return engine;
    });
    clearInterval(sampler);
    const rebuilt = cold.value;
    const coldLookup = await timed(() => lookUpMetrics({ ...deps, analytics: rebuilt }, LOOKUPS[0]));
    Object.assign(figures, {
      'cold rebuild: file deleted → ready (s)': r1(cold.ms / 1000),
      'cold rebuild: rows loaded': Object.entries(rebuilt.status().rows)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      'cold rebuild: process RSS peak during / after (MiB)': `${Math.round(peakRss / 2 ** 20)} / ${Math.round(process.memoryUsage().rss / 2 ** 20)}`,
      'cold rebuild: DuckDB memory after': await duckMemory(rebuilt),
      [`cold rebuild: first \`${LOOKUPS[0]}\` after it (ms)`]: r1(coldLookup.ms),
      'cold rebuild: file size': fileSize(rebuilt.file),
    });
    loads.push(`after the rebuild ${load()}`);
    figures['load average (1 / 5 / 15 min) along the run'] = loads.join('; ');

    return {
      name: 'metrics',
      description: `Issue 11: the figures from the DuckDB read model (src/analytics/). Data: the set-based bench seed (bench/metrics-seed.ts, scale ${SCALE}: 2026-07-01 → 2026-12-31, written by INSERT … SELECT in Postgres, then copied into DuckDB). Look-ups run in this process as the bot runs them: lookUpMetrics / dsaAggregates with the analytics copy (filter values checked in Postgres through Prisma; facts and group keys from the copy in one read), clock fixed at ${NOW.toISOString()}, zone ${TIME_ZONE}, DuckDB ${THREADS} threads and ${MEMORY}; each look-up catches up with Postgres first (no background catch-up: syncIntervalMs 0). One warm-up run, then ${RUNS} timed runs: p50 / p95 / max. The floor is the same figures written by hand as DuckDB SQL (one statement per figure family: 7 per look-up, 5 for the DSA export, reading the copy's denormalized columns), run one after another on a connection of the engine's own DuckDB instance (same file, threads, memory limit and buffer cache); only the statements are timed (not the catch-up or the transaction around them). Look-up and floor runs alternate, the order swapped each round, so both meet the same load; the ratio is p95 over p95. Freshness: ${FRESH_BATCH} decisions committed in Postgres in one transaction, then the look-up (it must count exactly ${FRESH_BATCH} more; asserted), then ${CATCH_UP_ROUNDS} more commits each followed by a catch-up alone and a look-up; the inserted rows are deleted afterwards. Cold rebuild: the file deleted, a new engine opened, time until its first catch-up returns (the initial load by COPY … TO STDOUT included). Memory: process.memoryUsage().rss of this process (Prisma + the engine, as in the bot) and duckdb_memory(). Postgres figures are last issue's (${POSTGRES_COMMIT}:bench/results/metrics.json), not rerun, on its own seed (9.9 M decisions over 90 days). The load average shows how much else ran on the 2 cores meanwhile.`,
      machine: machine(),
      at: new Date().toISOString(),
      figures,
    };
  } finally {
    await (engine as AnalyticsEngine | undefined)?.close().catch(() => {});
    await db.close().catch(() => {});
    await pg.end().catch(() => {});
  }
}

/** `npx tsx bench/metrics.ts --prepare`: builds (or catches up) the kept copy ahead of a run, so the run starts warm. */
if (require.main === module && process.argv.includes('--prepare')) {
  (async () => {
    const seeded = await keptMetricsDatabase(SCALE, console.log, VENDORS);
    const dir = path.join(ANALYTICS_ROOT, seeded.name);
    mkdirSync(dir, { recursive: true });
    const t = await timed(async () => {
      const engine = await openEngine(seeded.url, dir);
      await engine.catchUp();
      return engine;
    });
    console.log(`copy ready in ${r1(t.ms / 1000)} s: ${JSON.stringify(t.value.status().rows)}`);
    await t.value.close();
  })().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
