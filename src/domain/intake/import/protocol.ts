import type { RowError } from './columns';
import type { ContextData } from './report-rows';

/** Messages to the validator worker: one import, then its file in chunks, then the end (null). */
export type ToValidator = { type: 'start'; ctx: ContextData } | { type: 'chunk'; data: Uint8Array | string } | { type: 'end' };

/** Messages from it: COPY lines for the staging table, requests for more input, progress, the outcome. */
export type FromValidator =
  | { type: 'copy'; data: Uint8Array }
  | { type: 'pull' }
  | { type: 'progress'; rows: number }
  | { type: 'done'; rows: number; failed: number; errors: RowError[] }
  | { type: 'failed'; csv?: { message: string; line: number }; message?: string };
