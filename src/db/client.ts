import { PrismaPg } from '@prisma/adapter-pg';
import { Client, Pool } from 'pg';
import { PrismaClient } from '../generated/prisma/client';
import { createLogger, type Logger } from '../logger';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded';

export type Db = PrismaClient;
/** A transaction client: repositories accept either. */
export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

/** Short interactive transactions under load: wait up to 10 s for a connection, give up after 30 s. */
export const TX_OPTIONS = { maxWait: 10_000, timeout: 30_000 };

export type Database = {
  prisma: PrismaClient;
  url: string;
  embedded: boolean;
  close(): Promise<void>;
};

export class DatabaseUnavailableError extends Error {}

// The pg pool behind each client, for what Prisma cannot do (COPY FROM STDIN in CSV imports).
const pools = new WeakMap<object, Pool>();

// Clients on the embedded PGlite: its socket server does not speak COPY FROM STDIN (the session loses
// protocol sync), so imports stage their rows with INSERTs there.
const withoutCopyFrom = new WeakSet<object>();

/** Whether `COPY … FROM STDIN` can be sent through this client's pool (not on the embedded PGlite). */
export function supportsCopyFrom(db: Db): boolean {
  return !withoutCopyFrom.has(db);
}

/** The pg pool a client of openDatabase queries through; connections taken from it count against its size. */
export function pgPoolOf(db: Db): Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('this database client was not opened by openDatabase: it has no pg pool');
  return pool;
}

/**
 * The only place that constructs a PrismaClient: DATABASE_URL, or embedded PGlite under dataDir.
 * Every pg client it makes has an 'error' listener: a connection the server closes (a restart,
 * pg_terminate_backend) is logged and dropped from the pool, never an unhandled 'error' event that
 * ends the process. The query that was using it fails, and isDatabaseUnavailable says why.
 */
export async function openDatabase(opts: { databaseUrl?: string; dataDir: string; poolSize?: number; log?: Logger }): Promise<Database> {
  const log = opts.log ?? createLogger({ level: 'warn' });
  const lost = (where: string) => (err: Error) =>
    log.warn('database connection lost', { where, err: { message: err.message, code: (err as { code?: unknown }).code } });
  let embedded: EmbeddedPostgres | undefined;
  let url = opts.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(opts.dataDir);
    url = embedded.url;
  }
  // Probe with a bare pg client first: its errors name the cause plainly ("ECONNREFUSED", "role … does not exist").
  const probe = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  probe.on('error', lost('start-up probe'));
  try {
    await probe.connect();
    await probe.query('SELECT 1');
  } catch (err) {
    await embedded?.stop();
    throw new DatabaseUnavailableError(`cannot reach the database (${describeUrl(url)}): ${(err as Error).message || (err as Error).name}`);
  } finally {
    await probe.end().catch(() => {});
  }
  // PGlite is one session behind its socket server: concurrent connections get their statements
  // interleaved, so the embedded database is used through a single connection.
  const pool = new Pool({ connectionString: url, max: embedded ? 1 : (opts.poolSize ?? 10), connectionTimeoutMillis: 5000 });
  // pg-pool takes its own listener off a connection when handing it out, and the adapter adds its
  // listener a tick later: a session killed in between (its ready and its 57P01 in one packet) would
  // emit 'error' to nobody and end the process. So every connection keeps one listener for life.
  pool.on('connect', (client) => {
    let logged = false;
    client.on('error', (err) => {
      if (!logged) lost('pool connection')(err);
      logged = true;
    });
  });
  // The connection's own listener has logged it; pg-pool has already dropped it.
  pool.on('error', () => {});
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const prisma = new PrismaClient({ adapter });
  pools.set(prisma, pool);
  if (embedded) withoutCopyFrom.add(prisma);
  return {
    prisma,
    url,
    embedded: Boolean(embedded),
    async close() {
      await prisma.$disconnect();
      await embedded?.stop();
    },
  };
}

/** host:port/db without credentials, for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'an unparseable DATABASE_URL';
  }
}
