// Demo data: a realistic 90 days of Trust & Safety work for the sandbox, demos and benchmarks.
// Deterministic (seeded PRNG: same anchor and scale, same rows), written once (a second call
// finds the demo vendor and writes nothing; a database holding anything else is refused), and fast enough for tens of millions of rows:
// rows stream day by day into batched `INSERT … SELECT FROM unnest(…)` statements.
import { Client } from 'pg';
import type { PrismaClient } from '../../generated/prisma/client';
import { dailyReportVolumes, generateDay, type RecentCase } from './activity';
import { BulkWriter, type Sql, sqlFromPg, sqlFromPrisma } from './bulk';
import { DEMO_MARKER_VENDOR, DEMO_ROLES } from './catalog';
import { type CopyrightContext, generateCopyrightDay } from './copyright';
import { hashSeed, hex, mulberry32 } from './random';
import { type SetupCounts, writeReferenceData } from './setup';
import { registerTables, TABLE_SPECS, type TableKey, type Tables } from './tables';

const DAY = 86_400;
export const SEED_DAYS = 90;
const BATCH_ROWS = 10_000;
/** Copyright notices per day at scale 1. */
const NOTICES_PER_DAY = 7;
// Serialises concurrent seeders (two sandboxes starting on one database).
const SEED_LOCK = 7_271_001;
const BULK_TABLES = Object.entries(TABLE_SPECS) as [TableKey, (typeof TABLE_SPECS)[TableKey]][];

export type SeedOptions = {
  /** Multiplies reports, cases, decisions and their dependents; 1 ≈ 125 reports a day. Fractions allowed. */
  scale?: number;
  /** The anchor: the data covers the 90 days before it. Default: today at 00:00 UTC. */
  now?: Date;
  /** Called as rows are generated: reports so far, reports in total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Write through a dedicated pg connection to this URL instead of the Prisma client: faster
   * for large scales. The whole seed is still one transaction.
   */
  databaseUrl?: string;
};

export type SeedCounts = SetupCounts & {
  reports: number;
  cases: number;
  decisions: number;
  qa_reviews: number;
  appeals: number;
  escalations: number;
  escalation_votes: number;
  copyright_notices: number;
  counter_notices: number;
  copyright_strikes: number;
  audit_events: number;
};

export type SeedSummary = {
  /** True when demo data was already there and nothing was written. */
  skipped: boolean;
  message: string;
  anchor: string;
  scale: number;
  /** Rows written, per table. */
  counts: SeedCounts;
};

export function startOfUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

function emptyCounts(): SeedCounts {
  const counts: Record<string, number> = {
    surfaces: 0,
    report_types: 0,
    business_calendars: 0,
    holidays: 0,
    vendors: 0,
    queues: 0,
    sla_policies: 0,
    routing_rules: 0,
    role_assignments: 0,
  };
  for (const spec of Object.values(TABLE_SPECS)) counts[spec.table] = 0;
  return counts as SeedCounts;
}

export async function seedDemoData(prisma: PrismaClient, opts: SeedOptions = {}): Promise<SeedSummary> {
  const scale = opts.scale ?? 1;
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`seed: scale must be a positive number (got ${scale})`);
  const anchor = opts.now ?? startOfUtcDay(new Date());
  if (Number.isNaN(anchor.getTime())) throw new Error('seed: invalid anchor date');
  const run = (sql: Sql) => seedWith(sql, { scale, anchor, onProgress: opts.onProgress });

  if (opts.databaseUrl) {
    const client = new Client({ connectionString: opts.databaseUrl });
    // A lost connection fails the statement in flight, which rolls the seed back; unheard, the
    // client's 'error' event would end the process.
    client.on('error', () => {});
    await client.connect();
    try {
      await client.query('BEGIN');
      const summary = await run(sqlFromPg(client));
      await client.query('COMMIT');
      return summary;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      await client.end();
    }
  }
  // One transaction: an interrupted seed leaves nothing behind, so the next start seeds again.
  return prisma.$transaction((tx) => run(sqlFromPrisma(tx)), { timeout: 24 * 3600 * 1000, maxWait: 60_000 });
}

