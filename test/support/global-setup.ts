import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { adminQuery, databaseUrl, TEMPLATE_ENV, uniqueName } from './postgres';

// One migrated template database per run; every test file clones it (CREATE DATABASE … TEMPLATE),
// which takes a fraction of a second and gives each file a clean schema.
export default async function globalSetup(): Promise<void> {
  const template = uniqueName('trustops_tpl');
  await adminQuery(`CREATE DATABASE ${template}`);
  const root = path.resolve(__dirname, '../..');
  // Migrations run in a child process: the schema engine is an ES module, which jest's CommonJS sandbox cannot load.
  execFileSync(process.execPath, [require.resolve('tsx/cli'), 'src/cli/db-migrate.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl(template) },
    stdio: 'pipe',
  });
  process.env[TEMPLATE_ENV] = template;
}
