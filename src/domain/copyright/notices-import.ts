/**
 * CSV import kind `notices`: one row per item, the notice's columns repeated on each of its rows.
 * Every notice is validated as the API would take it (a notice fails whole, never imported with
 * some of its items); good ones are written in batches inside one transaction.
 */
import { randomUUID } from 'node:crypto';
import { recordAudit } from '../../db/repositories/audit';
import { enqueueAlerts } from '../alerts/outbox';
import type { Actor, DomainDeps } from '../deps';
import { loadIntakeContext } from '../intake/context';
import type { RowError } from '../intake/import';
import { ALL_BUCKETS, lockIntakeBuckets } from '../intake/locks';
import { bodyHash } from '../intake/schemas';
import { ingestNotices, type NoticeItemIn, surfaceErrors } from './notices';
import { type CopyrightCsvRecord, checkNotice, groupCopyrightRows } from './schemas';

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

/** Items per write: the batch's notices go in together (a notice's items are never split). */
const BATCH_ITEMS = 20_000;
const IMPORT_TX = { maxWait: 60_000, timeout: 60 * 60_000 };
const MAX_ERRORS = 10_000;

export async function importNotices(
  deps: DomainDeps,
  actor: Actor,
  records: AsyncIterable<CopyrightCsvRecord>,
  onProgress?: (rows: number) => void,
): Promise<NoticeImportResult> {
  const now = deps.clock.now();
  const result: NoticeImportResult = {
    kind: 'notices',
    rows: 0,
    notices: 0,
    imported: 0,
    replayed: 0,
    failed: 0,
    incomplete: 0,
    errors: [],
  };
  const addErrors = (errors: readonly RowError[]) => {
    for (const e of errors) if (result.errors.length < MAX_ERRORS) result.errors.push(e);
  };

  // Rows counted as they stream past, on their way to the grouping.
  async function* counted(): AsyncGenerator<CopyrightCsvRecord> {
    for await (const r of records) {
      result.rows++;
      if (result.rows % 50_000 === 0) onProgress?.(result.rows);
      yield r;
    }
  }

  const incompleteNotices: NoticeImportSummary['incompleteNotices'] = [];
  await deps.db.$transaction(async (tx) => {
    // Imports take every intake lock bucket, in order: they may touch any content reference.
    await lockIntakeBuckets(tx, ALL_BUCKETS);
    const ctx = await loadIntakeContext(tx, now, deps.channels.triage);
    let batch: { item: NoticeItemIn; rows: { record: number; line: number }[] }[] = [];
    let batchItems = 0;
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      await writing;
      if (batch.length === 0) return;
      const taken = batch;
      batch = [];
      batchItems = 0;
      writing = ingestNotices(
        tx,
        ctx,
        taken.map((b) => b.item),
        { actor, copyrightChannel: deps.channels.copyright, audit: 'none', cards: 'none' },
      ).then((outcomes) =>
        outcomes.forEach((o, k) => {
          const first = taken[k]!.rows[0]!;
          if (o.status === 'created') {
            result.imported++;
            if (o.receipt.status === 'incomplete') {
              result.incomplete++;
              if (incompleteNotices.length < IMPORT_CARD_INCOMPLETE_LIMIT)
                incompleteNotices.push({ externalId: o.receipt.external_id, missing: [...o.receipt.missing] });
            }
          } else if (o.status === 'replayed') result.replayed++;
          else {
            result.failed++;
            const message = 'message' in o ? o.message : 'errors' in o ? o.errors.map((e) => e.message).join('; ') : o.status;
            addErrors([{ row: first.record, line: first.line, column: 'external_id', message }]);
          }
        }),
      );
      writing.catch(() => {});
    };

    for await (const group of groupCopyrightRows('notices', counted(), now)) {
      result.notices++;
      if (!group.ok) {
        result.failed++;
        addErrors(group.errors);
        continue;
      }
      const unknown = surfaceErrors(ctx, group.data);
      if (unknown.length) {
        result.failed++;
        addErrors(
          unknown.map((e) => {
            const k = Number(/^items\.(\d+)/.exec(e.path)?.[1] ?? 0);
            const row = group.rows[k] ?? group.rows[0]!;
            return { row: row.record, line: row.line, column: 'surface', message: e.message };
          }),
        );
        continue;
      }
      batch.push({ item: { input: group.data, hash: bodyHash(group.body), check: checkNotice(group.data) }, rows: group.rows });
      batchItems += group.data.items?.length ?? 0;
      if (batchItems >= BATCH_ITEMS) await flush();
    }
    await flush();
    await writing;
    onProgress?.(result.rows);
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
        incompleteNotices,
      };
      await enqueueAlerts(
        tx,
        [
          {
            kind: NOTICE_IMPORT_KIND,
            dedupeKey: `copyright:import:${randomUUID()}`,
            channel: deps.channels.copyright,
            message: summary,
            entityType: 'import',
          },
        ],
        now,
      );
    }
    await recordAudit(tx, {
      actor: actor.id,
      origin: actor.origin,
      action: 'import.notices',
      entityType: 'import',
      after: {
        rows: result.rows,
        notices: result.notices,
        imported: result.imported,
        replayed: result.replayed,
        failed: result.failed,
        incomplete: result.incomplete,
      },
      at: now,
    });
  }, IMPORT_TX);
  if (result.imported > 0) deps.alertsQueued();
  return result;
}
