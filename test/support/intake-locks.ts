import type { Db, Tx } from '../../src/db/client';
import { LOCK_CLASS, lockBucket, lockIntakeBuckets } from '../../src/domain/intake/locks';
import { waitUntil } from './process';

/**
 * Runs `start` (an import) while an API submission's transaction is held open: that transaction has taken the
 * intake lock bucket of `key` and run `write`. It commits once the import is seen waiting for that bucket
 * (in pg_locks), and the import's answer is returned.
 */
export async function importBehindApiLock<T>(
  db: Db,
  key: string,
  write: (tx: Tx) => Promise<unknown>,
  start: () => Promise<T>,
): Promise<T> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const holding = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const api = db.$transaction(
    async (tx) => {
      await lockIntakeBuckets(tx, [lockBucket(key)]);
      await write(tx);
      locked();
      await gate;
    },
    { timeout: 60_000 },
  );
  await holding;
  const imported = start();
  imported.catch(() => {});
  await waitUntil(
    'the import waiting for the intake lock',
    async () =>
      (
        await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND NOT granted AND classid = ${LOCK_CLASS} AND objid = ${lockBucket(key)}`
      )[0]?.n || undefined,
    20_000,
  ).finally(release);
  await api;
  return imported;
}
