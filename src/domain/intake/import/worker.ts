/**
 * The import's worker thread: reads the CSV, validates each row with the JSON API's rules, and sends
 * back COPY lines for the staging table and the rows it refused, for every import kind. See
 * validator.ts for the other side.
 */
import { parentPort } from 'node:worker_threads';
import { noticeBuckets, stageNotice, surfaceErrors } from '../../copyright/notice-rows';
import { type CopyrightCsvRecord, checkNotice, groupCopyrightRows } from '../../copyright/schemas';
import { CsvError, readCsvRecordBatches } from '../csv';
import { bodyHash } from '../schemas';
import { importColumns, type RowError, rowErrors, rowToBody } from './columns';
import { type Staged, stageDecision, stageQaReview } from './outcome-rows';
import type { FromValidator, JobData, RecordBatch, ToValidator } from './protocol';
import { reviveContext, stageReport } from './report-rows';

const port = parentPort;
if (!port) throw new Error('validator worker: started outside a worker thread');

// About 1 MB of COPY lines per message: few messages, and the main thread's share stays small.
const BATCH_CHARS = 1 << 20;
const PROGRESS_EVERY = 10_000;

const send = (m: FromValidator, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const encoder = new TextEncoder();

// Chunks arrive as messages; the CSV reader pulls them through this queue and asks for more when it runs dry.
const chunks: (Uint8Array | string | RecordBatch | null)[] = [];
let wake: (() => void) | undefined;
async function* input(): AsyncGenerator<Uint8Array | string | RecordBatch> {
  for (;;) {
    if (chunks.length === 0) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    const chunk = chunks.shift();
    if (chunk === null || chunk === undefined) return;
    // Taken: the main thread may send the next one while this one is parsed.
    send({ type: 'pull' });
    yield chunk;
  }
}

// Rows are shared out among the validators in runs of this many, by row number.
const SHARE = 256;

/** The row stager of a job's kind: one row's COPY line (and lock bucket), or its field errors. */
function stagerOf(job: JobData): (row: number, line: number, body: Record<string, unknown>) => Staged {
  switch (job.kind) {
    case 'reports': {
      const ctx = reviveContext(job.ctx);
      return (row, line, body) => stageReport(ctx, row, line, body);
    }
    case 'decisions':
      return (row, line, body) => stageDecision(job.now, row, line, body);
    case 'qa-reviews':
      return (row, line, body) => stageQaReview(job.now, row, line, body);
    case 'notices':
      throw new Error('notices are staged by runNotices');
  }
}

/** COPY lines gathered and sent to the main thread (which streams them to Postgres) about BATCH_CHARS at a time. */
function copySender() {
  let copy = '';
  const flush = () => {
    if (!copy) return;
    const bytes = encoder.encode(copy);
    copy = '';
    send({ type: 'copy', data: bytes }, [bytes.buffer as ArrayBuffer]);
  };
  return {
    add(lines: string) {
      copy += lines;
      if (copy.length >= BATCH_CHARS) flush();
    },
    flush,
  };
}

async function run(start: Extract<ToValidator, { type: 'start' }>): Promise<void> {
  if (start.job.kind === 'notices') return runNotices(start.job);
  const stage = stagerOf(start.job);
  const { required, optional } = importColumns(start.job.kind);
  const errors: RowError[] = [];
  const buckets = new Set<number>();
  let rows = 0;
  let failed = 0;
  const copy = copySender();
  const bytes = input() as AsyncGenerator<Uint8Array | string>;
  for await (const batch of readCsvRecordBatches(bytes, { requiredColumns: required, optionalColumns: optional })) {
    for (const rec of batch) {
      rows++;
      if (!rec.ok) {
        // Every validator reads every row; a row the reader refused is reported by the first.
        if (start.part !== 0) continue;
        failed++;
        errors.push(...rowErrors(rec.record, rec.line, [{ path: '(row)', message: rec.error }]));
      } else if (Math.floor(rec.record / SHARE) % start.parts === start.part) {
        const staged = stage(rec.record, rec.line, rowToBody(rec.values));
        if (staged.errors) {
          failed++;
          errors.push(...rowErrors(rec.record, rec.line, staged.errors));
        } else {
          if (staged.bucket !== undefined) buckets.add(staged.bucket);
          copy.add(staged.copy);
        }
      }
      if (start.part === 0 && rows % PROGRESS_EVERY === 0) send({ type: 'progress', rows });
    }
  }
  copy.flush();
  send({ type: 'done', rows, failed, errors, buckets: [...buckets] });
}

/** Notices keep no more errors than this (the rest are counted in `failed`), as the import always did. */
const MAX_NOTICE_ERRORS = 10_000;

/**
 * A notices import: the records (read as CSV by the caller) grouped into notices and checked as the JSON
 * API checks one (groupCopyrightRows, the surfaces, checkNotice); each good notice staged (stageNotice)
 * with the intake lock buckets of its keys. `failed` counts notices, not rows.
 */
async function runNotices(job: Extract<JobData, { kind: 'notices' }>): Promise<void> {
  const ctx = reviveContext(job.ctx);
  const errors: RowError[] = [];
  const addErrors = (more: readonly RowError[]) => {
    for (const e of more) if (errors.length < MAX_NOTICE_ERRORS) errors.push(e);
  };
  const buckets = new Set<number>();
  let rows = 0;
  let failed = 0;
  const copy = copySender();
  async function* records(): AsyncGenerator<CopyrightCsvRecord> {
    for await (const chunk of input()) {
      for (const r of (chunk as RecordBatch).records) {
        rows++;
        yield r;
      }
    }
  }
  for await (const group of groupCopyrightRows('notices', records(), ctx.now)) {
    if (!group.ok) {
      failed++;
      addErrors(group.errors);
      continue;
    }
    // Items on a surface not in the catalog: each on its own row.
    const unknown = surfaceErrors(ctx, group.data);
    if (unknown.length) {
      failed++;
      addErrors(
        unknown.map((e) => {
          const row = group.rows[Number(/^items\.(\d+)/.exec(e.path)?.[1] ?? 0)] ?? group.rows[0]!;
          return { row: row.record, line: row.line, column: 'surface', message: e.message };
        }),
      );
      continue;
    }
    const staged = stageNotice(ctx, job.copyrightQueueId, group.rows, group.data, bodyHash(group.body), checkNotice(group.data));
    for (const b of noticeBuckets(staged.keys)) buckets.add(b);
    copy.add(staged.copy);
  }
  copy.flush();
  send({ type: 'done', rows, failed, errors, buckets: [...buckets] });
}

port.on('message', (m: ToValidator) => {
  if (m.type === 'start') {
    // Chunks of an earlier import that ended early (a refused file) may still have arrived.
    chunks.length = 0;
    wake = undefined;
    run(m).catch((err: unknown) => {
      if (err instanceof CsvError) send({ type: 'failed', csv: { message: err.message, line: err.line } });
      else send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    });
    return;
  }
  chunks.push(m.type === 'chunk' ? m.data : null);
  wake?.();
  wake = undefined;
});
