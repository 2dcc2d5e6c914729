import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import { fixedClock } from '../src/clock';
import { openDatabase } from '../src/db/client';
import { DEMO_MARKER_VENDOR } from '../src/db/seed/catalog';
import { lookUpMetrics, parseMetricsQuery } from '../src/domain/metrics/lookup';
import { type DateRange, parseRange } from '../src/domain/metrics/range';
import { factQuery, KINDS } from '../src/domain/metrics/sources';
import { SlackEmulator } from '../src/sandbox/emulator';
import { SignedSlackClient } from '../src/sandbox/slack-client';
import { freePort, startMain, waitHealthy } from '../test/support/process';
import { machine } from './machine';
import type { BenchResult } from './run';
import { BENCH_ADMIN_URL, percentile, scratchDatabase, sql, urlFor } from './support';

const SCALE = Number(process.env.BENCH_METRICS_SCALE ?? 965);
const RUNS = Number(process.env.BENCH_METRICS_RUNS ?? 20);
/** Keep the seeded database (named by its scale) between runs, and reuse it: the big seed takes minutes. */
const KEEP = process.env.BENCH_METRICS_KEEP === '1';
const ROOT = path.resolve(__dirname, '..');
/** The seed's anchor: its 90 days end here (2026-08-29 → 2026-11-26). Fixed, so a kept database stays valid. */
const ANCHOR = '2026-11-27';
/** The look-ups' "now": the last hour of the seed's last day, so `last 90d` and `2026` cover all of it. */
const NOW = new Date('2026-11-26T23:00:00Z');
const TIME_ZONE = 'UTC';
const LOOKUPS = ['last 90d by:policy', '2026 by:surface'] as const;
/** The half year holding the seed's data (2026-H1 would be empty). */
const DSA_RANGE = '2026-H2';
const SLOW_MS = 10_000;
const SLOW_RUNS = 3;
const ACKS = 20;
// Same session settings as computeMetrics gives its statements, so the floor is not charged for JIT.
const SESSION_SQL = "SET jit = off; SET work_mem = '32MB'";

type Series = { ms: number[]; first: number; capped: boolean };

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

/**
 * One warm-up run (reported as "first"), then RUNS timed runs; when the warm-up exceeds SLOW_MS, SLOW_RUNS
 * runs in all, the warm-up counted among them.
 */
async function series(what: string, fn: () => Promise<unknown>, warmUpMs?: number): Promise<Series> {
  const first = warmUpMs ?? (await timed(fn)).ms;
  const capped = first > SLOW_MS;
  const ms: number[] = capped ? [first] : [];
  const runs = capped ? Math.min(RUNS, SLOW_RUNS) - 1 : RUNS;
  for (let i = 0; i < runs; i++) ms.push((await timed(fn)).ms);
  ms.sort((a, b) => a - b);
  console.log(
    `  ${what}: first ${Math.round(first)} ms, p50 ${Math.round(percentile(ms, 50))} ms, p95 ${Math.round(percentile(ms, 95))} ms`,
  );
  return { ms, first, capped };
}

const r1 = (n: number) => +n.toFixed(1);
const p = (s: Series, q: number) => Math.round(percentile(s.ms, q));
const runsNote = (s: Series) => (s.capped ? `${s.ms.length}, the first included (capped: it took over ${SLOW_MS / 1000} s)` : s.ms.length);

/**
 * The seeded database: a fresh scratch one, or with BENCH_METRICS_KEEP=1 one named by its scale, kept and
 * reused (its seed time is kept in the database's comment). Exported so the big seed can be run on its own.
 */
