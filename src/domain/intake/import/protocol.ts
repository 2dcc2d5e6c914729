import type { CopyrightCsvRecord } from '../../copyright/schemas';
import type { RowError } from './columns';
import type { ContextData } from './report-rows';

/**
 * What a validator checks rows against: reports need the intake context (catalogs, routing, SLA
 * policies); decisions and QA reviews only the instant that "in the future" is measured from; copyright
 * notices the intake context and the copyright queue (see notice-rows.ts).
 */
export type JobData =
  | { kind: 'reports'; ctx: ContextData }
  | { kind: 'decisions' | 'qa-reviews'; now: Date }
  | { kind: 'notices'; ctx: ContextData; copyrightQueueId: number | null };

/**
 * Input already read as CSV records (the notices import is handed records, not bytes): sent to the
 * validator in batches in place of the file's chunks.
 */
export type RecordBatch = { records: CopyrightCsvRecord[] };

/**
 * Messages to a validator worker: one import (which share of the rows it validates: `part` of `parts`),
 * then the file in chunks, then the end.
 */
export type ToValidator =
  | { type: 'start'; job: JobData; part: number; parts: number }
  | { type: 'chunk'; data: Uint8Array | string | RecordBatch }
  | { type: 'end' };

/**
 * Messages from it: COPY lines, a chunk taken (room for another), progress (part 0), its share of the
 * outcome (with the intake lock buckets of the external ids it staged, for decisions and QA reviews).
 */
export type FromValidator =
  | { type: 'copy'; data: Uint8Array }
  | { type: 'pull' }
  | { type: 'progress'; rows: number }
  | { type: 'done'; rows: number; failed: number; errors: RowError[]; buckets: number[] }
  | { type: 'failed'; csv?: { message: string; line: number }; message?: string };
