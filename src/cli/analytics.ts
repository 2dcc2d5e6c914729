// npm run analytics:rebuild   every analytics copy of this database is built again from Postgres
// npm run analytics:verify    per-day counts of every fact table, in Postgres and in a copy: exit 1 naming each difference
//
// rebuild raises the rebuild generation in Postgres, so each running process rebuilds its own copy at its next
// catch-up. When a running bot holds analytics-0 that is all it does (building a second full copy beside the
// bot's would cost minutes and gigabytes for nothing); otherwise it builds analytics-0 here, with progress.
//
// verify compares the file the bot serves when it can open it: analytics-0 left by a stopped bot (caught up
// first). While a bot runs it holds that file, so verify builds a fresh copy of its own and compares that one:
// a check of the sync against Postgres, not of the bytes the running bot answers from. The output says which
// of the two it compared; the fresh copy is deleted afterwards.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { type AnalyticsEngine, openAnalytics, removeFile, slotFile, slotHeld } from '../analytics';
import { loadConfig } from '../config';
import { openDatabase } from '../db/client';
import { createLogger } from '../logger';
import { runCli } from './run';

const USAGE = 'usage: npm run analytics:rebuild | npm run analytics:verify';

runCli(async () => {
  const command = process.argv[2];
  if (command !== 'rebuild' && command !== 'verify') throw new Error(USAGE);
  const config = loadConfig();
  const log = createLogger({ level: 'warn', secrets: config.secrets });
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.TRUSTOPS_DATA_DIR, poolSize: 1 });
  const dir = config.TRUSTOPS_ANALYTICS_DIR ?? config.TRUSTOPS_DATA_DIR;
  const served = slotFile(dir, 0);
  const botRuns = await slotHeld(dir, 0);
  // Files there before this run: only a file this run made is thrown away afterwards (a stopped replica's stays).
  const before = new Set(existsSync(dir) ? readdirSync(dir) : []);
  let engine: AnalyticsEngine | undefined;
  let throwAway = false;
  try {
    if (command === 'rebuild') {
      const [row] = await db.prisma.$queryRaw<{ generation: number }[]>`
        UPDATE analytics_horizon SET generation = generation + 1 WHERE id = 1 RETURNING generation`;
      console.log(`rebuild generation ${row?.generation}: running processes rebuild their copies at their next catch-up`);
      if (botRuns) {
        console.log(`${served} is held by a running bot: it rebuilds it itself at its next catch-up (within seconds); nothing built here`);
        return;
      }
    }
    engine = await openAnalytics({
      databaseUrl: db.url,
      dir,
      memory: config.TRUSTOPS_ANALYTICS_MEMORY,
      threads: config.TRUSTOPS_ANALYTICS_THREADS,
      log,
      syncIntervalMs: 0,
      pruneEveryMs: 0,
      copyStreams: db.embedded ? 1 : 3,
    });
    const madeHere = !before.has(path.basename(engine.file));
    const which = engine.file === served ? '(the served file)' : madeHere ? '(a fresh copy)' : "(a stopped replica's file)";
    throwAway = command === 'verify' && engine.file !== served && madeHere;
    if (command === 'verify' && engine.file !== served)
      console.log(
        `${served} is held by a running bot: comparing ${engine.file} ${which} instead, which checks the sync, not the file the bot serves`,
      );
    const started = Date.now();
    // The raised generation (or a missing file) makes this catch-up a build.
    await withProgress(engine, () => (engine as AnalyticsEngine).catchUp());
    const rows = Object.entries(engine.status().rows)
      .map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`)
      .join(', ');
    if (command === 'rebuild') {
      console.log(`rebuilt ${engine.file} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${rows}`);
      return;
    }
    const report = await engine.verify();
    for (const d of report.differences)
      console.log(`${d.table} on ${d.day} (UTC): Postgres ${d.postgres}, analytics ${d.analytics} (${signed(d.analytics - d.postgres)})`);
    if (report.differences.length) {
      console.log(`${report.differences.length} difference(s) between Postgres and ${engine.file} ${which}`);
      process.exitCode = 1;
    } else {
      console.log(`${engine.file} ${which} agrees with Postgres: ${report.tables.join(', ')} over ${report.days} table-days (${rows})`);
    }
  } finally {
    await engine?.close();
    if (engine && throwAway) removeFile(engine.file);
    await db.close();
  }
});

/** Prints the build's progress (rows and %) once a second while `work` runs. */
async function withProgress(engine: AnalyticsEngine, work: () => Promise<void>): Promise<void> {
  const timer = setInterval(() => {
    const p = engine.status().progress;
    if (engine.status().state !== 'building' || !p) return;
    const line = `building ${p.table}: ${p.rowsLoaded.toLocaleString('en-US')} of ~${p.rowsExpected.toLocaleString('en-US')} rows (${Math.floor(p.fraction * 100)} %)`;
    process.stdout.write(process.stdout.isTTY ? `\r${line}` : `${line}\n`);
  }, 1000);
  try {
    await work();
  } finally {
    clearInterval(timer);
    if (process.stdout.isTTY) process.stdout.write('\n');
  }
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