/** Demo data goes only into a database that holds nothing but what the migrations put there. */
export class SeedRefusedError extends Error {}

// Tables that only real use fills (the migrations leave them empty); a vendor besides the migrations'
// `default` is an operator's configuration. Admin changes are audited, so audit_events catches the rest.
const RECORD_TABLES = [...BULK_TABLES.map(([, spec]) => spec.table), 'alerts', 'role_assignments'];

async function refuseUnlessEmpty(sql: Sql): Promise<void> {
  const probes = [
    ...RECORD_TABLES.map((t) => `(SELECT '${t}' AS held FROM "${t}" LIMIT 1)`),
    `(SELECT 'vendors' AS held FROM vendors WHERE key <> 'default' LIMIT 1)`,
  ];
  const held = await sql.query<{ held: string }>(probes.join(' UNION ALL '));
  if (held.length > 0) {
    throw new SeedRefusedError(
      `demo data not written: the database holds data that is not demo data (rows in ${held.map((r) => r.held).join(', ')}); demo data goes only into a new, empty database`,
    );
  }
}

async function seedWith(
  sql: Sql,
  opts: { scale: number; anchor: Date; onProgress?: (done: number, total: number) => void },
): Promise<SeedSummary> {
  const { scale, anchor } = opts;
  const now = Math.floor(anchor.getTime() / 1000);
  const since = now - SEED_DAYS * DAY;
  const base = { anchor: anchor.toISOString(), scale };

  await sql.execute('SET LOCAL statement_timeout = 0');
  await sql.execute(`SELECT pg_advisory_xact_lock(${SEED_LOCK})`);
  const marker = await sql.query('SELECT 1 FROM vendors WHERE key = $1', [DEMO_MARKER_VENDOR]);
  if (marker.length > 0) {
    return {
      ...base,
      skipped: true,
      message: `demo data already present (vendor ${DEMO_MARKER_VENDOR} exists); nothing written`,
      counts: emptyCounts(),
    };
  }
  await refuseUnlessEmpty(sql);

  const { ref, counts: setupCounts } = await writeReferenceData(sql, { since: since - DAY, anchor: now, until: now + 60 * DAY });

  // Explicit ids continue after whatever the tables already hold; sequences are moved past them at the end.
  const bases = new Map<TableKey, number>();
  for (const [key, spec] of BULK_TABLES) {
    const [row] = await sql.query<{ max: string | number }>(`SELECT coalesce(max(id), 0)::int8 AS max FROM "${spec.table}"`);
    bases.set(key, Number(row?.max ?? 0));
  }
  const next = new Map(bases);
  const ids = {
    next(table: TableKey): number {
      const id = (next.get(table) as number) + 1;
      next.set(table, id);
      return id;
    },
  };

  const checkReferencesAfterwards = await skipForeignKeyTriggers(sql);
  const writer = new BulkWriter(sql, BATCH_ROWS);
  const tables = registerTables(writer);
  const seedKey = `${base.anchor}|${scale}`;
  const volumes = dailyReportVolumes(mulberry32(hashSeed(`${seedKey}|volume`)), since, SEED_DAYS, scale);
  const total = volumes.reduce((a, b) => a + b, 0);
  const progress = () => opts.onProgress?.(Math.min(total, tables.reports.count), total);
  const accountsRng = mulberry32(hashSeed(`${seedKey}|accounts`));
  const recent: RecentCase[] = [];
  const ctx: CopyrightContext = {
    ref,
    tables,
    ids,
    now,
    recent,
    repeatAccounts: Array.from({ length: Math.max(3, Math.round(25 * scale)) }, () => `acct_${hex(accountsRng, 10)}`),
    async flushIfFull() {
      if (writer.full) {
        await writer.flush();
        progress();
      }
    },
  };

  writeSetupAudit(tables, ids, since - DAY);
  for (let d = 0; d < SEED_DAYS; d++) {
    const dayStart = since + d * DAY;
    await generateDay(ctx, mulberry32(hashSeed(`${seedKey}|day|${d}`)), dayStart, volumes[d] as number);
    await generateCopyrightDay(ctx, mulberry32(hashSeed(`${seedKey}|copyright|${d}`)), dayStart, NOTICES_PER_DAY * scale);
    progress();
  }

  tables.auditEvents.push({
    id: ids.next('auditEvents'),
    actor: 'system',
    action: 'seed.demo_data_loaded',
    entity_type: 'seed',
    entity_id: base.anchor.slice(0, 10),
    before: null,
    after: JSON.stringify({ scale, days: SEED_DAYS, reports: tables.reports.count, decisions: tables.decisions.count }),
    origin: 'cli',
    created_at: now,
  });
  const counts = { ...emptyCounts(), ...setupCounts };
  for (const [key, spec] of BULK_TABLES) (counts as Record<string, number>)[spec.table] = tables[key].count;
  await writer.close();

  if (checkReferencesAfterwards) await assertReferences(sql, bases);
  for (const [key, spec] of BULK_TABLES) {
    if (next.get(key) === bases.get(key)) continue;
    await sql.execute(`SELECT setval(pg_get_serial_sequence('"${spec.table}"', 'id'), (SELECT max(id) FROM "${spec.table}"))`);
  }
  opts.onProgress?.(total, total);
  return { ...base, skipped: false, message: `seeded ${SEED_DAYS} days of demo data at scale ${scale}`, counts };
}

