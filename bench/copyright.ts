import { chmodSync, createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { openAnalytics } from '../src/analytics';
import { systemClock } from '../src/clock';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/client';
import { computeCopyrightFigures, parseCopyrightQuery } from '../src/domain/copyright/figures';
import { importNotices } from '../src/domain/copyright/notices-import';
import { COPYRIGHT_IMPORT_COLUMNS, type CopyrightCsvRecord } from '../src/domain/copyright/schemas';
import { domainDeps } from '../src/domain/deps';
import { readCsvRecords } from '../src/domain/intake/csv';
import { silentLogger } from '../src/logger';
import { machine } from './machine';
import type { BenchResult } from './run';
import { percentile, scratchDatabase, sql } from './support';

// `npm run bench -- copyright`: the CSV import of copyright notices (one row per item) against Postgres's
// COPY of the same rows, then `/trustops copyright last 365d by:claimant` on that data, 20 runs, on the
// analytics copy (built from Postgres once the data is in). BENCH_COPYRIGHT_SEED=sql writes the same notices
// and items with INSERT … SELECT instead (no import figures; minutes instead of half an hour), for the look-up.
// `npx tsx bench/copyright.ts` runs it alone and prints the figures without writing bench/results.
const NOTICES = Number(process.env.BENCH_COPYRIGHT_NOTICES ?? 100_000);
const SQL_SEED = process.env.BENCH_COPYRIGHT_SEED === 'sql';
const ITEMS_PER_NOTICE = Number(process.env.BENCH_COPYRIGHT_ITEMS ?? 10);
const RUNS = 20;
const SURFACES = ['claude_ai', 'api', 'claude_code', 'mobile', 'mcp_directory'];
const KINDS = ['rights_holder', 'agent', 'automated_agent'];
const NOTICE_CSV_COLUMNS = COPYRIGHT_IMPORT_COLUMNS.notices;
const COLUMNS = [...NOTICE_CSV_COLUMNS.required, ...NOTICE_CSV_COLUMNS.optional];

async function writeCsv(file: string, now: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(`${COLUMNS.join(',')}\n`);
  // Received over the last 360 days, oldest first; every 50th notice lacks its signature (incomplete).
  const span = 360 * 86_400_000;
  let buf = '';
  for (let n = 0; n < NOTICES; n++) {
    const at = new Date(now - span + Math.floor((n / NOTICES) * span)).toISOString();
    const claimant = `Claimant ${String(n % 60).padStart(2, '0')}`;
    const values: Record<string, string> = {
      external_id: `bench-notice-${n}`,
      received_at: at,
      sender_name: `Rights desk ${n % 60}`,
      sender_kind: KINDS[n % 3]!,
      work: `Catalogue work ${n % 997}`,
      signature: n % 50 === 49 ? '' : `/Rights desk ${n % 60}/`,
      good_faith: 'true',
      accurate_and_authorized: 'true',
      sender_organization: claimant,
      sender_email: `legal${n % 60}@claimant.example`,
      sender_address: '',
      sender_phone: '',
    };
    for (let k = 0; k < ITEMS_PER_NOTICE; k++) {
      const row = {
        ...values,
        content_ref: `https://claude.ai/share/bench-${n}-${k}`,
        surface: SURFACES[(n + k) % 5]!,
        account_id: `acct_${(n * 7 + k) % 25_000}`,
      };
      buf += `${COLUMNS.map((c) => row[c as keyof typeof row] ?? '').join(',')}\n`;
    }
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  await new Promise<void>((resolve) => out.end(resolve));
}

/** The notices and items writeCsv describes, written by SQL as importNotices records them (no cases, cards or hashes). */
async function seedBySql(url: string, now: number): Promise<void> {
  const span = 360 * 86_400_000;
  await sql(
    url,
    `INSERT INTO copyright_notices (external_id, claimant, sender_name, sender_organization, sender_email, sender_kind, work,
            signature, good_faith, accurate_and_authorized, item_count, elements_present, missing_elements, status, received_at)
     SELECT 'bench-notice-' || n, 'Claimant ' || lpad((n % 60)::text, 2, '0'), 'Rights desk ' || n % 60,
            'Claimant ' || lpad((n % 60)::text, 2, '0'), 'legal' || n % 60 || '@claimant.example',
            (ARRAY['rights_holder', 'agent', 'automated_agent'])[n % 3 + 1]::"SenderKind", 'Catalogue work ' || n % 997,
            CASE WHEN n % 50 <> 49 THEN '/Rights desk ' || n % 60 || '/' END, true, true, $2::int,
            CASE WHEN n % 50 = 49 THEN ARRAY['work', 'material', 'contact', 'good_faith', 'accurate_and_authorized']
                 ELSE ARRAY['signature', 'work', 'material', 'contact', 'good_faith', 'accurate_and_authorized'] END,
            CASE WHEN n % 50 = 49 THEN ARRAY['signature'] ELSE ARRAY[]::text[] END,
            (CASE WHEN n % 50 = 49 THEN 'incomplete' ELSE 'received' END)::"NoticeStatus",
            to_timestamp(($3::float8 - $4::float8 + floor(n::float8 / $1 * $4::float8)) / 1000)
       FROM generate_series(0, $1::int - 1) n`,
    [NOTICES, ITEMS_PER_NOTICE, now, span],
  );
  await sql(
    url,
    `INSERT INTO copyright_notice_items (notice_id, position, content_ref, surface, account_id)
     SELECT x.id, k, 'https://claude.ai/share/bench-' || x.n || '-' || k,
            (ARRAY['claude_ai', 'api', 'claude_code', 'mobile', 'mcp_directory'])[(x.n + k) % 5 + 1], 'acct_' || (x.n * 7 + k) % 25000
       FROM (SELECT id, substring(external_id FROM 14)::int AS n FROM copyright_notices) x, generate_series(0, $1::int - 1) k`,
    [ITEMS_PER_NOTICE],
  );
}

export async function copyrightBench(): Promise<BenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trustops-bench-copyright-'));
  chmodSync(dir, 0o755); // the Postgres server reads the file for COPY
  const file = path.join(dir, 'notices.csv');
  const scratch = await scratchDatabase('trustops_bench_copyright');
  const rows = NOTICES * ITEMS_PER_NOTICE;
  try {
    const now = Date.now();
    const load = [
      `start ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')}`,
    ];
    let imported: Record<string, number | string> = {};
    if (SQL_SEED) {
      console.log(`writing ${NOTICES.toLocaleString('en-US')} notices, ${rows.toLocaleString('en-US')} items by SQL…`);
      const s0 = Date.now();
      await seedBySql(scratch.url, now);
      imported = { 'notices and items written by SQL (s)': +((Date.now() - s0) / 1000).toFixed(2) };
    } else {
      console.log(`writing ${NOTICES.toLocaleString('en-US')} notices, ${rows.toLocaleString('en-US')} rows…`);
      await writeCsv(file, now);
      const db = await openDatabase({ databaseUrl: scratch.url, dataDir: '', poolSize: 4 });
      const deps = domainDeps(loadConfig({}), { db: db.prisma, clock: systemClock, log: silentLogger });
      console.log('importing through importNotices (the code behind POST /api/v1/imports/notices)…');
      const t0 = Date.now();
      const records = readCsvRecords(createReadStream(file, { highWaterMark: 1 << 20 }), {
        requiredColumns: NOTICE_CSV_COLUMNS.required,
        optionalColumns: NOTICE_CSV_COLUMNS.optional,
      }) as AsyncIterable<CopyrightCsvRecord>;
      const result = await importNotices(deps, { id: 'bench', origin: 'cli' }, records, (n) => {
        if (n % 100_000 === 0) console.log(`  ${n.toLocaleString('en-US')} rows, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      });
      const importMs = Date.now() - t0;
      await db.close();

      // The floor: Postgres's own COPY of the same file into a bare table on the same server.
      await sql(scratch.url, `CREATE TABLE bare (${COLUMNS.map((c) => `${c} text`).join(', ')})`);
      const c0 = Date.now();
      await sql(scratch.url, `COPY bare FROM '${file}' WITH (FORMAT csv, HEADER true)`);
      const copyMs = Date.now() - c0;
      imported = {
        'import (s)': +(importMs / 1000).toFixed(2),
        'rows per second': Math.round(rows / (importMs / 1000)),
        'notices per second': Math.round(NOTICES / (importMs / 1000)),
        'COPY into a bare table (s)': +(copyMs / 1000).toFixed(2),
        'ratio import / COPY': +(importMs / copyMs).toFixed(2),
        'imported / incomplete / failed': `${result.imported} / ${result.incomplete} / ${result.failed}`,
      };
      load.push(
        `after the import ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' / ')}`,
      );
    }

    // Outcomes, so the figures have something to say: most complete notices taken down (a day later),
    // some rejected, some retracted; counter-notices on 5 % of takedowns with every outcome; strikes.
    console.log('recording outcomes…');
    await sql(
      scratch.url,
      `UPDATE copyright_notices SET
         status = (CASE WHEN id % 20 = 0 THEN 'rejected' WHEN id % 97 = 0 THEN 'retracted' ELSE 'taken_down' END)::"NoticeStatus",
         action_taken = CASE WHEN id % 20 = 0 THEN 'no_violation' ELSE 'content_removed' END,
         actioned_at = received_at + (id % 72) * interval '1 hour', decided_by = 'U0BENCH'
       WHERE status = 'received'`,
    );
    await sql(
      scratch.url,
      `INSERT INTO counter_notices (external_id, notice_id, account_id, received_at, status, outcome, resolved_at)
       SELECT 'bench-cn-' || n.id, n.id, 'acct_' || n.id % 25000, n.actioned_at + interval '2 days',
              (CASE n.id % 5 WHEN 0 THEN 'held' WHEN 1 THEN 'pending' ELSE 'restored' END)::"CounterNoticeStatus",
              (CASE n.id % 5 WHEN 0 THEN 'held' WHEN 1 THEN NULL WHEN 2 THEN 'restored_in_window' WHEN 3 THEN 'restored_late'
                                      ELSE 'restored_false_positive' END)::"CounterNoticeOutcome",
              CASE WHEN n.id % 5 <> 1 THEN n.actioned_at + interval '16 days' END
         FROM copyright_notices n WHERE n.status = 'taken_down' AND n.id % 20 = 3`,
    );
    await sql(
      scratch.url,
      `INSERT INTO copyright_strikes (account_id, notice_id, created_at)
       SELECT DISTINCT i.account_id, i.notice_id, n.actioned_at
         FROM copyright_notice_items i JOIN copyright_notices n ON n.id = i.notice_id
        WHERE n.status = 'taken_down' AND i.position = 0`,
    );
    await sql(scratch.url, 'ANALYZE');

    // The analytics copy, as the bot opens it (2 threads, 4GB): built from Postgres now that the data is in.
    const analyticsDir = path.join(dir, 'analytics');
    const b0 = Date.now();
    const analytics = await openAnalytics({
      databaseUrl: scratch.url,
      dir: analyticsDir,
      memory: '4GB',
      threads: 2,
      log: silentLogger,
      syncIntervalMs: 0,
      pruneEveryMs: 0,
    });
    await analytics.catchUp();
    const buildMs = Date.now() - b0;
    const db = await openDatabase({ databaseUrl: scratch.url, dataDir: '', poolSize: 4 });
    const deps = domainDeps(loadConfig({}), { db: db.prisma, clock: systemClock, log: silentLogger, analytics });
    const words = ['last', '365d', 'by:claimant'];
    const lookUp = () => computeCopyrightFigures(deps, parseCopyrightQuery(deps, words));
    const first0 = performance.now();
    let figures = await lookUp();
    const firstMs = performance.now() - first0;
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const q0 = performance.now();
      figures = await lookUp();
      times.push(performance.now() - q0);
    }
    times.sort((a, b) => a - b);
    const surfaceTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const q0 = performance.now();
      await computeCopyrightFigures(deps, parseCopyrightQuery(deps, ['last', '365d', 'by:surface']));
      surfaceTimes.push(performance.now() - q0);
    }
    surfaceTimes.sort((a, b) => a - b);
    load.push(
      `after the look-ups ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')}`,
    );
    // Freshness: 1,000 notices retracted in one transaction, then the look-up (catch-up included) counts them.
    await sql(
      scratch.url,
      `UPDATE copyright_notices SET status = 'retracted', retracted_at = now()
        WHERE id IN (SELECT id FROM copyright_notices WHERE status = 'taken_down' ORDER BY id LIMIT 1000)`,
    );
    const f0 = performance.now();
    const fresh = await lookUp();
    const freshMs = performance.now() - f0;
    if (fresh.total.retractions !== figures.total.retractions + 1000)
      throw new Error(`the look-up after 1,000 retractions counted ${fresh.total.retractions - figures.total.retractions} more`);
    const verified = await analytics.verify();
    await analytics.close();
    await db.close();
    const [counts] = await sql(
      scratch.url,
      `SELECT (SELECT count(*) FROM copyright_notices)::int AS notices, (SELECT count(*) FROM copyright_notice_items)::int AS items,
              (SELECT count(*) FROM cases)::int AS cases, (SELECT count(*) FROM alerts)::int AS cards`,
    );
    return {
      name: 'copyright',
      description: `Importing ${NOTICES.toLocaleString('en-US')} copyright notices with ${rows.toLocaleString('en-US')} items as CSV (${SQL_SEED ? 'not written in this run' : `${(statSync(file).size / 2 ** 20).toFixed(0)} MB`}, one row per item) with importNotices — grouping, the §512(c)(3)(A) checks, a report and a case per item of a complete notice on the copyright queue with SLA due times, the items, a card per notice, one transaction — against Postgres's own COPY of the same rows into a bare table (the floor). Then \`/trustops copyright last 365d by:claimant\` on that data (with outcomes, counter-notices and strikes added by SQL), ${RUNS} runs after one first run, read from the analytics copy (DuckDB, 2 threads, 4GB, built from Postgres after the data was in; each look-up catches up first).${SQL_SEED ? ' This run wrote the notices and items by SQL (BENCH_COPYRIGHT_SEED=sql): no import figures.' : ''}`,
      machine: machine(),
      at: new Date().toISOString(),
      figures: {
        notices: NOTICES,
        'rows (items)': rows,
        ...imported,
        'notices / items / cases / cards in the database': `${counts?.notices} / ${counts?.items} / ${counts?.cases} / ${counts?.cards}`,
        'analytics copy built from Postgres (s)': +(buildMs / 1000).toFixed(2),
        'copyright last 365d by:claimant first run (ms)': +firstMs.toFixed(1),
        'copyright last 365d by:claimant p50 (ms)': +percentile(times, 50).toFixed(1),
        'copyright last 365d by:claimant p95 (ms)': +percentile(times, 95).toFixed(1),
        'copyright last 365d by:claimant max (ms)': +times.at(-1)!.toFixed(1),
        'copyright last 365d by:surface p50 / p95 (ms)': `${percentile(surfaceTimes, 50).toFixed(1)} / ${percentile(surfaceTimes, 95).toFixed(1)}`,
        'figures: notices / taken down / false-positive rate': `${figures.total.notices} / ${figures.total.takenDown} / ${(
          (figures.total.falsePositiveRate ?? 0) * 100
        ).toFixed(2)} %`,
        'freshness: 1,000 notices retracted, then the look-up (catch-up included, ms)': +freshMs.toFixed(1),
        'verify: per-day counts of every fact table, copy vs Postgres': `${verified.differences.length} differences over ${verified.tables.length} tables`,
        'load average (1 / 5 / 15 min)': load.join('; '),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    // BENCH_COPYRIGHT_KEEP=1 keeps the database, to look at it afterwards.
    if (process.env.BENCH_COPYRIGHT_KEEP) console.log(`kept ${scratch.url}`);
    else await scratch.drop();
  }
}

if (require.main === module) {
  copyrightBench().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
