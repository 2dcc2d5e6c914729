import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { type AnalyticsEngine, openAnalytics } from '../src/analytics';
import { fixedClock, systemClock } from '../src/clock';
import { openDatabase } from '../src/db/client';
import { buildDsaReport, sheetCsvLines } from '../src/domain/exports/dsa-report/report';
import { parseRange } from '../src/domain/metrics/range';
import { startDsaSubmissions } from '../src/jobs/dsa-submission';
import { createLogger, silentLogger } from '../src/logger';
import { startTdbStandIn } from '../src/sandbox/tdb/server';
import { machine } from './machine';
import { DEFAULT_SCALE, DEFAULT_VENDORS, keptMetricsDatabase } from './metrics-seed';
import type { BenchResult } from './run';
import { BENCH_ADMIN_URL, percentile, sql, urlFor } from './support';

// Issue 17: `export dsa-report 2026-H2` on the 10 M-decision seed (the analytics read model, as the bot reads
// it: figures, checks and every sheet's CSV lines), and the submission of statements of reasons to the local
// stand-in of the Transparency Database, in statements per second (one worker, and two replicas at once).

const SCALE = Number(process.env.BENCH_METRICS_SCALE ?? DEFAULT_SCALE);
const RUNS = Number(process.env.BENCH_DSA_REPORT_RUNS ?? 10);
const THREADS = Number(process.env.TRUSTOPS_ANALYTICS_THREADS ?? 2);
const MEMORY = process.env.TRUSTOPS_ANALYTICS_MEMORY ?? '4GB';
const NOW = new Date('2027-01-10T12:00:00Z');
/** The report's own copy of the seed (a cache between runs), apart from the metrics bench's. */
const ANALYTICS_ROOT = process.env.BENCH_DSA_REPORT_ANALYTICS_DIR ?? path.join(os.tmpdir(), 'trustops-bench-dsa-report');
const STATEMENTS = Number(process.env.BENCH_DSA_STATEMENTS ?? 20_000);
const SCRATCH = 'trustops_bench_dsa_tdb';

const SETTINGS = { serviceName: 'Claude', providerName: 'Anthropic PBC', averageMonthlyRecipients: null, previousPublicationDate: null };

async function reportBench(figures: Record<string, number | string>) {
  const seeded = await keptMetricsDatabase(SCALE, console.log, DEFAULT_VENDORS);
  const dir = path.join(ANALYTICS_ROOT, seeded.name);
  mkdirSync(dir, { recursive: true });
  const db = await openDatabase({ databaseUrl: seeded.url, dataDir: '', poolSize: 2 });
  let engine: AnalyticsEngine | undefined;
  try {
    const t0 = performance.now();
    engine = await openAnalytics({
      databaseUrl: seeded.url,
      dir,
      memory: MEMORY,
      threads: THREADS,
      log: createLogger({ level: 'warn' }),
      syncIntervalMs: 0,
    });
    const [counts] = await engine.read((r) =>
      r.query('SELECT (SELECT count(*) FROM decisions) AS decisions, (SELECT count(*) FROM reports) AS reports'),
    );
    figures['analytics copy ready (s; a cold build when the schema changed)'] = Math.round((performance.now() - t0) / 100) / 10;
    figures.decisions = Number(counts?.decisions);
    figures.reports = Number(counts?.reports);
    const deps = { analytics: engine, db: db.prisma, clock: fixedClock(NOW) };
    const range = parseRange('2026-H2', { now: NOW, timeZone: 'UTC' });
    const once = async () => {
      const t = performance.now();
      const report = await buildDsaReport(deps, range, SETTINGS);
      let bytes = 0;
      for (const sheet of report.sheets) for (const line of sheetCsvLines(sheet)) bytes += Buffer.byteLength(line);
      return { ms: performance.now() - t, bytes, rows: report.sheets.reduce((n, s) => n + s.rows.length, 0) };
    };
    const first = await once();
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) ms.push((await once()).ms);
    ms.sort((a, b) => a - b);
    console.log(`  export dsa-report 2026-H2: first ${Math.round(first.ms)} ms, p50 ${Math.round(percentile(ms, 50))} ms`);
    figures['export dsa-report 2026-H2, first (ms)'] = Math.round(first.ms);
    figures['export dsa-report 2026-H2, p50 (ms)'] = Math.round(percentile(ms, 50));
    figures['export dsa-report 2026-H2, p95 (ms)'] = Math.round(percentile(ms, 95));
    figures['export dsa-report 2026-H2, runs'] = RUNS;
    figures['sheets rows / bytes'] = `${first.rows} / ${first.bytes}`;
  } finally {
    await engine?.close();
    await db.close();
  }
}

