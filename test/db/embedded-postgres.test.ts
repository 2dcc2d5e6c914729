import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedTestPostgres } from '../support/embedded-postgres';
import { adminUrl, FORCE_EMBEDDED_ENV } from '../support/postgres';

// `npm test` on a machine with no database server: the global setup starts a real PostgreSQL from
// embedded-postgres for the run and the teardown removes it.
async function query(url: string, sql: string) {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('the embedded test PostgreSQL', () => {
  it('answers on a loopback port, only with its password, from its own temporary directory; once stopped is gone: directory removed, port closed', async () => {
    const server = await startEmbeddedTestPostgres();
    let stopped = false;
    try {
      expect(new URL(server.url).hostname).toBe('127.0.0.1');
      const [row] = await query(server.url, 'SELECT version() AS version, current_setting($$data_directory$$) AS dir');
      expect(row.version).toMatch(/^PostgreSQL \d+/);
      expect(row.dir).toBe(path.join(server.dir, 'data'));
      expect(existsSync(server.dir)).toBe(true);
      const noPassword = new URL(server.url);
      noPassword.password = '';
      await expect(query(noPassword.toString(), 'SELECT 1')).rejects.toThrow(/password/);

      await server.stop();
      stopped = true;
      expect(existsSync(server.dir)).toBe(false);
      await expect(query(server.url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      if (!stopped) await server.stop();
    }
  });

  (process.env[FORCE_EMBEDDED_ENV] === '1' ? it : it.skip)(`is this run's server when ${FORCE_EMBEDDED_ENV}=1`, async () => {
    const [row] = await query(adminUrl(), 'SHOW data_directory');
    expect(row.data_directory).toMatch(/trustops-test-pg-/);
  });
});
