// The statement-of-reasons outbox (dsa_submissions), as admins see it.
import type { Db } from '../../../db/client';
import { recordAudit } from '../../../db/repositories/audit';
import { Prisma } from '../../../generated/prisma/client';
import type { Actor, DomainDeps } from '../../deps';
import { requireRole } from '../../roles/roles';

export type SubmissionView = {
  counts: Record<'pending' | 'sending' | 'accepted' | 'refused', number>;
  /** The decision time of the oldest statement not accepted yet; null when every one is. */
  oldestUnaccepted: Date | null;
  refused: { puid: string; decisionId: number; attempts: number; reasons: unknown; lastError: string | null; decidedAt: Date }[];
  /** Pending statements that failed at least once, with why (network, 5xx, 429). */
  retrying: { puid: string; attempts: number; lastError: string | null; nextAttemptAt: Date }[];
  now: Date;
};

/** When the oldest statement not yet accepted by the database was decided (the "without undue delay" gauge). */
export async function oldestUnaccepted(db: Db): Promise<Date | null> {
  const row = await db.dsaSubmission.findFirst({
    where: { status: { not: 'accepted' } },
    orderBy: { decidedAt: 'asc' },
    select: { decidedAt: true },
  });
  return row?.decidedAt ?? null;
}

/** A row whose puid is not set yet (set at the first claim; never when its decision is gone). */
const unset = (decisionId: number) => `(no puid yet: decision ${decisionId})`;

/** `/trustops dsa submissions` (admins): how the submission stands, and every refused statement with the database's reasons. */
export async function listDsaSubmissions(deps: DomainDeps, actor: Actor, limit = 20): Promise<SubmissionView> {
  await requireRole(deps, actor, 'admin', 'see the DSA Transparency Database submissions');
  const groups = await deps.db.dsaSubmission.groupBy({ by: ['status'], _count: { _all: true } });
  const counts = { pending: 0, sending: 0, accepted: 0, refused: 0 };
  for (const g of groups) counts[g.status as keyof typeof counts] = g._count._all;
  const refused = await deps.db.dsaSubmission.findMany({ where: { status: 'refused' }, orderBy: { id: 'asc' }, take: limit });
  const retrying = await deps.db.dsaSubmission.findMany({
    where: { status: 'pending', lastError: { not: null } },
    orderBy: { nextAttemptAt: 'asc' },
    take: 5,
  });
  return {
    counts,
    oldestUnaccepted: await oldestUnaccepted(deps.db),
    refused: refused.map((r) => ({
      puid: r.puid ?? unset(r.decisionId),
      decisionId: r.decisionId,
      attempts: r.attempts,
      reasons: r.reasons,
      lastError: r.lastError,
      decidedAt: r.decidedAt,
    })),
    retrying: retrying.map((r) => ({
      puid: r.puid ?? unset(r.decisionId),
      attempts: r.attempts,
      lastError: r.lastError,
      nextAttemptAt: r.nextAttemptAt,
    })),
    now: deps.clock.now(),
  };
}

export const RETRY_EXAMPLE = '/trustops dsa submissions retry all-refused';

/**
 * `/trustops dsa submissions retry <puid|all-refused>` (admins, audited): refused statements go back to pending, to
 * be built again from the decision and its mapping as they are now, validated and sent (review #14: a refusal is
 * never final). Returns how many were put back.
 */
export async function retryDsaSubmissions(deps: DomainDeps, actor: Actor, target: string): Promise<number> {
  await requireRole(deps, actor, 'admin', 'resend refused DSA statements of reasons');
  const all = target === 'all-refused';
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const rows = await tx.dsaSubmission.findMany({
      where: { status: 'refused', ...(all ? {} : { puid: target }) },
      select: { id: true, puid: true },
    });
    if (rows.length === 0) return 0;
    await tx.dsaSubmission.updateMany({
      where: { id: { in: rows.map((r) => r.id) }, status: 'refused' },
      data: { status: 'pending', nextAttemptAt: now, lastError: `resent by an admin after a refusal`, reasons: Prisma.DbNull },
    });
    await recordAudit(tx, {
      actor: actor.id,
      origin: actor.origin,
      action: 'dsa_submission.retry',
      entityType: 'dsa_submissions',
      entityId: all ? 'all-refused' : target,
      before: { status: 'refused', count: rows.length },
      after: { status: 'pending', puids: rows.slice(0, 100).map((r) => r.puid) },
      at: now,
    });
    return rows.length;
  });
}
