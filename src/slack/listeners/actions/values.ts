import type { z } from 'zod';
import { badInput } from '../../../errors';

/**
 * A button's value as the bot wrote it: JSON that the schema accepts. Anything else (tampered, or from a
 * client that kept an old message) is a mistake the clicker is told about, not a failure on our side.
 */
export function parseButtonValue<T>(schema: z.ZodType<T>, raw: string | undefined, refusal: string): T {
  let value: unknown;
  try {
    value = JSON.parse(raw ?? '');
  } catch {
    value = undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badInput(refusal);
  return parsed.data;
}
