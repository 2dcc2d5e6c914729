// The statement-of-reasons outbox (dsa_submissions), as admins see it, and its start: restricting decisions decided
// before it are never sent (status `skipped`), so turning submission on does not send every decision ever recorded.
import type { Clock } from '../../../clock';
import type { Db } from '../../../db/client';
import { recordAudit } from '../../../db/repositories/audit';
import { badInput } from '../../../errors';
import { Prisma } from '../../../generated/prisma/client';
import type { Actor, DomainDeps } from '../../deps';
import { requireRole } from '../../roles/roles';
import { startOfLocalDate } from '../../time';

/** The start's row in dsa_report_settings (the trigger on decisions and the claim read it by this key). */
export const SUBMISSION_START_KEY = 'submission_start';
export const START_EXAMPLE = '/trustops dsa submissions start 2026-07-01';

export type SubmissionStart = { start: Date; setBy: string; setAt: Date };

export type SubmissionView = {
  counts: Record<'pending' | 'sending' | 'accepted' | 'refused' | 'skipped', number>;
  /** Null until submission is first turned on (or an admin sets it). */
  start: SubmissionStart | null;
  /** The decision time of the oldest statement not accepted yet; null when every one is. */
  oldestUnaccepted: Date | null;
  refused: { puid: string; decisionId: number; attempts: number; reasons: unknown; lastError: string | null; decidedAt: Date }[];
  /** Pending statements that failed at least once, with why (network, 5xx, 429). */
  retrying: { puid: string; attempts: number; lastError: string | null; nextAttemptAt: Date }[];
  now: Date;
};

/** When the oldest statement not yet accepted by the database was decided (the "without undue delay" gauge); skipped ones are not owed. */
export async function oldestUnaccepted(db: Db): Promise<Date | null> {
  const row = await db.dsaSubmission.findFirst({
    where: { status: { in: ['pending', 'sending', 'refused'] } },
    orderBy: { decidedAt: 'asc' },
    select: { decidedAt: true },
  });
  return row?.decidedAt ?? null;
}

export async function readSubmissionStart(db: Db): Promise<SubmissionStart | null> {
  const row = await db.dsaReportSetting.findUnique({ where: { key: SUBMISSION_START_KEY } });
  return row ? { start: new Date(row.value), setBy: row.updatedBy, setAt: row.updatedAt } : null;
}

/**
 * Rows on the wrong side of the start change status: pending before it → skipped, skipped from it on → pending.
 * Run by each worker pass (two index ranges on (status, decided_at), nothing to do when nothing moved) and by an
 * admin's change, so a decision queued by a transaction that read the start before it changed ends on the right side.
 * Rows being sent, accepted or refused are left as they are (a refusal is never dropped).
 */
export async function reconcileStart(db: Pick<Db, '$executeRawUnsafe'>): Promise<{ queued: number; skipped: number }> {
  const start = `(SELECT value::timestamptz FROM dsa_report_settings WHERE key = '${SUBMISSION_START_KEY}')`;
  const skipped = await db.$executeRawUnsafe(
    `UPDATE dsa_submissions SET status = 'skipped' WHERE status = 'pending' AND decided_at < ${start}`,
  );
  const queued = await db.$executeRawUnsafe(
    `UPDATE dsa_submissions SET status = 'pending' WHERE status = 'skipped' AND decided_at >= ${start}`,
  );
  return { queued, skipped };
}

/**
 * The default start (review: an install turning submission on must not send its whole history): the moment a
 * worker first runs with TRUSTOPS_DSA_TDB_URL and _TOKEN set. Statements can be sent later but never taken back,
 * and earlier decisions may already have reached the database some other way under other puids, so history goes
 * only when an admin moves the start back. Recorded once (the first replica wins), audited as the system's.
 */
