import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { type EmbeddedTestPostgres, startEmbeddedTestPostgres } from './embedded-postgres';
import { ADMIN_ENV, adminQuery, databaseUrl, FORCE_EMBEDDED_ENV, TEMPLATE_ENV, uniqueName } from './postgres';

/** The local server CI starts when it can; without it, tests bring their own (see `chooseServer`). */
const LOCAL_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Read by the global teardown, which runs in this same process. */
export const state = globalThis as typeof globalThis & { trustopsTestServer?: { embedded?: EmbeddedTestPostgres } };

// One migrated template database per run; every test file clones it (CREATE DATABASE … TEMPLATE),
// which takes a fraction of a second and gives each file a clean schema.
export default async function globalSetup(): Promise<void> {
  process.env[ADMIN_ENV] = await chooseServer();
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

/**
 * TEST_DATABASE_URL when set; else the local server if it accepts the test connection; else (or when
 * forced) a real PostgreSQL from embedded-postgres, started for this run.
 */
async function chooseServer(): Promise<string> {
  let why = `${FORCE_EMBEDDED_ENV}=1`;
  if (process.env[FORCE_EMBEDDED_ENV] !== '1') {
    if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
    const refused = await connectionRefusal(LOCAL_URL);
    if (!refused) return LOCAL_URL;
    why = `nothing accepted ${new URL(LOCAL_URL).host} (${refused})`;
  }
  const started = Date.now();
  const embedded = await startEmbeddedTestPostgres();
  state.trustopsTestServer = { embedded };
  const port = new URL(embedded.url).port;
  process.stderr.write(
    `${why}: started PostgreSQL ${embedded.version} from embedded-postgres on 127.0.0.1:${port} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return embedded.url;
}

/** Why `url` refuses a connection, or undefined when it accepts one. */
async function connectionRefusal(url: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    const e = err as Error & { code?: string };
    return e.message || e.code || String(err);
  } finally {
    await client.end().catch(() => {});
  }
}
