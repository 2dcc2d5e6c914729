import type { Analytics, AnalyticsStatus } from '../../analytics/types';

/** 4 200 000 → "4.2 M", 950 000 → "950 k", 420 → "420". */
function compact(n: number): string {
  const [value, unit] = n >= 1e6 ? [n / 1e6, ' M'] : n >= 1e4 ? [n / 1e3, ' k'] : [n, ''];
  return `${Number(value.toFixed(value < 10 && unit ? 1 : 0)).toLocaleString('en')}${unit}`;
}

/**
 * What a look-up says while the analytics copy is being built (a first start, or a rebuild after its
 * file was deleted): how far the load has come; undefined once the copy is ready.
 */
export function buildingNotice(status: AnalyticsStatus): string | undefined {
  if (status.state !== 'building') return undefined;
  const p = status.progress;
  if (!p) return 'Building the analytics copy; your figures follow.';
  const pct = Math.min(99, Math.floor(p.fraction * 100));
  const table = p.table.replace(/_/g, ' ').replace(/^qa /, 'QA ');
  return `Building the analytics copy: ${pct} % (${compact(p.rowsLoaded)} of ${compact(p.rowsExpected)} ${table}); your figures follow.`;
}

/**
 * Runs `work` (which reads the copy, so waits for the build), telling `say` how the build is going,
 * first at once, then every `everyMs` until the work ends. Says nothing when the copy is ready.
 */
export async function whileBuilding<T>(
  analytics: Pick<Analytics, 'status'>,
  say: (text: string) => void,
  work: () => Promise<T>,
  everyMs = 1000,
): Promise<T> {
  const tell = () => {
    const text = buildingNotice(analytics.status());
    if (text) say(text);
    return text !== undefined;
  };
  if (!tell()) return work();
  const timer = setInterval(() => {
    if (!tell()) clearInterval(timer);
  }, everyMs);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
