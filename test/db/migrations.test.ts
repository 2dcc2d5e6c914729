import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { adminQuery, databaseUrl, TEMPLATE_ENV, uniqueName } from '../support/postgres';

const root = path.resolve(__dirname, '../..');

// A normalized description of a database's schema: tables, columns, indexes, constraints, enums.
async function describeSchema(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const rows = await client.query<{ line: string }>(`
      SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || udt_name || ' null=' || is_nullable || ' default=' || coalesce(column_default, '') AS line
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
      UNION ALL
      SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
      UNION ALL
      SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'
      UNION ALL
      SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname
      ORDER BY 1`);
    return rows.rows.map((r) => r.line);
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  it('produce exactly the schema that prisma/schema.prisma describes', async () => {
    const fromSchema = uniqueName('trustops_drift');
    await adminQuery(`CREATE DATABASE ${fromSchema}`);
    try {
      // Build a second database straight from schema.prisma (empty → datamodel), in a child process
      // because the schema engine is an ES module.
      execFileSync(process.execPath, [require.resolve('tsx/cli'), 'test/support/apply-datamodel.ts'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: databaseUrl(fromSchema) },
        stdio: 'pipe',
      });
      const migrated = await describeSchema(databaseUrl(process.env[TEMPLATE_ENV]!));
      const expected = await describeSchema(databaseUrl(fromSchema));
      expect(migrated).toEqual(expected);
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${fromSchema} WITH (FORCE)`);
    }
  });

  it('hold the bootstrap defaults intake needs', async () => {
    const client = new Client({ connectionString: databaseUrl(process.env[TEMPLATE_ENV]!) });
    await client.connect();
    try {
      const surfaces = await client.query('SELECT key FROM surfaces ORDER BY key');
      expect(surfaces.rows.map((r) => r.key)).toEqual(['api', 'claude_ai', 'claude_code', 'mcp_directory', 'mobile']);
      const types = await client.query('SELECT key FROM report_types ORDER BY key');
      expect(types.rows.map((r) => r.key)).toEqual([
        'copyright',
        'harmful_content',
        'illegal_content',
        'impersonation',
        'mcp_server',
        'other',
        'privacy',
      ]);
      const policy = await client.query(`
        SELECT p.first_action_minutes, p.resolution_minutes, c.always_open
          FROM sla_policies p JOIN queues q ON q.id = p.queue_id JOIN business_calendars c ON c.id = p.calendar_id
         WHERE q.key = 'default'`);
      expect(policy.rows).toEqual([{ first_action_minutes: 1440, resolution_minutes: 4320, always_open: true }]);
    } finally {
      await client.end();
    }
  });

  it('are idempotent: a second run applies nothing', () => {
    const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), 'src/cli/db-migrate.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl(process.env[TEMPLATE_ENV]!) },
    }).toString();
    expect(out).toContain('database is up to date');
  });
});
