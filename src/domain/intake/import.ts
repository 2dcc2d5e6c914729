import { once } from 'node:events';
import type { PoolClient } from 'pg';
import { pgPoolOf, supportsCopyFrom } from '../../db/client';
import { storable } from '../../db/repositories/audit';
import type { Actor, DomainDeps } from '../deps';
import { loadIntakeContext } from './context';
import { IMPORT_KINDS, type ImportKind, importColumns, type RowError, rowToBody } from './import/columns';
import { DECISION_STAGE_COLUMNS, QA_REVIEW_STAGE_COLUMNS } from './import/outcome-rows';
import { writeStagedOutcomes } from './import/outcomes-stage';
import type { RecordBatch } from './import/protocol';
import { REPORT_STAGE_COLUMNS } from './import/report-rows';
import { beginStaging, type Written, writeStaged } from './import/stage';
import { type ImportJob, type Validated, validateInWorker } from './import/validator';

export { IMPORT_KINDS, type ImportKind, importColumns, type RowError, rowToBody };

export type ImportResult = { kind: ImportKind; rows: number; imported: number; replayed: number; failed: number; errors: RowError[] };

/**
 * Imports a vendor spreadsheet: header checked first, every row validated as the JSON API would,
 * good rows written in one transaction, every bad row listed. Re-importing a file changes nothing
 * (rows are idempotent on external_id). Every kind goes the same way: a worker thread reads and
 * validates the file while this thread streams its COPY lines into a staging table, so the bot goes on
 * answering; then a few set-based statements write the file, all in one transaction on one connection
 * of the pool (import/stage.ts for reports, import/outcomes-stage.ts for decisions and QA reviews).
 */
export async function importCsv(
  deps: DomainDeps,
  actor: Actor,
  kind: ImportKind,
  input: AsyncIterable<Uint8Array | string>,
  onProgress?: (rows: number) => void,
): Promise<ImportResult> {
  const now = deps.clock.now();
  if (kind === 'reports') {
    // Reports take no intake lock (see import/stage.ts).
    const ctx = await loadIntakeContext(deps.db, now, deps.channels.triage);
    const result = await importStaged(deps, now, actor, { kind, ctx }, REPORT_STAGE_COLUMNS, input, onProgress, (client) =>
      writeStaged(client, now, deps.channels.triage),
    );
    if (result.imported > 0) deps.alertsQueued();
    return result;
  }
  const columns = kind === 'decisions' ? DECISION_STAGE_COLUMNS : QA_REVIEW_STAGE_COLUMNS;
  // The intake locks of the file's external ids are taken in the write, not while the file is read.
  return importStaged(deps, now, actor, { kind, now }, columns, input, onProgress, (client, validated) =>
    writeStagedOutcomes(client, kind, {
      now,
      actor: storable(actor.id),
      origin: actor.origin === 'cli' ? 'cli' : 'api',
      buckets: validated.buckets,
    }),
  );
}

/**
 * Validates in a worker while staging (stageImport), then `write`s the staged rows, records the import's
 * audit event, and COMMITs.
 */
async function importStaged(
  deps: DomainDeps,
  now: Date,
  actor: Actor,
  job: ImportJob & { kind: ImportKind },
  columns: readonly string[],
  input: AsyncIterable<Uint8Array | string>,
  onProgress: ((rows: number) => void) | undefined,
  write: (client: PoolClient, validated: Validated) => Promise<Written>,
): Promise<ImportResult> {
  return stageImport(deps, job, columns, input, onProgress, async (client, validated) => {
    const written = await write(client, validated);
    const result: ImportResult = {
      kind: job.kind,
      rows: validated.rows,
      imported: written.imported,
      replayed: written.replayed,
      failed: validated.failed + new Set(written.conflicts.map((e) => e.row)).size,
      errors: [...validated.errors, ...written.conflicts].sort((a, b) => a.row - b.row),
    };
    await client.query(
      `INSERT INTO audit_events (actor, origin, action, entity_type, after, created_at) VALUES ($1, $2, $3, 'import', $4, $5)`,
      [
        storable(actor.id),
        actor.origin,
        `import.${job.kind}`,
        JSON.stringify({ rows: result.rows, imported: result.imported, replayed: result.replayed, failed: result.failed }),
        now.toISOString(),
      ],
    );
    return result;
  });
}

/**
 * The one import mechanism, for every kind (the copyright notices import too): validate in worker
 * threads while staging their COPY lines (COPY, or batched INSERTs on the embedded PGlite), then `write`
 * the staged rows (with the import's audit event) on the same connection, and COMMIT. Nothing is
 * committed before that: a killed import leaves nothing.
 */
export async function stageImport<R>(
  deps: DomainDeps,
  job: ImportJob,
  columns: readonly string[],
  input: AsyncIterable<Uint8Array | string> | AsyncIterable<RecordBatch>,
  onProgress: ((rows: number) => void) | undefined,
  write: (client: PoolClient, validated: Validated) => Promise<R>,
): Promise<R> {
  const client = await pgPoolOf(deps.db).connect();
  let copy: Awaited<ReturnType<typeof beginStaging>> | undefined;
  let copied: Promise<void> = Promise.resolve();
  let broken = false;
  try {
    copy = await beginStaging(client, { copy: supportsCopyFrom(deps.db), columns });
    const stream = copy;
    copied = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    });
    copied.catch(() => {});
    const validated = await validateInWorker(job, input, {
      copy: (data) => (stream.write(data) ? undefined : once(stream, 'drain').then(() => {})),
      progress: (rows) => onProgress?.(rows),
    });
    stream.end();
    await copied;
    onProgress?.(validated.rows);
    const result = await write(client, validated);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // A COPY still open is failed first (CopyFail), or the ROLLBACK would wait behind it.
    if (copy && !copy.writableFinished) copy.destroy(err as Error);
    await copied.catch(() => {});
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    // A connection whose ROLLBACK failed is not given back to the pool.
    client.release(broken);
  }
}
