import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

// Files held open by this process. DuckDB's lock is an fcntl lock, which a process never conflicts with
// itself on: two engines in one process (tests, two copies side by side) must be kept apart here. On globalThis
// so that module registries reloaded by jest still share it.
const shared = globalThis as { trustopsAnalyticsFiles?: Set<string> };
shared.trustopsAnalyticsFiles ??= new Set();
const held = shared.trustopsAnalyticsFiles;

const MAX_SLOTS = 64;

export type Slot = { instance: DuckDBInstance; file: string; slot: number; release(): void };

export function slotFile(dir: string, slot: number): string {
  return path.join(dir, `analytics-${slot}.duckdb`);
}

/**
 * Opens the first free `analytics-<n>.duckdb` under `dir`. Each process needs a file of its own (DuckDB lets
 * one process write a file), and replicas on one host share the directory: the lock DuckDB takes on open
 * decides, so whichever file a live process holds is skipped, and a restarted process takes back the lowest
 * free one, which is usually its own from before (a cache: any file it finds is checked before use). A file
 * DuckDB cannot open for another reason (damaged, an older format) is deleted and made anew.
 */
export async function openSlot(dir: string, options: { threads: number; memory: string }): Promise<Slot> {
  mkdirSync(dir, { recursive: true });
  const config = { threads: String(options.threads), memory_limit: options.memory };
  for (let slot = 0; slot < MAX_SLOTS; slot++) {
    const file = slotFile(dir, slot);
    if (held.has(file)) continue;
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(file, config);
    } catch (err) {
      if (isLockConflict(err)) continue;
      removeFile(file);
      instance = await DuckDBInstance.create(file, config);
    }
    held.add(file);
    return {
      instance,
      file,
      slot,
      release() {
        held.delete(file);
      },
    };
  }
  throw new Error(`no free analytics file under ${dir}: ${MAX_SLOTS} are held by running processes`);
}

/**
 * Whether a running process holds `slot`'s file (this one, or another: then DuckDB refuses even a read-only
 * open). Opens nothing for good and creates no file.
 */
export async function slotHeld(dir: string, slot: number): Promise<boolean> {
  const file = slotFile(dir, slot);
  if (held.has(file)) return true;
  if (!existsSync(file)) return false;
  try {
    (await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' })).closeSync();
    return false;
  } catch (err) {
    return isLockConflict(err);
  }
}

function isLockConflict(err: unknown): boolean {
  return /Could not set lock|Conflicting lock/i.test((err as Error).message ?? '');
}

export function removeFile(file: string): void {
  for (const f of [file, `${file}.wal`]) rmSync(f, { force: true });
}
