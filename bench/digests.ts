// npm run bench -- digests: one morning's digests for every vendor of the metrics seed (50 vendors, 10 M
// decisions in 2026-H2 at scale 480), end to end on this machine: scorecards read from the analytics copy,
// ledger claims and outbox rows, delivery to the local Slack emulator, and each vendor's chart rendered and
// uploaded (files upload v2) into its digest's thread, plus the overview and its CSV.
//
// The seed database is the metrics benchmark's (bench/metrics-seed.ts, owned there); BENCH_DIGESTS_DB names
// another. This benchmark writes digest ledger rows and outbox rows into it and deletes them again, before
// and after. Slack's own pace (about one post per second per channel) is left out: the emulator does not
// impose it and delivery runs with no gap, so the figures are the bot's side.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type AnalyticsEngine, openAnalytics } from '../src/analytics';
import { runningClock } from '../src/clock';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/client';
import { domainDeps } from '../src/domain/deps';
import type { ChartPort } from '../src/domain/digests/chart';
import { pendingFiles, type ThreadFilePort } from '../src/domain/digests/files';
import { startAlertDelivery } from '../src/jobs/alert-delivery';
import { digestsJob } from '../src/jobs/digests';
import { createLogger } from '../src/logger';
import { createMetrics } from '../src/metrics';
import { ChartRenderer } from '../src/render/chart';
import { SlackEmulator } from '../src/sandbox/emulator';
import { slackThreadFiles } from '../src/slack/digest-files';
import { createNotifier } from '../src/slack/notifier';
import { machine } from './machine';
import { DEFAULT_SCALE, DEFAULT_VENDORS, databaseName } from './metrics-seed';
import type { BenchResult } from './run';
import { percentile, sql, urlFor } from './support';

const ROOT = path.resolve(__dirname, '..');
const NAME = process.env.BENCH_DIGESTS_DB ?? databaseName(DEFAULT_SCALE, DEFAULT_VENDORS);
/** The morning measured: every vendor's digest time has passed, in every zone of the seed. */
const NOW = process.env.BENCH_DIGESTS_NOW ?? '2026-12-02T23:30:00Z';
const ANALYTICS_ROOT = process.env.BENCH_METRICS_ANALYTICS_DIR ?? path.join(os.tmpdir(), 'trustops-bench-analytics');
const CHART_WORKERS = Number(process.env.BENCH_DIGESTS_CHART_WORKERS ?? 2);

const r1 = (ms: number) => Math.round(ms * 10) / 10;
const s2 = (ms: number) => Math.round(ms / 10) / 100;

async function clean(url: string): Promise<void> {
  await sql(url, `DELETE FROM digest_ledger`);
  await sql(url, `DELETE FROM alerts WHERE kind IN ('digest', 'digest_overview')`);
}

