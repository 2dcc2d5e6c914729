import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Logger } from '../logger';
import type { CopiedTable } from './schema';

/** `pg_current_snapshot()` as text: `xmin:xmax:xip,…`. */
export type PgSnapshot = string;
const SNAPSHOT = /^\d+:\d+:(\d+(,\d+)*)?$/;

export function snapshotXmin(s: PgSnapshot): bigint {
  return BigInt(s.split(':')[0] ?? '0');
}

/**
 * SQL true for a change row whose transaction the snapshot `p` did not show: still running when it was taken
 * (in its xip list) or started after it (xid ≥ xmax). Both halves use the index on xid, so an import left open
 * for an hour costs one index probe, not a scan of everything since it began. The snapshot's xmax and xip are
 * inlined as constants (COPY takes no parameters; they came from Postgres and are checked against its format):
 * the planner then estimates them from the column's statistics. Through an ARRAY(SELECT …) sub-plan it cannot,
 * and after a bulk import (a few xids, each with a million rows) it guessed every row and scanned the whole log.
 */
export function changedSince(p: PgSnapshot): string {
  if (!SNAPSHOT.test(p)) throw new Error(`not a Postgres snapshot: ${p}`);
  const [, xmax, xip] = p.split(':') as [string, string, string];
  const running = xip ? ` OR xid = ANY ('{${xip}}'::xid8[])` : '';
  return `(xid >= '${xmax}'::xid8${running})`;
}

/**
 * An instant as integer microseconds since the epoch, exactly: through float8 (`date_part` divides the exact
 * microsecond count once, correctly rounded; multiplying back and rounding recovers it while the error stays
 * below half a microsecond, i.e. for 1901-12-14 → 2106-02-07), else through numeric (exact, slower). Integers
 * print and parse far faster than ISO timestamps: the copy's bulk is instants.
 */
export function epochMicros(expr: string): string {
  return `CASE WHEN ${expr} >= '1901-12-14 00:00:00+00' AND ${expr} < '2106-02-07 00:00:00+00'
    THEN round(date_part('epoch', ${expr}) * 1000000::float8)::int8 ELSE (extract(epoch FROM ${expr}) * 1000000)::int8 END`;
}

/** The Postgres SELECT of a table's copied columns as they travel to DuckDB (instants as epochMicros). */
export function wireSelect(t: CopiedTable): string {
  const cols = t.columns.map((c) => {
    const expr = c.pg ?? `"${c.name}"`;
    return c.type === 'TIMESTAMPTZ' ? epochMicros(expr) : expr;
  });
  return `SELECT ${cols.join(', ')} FROM "${t.name}"`;
}

/** One connection of its own, reopened after a failure. Sessions run in UTC so timestamps come out as `…+00`. */
export class PgSource {
  private client: Client | undefined;
  /** Every connection open now (the shared one and extra copy streams), so that abort() can end them. */
  private readonly open = new Set<Client>();
  private aborted = false;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    this.client = await this.openClient();
    return this.client;
  }

  private async openClient(): Promise<Client> {
    if (this.aborted) throw new Error('analytics: the copy is closed');
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 5000, application_name: 'trustops-analytics' });
    client.on('error', (err) => {
      if (!this.aborted) this.log.warn('analytics: Postgres connection lost', { err: { message: err.message } });
      if (this.client === client) this.client = undefined;
    });
    this.open.add(client);
    client.once('end', () => this.open.delete(client));
    await client.connect();
    await client.query("SET TIME ZONE 'UTC'");
    await client.query("SET DateStyle = 'ISO, YMD'");
    return client;
  }

  /**
   * `fn` inside one REPEATABLE READ READ ONLY transaction: every statement sees the same snapshot, or the
   * exported `snapshot` given. `separate`: on a connection of its own, closed after (a second copy stream).
   */
  async inSnapshot<T>(fn: (client: Client) => Promise<T>, opts: { snapshot?: string; separate?: boolean } = {}): Promise<T> {
    const client = opts.separate ? await this.openClient() : await this.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      if (opts.snapshot) await client.query(`SET TRANSACTION SNAPSHOT '${opts.snapshot.replace(/[^0-9A-Fa-f-]/g, '')}'`);
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => this.drop(client));
      throw err;
    } finally {
      if (opts.separate) await client.end().catch(() => {});
    }
  }

  /** `fn` inside an ordinary READ COMMITTED transaction (pruning writes). */
  async inTransaction<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => this.drop(client));
      throw err;
    }
  }

  private drop(client: Client): void {
    if (this.client === client) this.client = undefined;
    client.end().catch(() => {});
  }

  /**
   * Ends every connection now, in the middle of a COPY or a lock wait too (their statements then fail), and
   * refuses new ones: how close() stops a build without waiting minutes for it.
   */
  async abort(): Promise<void> {
    this.aborted = true;
    this.client = undefined;
    await Promise.all([...this.open].map((c) => c.end().catch(() => {})));
  }

  /** Ends every connection open now (their statements fail), as abort() does, but new ones may open after. */
  async cancel(): Promise<void> {
    this.client = undefined;
    await Promise.all([...this.open].map((c) => c.end().catch(() => {})));
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}

/**
 * Streams `COPY (sql) TO STDOUT` as CSV into `file`; returns the rows written. Rows are counted by newline
 * per chunk for progress (a quoted newline inside a value would count twice; only the progress shows it).
 */
export async function copyToFile(client: Client, sql: string, file: string, onRows?: (rows: number) => void): Promise<number> {
  let rows = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
      onRows?.(rows);
      done(null, chunk);
    },
  });
  await pipeline(client.query(copyTo(`COPY (${sql}) TO STDOUT WITH (FORMAT csv)`)), counter, createWriteStream(file));
  return rows;
}

/**
 * Who the database is: the cluster's system identifier, the database's oid and the id the migration stored.
 * A copy of another database (another cluster, a clone made from a template, a dropped and recreated one)
 * sees a different identity. PGlite has no pg_control_system(): the stored id and oid still tell apart.
 */
export async function databaseIdentity(client: Client): Promise<string> {
  let system = '';
  try {
    await client.query('SAVEPOINT analytics_identity');
    const res = await client.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()');
    system = res.rows[0]?.id ?? '';
    await client.query('RELEASE SAVEPOINT analytics_identity');
  } catch {
    await client.query('ROLLBACK TO SAVEPOINT analytics_identity');
  }
  const res = await client.query<{ oid: string; id: string }>(
    `SELECT (SELECT oid::text FROM pg_database WHERE datname = current_database()) AS oid, database_id::text AS id
       FROM analytics_horizon WHERE id = 1`,
  );
  const row = res.rows[0];
  if (!row) throw new Error('analytics_horizon has no row: are the migrations applied?');
  return `${system}/${row.oid}/${row.id}`;
}