export async function seedMetricsDatabase(): Promise<{ url: string; drop(): Promise<void>; seedSeconds: number | string }> {
  let db: { url: string; drop(): Promise<void> };
  let migrated = '';
  const name = `trustops_bench_metrics_s${String(SCALE).replace(/\W/g, '_')}`;
  if (KEEP) {
    const [exists] = await sql(BENCH_ADMIN_URL, 'SELECT 1 AS found FROM pg_database WHERE datname = $1', [name]);
    if (!exists) await sql(BENCH_ADMIN_URL, `CREATE DATABASE ${name}`);
    const url = urlFor(name);
    const migrate = await timed(async () =>
      execFileSync(process.execPath, [require.resolve('tsx/cli'), 'src/cli/db-migrate.ts'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: url },
        stdio: 'pipe',
      }).toString(),
    );
    db = { url, drop: async () => {} };
    // A migration written since the kept database was seeded may have rewritten its rows (here or from
    // another process): refresh visibility and statistics either way.
    const vacuum = await timed(() => sql(url, 'VACUUM ANALYZE'));
    if (/^applied/m.test(migrate.value))
      migrated = `${migrate.value.trim()} on the kept database in ${r1(migrate.ms / 1000)} s, then vacuum analyze ${r1(vacuum.ms / 1000)} s`;
    console.log(`${migrate.value.trim()}; vacuum analyze ${r1(vacuum.ms / 1000)} s`);
  } else {
    db = await scratchDatabase('trustops_bench_metrics');
  }
  // The seed writes once: on a kept database that holds it already, it says so and writes nothing.
  const [present] = await sql(db.url, 'SELECT 1 AS found FROM vendors WHERE key = $1', [DEMO_MARKER_VENDOR]);
  if (present && KEEP) {
    const [c] = await sql(BENCH_ADMIN_URL, 'SELECT shobj_description(oid, $2) AS note FROM pg_database WHERE datname = $1', [
      name,
      'pg_database',
    ]);
    console.log(`reusing ${name} (${c?.note ?? 'seeded earlier'})`);
    return { ...db, seedSeconds: `${c?.note ?? 'seeded earlier'}, reused${migrated ? `; ${migrated}` : ''}` };
  }
  console.log(`seeding at scale ${SCALE} (anchor ${ANCHOR})…`);
  const seed = await timed(async () =>
    execFileSync(process.execPath, [require.resolve('tsx/cli'), 'src/cli/db-seed.ts', '--scale', String(SCALE), '--anchor', ANCHOR], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    }),
  );
  const vacuum = await timed(() => sql(db.url, 'VACUUM ANALYZE'));
  const note = `seed ${r1(seed.ms / 1000)} s, vacuum analyze ${r1(vacuum.ms / 1000)} s`;
  console.log(`  ${note}`);
  if (KEEP) await sql(BENCH_ADMIN_URL, `COMMENT ON DATABASE ${name} IS '${note}'`);
  return { ...db, seedSeconds: note };
}

/** The one hand-written aggregate each look-up is compared with: the decisions figures, the way psql would run them. */
const FLOORS = {
  'last 90d by:policy': `SELECT policy, count(*), count(*) FILTER (WHERE action <> 'no_violation'), count(*) FILTER (WHERE automated)
                           FROM decisions WHERE decided_at >= $1 AND decided_at < $2 GROUP BY policy`,
  // A decision's surface is its case's first report's, which the case keeps (cases.surface_id).
  '2026 by:surface': `SELECT c.surface_id, count(*), count(*) FILTER (WHERE d.action <> 'no_violation'), count(*) FILTER (WHERE d.automated)
                        FROM decisions d JOIN cases c ON c.id = d.case_id
                       WHERE d.decided_at >= $1 AND d.decided_at < $2 GROUP BY c.surface_id`,
  dsa: `SELECT m.category, m.decision_ground, d.action, d.automated, count(*)
          FROM decisions d JOIN dsa_category_map m ON m.policy = d.policy
         WHERE d.decided_at >= $1 AND d.decided_at < $2 GROUP BY 1, 2, 3, 4`,
} as const;

type DsaAggregates = (deps: unknown, range: DateRange) => Promise<unknown>;

/** src/domain/exports/dsa.ts is being written; load it only if it is there and exports dsaAggregates. */
async function loadDsaAggregates(): Promise<DsaAggregates | undefined> {
  const file = path.join(ROOT, 'src/domain/exports/dsa.ts');
  if (!existsSync(file)) return undefined;
  const mod = (await import(pathToFileURL(file).href)) as { dsaAggregates?: unknown; default?: { dsaAggregates?: unknown } };
  const fn = mod.dsaAggregates ?? mod.default?.dsaAggregates;
  return typeof fn === 'function' ? (fn as DsaAggregates) : undefined;
}

