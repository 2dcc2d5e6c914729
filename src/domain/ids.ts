import { z } from 'zod';

// Row ids are Postgres integers: a larger number names no row, and would fail the query instead.
export const MAX_ID = 2_147_483_647;

/** A row id as someone typed it ("42" or "#42"): a whole number from 1 to MAX_ID, else undefined. */
export function parseId(word: string | undefined): number | undefined {
  const m = /^#?(\d{1,10})$/.exec(word ?? '');
  const id = m ? Number(m[1]) : 0;
  return id >= 1 && id <= MAX_ID ? id : undefined;
}

/** The same bound for ids carried in JSON (button values, modal metadata, API bodies). */
export const ZId = z.number().int().positive().max(MAX_ID, 'no such id');