async function submissionBench(figures: Record<string, number | string>) {
  // A scratch database of its own: the submission writes its outbox, which the kept seed must not get.
  await sql(BENCH_ADMIN_URL, `DROP DATABASE IF EXISTS ${SCRATCH} WITH (FORCE)`);
  await sql(BENCH_ADMIN_URL, `CREATE DATABASE ${SCRATCH}`);
  const url = urlFor(SCRATCH);
  execFileSync(process.execPath, [require.resolve('tsx/cli'), 'src/cli/db-migrate.ts'], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: 'pipe',
  });
  const db = await openDatabase({ databaseUrl: url, dataDir: '', poolSize: 8 });
  const tdb = await startTdbStandIn();
  try {
    const seed = async (prefix: string) => {
      // Each run starts empty: no outbox rows and no decisions of an earlier run (they would be queued again).
      await db.prisma.$executeRawUnsafe(`TRUNCATE dsa_submissions`);
      await db.prisma.$executeRawUnsafe(`DELETE FROM decisions`);
      // The statements are decided before the workers start: a start before them, as an admin sends history.
      await db.prisma.$executeRawUnsafe(
        `INSERT INTO dsa_report_settings (key, value, updated_by, updated_at) VALUES ('submission_start', '2000-01-01T00:00:00.000Z', 'bench', now())
         ON CONFLICT (key) DO NOTHING`,
      );
      await db.prisma.$executeRawUnsafe(
        `WITH c AS (
           INSERT INTO cases (queue_id, sla_policy_id, content_ref, opened_at, first_action_due_at, resolution_due_at,
                              first_action_at_risk_at, resolution_at_risk_at, status, updated_at)
           SELECT q.id, p.id, '${prefix}', now() - interval '1 day', now(), now(), now(), now(), 'decided', now()
             FROM queues q JOIN sla_policies p ON p.queue_id = q.id LIMIT 1 RETURNING id)
         INSERT INTO decisions (external_id, case_id, action, policy, actor_type, automated, decided_at)
         SELECT '${prefix}-' || k, c.id, 'content_removed', 'hate_speech', 'vendor_reviewer', false, now() - interval '1 hour'
           FROM c, generate_series(1, ${STATEMENTS}) k`,
      );
    };
    const run = async (replicas: number, prefix: string) => {
      await seed(prefix);
      const before = tdb.statements.size;
      const workers = Array.from({ length: replicas }, () =>
        startDsaSubmissions({
          db: db.prisma,
          log: silentLogger,
          clock: systemClock,
          registry: new Registry(),
          url: tdb.url,
          token: tdb.token,
          timeZone: 'UTC',
          manual: true,
        }),
      );
      const t = performance.now();
      await Promise.all(
        workers.map(async (w) => {
          for (;;) {
            const r = await w.runOnce();
            if (r.claimed === 0 && r.enqueued === 0) return;
          }
        }),
      );
      const seconds = (performance.now() - t) / 1000;
      const sent = tdb.statements.size - before;
      if (sent !== STATEMENTS) throw new Error(`${sent} statements reached the stand-in, not ${STATEMENTS}`);
      const rate = Math.round(sent / seconds);
      console.log(`  submission, ${replicas} replica(s): ${sent} statements in ${seconds.toFixed(1)} s, ${rate}/s`);
      return rate;
    };
    figures['submission: statements'] = STATEMENTS;
    figures['submission, 1 worker (statements/s)'] = await run(1, 'one');
    figures['submission, 2 replicas at once (statements/s)'] = await run(2, 'two');
    const answers: Record<string, number> = {};
    for (const c of tdb.calls) answers[c.status] = (answers[c.status] ?? 0) + 1;
    figures['submission: calls to the stand-in by answer'] = Object.entries(answers)
      .map(([status, n]) => `${status}: ${n}`)
      .join(', ');
  } finally {
    await tdb.close();
    await db.close();
    await sql(BENCH_ADMIN_URL, `DROP DATABASE IF EXISTS ${SCRATCH} WITH (FORCE)`);
  }
}

export async function dsaReportBench(): Promise<BenchResult> {
  const figures: Record<string, number | string> = {};
  const only = process.env.BENCH_DSA_REPORT_ONLY;
  if (only !== 'submission') await reportBench(figures);
  if (only !== 'report') await submissionBench(figures);
  figures['load average at the end (1/5/15 min)'] = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');
  return {
    name: 'dsa-report',
    description:
      '`export dsa-report 2026-H2` on the 10 M-decision seed: figures, consistency checks and every sheet as CSV lines, read from the analytics copy (DuckDB) as the bot reads them; then statements of reasons submitted to the local stand-in of the DSA Transparency Database (batches of 100, one worker and two replicas at once).',
    machine: machine(),
    at: new Date().toISOString(),
    figures,
  };
}
