// npm run db:seed [-- --scale N] [--anchor YYYY-MM-DD]
// Loads 90 days of demo data ending at the anchor (default: today, 00:00 UTC) into DATABASE_URL or
// the embedded database, once: a database that already holds it is left alone, and one that holds
// anything else (reports, decisions, roles, configured vendors …) is refused with one line, exit code 1.
import { loadConfig } from '../config';
import { openDatabase } from '../db/client';
import { applyMigrations } from '../db/migrate';
import { type SeedSummary, seedDemoData, startOfUtcDay } from '../db/seed';
import { runCli } from './run';

const USAGE = 'usage: npm run db:seed [-- --scale N] [--anchor YYYY-MM-DD]';

function parseArgs(argv: readonly string[]): { scale: number; anchor: Date } {
  let scale = 1;
  let anchor = startOfUtcDay(new Date());
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] as string).split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--scale') {
      const raw = value();
      scale = Number(raw);
      if (!raw || !Number.isFinite(scale) || scale <= 0)
        throw new Error(`--scale: expected a positive number (got "${raw ?? ''}"); ${USAGE}`);
    } else if (flag === '--anchor') {
      const raw = value() ?? '';
      anchor = new Date(`${raw}T00:00:00Z`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(anchor.getTime()))
        throw new Error(`--anchor: expected a date YYYY-MM-DD (got "${raw}"); ${USAGE}`);
    } else {
      throw new Error(`unknown argument "${argv[i]}"; ${USAGE}`);
    }
  }
  return { scale, anchor };
}

/** Overwrites one line on a terminal; in a log, prints a line every 10 %. */
function progressPrinter(out: NodeJS.WriteStream): { update(done: number, total: number): void; end(): void } {
  let lastTenth = -1;
  let drawn = false;
  return {
    update(done, total) {
      const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
      const line = `seeding: ${String(pct).padStart(3)} % (${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} reports)`;
      if (out.isTTY) {
        out.write(`\r${line}`);
        drawn = true;
      } else if (Math.floor(pct / 10) > lastTenth) {
        lastTenth = Math.floor(pct / 10);
        out.write(`${line}\n`);
      }
    },
    end() {
      if (drawn) out.write('\n');
    },
  };
}

function printSummary(summary: SeedSummary, seconds: number): void {
  if (summary.skipped) {
    console.log(summary.message);
    return;
  }
  console.log(`${summary.message} (anchor ${summary.anchor.slice(0, 10)}) in ${seconds.toFixed(1)} s`);
  const rows = Object.entries(summary.counts).filter(([, n]) => n > 0);
  const width = Math.max(...rows.map(([table]) => table.length));
  for (const [table, n] of rows) console.log(`  ${table.padEnd(width)}  ${n.toLocaleString('en-US').padStart(12)}`);
}

runCli(async () => {
  const { scale, anchor } = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.TRUSTOPS_DATA_DIR, poolSize: 2 });
  try {
    const applied = await applyMigrations(db.url);
    if (applied.length) console.log(`applied ${applied.length} migration(s): ${applied.join(', ')}`);
    const progress = progressPrinter(process.stdout);
    const started = performance.now();
    const summary = await seedDemoData(db.prisma, { scale, now: anchor, databaseUrl: db.url, onProgress: progress.update });
    progress.end();
    printSummary(summary, (performance.now() - started) / 1000);
  } finally {
    await db.close();
  }
});
