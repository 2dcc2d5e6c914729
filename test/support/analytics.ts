import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AnalyticsEngine, type AnalyticsOptions, openAnalytics } from '../../src/analytics';
import type { Analytics } from '../../src/analytics/types';
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

/**
 * Makes a running app's analytics copy look as if it were being built (42 %, 4.2 M of 10 M decisions): look-ups
 * wait until `finish()`, which puts the real copy back. The answer a look-up gives meanwhile is `BUILDING_NOTICE`.
 */
export function simulateBuild(deps: { analytics: Analytics }): { finish(): void } {
  const real = deps.analytics;
  let finish!: () => void;
  const built = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let done = false;
  const progress = { table: 'decisions', rowsLoaded: 4_200_000, rowsExpected: 10_000_000, fraction: 0.42 };
  deps.analytics = {
    status: () => (done ? real.status() : { ...real.status(), state: 'building', progress }),
    read: (fn) => built.then(() => real.read(fn)),
    close: () => real.close(),
  };
  return {
    finish() {
      done = true;
      finish();
      deps.analytics = real;
    },
  };
}
export const BUILDING_NOTICE = '⏳ Building the analytics copy: 42 % (4.2 M of 10 M decisions); your figures follow.';