/** Slash commands through the bot's real HTTP receiver: the ack's round trip, and when the answer reaches response_url. */
async function ackLoad(url: string): Promise<{ acks: number[]; answers: number[]; probes: number[]; errors: number; ok: boolean }> {
  const emulator = await SlackEmulator.start();
  const userId = 'U0BENCHMETRICS';
  emulator.addUser({ id: userId, name: 'bench-metrics' });
  const secret = randomBytes(16).toString('hex');
  const port = await freePort();
  const bot = startMain({
    PORT: String(port),
    DATABASE_URL: url,
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: emulator.apiUrl,
    LOG_LEVEL: 'warn',
    // The SLA scan would rewrite the seeded cases' states at the next minute: keep it out of the way (1 January only).
    TRUSTOPS_SLA_SCAN_CRON: '0 0 1 1 *',
  });
  try {
    await waitHealthy(port, 60_000);
    const slack = new SignedSlackClient({ botUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: secret, emulator });
    const acks: number[] = [];
    const answers: number[] = [];
    const probes: number[] = [];
    let errors = 0;
    let ok = true;
    let commands = ACKS;
    for (let i = 0; i <= commands; i++) {
      const t0 = performance.now();
      const res = await slack.command('metrics last 90d by:policy', { userId });
      const ack = performance.now() - t0;
      if (res.status !== 200) errors++;
      // While the look-up runs, a cheap command every 200 ms: is the ack still quick when the bot is busy?
      let answered = false;
      const probing = (async () => {
        while (!answered) {
          await new Promise((r) => setTimeout(r, 200));
          const p0 = performance.now();
          const probe = await slack.command('help', { userId });
          probes.push(performance.now() - p0);
          if (probe.status !== 200) errors++;
        }
      })();
      // The final answer, not the "Working on it…" placeholder sent when the look-up takes over a second.
      const final = await emulator.waitUntil(
        () =>
          emulator
            .responses(res.responseUrl ?? '')
            .map((r) => r.body as { text?: string; blocks?: unknown[] })
            .find((b) => !b.text?.startsWith('⏳')),
        10 * 60_000,
        'the metrics answer',
      );
      const answer = performance.now() - t0;
      answered = true;
      await probing;
      if (!Array.isArray(final.blocks) || /error|couldn|not /i.test(final.text ?? '')) ok = false;
      // The first command warms the bot up (connections, plans, JIT): not counted, unless answers are so
      // slow that only SLOW_RUNS commands are sent in all.
      if (i === 0 && answer <= SLOW_MS) continue;
      if (i === 0) commands = Math.min(ACKS, SLOW_RUNS) - 1;
      acks.push(ack);
      answers.push(answer);
    }
    acks.sort((a, b) => a - b);
    answers.sort((a, b) => a - b);
    probes.sort((a, b) => a - b);
    return { acks, answers, probes, errors, ok };
  } finally {
    if (process.env.BENCH_SHOW_LOGS) console.log(bot.stdout().slice(-3000), bot.stderr().slice(-3000));
    bot.child.kill('SIGTERM');
    await bot.exited;
    await emulator.stop();
  }
}

/**
 * Issue 6: metrics look-ups on the demo seed at BENCH_METRICS_SCALE (965 ≈ 10 M decisions), each against
 * one hand-written SQL aggregate over the same rows (the floor), and the slash command's ack.
 */
