/**
 * CSV import kind `notices`: one row per item, the notice's columns repeated on each of its rows.
 * Every notice is validated as the API would take it (a notice fails whole, never imported with
 * some of its items). The records go to the import's worker thread, which groups and checks them and
 * stages the good notices (notice-rows.ts) while this thread streams them into a staging table; then a
 * few statements write the whole file (notices-stage.ts) and COMMIT, on one connection, in one
 * transaction (stageImport in ../intake/import.ts, the mechanism every import shares). The intake locks
 * of the file's notices are taken for that write only: while the file arrives the API goes on answering.
 */
import { randomUUID } from 'node:crypto';
import { storable } from '../../db/repositories/audit';
import type { Actor, DomainDeps } from '../deps';
import { loadIntakeContext } from '../intake/context';
import { type RowError, stageImport } from '../intake/import';
import type { RecordBatch } from '../intake/import/protocol';
import { COPYRIGHT_QUEUE, NOTICE_STAGE_COLUMNS } from './notice-rows';
import { writeStagedNotices } from './notices-stage';
import type { CopyrightCsvRecord } from './schemas';

export type NoticeImportResult = {
  kind: 'notices';
  /** CSV rows read (one per item). */
  rows: number;
  /** Notices (groups of rows): recorded, replayed (already there, same body), failed. */
  notices: number;
  imported: number;
  replayed: number;
  failed: number;
  incomplete: number;
  errors: RowError[];
};

/**
 * An import posts ONE summary card in the copyright channel, not a card per notice (100,000 cards would
 * take the channel a day at Slack's pace and bury every other card behind them in the outbox). Notices
 * through the API still get their own card.
 */
export const NOTICE_IMPORT_KIND = 'copyright_notice_import';
/** Incomplete notices named on the summary card; the rest are counted. */
export const IMPORT_CARD_INCOMPLETE_LIMIT = 20;

export type NoticeImportSummary = {
  by: string;
  at: string;
  rows: number;
  notices: number;
  imported: number;
  complete: number;
  incomplete: number;
  replayed: number;
  failed: number;
  incompleteNotices: { externalId: string; missing: string[] }[];
};

/** Records handed to the worker per message. */
const RECORDS_PER_BATCH = 2_000;
const PROGRESS_EVERY = 50_000;
const MAX_ERRORS = 10_000;

export async function importNotices(
  deps: DomainDeps,
  actor: Actor,
  records: AsyncIterable<CopyrightCsvRecord>,
  onProgress?: (rows: number) => void,
): Promise<NoticeImportResult> {
  const now = deps.clock.now();
  const ctx = await loadIntakeContext(deps.db, now, deps.channels.triage);
  const queue = await deps.db.queue.findUnique({ where: { key: COPYRIGHT_QUEUE }, select: { id: true } });

  // Records counted as they go to the worker, in batches.
  let read = 0;
  async function* batches(): AsyncGenerator<RecordBatch> {
    let batch: CopyrightCsvRecord[] = [];
    for await (const r of records) {
      read++;
      if (read % PROGRESS_EVERY === 0) onProgress?.(read);
      batch.push(r);
      if (batch.length >= RECORDS_PER_BATCH) {
        yield { records: batch };
        batch = [];
      }
    }
    if (batch.length) yield { records: batch };
  }

  const result = await stageImport(
    deps,
    { kind: 'notices', ctx, copyrightQueueId: queue?.id ?? null },
    NOTICE_STAGE_COLUMNS,
    batches(),
    onProgress,
    async (client, validated) => {
      const written = await writeStagedNotices(client, {
        now,
        buckets: validated.buckets,
        triageChannel: deps.channels.triage,
        incompleteLimit: IMPORT_CARD_INCOMPLETE_LIMIT,
      });
      const errors: RowError[] = [...validated.errors, ...written.conflicts].slice(0, MAX_ERRORS);
      const result: NoticeImportResult = {
        kind: 'notices',
        rows: validated.rows,
        notices: validated.failed + written.staged,
        imported: written.imported,
        replayed: written.replayed,
        failed: validated.failed + written.conflicts.length,
        incomplete: written.incomplete,
        errors,
      };
      if (result.imported > 0) {
        const summary: NoticeImportSummary = {
          by: actor.id,
          at: now.toISOString(),
          rows: result.rows,
          notices: result.notices,
          imported: result.imported,
          complete: result.imported - result.incomplete,
          incomplete: result.incomplete,
          replayed: result.replayed,
          failed: result.failed,
          incompleteNotices: written.incompleteNotices,
        };
        await client.query(
          `INSERT INTO alerts (kind, dedupe_key, channel, message, entity_type, created_at, next_attempt_at)
           VALUES ($1, $2, $3, $4::jsonb, 'import', $5::timestamptz, $5::timestamptz)
           ON CONFLICT (dedupe_key) DO NOTHING`,
          [NOTICE_IMPORT_KIND, `copyright:import:${randomUUID()}`, deps.channels.copyright, JSON.stringify(summary), now.toISOString()],
        );
      }
      await client.query(
        `INSERT INTO audit_events (actor, origin, action, entity_type, after, created_at)
         VALUES ($1, $2, 'import.notices', 'import', $3::jsonb, $4::timestamptz)`,
        [
          storable(actor.id),
          actor.origin,
          JSON.stringify({
            rows: result.rows,
            notices: result.notices,
            imported: result.imported,
            replayed: result.replayed,
            failed: result.failed,
            incomplete: result.incomplete,
          }),
          now.toISOString(),
        ],
      );
      return result;
    },
  );
  if (result.imported > 0) deps.alertsQueued();
  return result;
}
