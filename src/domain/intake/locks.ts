import type { Tx } from '../../db/client';

// Intake serializes on a fixed set of advisory-lock buckets (hash of the content reference and of the
// external id), so two reports about the same content, or two copies of one report, never race while
// unrelated reports proceed in parallel. Buckets are taken in ascending order: no deadlocks.
const LOCK_CLASS = 0x7125;
export const LOCK_BUCKETS = 256;

export function lockBucket(key: string): number {
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % LOCK_BUCKETS;
}

export const ALL_BUCKETS: readonly number[] = Array.from({ length: LOCK_BUCKETS }, (_, i) => i);

export async function lockIntakeBuckets(tx: Tx, buckets: Iterable<number>): Promise<void> {
  const sorted = [...new Set(buckets)].sort((a, b) => a - b);
  if (sorted.length === 0) return;
  await tx.$queryRawUnsafe(`SELECT count(pg_advisory_xact_lock(${LOCK_CLASS}, b)) FROM unnest($1::int[]) AS b`, sorted);
}
