/**
 * Runs at most `concurrency` tasks at once; the rest wait in line, in order. Interactive work that
 * runs after its ack (e.g. escalation decisions) goes through one, so a burst of clicks queues here
 * instead of exhausting the database pool and failing on its connection timeout.
 */
export function createLimiter(concurrency: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
