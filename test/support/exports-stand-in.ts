// TEMPORARY (helper exports, not to be committed): a full-copy Analytics for developing the exports
// before the sync engine exists. Every read reloads the tables from Postgres.
import { type DuckDBConnection, DuckDBInstance, DuckDBTimestampTZValue, type DuckDBValue } from '@duckdb/node-api';
import type { Analytics, AnalyticsParam, AnalyticsReader, AnalyticsRow } from '../../src/analytics/types';
import type { PrismaClient } from '../../src/generated/prisma/client';

const TABLES: [string, string, string][] = [
  ['surfaces', 'id INTEGER, key VARCHAR', 'SELECT id, key FROM surfaces'],
  ['report_types', 'id INTEGER, key VARCHAR', 'SELECT id, key FROM report_types'],
  [
    'dsa_category_map',
    'policy VARCHAR, category VARCHAR, decision_ground VARCHAR, ground_text VARCHAR, explanation VARCHAR',
    'SELECT policy, category, decision_ground, ground_text, explanation FROM dsa_category_map',
  ],
  [
    'reports',
    'id INTEGER, case_id INTEGER, surface_id INTEGER, report_type_id INTEGER, category VARCHAR, jurisdiction VARCHAR, language VARCHAR, own_initiative BOOLEAN, trusted_flagger BOOLEAN, received_at TIMESTAMPTZ',
    'SELECT id, case_id, surface_id, report_type_id, category, jurisdiction, language, own_initiative, trusted_flagger, received_at FROM reports',
  ],
  [
    'decisions',
    `id INTEGER, external_id VARCHAR, case_id INTEGER, action VARCHAR, policy VARCHAR, actor_type VARCHAR, automated BOOLEAN, decided_at TIMESTAMPTZ,
     case_surface_id INTEGER, case_report_type_id INTEGER, case_first_report_at TIMESTAMPTZ, case_opened_at TIMESTAMPTZ, case_first_report_id INTEGER,
     case_first_report_own_initiative BOOLEAN, case_first_report_trusted_flagger BOOLEAN, case_first_report_jurisdiction VARCHAR, case_first_report_language VARCHAR`,
    `SELECT d.id, d.external_id, d.case_id, d.action, d.policy, d.actor_type::text, d.automated, d.decided_at,
            c.surface_id, c.report_type_id, c.first_report_at, c.opened_at, c.first_report_id,
            r.own_initiative, r.trusted_flagger, r.jurisdiction, r.language
       FROM decisions d JOIN cases c ON c.id = d.case_id LEFT JOIN reports r ON r.id = c.first_report_id`,
  ],
  [
    'appeals',
    'id INTEGER, decision_id INTEGER, outcome VARCHAR, filed_at TIMESTAMPTZ, resolved_at TIMESTAMPTZ, decision_policy VARCHAR, decision_automated BOOLEAN',
    'SELECT a.id, a.decision_id, a.outcome::text, a.filed_at, a.resolved_at, d.policy, d.automated FROM appeals a JOIN decisions d ON d.id = a.decision_id',
  ],
  [
    'qa_reviews',
    'id INTEGER, decision_id INTEGER, outcome VARCHAR, error_severity VARCHAR, reviewed_at TIMESTAMPTZ, decision_automated BOOLEAN',
    'SELECT q.id, q.decision_id, q.outcome::text, q.error_severity, q.reviewed_at, d.automated FROM qa_reviews q JOIN decisions d ON d.id = q.decision_id',
  ],
];

const toDuck = (v: AnalyticsParam): DuckDBValue =>
  v instanceof Date ? new DuckDBTimestampTZValue(BigInt(v.getTime()) * 1000n) : (v as DuckDBValue);
const fromDuck = (row: Record<string, unknown>): AnalyticsRow =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]));

async function load(con: DuckDBConnection, db: PrismaClient): Promise<void> {
  for (const [name, columns, select] of TABLES) {
    await con.run(`CREATE OR REPLACE TABLE ${name} (${columns})`);
    const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(select);
    const app = await con.createAppender(name);
    for (const row of rows) {
      for (const v of Object.values(row)) {
        if (v === null || v === undefined) app.appendNull();
        else if (v instanceof Date) app.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(v.getTime()) * 1000n));
        else if (typeof v === 'boolean') app.appendBoolean(v);
        else if (typeof v === 'number') app.appendInteger(v);
        else if (typeof v === 'bigint') app.appendInteger(Number(v));
        else app.appendVarchar(String(v));
      }
      app.endRow();
    }
    app.closeSync();
  }
}

export async function openStandInAnalytics(db: PrismaClient): Promise<Analytics & { batches: number }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await instance.connect();
  const self = {
    batches: 0,
    async read<T>(fn: (reader: AnalyticsReader) => Promise<T>): Promise<T> {
      await load(con, db);
      await con.run('BEGIN TRANSACTION');
      const reader: AnalyticsReader = {
        async query<R extends AnalyticsRow>(sql: string, params: readonly AnalyticsParam[] = []) {
          const result = await con.runAndReadAll(sql, params.map(toDuck));
          return result.getRowObjectsJS().map(fromDuck) as R[];
        },
        async *stream<R extends AnalyticsRow>(sql: string, params: readonly AnalyticsParam[] = []) {
          const result = await con.stream(sql, params.map(toDuck));
          for await (const batch of result.yieldRowObjectJs()) {
            self.batches += 1;
            yield batch.map(fromDuck) as R[];
          }
        },
      };
      try {
        return await fn(reader);
      } finally {
        await con.run('COMMIT');
      }
    },
    status: () => ({ state: 'ready' as const, lagMs: 0, rows: {}, file: ':memory:' }),
    async close() {
      con.closeSync();
      instance.closeSync();
    },
  };
  return self;
}
