import type { Analytics, AnalyticsReader } from '../../../src/analytics/types';
import { readBatches } from '../../../src/domain/exports/analytics-stream';

/** A read that runs its callback, then fails as a COMMIT cut short by a shutdown would. */
const failingAfterCallback: Pick<Analytics, 'read'> = {
  async read(fn) {
    await fn({} as AnalyticsReader);
    throw new Error('connection closed');
  },
};

async function* threeBatches(): AsyncGenerator<number[]> {
  yield [1];
  yield [2];
  yield [3];
}

describe('readBatches', () => {
  it('when the consumer stops early and the read then fails, the consumer gets the error and nothing is left unhandled', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const seen: number[][] = [];
      const consume = async () => {
        for await (const batch of readBatches(failingAfterCallback, threeBatches)) {
          seen.push(batch);
          break;
        }
      };
      await expect(consume()).rejects.toThrow('connection closed');
      expect(seen).toEqual([[1]]);
      // Unhandled rejections are reported after the microtask queue drains.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  it('hands over every batch in order when the consumer reads to the end', async () => {
    const ok: Pick<Analytics, 'read'> = { read: (fn) => fn({} as AnalyticsReader) };
    const seen: number[][] = [];
    for await (const batch of readBatches(ok, threeBatches)) seen.push(batch);
    expect(seen).toEqual([[1], [2], [3]]);
  });
});
