import { chmodSync, createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock } from '../src/clock';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/client';
import { domainDeps } from '../src/domain/deps';
import { importCsv } from '../src/domain/intake/import';
import { silentLogger } from '../src/logger';
import { machine } from './machine';
import type { BenchResult } from './run';
import { scratchDatabase, sql } from './support';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const SURFACES = ['claude_ai', 'api', 'claude_code', 'mobile', 'mcp_directory'];
const TYPES = ['harmful_content', 'illegal_content', 'copyright', 'privacy', 'impersonation', 'other'];
const COUNTRIES = ['DE', 'FR', 'IE', 'NL', 'ES', 'IT', 'PL', 'US'];
const HEADER = 'external_id,surface,report_type,category,content_ref,received_at,jurisdiction,language,description';

async function writeCsv(file: string): Promise<void> {
  const out = createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(`${HEADER}\n`);
  const start = Date.parse('2026-10-01T00:00:00Z');
  let buf = '';
  for (let i = 0; i < ROWS; i++) {
    // Every 10th report is about content already reported, so cases are shared as in real traffic.
    const ref = i % 10 === 9 ? i - 9 : i;
    const at = new Date(start + i * 2_000).toISOString();
    buf += `bench-${i},${SURFACES[i % 5]},${TYPES[i % 6]},policy_${i % 12},https://claude.ai/share/${ref},${at},${COUNTRIES[i % 8]},en,"Reporter note ${i}, with a comma"\n`;
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  await new Promise<void>((resolve) => out.end(resolve));
}

export async function importBench(): Promise<BenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trustops-bench-import-'));
  chmodSync(dir, 0o755); // the Postgres server reads the file for COPY
  const file = path.join(dir, 'reports.csv');
  const scratch = await scratchDatabase('trustops_bench_import');
  try {
    console.log(`writing ${ROWS.toLocaleString('en-US')} rows…`);
    await writeCsv(file);
    const db = await openDatabase({ databaseUrl: scratch.url, dataDir: '', poolSize: 4 });
    const deps = domainDeps(loadConfig({}), { db: db.prisma, clock: systemClock, log: silentLogger });
    console.log('importing through importCsv (the code behind npm run import and the API)…');
    const t0 = Date.now();
    const result = await importCsv(
      deps,
      { id: 'bench', origin: 'cli' },
      'reports',
      createReadStream(file, { highWaterMark: 1 << 20 }),
      (rows) => {
        if (rows % 100_000 === 0) console.log(`  ${rows.toLocaleString('en-US')} rows, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      },
    );
    const importMs = Date.now() - t0;
    await db.close();

    // The floor: Postgres's own COPY of the same file into a bare table on the same server.
    await sql(
      scratch.url,
      `CREATE TABLE bare (external_id text, surface text, report_type text, category text, content_ref text,
                            received_at timestamptz, jurisdiction text, language text, description text)`,
    );
    const c0 = Date.now();
    await sql(scratch.url, `COPY bare FROM '${file}' WITH (FORMAT csv, HEADER true)`);
    const copyMs = Date.now() - c0;

    // A second import of the same file must change nothing.
    const db2 = await openDatabase({ databaseUrl: scratch.url, dataDir: '', poolSize: 4 });
    const r0 = Date.now();
    const again = await importCsv(
      { ...deps, db: db2.prisma },
      { id: 'bench', origin: 'cli' },
      'reports',
      createReadStream(file, { highWaterMark: 1 << 20 }),
    );
    const reimportMs = Date.now() - r0;
    await db2.close();
    const [counts] = await sql(
      scratch.url,
      'SELECT (SELECT count(*) FROM reports)::int AS reports, (SELECT count(*) FROM cases)::int AS cases',
    );

    return {
      name: 'import',
      description: `Importing a ${ROWS.toLocaleString('en-US')}-row reports CSV (${(statSync(file).size / 2 ** 20).toFixed(0)} MB; every 10th row joins an existing case) with importCsv — validation, routing, SLA due times, case dedupe, one transaction — against Postgres's own COPY of the same file into a bare table on the same server (the floor).`,
      machine: machine(),
      at: new Date().toISOString(),
      figures: {
        rows: ROWS,
        'import (s)': +(importMs / 1000).toFixed(2),
        'rows per second': Math.round(ROWS / (importMs / 1000)),
        'COPY into a bare table (s)': +(copyMs / 1000).toFixed(2),
        'ratio import / COPY': +(importMs / copyMs).toFixed(2),
        'imported / failed': `${result.imported} / ${result.failed}`,
        'reports / cases in the database': `${counts?.reports} / ${counts?.cases}`,
        're-import of the same file (s)': +(reimportMs / 1000).toFixed(2),
        're-import imported / replayed': `${again.imported} / ${again.replayed}`,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await scratch.drop();
  }
}
