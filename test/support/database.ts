import { type Database, openDatabase } from '../../src/db/client';
import { adminQuery, databaseUrl, TEMPLATE_ENV, uniqueName } from './postgres';

export type TestDatabase = Database & { name: string; drop(): Promise<void> };

/** A fresh, migrated database for one test file (a copy of the run's template). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env[TEMPLATE_ENV];
  if (!template) throw new Error('the jest global setup did not run');
  const name = uniqueName('trustops_t');
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  const db = await openDatabase({ databaseUrl: databaseUrl(name), dataDir: '' });
  return {
    ...db,
    name,
    async drop() {
      await db.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