export async function digestsBench(): Promise<BenchResult> {
  const url = urlFor(NAME);
  const [exists] = await sql(urlFor('postgres'), 'SELECT 1 AS found FROM pg_database WHERE datname = $1', [NAME]);
  if (!exists)
    throw new Error(`digests bench: no database ${NAME}; seed it with \`npx tsx bench/metrics-seed.ts\` (or set BENCH_DIGESTS_DB)`);
  console.log(
    execFileSync(process.execPath, [require.resolve('tsx/cli'), 'src/cli/db-migrate.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url },
      stdio: 'pipe',
    })
      .toString()
      .trim(),
  );
  await clean(url);
  const [counts] = await sql(
    url,
    `SELECT (SELECT count(*) FROM decisions)::int8 AS decisions, (SELECT count(*) FROM vendors)::int AS vendors,
            (SELECT count(*) FROM vendors WHERE slack_channel IS NOT NULL)::int AS with_channel`,
  );
  const log = createLogger({ level: 'warn' });
  const emulator = await SlackEmulator.start();
  for (const row of await sql(url, 'SELECT DISTINCT slack_channel AS c FROM vendors WHERE slack_channel IS NOT NULL'))
    if (!emulator.channel(String(row.c))) emulator.addChannel(String(row.c));
  const db = await openDatabase({ databaseUrl: url, dataDir: '', poolSize: 6 });
  const dir = path.join(ANALYTICS_ROOT, NAME);
  mkdirSync(dir, { recursive: true });
  let engine: AnalyticsEngine | undefined;
  const charts = new ChartRenderer({ workers: CHART_WORKERS });
  const figures: Record<string, number | string> = {};
  try {
    const t0 = performance.now();
    engine = await openAnalytics({ databaseUrl: url, dir, memory: '4GB', threads: 2, log, syncIntervalMs: 0 });
    await engine.read((r) => r.query('SELECT 1'));
    figures['analytics copy ready (s; a rebuild when the schema changed, else a catch-up)'] = s2(performance.now() - t0);

    const clock = runningClock(NOW);
    const config = loadConfig({ TRUSTOPS_TIMEZONE: 'UTC', TRUSTOPS_DIGEST_TIME: '09:30' });
    const metrics = createMetrics();
    const notifier = createNotifier({ token: emulator.botToken, apiUrl: emulator.apiUrl, reviewUrl: config.TRUSTOPS_REVIEW_URL });
    const delivery = startAlertDelivery({ db: db.prisma, log, metrics, clock, notifier, channelGapMs: 0, pollMs: 200 });
    const reads: number[] = [];
    const analytics = {
      ...engine,
      read: async <T>(fn: Parameters<AnalyticsEngine['read']>[0]) => {
        const a = performance.now();
        try {
          return (await engine!.read(fn)) as T;
        } finally {
          reads.push(performance.now() - a);
        }
      },
    } as AnalyticsEngine;
    // The last digest queued (the overview's claim comes last) ends the figures' part.
    let queued = 0;
    const alertsQueued = () => {
      queued = performance.now();
      delivery.kick();
    };
    const deps = domainDeps(config, { db: db.prisma, analytics, clock, log, alertsQueued });
    const renders: number[] = [];
    const renderStarts: number[] = [];
    // At most one chart per worker at a time, so a chart's time is its own, not its wait in the queue.
    let busy = 0;
    const freed: (() => void)[] = [];
    const timedCharts: ChartPort = {
      render: async (spec) => {
        while (busy >= CHART_WORKERS) await new Promise<void>((r) => freed.push(r));
        busy++;
        const a = performance.now();
        renderStarts.push(a);
        try {
          return await charts.render(spec);
        } finally {
          renders.push(performance.now() - a);
          busy--;
          freed.shift()?.();
        }
      },
    };
    const uploads: number[] = [];
    const slackFiles = slackThreadFiles({ token: emulator.botToken, apiUrl: emulator.apiUrl });
    const files: ThreadFilePort = {
      ...slackFiles,
      upload: async (f) => {
        const a = performance.now();
        try {
          return await slackFiles.upload(f);
        } finally {
          uploads.push(performance.now() - a);
        }
      },
    };
    const loadAtStart = os.loadavg()[0]!;

    // The job as the bot runs it: figures, claims and outbox rows, each chart drawn from the moment its digest
    // is queued, then the thread files once their digests are posted (looking again every 50 ms).
    const job = digestsJob(config, deps, { files, charts: timedCharts, waitForPostsMs: 120_000, pollMs: 50 });
    const shares = () => emulator.callsTo('files.completeUploadExternal').filter((c) => c.status === 200).length;
    const start = performance.now();
    await job.run({ db: db.prisma, log, metrics, clock }, clock.now());
    const done = performance.now();
    await delivery.stop();
    const left = await pendingFiles(deps);
    if (left) throw new Error(`digests bench: ${left} thread files still pending after the job's run`);
    const shared = shares();
    const ledger = await sql(
      url,
      `SELECT count(*) FILTER (WHERE outcome <> 'quiet')::int AS sent, count(*) FILTER (WHERE outcome = 'quiet')::int AS quiet FROM digest_ledger`,
    );

    const posted = emulator.allMessages().filter((m) => !m.thread_ts || m.thread_ts === m.ts).length;
    // The vendor digests' reads (one per due date: each reads its vendors zone by zone), then the overview's.
    const overviewRead = reads.at(-1) ?? 0;
    const vendorReads = reads.slice(0, -1);
    const sortedRenders = [...renders].sort((a, b) => a - b);
    const sortedUploads = [...uploads].sort((a, b) => a - b);
    Object.assign(figures, {
      'decisions in the seed': Number(counts?.decisions),
      vendors: Number(counts?.vendors),
      'vendors with a channel of their own (the others post to vendor-ops)': Number(counts?.with_channel),
      'digests queued (vendor digests + overview)': Number(ledger[0]?.sent),
      'quiet vendors with nothing posted': Number(ledger[0]?.quiet),
      'messages posted': posted,
      'thread files shared (charts + the overview CSV)': shared,
      'total: start → every digest posted and every chart and CSV in its thread (s)': s2(done - start),
      'of which reading the figures and queueing (s)': s2(queued - start),
      'of which delivery, charts and uploads (s)': s2(done - queued),
      'vendor digests: scorecard reads (one per due date, its vendors read zone by zone) (ms)': vendorReads.map(r1).join(' + '),
      'overview: every vendor in one read (ms)': r1(overviewRead),
      'charts rendered': renders.length,
      [`time per chart (Vega-Lite → SVG → PNG, ${CHART_WORKERS} workers), p50 / p95 / max (ms)`]: `${r1(percentile(sortedRenders, 50))} / ${r1(percentile(sortedRenders, 95))} / ${r1(sortedRenders.at(-1) ?? 0)}`,
      'first chart (worker start-up included) (ms)': r1(renders[0] ?? 0),
      'charts started before the last digest was queued (drawn while the overview was read)': renderStarts.filter((t) => t < queued).length,
      'upload per file (getUploadURLExternal + bytes), p50 (ms)': r1(percentile(sortedUploads, 50)),
      'load average (1 min) at the start / at the end': `${loadAtStart.toFixed(2)} / ${os.loadavg()[0]!.toFixed(2)}`,
    });
  } finally {
    await charts.close();
    await engine?.close();
    await clean(url).catch(() => {});
    await db.close();
    await emulator.stop();
  }
  return {
    name: 'digests',
    description: `One morning's digests (${NOW}) for every vendor of ${NAME}: scorecards on the analytics copy, ledger claims and outbox rows, delivery to the local emulator with no per-channel gap, each vendor's 30-day chart and the overview's CSV uploaded into their threads.`,
    machine: machine(),
    at: new Date().toISOString(),
    figures,
  };
}