export async function metricsBench(): Promise<BenchResult> {
  const seeded = await seedMetricsDatabase();
  const pg = new Client({ connectionString: seeded.url });
  const db = await openDatabase({ databaseUrl: seeded.url, dataDir: '', poolSize: 10 });
  const deps = { db: db.prisma, clock: fixedClock(NOW), timeZone: TIME_ZONE };
  const figures: Record<string, number | string> = {};
  try {
    await pg.connect();
    const [counts] = await pg
      .query(
        `SELECT (SELECT count(*) FROM decisions)::int8 AS decisions, (SELECT count(*) FROM reports)::int8 AS reports,
              (SELECT count(*) FROM cases)::int8 AS cases, pg_size_pretty(pg_database_size(current_database())) AS size,
              (SELECT min(decided_at) FROM decisions) AS first, (SELECT max(decided_at) FROM decisions) AS last`,
      )
      .then((r) => r.rows);
    await pg.query(SESSION_SQL);
    Object.assign(figures, {
      scale: SCALE,
      decisions: Number(counts.decisions),
      reports: Number(counts.reports),
      cases: Number(counts.cases),
      'decided between': `${(counts.first as Date).toISOString().slice(0, 10)} and ${(counts.last as Date).toISOString().slice(0, 10)}`,
      'database size': String(counts.size),
      seed: seeded.seedSeconds,
    });

    const plans: string[] = [];
    for (const text of LOOKUPS) {
      console.log(`${text}:`);
      const q = await parseMetricsQuery(deps, text);
      const params = [q.range.start, q.range.end];
      const lookup = await series('lookUpMetrics', () => lookUpMetrics(deps, text));
      const floor = await series('floor', () => pg.query(FLOORS[text], params));
      // Where the look-up's time goes: each of computeMetrics' statements alone, under EXPLAIN ANALYZE (one warm run each).
      const parts: { kind: string; ms: number; plan: string }[] = [];
      for (const kind of KINDS) {
        const f = factQuery(kind, { range: q.range, filters: {}, ...(q.by ? { by: q.by } : {}) });
        const rows = (await pg.query(`EXPLAIN (ANALYZE, BUFFERS) ${f.sql}`, f.params)).rows.map((r) => r['QUERY PLAN'] as string);
        const ms = Number(/Execution Time: ([\d.]+) ms/.exec(rows.at(-1) ?? '')?.[1] ?? Number.NaN);
        parts.push({ kind, ms, plan: `-- ${text}: ${kind} (${Math.round(ms)} ms)\n${f.sql}\n${rows.join('\n')}` });
      }
      parts.sort((a, b) => b.ms - a.ms);
      plans.push(...parts.map((s) => s.plan));
      Object.assign(figures, {
        [`${text}: range`]: q.range.label,
        [`${text}: runs`]: runsNote(lookup),
        [`${text}: first run (ms)`]: Math.round(lookup.first),
        [`${text}: p50 (ms)`]: p(lookup, 50),
        [`${text}: p95 (ms)`]: p(lookup, 95),
        [`${text}: max (ms)`]: p(lookup, 100),
        [`${text}: floor p50 / p95 (ms)`]: `${p(floor, 50)} / ${p(floor, 95)}`,
        [`${text}: ratio p95 look-up / floor`]: r1(percentile(lookup.ms, 95) / percentile(floor.ms, 95)),
        [`${text}: statements alone, EXPLAIN ANALYZE (ms)`]: parts.map((s) => `${s.kind} ${Math.round(s.ms)}`).join(', '),
      });
    }
    for (const plan of plans) console.log(plan);

    const dsaAggregates = await loadDsaAggregates();
    const dsaRange = parseRange(DSA_RANGE, { now: NOW, timeZone: TIME_ZONE });
    // Being written alongside this benchmark: a failure is reported, not fatal.
    let dsaError: string | undefined;
    let dsaFirst = 0;
    if (dsaAggregates) {
      console.log(`dsa ${DSA_RANGE}:`);
      const t0 = performance.now();
      dsaError = await dsaAggregates(deps, dsaRange).then(
        () => undefined,
        (err: Error) => err.message.trim().split('\n').filter(Boolean).pop() ?? String(err),
      );
      dsaFirst = performance.now() - t0;
    }
    if (dsaError) {
      figures[`dsa ${DSA_RANGE}`] = `failed: ${dsaError}`;
    } else if (dsaAggregates) {
      const dsa = await series('dsaAggregates', () => dsaAggregates(deps, dsaRange), dsaFirst);
      const floor = await series('floor', () => pg.query(FLOORS.dsa, [dsaRange.start, dsaRange.end]));
      Object.assign(figures, {
        [`dsa ${DSA_RANGE}: runs`]: runsNote(dsa),
        [`dsa ${DSA_RANGE}: first run (ms)`]: Math.round(dsa.first),
        [`dsa ${DSA_RANGE}: p50 (ms)`]: p(dsa, 50),
        [`dsa ${DSA_RANGE}: p95 (ms)`]: p(dsa, 95),
        [`dsa ${DSA_RANGE}: max (ms)`]: p(dsa, 100),
        [`dsa ${DSA_RANGE}: floor p50 / p95 (ms)`]: `${p(floor, 50)} / ${p(floor, 95)}`,
        [`dsa ${DSA_RANGE}: ratio p95 / floor`]: r1(percentile(dsa.ms, 95) / percentile(floor.ms, 95)),
      });
    } else {
      figures[`dsa ${DSA_RANGE}`] = 'not built yet (src/domain/exports/dsa.ts has no dsaAggregates)';
    }
    await db.close();
    await pg.end();

    console.log('ack: the bot as its own process…');
    const ack = await ackLoad(seeded.url);
    Object.assign(figures, {
      'ack: commands': ack.acks.length < ACKS ? `${ack.acks.length} (capped: an answer took over ${SLOW_MS / 1000} s)` : ack.acks.length,
      'ack p50 / p99 / max (ms)': `${r1(percentile(ack.acks, 50))} / ${r1(percentile(ack.acks, 99))} / ${r1(percentile(ack.acks, 100))}`,
      'ack of /trustops help sent every 200 ms while a look-up runs: n, p50 / p99 / max (ms)': `${ack.probes.length}, ${r1(percentile(ack.probes, 50))} / ${r1(percentile(ack.probes, 99))} / ${r1(percentile(ack.probes, 100))}`,
      'ack errors': ack.errors,
      'answer at response_url p50 / p95 / max (ms)': `${Math.round(percentile(ack.answers, 50))} / ${Math.round(percentile(ack.answers, 95))} / ${Math.round(percentile(ack.answers, 100))}`,
      'answers were figures': ack.ok ? 'yes' : 'no (an error message came back)',
    });

    return {
      name: 'metrics',
      description: `Issue 6. The demo seed (\`db:seed --scale ${SCALE} --anchor ${ANCHOR}\`: 90 days, 2026-08-29 → 2026-11-26) in a Postgres database, VACUUM ANALYZEd. Each look-up runs in-process through lookUpMetrics (Prisma, the seven aggregate statements of computeMetrics at once; clock fixed at ${NOW.toISOString()}, time zone ${TIME_ZONE}): one warm-up run, then ${RUNS} timed runs (${SLOW_RUNS} runs in all, the warm-up counted, when it takes over ${SLOW_MS / 1000} s). The floor is one hand-written SQL aggregate over the same decisions (counts by group, actioned, automated; by:surface through the case's surface_id, its first report's) on a plain pg connection, jit off and work_mem 32 MB as computeMetrics sets them, timed the same way; the ratio is p95 over p95. "Statements alone" is each of computeMetrics' statements run on its own under EXPLAIN ANALYZE (execution time; the plans are printed). The DSA figure is dsaAggregates over ${DSA_RANGE} (the half year holding the data) against a decisions × dsa_category_map aggregate. The ack: ${ACKS} signed \`/trustops metrics last 90d by:policy\` commands, one after another (after one warm-up), through the real HTTP receiver of the bot running as its own process on the same database (SLA scan job kept out of the way); the ack is the HTTP round trip, the answer the time until the figures reach response_url (${SLOW_RUNS} commands in all, the warm-up counted, when its answer takes over ${SLOW_MS / 1000} s). While each look-up runs, a \`/trustops help\` every 200 ms measures the ack of a busy bot.`,
      machine: machine(),
      at: new Date().toISOString(),
      figures,
    };
  } finally {
    await db.close().catch(() => {});
    await pg.end().catch(() => {});
    await seeded.drop();
  }
}