export async function ensureSubmissionStart(deps: { db: Db; clock: Clock }): Promise<{ start: Date; created: boolean }> {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const inserted = await tx.$queryRawUnsafe<{ value: string }[]>(
      `INSERT INTO dsa_report_settings (key, value, updated_by, updated_at) VALUES ($1, $2, 'system', $3::timestamptz)
       ON CONFLICT (key) DO NOTHING RETURNING value`,
      SUBMISSION_START_KEY,
      now.toISOString(),
      now.toISOString(),
    );
    if (inserted.length) {
      await recordAudit(tx, {
        actor: 'system',
        origin: 'system',
        action: 'dsa_submission.start',
        entityType: 'dsa_report_settings',
        entityId: SUBMISSION_START_KEY,
        before: null,
        after: { value: now.toISOString(), why: 'submission turned on: decisions decided before now are not sent' },
        at: now,
      });
      return { start: now, created: true };
    }
    const row = await tx.dsaReportSetting.findUniqueOrThrow({ where: { key: SUBMISSION_START_KEY } });
    return { start: new Date(row.value), created: false };
  });
}

/** `YYYY-MM-DD` (midnight in the zone) or an ISO instant with its offset. */
export function parseStart(raw: string, timeZone: string): Date {
  const value = raw.trim();
  let at: Date | null = null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const d = new Date(`${value}T00:00:00Z`);
    at = !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value ? startOfLocalDate(value, timeZone) : null;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    const d = new Date(value);
    at = Number.isNaN(d.getTime()) ? null : d;
  }
  if (!at)
    throw badInput(
      '`dsa submissions start` takes a date (YYYY-MM-DD, midnight in the configured time zone) or an instant with its offset (2026-07-01T00:00:00Z).',
      START_EXAMPLE,
    );
  return at;
}

/**
 * `/trustops dsa submissions start <date>` (admins, audited): statements are sent for restricting decisions decided
 * from then on. Moving it back queues the skipped ones in between (they are sent at once); moving it forward skips
 * the waiting ones before it. Returns how many changed side.
 */
export async function setSubmissionStart(
  deps: DomainDeps,
  actor: Actor,
  raw: string,
): Promise<{ start: Date; before: Date | null; queued: number; skipped: number }> {
  await requireRole(deps, actor, 'admin', 'set the start of DSA statement submission');
  const start = parseStart(raw, deps.timeZone);
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const before = await tx.dsaReportSetting.findUnique({ where: { key: SUBMISSION_START_KEY } });
    await tx.dsaReportSetting.upsert({
      where: { key: SUBMISSION_START_KEY },
      create: { key: SUBMISSION_START_KEY, value: start.toISOString(), updatedBy: actor.id, updatedAt: now },
      update: { value: start.toISOString(), updatedBy: actor.id, updatedAt: now },
    });
    const moved = await reconcileStart(tx);
    await recordAudit(tx, {
      actor: actor.id,
      origin: actor.origin,
      action: 'dsa_submission.start',
      entityType: 'dsa_report_settings',
      entityId: SUBMISSION_START_KEY,
      before: before ? { value: before.value } : null,
      after: { value: start.toISOString(), ...moved },
      at: now,
    });
    return { start, before: before ? new Date(before.value) : null, ...moved };
  });
}

/** A row whose puid is not set yet (set at the first claim; never when its decision is gone). */
const unset = (decisionId: number) => `(no puid yet: decision ${decisionId})`;

/** `/trustops dsa submissions` (admins): how the submission stands, and every refused statement with the database's reasons. */
export async function listDsaSubmissions(deps: DomainDeps, actor: Actor, limit = 20): Promise<SubmissionView> {
  await requireRole(deps, actor, 'admin', 'see the DSA Transparency Database submissions');
  const groups = await deps.db.dsaSubmission.groupBy({ by: ['status'], _count: { _all: true } });
  const counts = { pending: 0, sending: 0, accepted: 0, refused: 0, skipped: 0 };
  for (const g of groups) counts[g.status as keyof typeof counts] = g._count._all;
  const refused = await deps.db.dsaSubmission.findMany({ where: { status: 'refused' }, orderBy: { id: 'asc' }, take: limit });
  const retrying = await deps.db.dsaSubmission.findMany({
    where: { status: 'pending', lastError: { not: null } },
    orderBy: { nextAttemptAt: 'asc' },
    take: 5,
  });
  return {
    counts,
    start: await readSubmissionStart(deps.db),
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
