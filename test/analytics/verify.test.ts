import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
  // The copyright facts: a notice, its item taken down the next day, a counter-notice and a strike.
  const notice = await db.prisma.copyrightNotice.create({
    data: {
      externalId: 'n1',
      claimant: 'Northwind',
      work: 'A work',
      elementsPresent: [],
      missingElements: [],
      receivedAt: new Date('2026-11-01T09:00:00Z'),
      items: { create: [{ contentRef: 'ref-1', surface: 'api', accountId: 'acct_1', takenDownAt: new Date('2026-11-02T09:00:00Z') }] },
    },
  });
  await db.prisma.counterNotice.create({
    data: { externalId: 'cn1', noticeId: notice.id, accountId: 'acct_1', receivedAt: new Date('2026-11-03T09:00:00Z') },
  });
  await db.prisma.copyrightStrike.create({
    data: { accountId: 'acct_1', noticeId: notice.id, createdAt: new Date('2026-11-02T09:00:00Z') },
  });
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
      expect(report.tables).toEqual([
        'cases',
        'reports',
        'decisions',
        'escalations',
        'appeals',
        'qa_reviews',
        'copyright_notices',
        'copyright_notice_items',
        'counter_notices',
        'copyright_strikes',
      ]);
      expect(report.days).toBe(8);
    } finally {
      await copy.close();
    }
    const { code, out } = await cli('verify');
    expect({ code, out }).toEqual({ code: 0, out: expect.stringMatching(/analytics-0\.duckdb \(the served file\) agrees with Postgres/) });
  });

  it('names each day that differs after the file was tampered with, and exits 1', async () => {
    const instance = await DuckDBInstance.create(path.join(dir, 'analytics-0.duckdb'));
    const conn = await instance.connect();
    await conn.run(`DELETE FROM decisions WHERE action = 'warn'`);
    await conn.run(
      `INSERT INTO appeals (id, decision_id, outcome, filed_at) VALUES (9999, 1, 'pending', TIMESTAMPTZ '2026-10-30 12:00:00+00')`,
    );
    await conn.run('DELETE FROM counter_notices');
    conn.closeSync();
    instance.closeSync();

    const { code, out } = await cli('verify');
    expect(code).toBe(1);
    expect(out).toContain('decisions on 2026-11-01 (UTC): Postgres 2, analytics 1 (-1)');
    expect(out).toContain('appeals on 2026-10-30 (UTC): Postgres 0, analytics 1 (+1)');
    expect(out).toContain('counter_notices on 2026-11-03 (UTC): Postgres 1, analytics 0 (-1)');
    expect(out).toContain('3 difference(s)');
  });

  it('agrees again once analytics:rebuild made the copy anew', async () => {
    const rebuilt = await cli('rebuild');
    expect(rebuilt).toEqual({ code: 0, out: expect.stringMatching(/rebuilt .*analytics-0\.duckdb .*decisions 2/) });
    expect((await cli('verify')).code).toBe(0);
  });

  it('while a bot holds analytics-0: rebuild only raises the generation, verify says it compared a fresh copy and removes it', async () => {
    const bot = await openTestAnalytics(db, { dir });
    try {
      await bot.catchUp();
      expect(path.basename(bot.file)).toBe('analytics-0.duckdb');
      const [{ generation: before } = { generation: 0 }] = await db.prisma.$queryRaw<{ generation: number }[]>`
        SELECT generation FROM analytics_horizon`;
      const rebuilt = await cli('rebuild');
      expect(rebuilt.code).toBe(0);
      expect(rebuilt.out).toMatch(/analytics-0\.duckdb is held by a running bot: it rebuilds it itself at its next catch-up/);
      expect(rebuilt.out).not.toMatch(/^rebuilt /m);
      expect(await db.prisma.$queryRaw`SELECT generation FROM analytics_horizon`).toEqual([{ generation: before + 1 }]);
      expect(readdirSync(dir).filter((f) => f.endsWith('.duckdb'))).toEqual(['analytics-0.duckdb']);

      const verified = await cli('verify');
      expect(verified.code).toBe(0);
      expect(verified.out).toMatch(
        /analytics-0\.duckdb is held by a running bot: comparing .*analytics-1\.duckdb \(a fresh copy\) instead/,
      );
      expect(verified.out).toMatch(/analytics-1\.duckdb \(a fresh copy\) agrees with Postgres/);
      expect(existsSync(path.join(dir, 'analytics-1.duckdb'))).toBe(false);
      // The bot takes the raised generation at its next catch-up.
      await bot.catchUp();
      expect((await bot.verify()).differences).toEqual([]);
    } finally {
      await bot.close();
    }
  });
});
