// Test helper (child process): creates the schema of prisma/schema.prisma directly, without migrations.
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { diffDatamodels, SCHEMA_PATH } from '../../src/db/migrate';

(async () => {
  const url = process.env.DATABASE_URL!;
  const sql = await diffDatamodels(url, null, readFileSync(SCHEMA_PATH, 'utf8'));
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(sql);
  await client.end();
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
