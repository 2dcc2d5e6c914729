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

const json = (v: unknown) => (v === undefined || v === null ? Prisma.DbNull : (v as Prisma.InputJsonValue));

/** Append-only: audit rows are inserted, never updated or deleted. */
export async function recordAudit(db: Tx, e: AuditInput): Promise<void> {
  await db.auditEvent.create({
    data: {
      actor: e.actor,
      origin: e.origin,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId ?? null,
      before: json(e.before),
      after: json(e.after),
      ...(e.at ? { createdAt: e.at } : {}),
    },
  });
}
