import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AnalyticsEngine, type AnalyticsOptions, openAnalytics } from '../../src/analytics';
import { silentLogger } from '../../src/logger';

export type TestAnalytics = AnalyticsEngine & { dir: string };

/**
 * An analytics copy of `db` in a temp directory of its own (removed at close), for domain tests that build
 * their deps by hand. No background catch-up or pruning: each read catches up, which is what tests check.
 */
export async function openTestAnalytics(db: { url: string }, opts: Partial<AnalyticsOptions> = {}): Promise<TestAnalytics> {
  const dir = opts.dir ?? mkdtempSync(path.join(tmpdir(), 'trustops-analytics-'));
  const engine = await openAnalytics({
    databaseUrl: db.url,
    dir,
    memory: '512MB',
    threads: 1,
    log: silentLogger,
    syncIntervalMs: 0,
    pruneEveryMs: 0,
    ...opts,
  });
  return Object.assign(Object.create(null), engine, {
    dir,
    async close() {
      await engine.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  }) as TestAnalytics;
}
