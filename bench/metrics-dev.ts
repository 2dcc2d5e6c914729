// Dev probe for catch-up cost (not a benchmark): opens the copy of a seeded bench database, runs look-ups, then
// commits batches of decisions (on the newest cases, and on cases spread over the table) and times each catch-up
// statement by statement. `npx tsx bench/metrics-dev.ts <db-name> <dir> [rounds]`.
import { DuckDBConnection } from '@duckdb/node-api';
import { Client } from 'pg';
import { openAnalytics } from '../src/analytics';
import { fixedClock } from '../src/clock';
import { openDatabase } from '../src/db/client';
import { lookUpMetrics } from '../src/domain/metrics/lookup';
import { createLogger } from '../src/logger';
import { urlFor } from './support';

const [name = 'trustops_bench_metrics_h2_s48', dir = '/work/tmp-analytics/copy-s48', roundsArg = '3'] = process.argv.slice(2);
const NOW = new Date('2026-12-31T23:00:00Z');

let trace: { sql: string; ms: number }[] | undefined;
for (const method of ['run', 'runAndReadAll'] as const) {
  const proto = DuckDBConnection.prototype as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const orig = proto[method] as (...a: unknown[]) => Promise<unknown>;
  proto[method] = async function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    try {
      return await orig.apply(this, args);
    } finally {
      trace?.push({ sql: String(args[0]).replace(/\s+/g, ' ').slice(0, 110), ms: performance.now() - t0 });
    }
  };
}

async function main() {
  const url = urlFor(name);
  const t0 = performance.now();
  const engine = await openAnalytics({
    databaseUrl: url,
    dir,
    memory: process.env.TRUSTOPS_ANALYTICS_MEMORY ?? '4GB',
    threads: 2,
    log: createLogger({ level: (process.env.LOG_LEVEL as 'debug') ?? 'warn' }),
    syncIntervalMs: 0,
  });
  await engine.catchUp();
  console.log(`open + catch-up ${Math.round(performance.now() - t0)} ms`, engine.status().rows);
  const pg = new Client({ connectionString: url });
  await pg.connect();
  const db = await openDatabase({ databaseUrl: url, dataDir: '', poolSize: 2 });
  const deps = { db: db.prisma, clock: fixedClock(NOW), timeZone: 'UTC', analytics: engine };
  const inserted: number[] = [];
  const commit = async (spread: boolean) => {
    const order = spread ? 'hashint4(id)' : 'id DESC';
    const res = await pg.query<{ id: number }>(
      `INSERT INTO decisions (case_id, action, policy, actor_type, actor_id, automated, decided_at, created_at)
       SELECT id, 'content_removed', coalesce(category, 'spam'), 'internal_analyst', 'U0BENCHFRESH', false, $1, now()
         FROM cases WHERE resolved_at IS NOT NULL ORDER BY ${order} OFFSET $2 LIMIT 1000 RETURNING id`,
      [new Date(NOW.getTime() - 3_600_000), inserted.length],
    );
    inserted.push(...res.rows.map((r) => Number(r.id)));
  };
  const timedCatchUp = async (label: string) => {
    trace = [];
    const t = performance.now();
    const cpu0 = process.cpuUsage();
    await engine.catchUp();
    const ms = performance.now() - t;
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `${label}: ${ms.toFixed(1)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms CPU of this process (DuckDB's threads included)`,
    );
    if (process.env.TRACE)
      for (const x of trace) if (x.ms >= Number(process.env.TRACE)) console.log(`   ${x.ms.toFixed(1).padStart(7)}  ${x.sql}`);
    trace = undefined;
  };
  try {
    const rounds = Number(roundsArg);
    if (process.env.LOOKUPS !== '0') {
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        await lookUpMetrics(deps, 'last 90d by:policy');
        await lookUpMetrics(deps, '2026 by:surface');
        console.log(`look-ups ${Math.round(performance.now() - t)} ms`);
      }
    }
    for (const spread of [false, true]) {
      for (let i = 0; i < rounds; i++) {
        await commit(spread);
        await timedCatchUp(`${spread ? 'spread' : 'newest'} #${i + 1}`);
      }
    }
    await pg.query('DELETE FROM decisions WHERE id = ANY($1::int[])', [inserted]);
    await timedCatchUp(`delete ${inserted.length}`);
    if (process.env.VERIFY) {
      const v = await engine.verify();
      console.log(`verify: ${v.differences.length} differences`);
    }
  } finally {
    await engine.close();
    await db.close();
    await pg.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