function writeSetupAudit(tables: Tables, ids: { next(table: TableKey): number }, at: number): void {
  for (const r of DEMO_ROLES) {
    tables.auditEvents.push({
      id: ids.next('auditEvents'),
      actor: 'system',
      action: 'role.granted',
      entity_type: 'role_assignment',
      entity_id: r.slackId,
      before: null,
      after: JSON.stringify({ role: r.role }),
      origin: 'cli',
      created_at: at,
    });
  }
}

/**
 * Foreign-key triggers are about half the cost of a bulk insert. A superuser (the local server,
 * the embedded database) can switch them off for this transaction, as pg_restore
 * --disable-triggers does; the references are then checked once, set-wise, before commit.
 * Anyone else keeps the per-row checks. Reference data is written before this, checked as usual.
 */
async function skipForeignKeyTriggers(sql: Sql): Promise<boolean> {
  const [me] = await sql.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
  if (!me?.rolsuper) return false;
  await sql.execute('SET LOCAL session_replication_role = replica');
  return true;
}

/** Every foreign key of a bulk-written row (id above the table's base) must point at a row. */
async function assertReferences(sql: Sql, bases: Map<TableKey, number>): Promise<void> {
  await sql.execute('SET LOCAL session_replication_role = origin');
  // Fresh statistics, or the planner takes millions of new rows for a handful and loops.
  for (const spec of Object.values(TABLE_SPECS)) await sql.execute(`ANALYZE "${spec.table}"`);
  const byTable = new Map(BULK_TABLES.map(([key, spec]) => [spec.table, bases.get(key) ?? 0]));
  const fks = await sql.query<{ child: string; col: string; parent: string; pcol: string }>(
    `SELECT cr.relname AS child, a.attname AS col, pr.relname AS parent, pa.attname AS pcol
       FROM pg_constraint c
       JOIN pg_class cr ON cr.oid = c.conrelid
       JOIN pg_class pr ON pr.oid = c.confrelid
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
       JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
      WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND cr.relname = ANY($1::text[])
        AND cr.relnamespace = current_schema()::regnamespace`,
    [[...byTable.keys()]],
  );
  for (const fk of fks) {
    const [row] = await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${fk.child}" c
        WHERE c.id > $1 AND c."${fk.col}" IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM "${fk.parent}" p WHERE p."${fk.pcol}" = c."${fk.col}")`,
      [byTable.get(fk.child) ?? 0],
    );
    if ((row?.n ?? 0) > 0) throw new Error(`seed: ${row?.n} ${fk.child}.${fk.col} value(s) point at no ${fk.parent} row`);
  }
}
