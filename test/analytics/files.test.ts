import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { createLogger } from '../../src/logger';
import { openTestAnalytics, type TestAnalytics } from '../support/analytics';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { facts } from '../support/facts';

// One file per process, reused across restarts: a cache of Postgres that knows which database it copies
// and rebuilds itself when it cannot be caught up.

let db: TestDatabase;
let other: TestDatabase;
let dir: string;
const open: TestAnalytics[] = [];
/** A session holding a lock that stalls a build. */
let locker: Client | undefined;

beforeAll(async () => {
  [db, other] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  for (const [d, n] of [
    [db, 2],
    [other, 5],
  ] as const) {
    const f = facts(d.prisma);
    await f.openCase('c', '2026-11-01T10:00:00Z');
    for (let i = 0; i < n; i++) await f.decide(`d${i}`, 'c', `2026-11-01T1${i}:00:00Z`, 'remove', 'spam', false);
  }
});

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'trustops-analytics-files-'));
});

afterEach(async () => {
  await locker?.end().catch(() => {});
  locker = undefined;
  for (const a of open.splice(0)) await a.close();
  rmSync(dir, { recursive: true, force: true });
});

afterAll(async () => {
  await db?.drop();
  await other?.drop();
});

/** A copy in the test's directory whose log lines are kept. */
async function copyOf(database: TestDatabase, lines: string[] = []): Promise<TestAnalytics> {
  const log = createLogger({ level: 'info', write: (line) => lines.push(line) });
  const a = await openTestAnalytics(database, { dir, log });
  open.push(a);
  return a;
}

async function closeCopy(a: TestAnalytics): Promise<void> {
  open.splice(open.indexOf(a), 1);
  await a.close();
}

const decisions = (a: TestAnalytics) => a.read(async (r) => (await r.query<{ n: number }>('SELECT count(*) AS n FROM decisions'))[0]?.n);
const builds = (lines: string[]) => lines.filter((l) => l.includes('building the copy from Postgres')).length;

