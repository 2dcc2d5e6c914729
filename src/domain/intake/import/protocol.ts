import type { RowError } from './columns';
import type { ContextData } from './report-rows';

/**
 * Messages to a validator worker: one import (which share of the rows it validates: `part` of `parts`),
 * then the file in chunks, then the end.
 */
export type ToValidator =
  | { type: 'start'; ctx: ContextData; part: number; parts: number }
  | { type: 'chunk'; data: Uint8Array | string }
  | { type: 'end' };

/** Messages from it: COPY lines, a chunk taken (room for another), progress (part 0), its share of the outcome. */
export type FromValidator =
  | { type: 'copy'; data: Uint8Array }
  | { type: 'pull' }
  | { type: 'progress'; rows: number }
  | { type: 'done'; rows: number; failed: number; errors: RowError[] }
  | { type: 'failed'; csv?: { message: string; line: number }; message?: string };
