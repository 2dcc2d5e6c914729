import { once } from 'node:events';
import type { Tx } from '../../db/client';
import { pgPoolOf, supportsCopyFrom } from '../../db/client';
import { recordAudit, storable } from '../../db/repositories/audit';
import type { Actor, DomainDeps } from '../deps';
import { loadIntakeContext } from './context';
import { readCsvRecords } from './csv';
import { IMPORT_KINDS, type ImportKind, importColumns, type RowError, rowErrors, rowToBody } from './import/columns';
import { beginStaging, writeStaged } from './import/stage';
import { validateInWorker } from './import/validator';
import { ALL_BUCKETS, lockIntakeBuckets } from './locks';
import { type Item, type Outcome, recordDecision, recordQaReview } from './outcomes';
import { bodyHash, type FieldError, validateIntake } from './schemas';

export { IMPORT_KINDS, type ImportKind, importColumns, type RowError, rowToBody };

export type ImportResult = { kind: ImportKind; rows: number; imported: number; replayed: number; failed: number; errors: RowError[] };

// Decisions and QA reviews are written row by row in one transaction: every good row lands, or none does.
const IMPORT_TX = { maxWait: 60_000, timeout: 30 * 60_000 };
const PROGRESS_EVERY = 10_000;

/**
 * Imports a vendor spreadsheet: header checked first, every row validated as the JSON API would,
 * good rows written in one transaction, every bad row listed. Re-importing a file changes nothing
 * (rows are idempotent on external_id). Reports are read and validated in a worker thread and written
 * set-based from a staging table (see import/stage.ts); decisions and QA reviews row by row.
 */
export async function importCsv(
  deps: DomainDeps,
  actor: Actor,
  kind: ImportKind,
  input: AsyncIterable<Uint8Array | string>,
  onProgress?: (rows: number) => void,
): Promise<ImportResult> {
  if (kind === 'reports') return importReports(deps, actor, input, onProgress);
  const now = deps.clock.now();
  const result: ImportResult = { kind, rows: 0, imported: 0, replayed: 0, failed: 0, errors: [] };
  await deps.db.$transaction(async (tx) => {
    // Decisions and reviews may touch any case: they take every intake lock bucket, in order.
    await lockIntakeBuckets(tx, ALL_BUCKETS);
    const { required, optional } = importColumns(kind);
    for await (const rec of readCsvRecords(input, { requiredColumns: required, optionalColumns: optional })) {
      result.rows++;
      const outcome = rec.ok
        ? await recordRow(tx, now, actor, kind, rowToBody(rec.values))
        : { errors: [{ path: '(row)', message: rec.error }] };
      if ('errors' in outcome) {
        result.failed++;
        result.errors.push(...rowErrors(rec.record, rec.line, outcome.errors));
      } else if (outcome.status === 'created') result.imported++;
      else result.replayed++;
      if (result.rows % PROGRESS_EVERY === 0) onProgress?.(result.rows);
    }
    onProgress?.(result.rows);
    await recordAudit(tx, {
      actor: actor.id,
      origin: actor.origin,
      action: `import.${kind}`,
      entityType: 'import',
      after: { rows: result.rows, imported: result.imported, replayed: result.replayed, failed: result.failed },
      at: now,
    });
  }, IMPORT_TX);
  return result;
}

/**
 * Reports: a worker thread reads and validates the file while this thread streams its COPY lines into
 * a staging table, so the bot goes on answering; then a few set-based statements write the file, all
 * in one transaction on one connection of the pool. No intake lock is held (see import/stage.ts).
 */
async function importReports(
  deps: DomainDeps,
  actor: Actor,
  input: AsyncIterable<Uint8Array | string>,
  onProgress?: (rows: number) => void,
): Promise<ImportResult> {
  const now = deps.clock.now();
  const ctx = await loadIntakeContext(deps.db, now, deps.channels.triage);
  const client = await pgPoolOf(deps.db).connect();
  let copy: Awaited<ReturnType<typeof beginStaging>> | undefined;
  let copied: Promise<void> = Promise.resolve();
  let broken = false;
  try {
    copy = await beginStaging(client, { copy: supportsCopyFrom(deps.db) });
    const stream = copy;
    copied = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    });
    copied.catch(() => {});
    const validated = await validateInWorker(ctx, input, {
      copy: (data) => (stream.write(data) ? undefined : once(stream, 'drain').then(() => {})),
      progress: (rows) => onProgress?.(rows),
    });
    stream.end();
    await copied;
    onProgress?.(validated.rows);
    const written = await writeStaged(client, now, deps.channels.triage);
    const result: ImportResult = {
      kind: 'reports',
      rows: validated.rows,
      imported: written.imported,
      replayed: written.replayed,
      failed: validated.failed + new Set(written.conflicts.map((e) => e.row)).size,
      errors: [...validated.errors, ...written.conflicts].sort((a, b) => a.row - b.row),
    };
    await client.query(
      `INSERT INTO audit_events (actor, origin, action, entity_type, after, created_at) VALUES ($1, $2, 'import.reports', 'import', $3, $4)`,
      [
        storable(actor.id),
        actor.origin,
        JSON.stringify({ rows: result.rows, imported: result.imported, replayed: result.replayed, failed: result.failed }),
        now.toISOString(),
      ],
    );
    await client.query('COMMIT');
    if (result.imported > 0) deps.alertsQueued();
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

async function recordRow(
  tx: Tx,
  now: Date,
  actor: Actor,
  kind: Exclude<ImportKind, 'reports'>,
  body: Record<string, unknown>,
): Promise<{ status: 'created' | 'replayed' } | { errors: FieldError[] }> {
  const item = <I>(input: I): Item<I> => ({ input, hash: bodyHash(body), actor: actor.id, origin: actor.origin === 'cli' ? 'cli' : 'api' });
  let outcome: Outcome<unknown>;
  if (kind === 'decisions') {
    const checked = validateIntake('decision', body, now);
    if ('errors' in checked) return checked;
    outcome = await recordDecision(tx, now, item(checked.data));
  } else {
    const checked = validateIntake('qa_review', body, now);
    if ('errors' in checked) return checked;
    outcome = await recordQaReview(tx, now, item(checked.data));
  }
  if (outcome.status === 'conflict') return { errors: [{ path: 'external_id', message: outcome.message }] };
  if (outcome.status === 'not_found') return { errors: [{ path: outcome.path, message: outcome.message }] };
  return { status: outcome.status };
}
