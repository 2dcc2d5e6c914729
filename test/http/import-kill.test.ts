// kill -9 in the middle of `npm run import`, on a PostgreSQL server of this file's own: nothing of the
// import remains, and running it again imports every row once. Once while the file is read and staged,
// once while the staged rows are written to cases, reports and alerts.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { type PrivatePostgres, startPrivatePostgres } from '../support/private-postgres';
import { ROOT, waitUntil } from '../support/process';

jest.setTimeout(240_000);

const DB = 'trustops_import_kill';
const ROWS = 25_000;
let pg: PrivatePostgres;
let dir: string;
let file: string;
let file2: string;

beforeAll(async () => {
  pg = await startPrivatePostgres();
  await pg.query(`CREATE DATABASE ${DB}`);
  execFileSync(process.execPath, [require.resolve('tsx/cli'), 'src/cli/db-migrate.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: pg.urlOf(DB) },
    stdio: 'pipe',
  });
  dir = mkdtempSync(path.join(tmpdir(), 'trustops-import-kill-'));
  file = path.join(dir, 'reports.csv');
  const rows = Array.from(
    { length: ROWS },
    (_, k) => `kill-${k},claude_ai,harmful_content,https://claude.ai/share/kill-${k},2026-11-20T10:00:00Z`,
  );
  writeFileSync(file, `external_id,surface,report_type,content_ref,received_at\n${rows.join('\n')}\n`);
  // Urgent reports, so the write phase queues triage alerts too.
  file2 = path.join(dir, 'reports-2.csv');
  const rows2 = Array.from(
    { length: ROWS },
    (_, k) => `kill2-${k},claude_ai,illegal_content,https://claude.ai/share/kill2-${k % 20_000},2026-11-20T10:00:00Z`,
  );
  writeFileSync(file2, `external_id,surface,report_type,content_ref,received_at\n${rows2.join('\n')}\n`);
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pg?.destroy();
});

const importEnv = () => ({ PATH: process.env.PATH ?? '', DATABASE_URL: pg.urlOf(DB) });

/** What an import leaves in the database: its reports, cases, alerts and audit rows. */
async function traces(prefix = 'kill'): Promise<{ reports: number; distinct: number; cases: number; alerts: number; audits: number }> {
  const client = new Client({ connectionString: pg.urlOf(DB) });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT (SELECT count(*)::int FROM reports WHERE external_id LIKE $1) AS reports,
              (SELECT count(DISTINCT external_id)::int FROM reports WHERE external_id LIKE $1) AS distinct,
              (SELECT count(*)::int FROM cases WHERE content_ref LIKE $2) AS cases,
              (SELECT count(*)::int FROM alerts a JOIN cases c ON a.entity_id = c.id::text WHERE c.content_ref LIKE $2) AS alerts,
              (SELECT count(*)::int FROM audit_events WHERE action = 'import.reports') AS audits`,
      [`${prefix}-%`, `https://claude.ai/share/${prefix}-%`],
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

it('when the import is killed with SIGKILL half-way, nothing of it remains, and running it again imports every row once', async () => {
  // tsx's loader in this very process (its CLI would run the import in a grandchild the signal never reaches).
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/import.ts', 'reports', file], {
    cwd: ROOT,
    env: importEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  // The first progress line: rows are written, the transaction is open, the file is far from done.
  await waitUntil('the first progress line', async () => (/[1-9][\d,]* rows\n/.test(out) ? true : undefined), 120_000);
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  expect(out).not.toMatch(/rows in/);

  expect(await traces()).toEqual({ reports: 0, distinct: 0, cases: 0, alerts: 0, audits: 0 });

  const again = await promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), 'src/cli/import.ts', 'reports', file], {
    cwd: ROOT,
    env: importEnv(),
  });
  expect(again.stderr).toBe('');
  expect(again.stdout).toMatch(new RegExp(`${ROWS} rows in [\\d.]+ s: ${ROWS} imported, 0 already there, 0 refused`));
  expect(await traces()).toEqual({ reports: ROWS, distinct: ROWS, cases: ROWS, alerts: expect.any(Number), audits: 1 });
});

it('when the import is killed with SIGKILL while it writes the staged rows, nothing of it remains, and running it again imports every row once', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/import.ts', 'reports', file2], {
    cwd: ROOT,
    env: importEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  // The import's connection, seen from another: a statement of the write phase running or just run, and no COMMIT yet.
  const watcher = new Client({ connectionString: pg.urlOf(DB) });
  await watcher.connect();
  try {
    const writing = async () => {
      const { rows } = await watcher.query(
        `SELECT query FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
            AND query ~ 'import_fates|INSERT INTO (cases|reports|alerts)'`,
      );
      return rows.length > 0 ? true : undefined;
    };
    const deadline = Date.now() + 120_000;
    while (!(await writing())) {
      if (Date.now() > deadline) throw new Error(`the import never reached its write phase; its output: ${out}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
  } finally {
    await watcher.end();
  }
  expect(await exited).toBe('SIGKILL');
  expect(out).not.toMatch(/rows in/);

  const audits = (await traces('kill2')).audits;
  expect(await traces('kill2')).toEqual({ reports: 0, distinct: 0, cases: 0, alerts: 0, audits });

  const again = await promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), 'src/cli/import.ts', 'reports', file2], {
    cwd: ROOT,
    env: importEnv(),
  });
  expect(again.stderr).toBe('');
  expect(again.stdout).toMatch(new RegExp(`${ROWS} rows in [\\d.]+ s: ${ROWS} imported, 0 already there, 0 refused`));
  expect(await traces('kill2')).toEqual({ reports: ROWS, distinct: ROWS, cases: 20_000, alerts: 20_000, audits: audits + 1 });
});
