import { ConfigError, loadConfig } from '../../src/config';
import { openTestAnalytics } from '../support/analytics';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('analytics configuration', () => {
  it('defaults to the data directory, 4GB and 2 threads: room for the bot and Postgres on a 24 GiB machine', () => {
    const c = loadConfig({ TRUSTOPS_DATA_DIR: '/var/lib/trustops' });
    expect(c.TRUSTOPS_ANALYTICS_DIR ?? c.TRUSTOPS_DATA_DIR).toBe('/var/lib/trustops');
    expect([c.TRUSTOPS_ANALYTICS_MEMORY, c.TRUSTOPS_ANALYTICS_THREADS]).toEqual(['4GB', 2]);
    const set = loadConfig({ TRUSTOPS_ANALYTICS_DIR: '/fast/disk', TRUSTOPS_ANALYTICS_MEMORY: '1.5GiB', TRUSTOPS_ANALYTICS_THREADS: '4' });
    expect([set.TRUSTOPS_ANALYTICS_DIR, set.TRUSTOPS_ANALYTICS_MEMORY, set.TRUSTOPS_ANALYTICS_THREADS]).toEqual([
      '/fast/disk',
      '1.5GiB',
      4,
    ]);
  });

  it.each([
    ['TRUSTOPS_ANALYTICS_MEMORY', 'lots', 'TRUSTOPS_ANALYTICS_MEMORY: expected a size such as 4GB, 512MB or 2GiB (got "lots")'],
    ['TRUSTOPS_ANALYTICS_MEMORY', '80%', 'TRUSTOPS_ANALYTICS_MEMORY: expected a size such as 4GB, 512MB or 2GiB (got "80%")'],
    ['TRUSTOPS_ANALYTICS_THREADS', '0', 'TRUSTOPS_ANALYTICS_THREADS: expected a whole number of threads from 1 to 64 (got "0")'],
    ['TRUSTOPS_ANALYTICS_THREADS', 'two', 'TRUSTOPS_ANALYTICS_THREADS: expected a whole number of threads from 1 to 64 (got "two")'],
  ])('refuses %s=%s with one line naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new ConfigError(message));
  });

  describe('on the DuckDB instance', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('are the limits DuckDB runs with', async () => {
      const copy = await openTestAnalytics(db, { memory: '300MB', threads: 3 });
      try {
        const [row] = await copy.read((r) =>
          r.query("SELECT current_setting('threads') AS threads, current_setting('memory_limit') AS memory"),
        );
        expect(row).toEqual({ threads: 3, memory: expect.stringMatching(/^(286\.1 MiB|300\.0 MB)$/) });
      } finally {
        await copy.close();
      }
    });
  });
});
