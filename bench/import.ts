import { randomBytes } from 'node:crypto';
import { chmodSync, createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock } from '../src/clock';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/client';
import { domainDeps } from '../src/domain/deps';
import { importCsv } from '../src/domain/intake/import';
import { silentLogger } from '../src/logger';
import { SlackEmulator } from '../src/sandbox/emulator';
import { freePort, startMain, waitHealthy } from '../test/support/process';
import { machine } from './machine';
import type { BenchResult } from './run';
import { percentile, scratchDatabase, sql } from './support';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
// The API takes files up to 50 MB: the import posted to the running bot is this many rows (about 40 MB).
const API_ROWS = Number(process.env.BENCH_IMPORT_API_ROWS ?? 300_000);
const API_RATE = Number(process.env.BENCH_IMPORT_API_RATE ?? 50);
const SURFACES = ['claude_ai', 'api', 'claude_code', 'mobile', 'mcp_directory'];
const TYPES = ['harmful_content', 'illegal_content', 'copyright', 'privacy', 'impersonation', 'other'];
const COUNTRIES = ['DE', 'FR', 'IE', 'NL', 'ES', 'IT', 'PL', 'US'];
const HEADER = 'external_id,surface,report_type,category,content_ref,received_at,jurisdiction,language,description';

async function writeCsv(file: string, rows: number, prefix = 'bench'): Promise<void> {
  const out = createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(`${HEADER}\n`);
  const start = Date.parse('2026-10-01T00:00:00Z');
  let buf = '';
  for (let i = 0; i < rows; i++) {
    // Every 10th report is about content already reported, so cases are shared as in real traffic.
    const ref = i % 10 === 9 ? i - 9 : i;
    const at = new Date(start + i * 2_000).toISOString();
    buf += `${prefix}-${i},${SURFACES[i % 5]},${TYPES[i % 6]},policy_${i % 12},https://claude.ai/share/${prefix}-${ref},${at},${COUNTRIES[i % 8]},en,"Reporter note ${i}, with a comma"\n`;
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  await new Promise<void>((resolve) => out.end(resolve));
}

const load = () => (os.loadavg()[0] as number).toFixed(1);

/** The write floor: the rows the import wrote, COPYed back into the same tables (indexes and triggers on). */
async function writeFloor(url: string, dir: string): Promise<{ ms: number; load: string }> {
  const casesFile = path.join(dir, 'cases.copy');
  const reportsFile = path.join(dir, 'reports.copy');
  await sql(url, `COPY (SELECT * FROM cases ORDER BY id) TO '${casesFile}'`);
  await sql(url, `COPY (SELECT * FROM reports ORDER BY id) TO '${reportsFile}'`);
  await sql(url, 'TRUNCATE reports, cases, alerts, analytics_changes CASCADE');
  await sql(url, 'VACUUM ANALYZE cases, reports');
  const l = load();
  const t0 = Date.now();
  await sql(url, `BEGIN; COPY cases FROM '${casesFile}'; COPY reports FROM '${reportsFile}'; COMMIT`);
  return { ms: Date.now() - t0, load: `${l} → ${load()}` };
}

function poster(port: number, token: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  return (pathname: string, type: string, body: string | Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: pathname,
          method: 'POST',
          agent,
          headers: { authorization: `Bearer ${token}`, 'content-type': type, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

/**
 * Single reports posted at API_RATE (open loop, latency from the scheduled send) until `until` settles,
 * each about content of its own.
 */
async function intakeWhile(post: ReturnType<typeof poster>, until: Promise<unknown>, prefix: string) {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; !done; i++) {
    const due = started + (i * 1000) / API_RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (done) break;
    const body = JSON.stringify({
      external_id: `${prefix}-${i}`,
      surface: 'claude_ai',
      report_type: 'harmful_content',
      content_ref: `https://claude.ai/share/${prefix}-${i}`,
      jurisdiction: 'DE',
    });
    pending.push(
      post('/api/v1/reports', 'application/json', body)
        .then((r) => String(r.status))
        .catch((err: Error) => `error: ${err.message}`)
        .then((status) => {
          latencies.push(performance.now() - due);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return { latencies, statuses };
}

/** The bot as npm start runs it, an import posted to it, and single reports posted during the import. */
async function intakeDuringImport(url: string, dir: string) {
  const file = path.join(dir, 'api.csv');
  await writeCsv(file, API_ROWS, 'api');
  const csv = readFileSync(file);
  const emulator = await SlackEmulator.start();
  const token = randomBytes(16).toString('hex');
  const port = await freePort();
  const bot = startMain({
    PORT: String(port),
    DATABASE_URL: url,
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
    SLACK_API_URL: emulator.apiUrl,
    TRUSTOPS_INTAKE_TOKEN: token,
    LOG_LEVEL: 'warn',
  });
  try {
    await waitHealthy(port, 120_000);
    const post = poster(port, token);
    // Warm-up, then the same load without an import, for comparison.
    for (let i = 0; i < 100; i++)
      await post(
        '/api/v1/reports',
        'application/json',
        JSON.stringify({ external_id: `warm-${i}`, surface: 'api', report_type: 'other', content_ref: `warm-${i}` }),
      );
    const quietLoad = load();
    const quiet = await intakeWhile(post, new Promise((r) => setTimeout(r, 10_000)), 'quiet');
    const l0 = load();
    const t0 = Date.now();
    const imported = post('/api/v1/imports/reports', 'text/csv', csv);
    const during = await intakeWhile(post, imported, 'during');
    const answer = await imported;
    const importMs = Date.now() - t0;
    const p = (l: number[], q: number) => +percentile(l, q).toFixed(1);
    const errors = (s: Map<string, number>) => [...s.entries()].filter(([k]) => k !== '201').reduce((n, [, c]) => n + c, 0);
    const json = JSON.parse(answer.text) as { imported?: number; failed?: number };
    return {
      [`API import of ${API_ROWS.toLocaleString('en-US')} rows (${(csv.length / 2 ** 20).toFixed(0)} MB) into the running bot (s)`]: +(
        importMs / 1000
      ).toFixed(2),
      'API import status / imported / failed': `${answer.status} / ${json.imported} / ${json.failed}`,
      [`intake during the import at ${API_RATE} req/s: requests`]: during.latencies.length,
      'intake during the import: p50 / p99 / max (ms)': `${p(during.latencies, 50)} / ${p(during.latencies, 99)} / ${p(during.latencies, 100)}`,
      'intake during the import: errors': errors(during.statuses),
      'intake during the import: load average (start → end)': `${l0} → ${load()}`,
      [`intake without an import at ${API_RATE} req/s, 10 s: p50 / p99 (ms)`]: `${p(quiet.latencies, 50)} / ${p(quiet.latencies, 99)} (errors ${errors(quiet.statuses)}, load ${quietLoad})`,
    };
  } finally {
    if (process.env.BENCH_SHOW_LOGS) console.log(bot.stdout().slice(-3000), bot.stderr().slice(-3000));
    bot.child.kill('SIGTERM');
    await bot.exited;
    await emulator.stop();
  }
}

export async function importBench(): Promise<BenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trustops-bench-import-'));
  chmodSync(dir, 0o777); // the Postgres server reads and writes the COPY files
  const file = path.join(dir, 'reports.csv');
  const scratch = await scratchDatabase('trustops_bench_import');
  try {
    console.log(`writing ${ROWS.toLocaleString('en-US')} rows…`);
    await writeCsv(file, ROWS);
    const db = await openDatabase({ databaseUrl: scratch.url, dataDir: '', poolSize: 4 });
    const deps = domainDeps(loadConfig({}), { db: db.prisma, clock: systemClock, log: silentLogger });
    console.log('importing through importCsv (the code behind npm run import and the API)…');
    const importLoad0 = load();
    const t0 = Date.now();
    let stagedMs = 0;
    const result = await importCsv(
      deps,
      { id: 'bench', origin: 'cli' },
      'reports',
      createReadStream(file, { highWaterMark: 1 << 20 }),
      (rows) => {
        stagedMs = Date.now() - t0;
        if (rows % 100_000 === 0) console.log(`  ${rows.toLocaleString('en-US')} rows, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      },
    );
    const importMs = Date.now() - t0;
    const importLoad = `${importLoad0} → ${load()}`;
    const [counts] = await sql(
      scratch.url,
      'SELECT (SELECT count(*) FROM reports)::int AS reports, (SELECT count(*) FROM cases)::int AS cases',
    );

    // A second import of the same file must change nothing.
    const r0 = Date.now();
    const again = await importCsv(deps, { id: 'bench', origin: 'cli' }, 'reports', createReadStream(file, { highWaterMark: 1 << 20 }));
    const reimportMs = Date.now() - r0;
    await db.close();

    console.log('the write floor: the same rows COPYed into the same tables…');
    const floor = await writeFloor(scratch.url, dir);
    // Postgres's own COPY of the CSV into a bare table, as measured before (for comparison with older figures).
    await sql(
      scratch.url,
      `CREATE TABLE bare (external_id text, surface text, report_type text, category text, content_ref text,
                            received_at timestamptz, jurisdiction text, language text, description text)`,
    );
    const c0 = Date.now();
    await sql(scratch.url, `COPY bare FROM '${file}' WITH (FORMAT csv, HEADER true)`);
    const bareMs = Date.now() - c0;

    console.log('intake during an import posted to the running bot…');
    await sql(scratch.url, 'TRUNCATE reports, cases, alerts, analytics_changes, audit_events CASCADE');
    const during = await intakeDuringImport(scratch.url, dir);

    return {
      name: 'import',
      description: `Importing a ${ROWS.toLocaleString('en-US')}-row reports CSV (${(statSync(file).size / 2 ** 20).toFixed(0)} MB; every 10th row joins an existing case) with importCsv — read and validated in a worker thread, COPY into a staging table, routed and inserted set-based, one transaction — against the write floor: the same case and report rows COPYed into the same tables, indexes and triggers on, in one transaction, on the same server. Then the bot runs as its own process (npm start) and a ${API_ROWS.toLocaleString('en-US')}-row file is posted to /api/v1/imports/reports while single reports are posted to /api/v1/reports at ${API_RATE} requests/s (open loop, latency from the scheduled send). Load averages are the 1-minute ones at the start and end of each part.`,
      machine: machine(),
      at: new Date().toISOString(),
      figures: {
        rows: ROWS,
        'import (s)': +(importMs / 1000).toFixed(2),
        'of which read, validated and staged (s)': +(stagedMs / 1000).toFixed(2),
        'import load average (start → end)': importLoad,
        'rows per second': Math.round(ROWS / (importMs / 1000)),
        'write floor: COPY of the same cases and reports into the same tables (s)': +(floor.ms / 1000).toFixed(2),
        'write floor load average (start → end)': floor.load,
        'ratio import / write floor': +(importMs / floor.ms).toFixed(2),
        'COPY of the CSV into a bare table (s)': +(bareMs / 1000).toFixed(2),
        'ratio import / bare COPY': +(importMs / bareMs).toFixed(2),
        'imported / failed': `${result.imported} / ${result.failed}`,
        'reports / cases in the database': `${counts?.reports} / ${counts?.cases}`,
        're-import of the same file (s)': +(reimportMs / 1000).toFixed(2),
        're-import imported / replayed': `${again.imported} / ${again.replayed}`,
        ...during,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await scratch.drop();
  }
}
