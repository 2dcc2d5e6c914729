import { Prisma } from '../../generated/prisma/client';
import type { Tx } from '../client';

export type AuditInput = {
  actor: string;
  origin: 'slack' | 'api' | 'system' | 'cli';
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  at?: Date;
};

const json = (v: unknown) => (v === undefined || v === null ? Prisma.DbNull : (storable(v) as Prisma.InputJsonValue));

// Postgres cannot hold U+0000 in text or jsonb (22021, 22P05), and jsonb refuses a lone UTF-16 surrogate:
// either would lose the whole row, so each becomes U+FFFD, which shows that something was there.
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is the character Postgres refuses
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A string, or every string (keys included) in a JSON value, as Postgres can store it. */
export function storable<T>(v: T): T {
  if (typeof v === 'string') return v.replace(UNSTORABLE, '\uFFFD') as T;
  if (Array.isArray(v)) return v.map(storable) as T;
  if (typeof v === 'object' && v !== null && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [storable(k), storable(x)])) as T;
  }
  return v;
}

/** Append-only: audit rows are inserted, never updated or deleted. */
export async function recordAudit(db: Tx, e: AuditInput): Promise<void> {
  await db.auditEvent.create({
    data: {
      actor: storable(e.actor),
      origin: e.origin,
      action: storable(e.action),
      entityType: storable(e.entityType),
      entityId: e.entityId == null ? null : storable(e.entityId),
      before: json(e.before),
      after: json(e.after),
      ...(e.at ? { createdAt: e.at } : {}),
    },
  });
}
