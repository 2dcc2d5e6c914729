import type { Analytics, AnalyticsReader } from '../../analytics/types';

type Deferred<T> = { promise: Promise<T>; resolve(value: T): void; reject(err: unknown): void };
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A read failing after the consumer stopped rejects a promise no one awaits: that must not end the process.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/**
 * The batches `batches(reader)` produces, pulled by the caller one at a time. `Analytics.read` scopes a
 * reader to a callback (one DuckDB transaction), while an export is consumed lazily by whoever writes the
 * file: the callback hands each batch over and waits until the caller asks for the next, so only one
 * batch is in memory and every batch comes from the same snapshot. Stopping early (return, throw) ends
 * the read.
 */
export async function* readBatches<T>(
  analytics: Pick<Analytics, 'read'>,
  batches: (reader: AnalyticsReader) => AsyncIterable<T[]>,
): AsyncGenerator<T[]> {
  // The producer only runs while the consumer waits on `next`, so an error always lands on a pending promise.
  let next = deferred<T[] | null>();
  let more = deferred<boolean>();
  const done = analytics.read(async (reader) => {
    for await (const batch of batches(reader)) {
      if (batch.length === 0) continue;
      next.resolve(batch);
      const go = await more.promise;
      more = deferred();
      if (!go) return;
    }
    next.resolve(null);
  });
  done.catch((err: unknown) => next.reject(err));
  let finished = false;
  try {
    for (;;) {
      const batch = await next.promise;
      if (batch === null) break;
      next = deferred();
      yield batch;
      more.resolve(true);
    }
    finished = true;
  } finally {
    if (!finished) more.resolve(false);
    await done;
  }
}
