import type { Tx } from '../../db/client';

// Advisory-lock buckets (a hash of a key such as `decision:<external_id>`), so two copies of one
// submission never race while unrelated ones proceed in parallel. Buckets are taken in ascending
// order: no deadlocks. Reports take none: the unique indexes on reports.external_id and on open cases
// (cases_open_content_ref_key) keep them apart (see reports.ts).
export const LOCK_CLASS = 0x7125;
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
