import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { openTestAnalytics } from '../support/analytics';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { facts } from '../support/facts';

// analytics:verify compares per-day counts of every fact table in Postgres and in the copy, at one snapshot,
// and names each day that differs; analytics:rebuild makes the copy anew.

const root = path.resolve(__dirname, '../..');
let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const f = facts(db.prisma);
  await f.openCase('c', '2026-11-01T08:00:00Z');
  await f.report('r', 'c', '2026-11-01T07:00:00Z');
  await f.decide('d1', 'c', '2026-11-01T10:00:00Z', 'remove', 'spam', false);
  await f.decide('d2', 'c', '2026-11-01T23:30:00Z', 'warn', 'spam', false);
  await f.appeal('d1', '2026-11-02T10:00:00Z', 'pending');
  dir = mkdtempSync(path.join(tmpdir(), 'trustops-analytics-verify-'));
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

async function cli(command: 'verify' | 'rebuild'): Promise<{ code: number; out: string }> {
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    TRUSTOPS_ANALYTICS_DIR: dir,
    TRUSTOPS_ANALYTICS_MEMORY: '256MB',
    TRUSTOPS_ANALYTICS_THREADS: '1',
  };
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), 'src/cli/analytics.ts', command], {
      cwd: root,
      env,
    });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}` };
  }
}

describe('analytics:verify', () => {
  it('finds nothing to report on a copy kept in step', async () => {
    const copy = await openTestAnalytics(db, { dir });
    try {
      const report = await copy.verify();
      expect(report.differences).toEqual([]);
      expect(report.tables).toEqual(['cases', 'reports', 'decisions', 'escalations', 'appeals', 'qa_reviews']);
      expect(report.days).toBe(4);
    } finally {
      await copy.close();
    }
    const { code, out } = await cli('verify');
    expect({ code, out }).toEqual({ code: 0, out: expect.stringMatching(/analytics-0\.duckdb agrees with Postgres/) });
  });

  it('names each day that differs after the file was tampered with, and exits 1', async () => {
    const instance = await DuckDBInstance.create(path.join(dir, 'analytics-0.duckdb'));
    const conn = await instance.connect();
    await conn.run(`DELETE FROM decisions WHERE action = 'warn'`);
    await conn.run(
      `INSERT INTO appeals (id, decision_id, outcome, filed_at) VALUES (9999, 1, 'pending', TIMESTAMPTZ '2026-10-30 12:00:00+00')`,
    );
    conn.closeSync();
    instance.closeSync();

    const { code, out } = await cli('verify');
    expect(code).toBe(1);
    expect(out).toContain('decisions on 2026-11-01 (UTC): Postgres 2, analytics 1 (-1)');
    expect(out).toContain('appeals on 2026-10-30 (UTC): Postgres 0, analytics 1 (+1)');
    expect(out).toContain('2 difference(s)');
  });

  it('agrees again once analytics:rebuild made the copy anew', async () => {
    const rebuilt = await cli('rebuild');
    expect(rebuilt).toEqual({ code: 0, out: expect.stringMatching(/rebuilt .*analytics-0\.duckdb .*decisions 2/) });
    expect((await cli('verify')).code).toBe(0);
  });
});