describe('the analytics file', () => {
  it('is reused after a restart: no rebuild, and what was committed meanwhile is caught up', async () => {
    const first = await copyOf(db);
    expect(await decisions(first)).toBe(2);
    expect(path.basename(first.file)).toBe('analytics-0.duckdb');
    await closeCopy(first);
    const meanwhile = await db.prisma.decision.create({
      data: {
        caseId: (await db.prisma.case.findFirstOrThrow()).id,
        action: 'warn',
        policy: 'spam',
        actorType: 'automated',
        decidedAt: new Date(),
      },
    });
    const lines: string[] = [];
    const again = await copyOf(db, lines);
    expect(again.file).toBe(first.file);
    expect(again.status().state).toBe('ready');
    expect(await decisions(again)).toBe(3);
    expect(builds(lines)).toBe(0);
    await db.prisma.decision.delete({ where: { id: meanwhile.id } });
  });

  it("is rebuilt when it holds another database's copy", async () => {
    // Built before it closes (close stops a build still running).
    const first = await copyOf(db);
    await decisions(first);
    await closeCopy(first);
    const lines: string[] = [];
    const copy = await copyOf(other, lines);
    expect(await decisions(copy)).toBe(5);
    expect(lines.join('\n')).toMatch(/the copy is rebuilt.*another database/);
  });

  it('is rebuilt when it is missing, with its progress in the status while it builds', async () => {
    const first = await copyOf(db);
    await decisions(first);
    await closeCopy(first);
    rmSync(first.file);
    const lines: string[] = [];
    const copy = await copyOf(db, lines);
    expect(copy.status().state).toBe('building');
    expect(await decisions(copy)).toBe(2);
    expect(copy.status()).toMatchObject({ state: 'ready', rows: { decisions: 2, cases: 1 } });
    expect(builds(lines)).toBe(1);
  });

  it('is never shared by two copies in one process: the second takes the next file', async () => {
    const [a, b] = [await copyOf(db), await copyOf(other)];
    expect(path.basename(a.file)).toBe('analytics-0.duckdb');
    expect(path.basename(b.file)).toBe('analytics-1.duckdb');
    expect([await decisions(a), await decisions(b)]).toEqual([2, 5]);
  });

  it("is never shared by two processes on one host: DuckDB's lock sends the second to the next file", async () => {
    const mine = await copyOf(db);
    await decisions(mine);
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, 'open-copy.ts'), db.url, dir], {
      cwd: path.resolve(__dirname, '../..'),
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    try {
      const [line] = await Promise.race([
        (async () => {
          for await (const l of createInterface({ input: child.stdout })) return [l];
          return [''];
        })(),
        new Promise<string[]>((_, reject) => child.once('exit', (code) => reject(new Error(`the child exited with ${code}`)))),
      ]);
      expect(JSON.parse(line ?? '')).toEqual({ file: path.join(dir, 'analytics-1.duckdb'), decisions: 2 });
      expect(await decisions(mine)).toBe(2);
    } finally {
      child.stdin.end();
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
    }
  });

  it('is rebuilt once the change log was pruned past its snapshot', async () => {
    const lines: string[] = [];
    const copy = await copyOf(db, lines);
    await decisions(copy);
    const c = await db.prisma.case.findFirstOrThrow();
    const late = await db.prisma.decision.create({
      data: { caseId: c.id, action: 'warn', policy: 'spam', actorType: 'automated', decidedAt: new Date() },
    });
    try {
      // A pruning mark from a day ago saying every transaction up to the new decision's had finished (marks
      // record the oldest running transaction; other databases' transactions on this server keep today's low).
      await db.prisma.$executeRaw`
        INSERT INTO analytics_prune_marks (snapshot_xmin, taken_at)
        SELECT (xid::text::bigint + 1)::text::xid8, now() - interval '1 day' FROM analytics_changes WHERE tbl = 'decisions' AND row_id = ${late.id}`;
      const pruned = await copy.prune(3_600_000);
      expect(pruned.deleted).toBeGreaterThan(0);
      const left = await db.prisma.$queryRaw<
        { n: number }[]
      >`SELECT count(*)::int AS n FROM analytics_changes WHERE tbl = 'decisions' AND row_id = ${late.id}`;
      expect(left).toEqual([{ n: 0 }]);
      expect(await decisions(copy)).toBe(3);
      expect(lines.join('\n')).toMatch(/the copy is rebuilt.*older than the change-log horizon/);
    } finally {
      await db.prisma.decision.delete({ where: { id: late.id } });
    }
  });

  it('is reused after a quiet spell that the change log was pruned past: an idle copy keeps its snapshot on close', async () => {
    const lines: string[] = [];
    const copy = await copyOf(db, lines);
    await decisions(copy);
    // Transactions move on, none on a copied table.
    const [{ xid } = { xid: '' }] = await db.prisma.$queryRaw<{ xid: string }[]>`
      INSERT INTO audit_events (actor, action, entity_type, origin) VALUES ('system', 'quiet', 'test', 'system')
      RETURNING pg_current_xact_id()::text AS xid`;
    // Wait until no transaction as old as that one runs anywhere on the server (other tests' included).
    while (true) {
      const [now] = await db.prisma.$queryRaw<{ passed: boolean }[]>`
        SELECT pg_snapshot_xmin(pg_current_snapshot()) > ${xid}::xid8 AS passed`;
      if (now?.passed) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await decisions(copy)).toBe(2);
    // A week later: the log is pruned up to just past that transaction, and the bot restarts.
    await db.prisma.$executeRaw`
      INSERT INTO analytics_prune_marks (snapshot_xmin, taken_at)
      VALUES ((${xid}::bigint + 1)::text::xid8, now() - interval '1 day')`;
    expect((await copy.prune(3_600_000)).horizon).toBe(String(BigInt(xid) + 1n));
    await closeCopy(copy);
    const reopened = await copyOf(db, lines);
    expect(await decisions(reopened)).toBe(2);
    expect(lines.join('\n')).not.toMatch(/the copy is rebuilt/);
    expect(builds(lines)).toBe(1);
  });

  it('is reused after a crash too: an idle copy also writes its snapshot every persistEveryMs', async () => {
    // The bot runs in a child process (killed below, so nothing happens at close) and keeps its snapshot at every
    // idle catch-up (persistEveryMs 0).
    // `--import tsx` (not tsx's cli, which runs the script in a grandchild): the pid killed is the bot's own.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'open-copy.ts'), db.url, dir, '0'], {
      cwd: path.resolve(__dirname, '../..'),
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const out = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const next = async () => JSON.parse(((await out.next()).value as string | undefined) ?? 'null');
      expect(await next()).toEqual({ file: path.join(dir, 'analytics-0.duckdb'), decisions: 2 });
      const [{ xid } = { xid: '' }] = await db.prisma.$queryRaw<{ xid: string }[]>`
        INSERT INTO audit_events (actor, action, entity_type, origin) VALUES ('system', 'quiet', 'test', 'system')
        RETURNING pg_current_xact_id()::text AS xid`;
      while (true) {
        const [now] = await db.prisma.$queryRaw<{ passed: boolean }[]>`
          SELECT pg_snapshot_xmin(pg_current_snapshot()) > ${xid}::xid8 AS passed`;
        if (now?.passed) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      child.stdin.write('read\n');
      expect(await next()).toEqual({ file: path.join(dir, 'analytics-0.duckdb'), decisions: 2 });
      child.kill('SIGKILL');
      await exited;
      // Pruned past that transaction while the bot was down.
      await db.prisma.$executeRaw`
        UPDATE analytics_horizon SET horizon = greatest(coalesce(horizon, '0'::xid8), (${xid}::bigint + 1)::text::xid8)`;
      const lines: string[] = [];
      const restarted = await copyOf(db, lines);
      expect(restarted.file).toBe(path.join(dir, 'analytics-0.duckdb'));
      expect(await decisions(restarted)).toBe(2);
      expect(lines.join('\n')).not.toMatch(/the copy is rebuilt/);
      expect(builds(lines)).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  });

  it('stops a build at close, and the next start builds the copy again, right', async () => {
    // A table the build copies is locked by another session: the build waits in Postgres until it is stopped.
    locker = new Client({ connectionString: db.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE qa_reviews IN ACCESS EXCLUSIVE MODE');
    const lines: string[] = [];
    const copy = await copyOf(db, lines);
    const reads = decisions(copy);
    reads.catch(() => {});
    while (true) {
      const [{ n } = { n: 0 }] = await db.prisma.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'trustops-analytics' AND wait_event_type = 'Lock'`;
      if (n > 0) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(copy.status().state).toBe('building');
    await closeCopy(copy);
    await expect(reads).rejects.toThrow(/closed/);
    expect(lines.join('\n')).toMatch(/the build stopped: the copy is closing/);
    await locker.query('ROLLBACK');
    const reopened = await copyOf(db, lines);
    expect(await decisions(reopened)).toBe(2);
    expect(builds(lines)).toBe(2);
    expect((await reopened.verify()).differences).toEqual([]);
  });

  it('is rebuilt by every running process when analytics:rebuild raises the generation', async () => {
    const lines: string[] = [];
    const copy = await copyOf(db, lines);
    await decisions(copy);
    await db.prisma.$executeRaw`UPDATE analytics_horizon SET generation = generation + 1`;
    expect(await decisions(copy)).toBe(2);
    expect(lines.join('\n')).toMatch(/the copy is rebuilt.*analytics:rebuild/);
    expect(builds(lines)).toBe(2);
  });

  it('goes with its directory when the copy closes (test support leaves nothing behind)', async () => {
    const copy = await openTestAnalytics(db);
    await decisions(copy);
    await copy.close();
    expect(existsSync(copy.dir)).toBe(false);
  });
});
