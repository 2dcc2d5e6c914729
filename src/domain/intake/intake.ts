import type { z } from 'zod';
import type { Tx } from '../../db/client';
import { recordAudit } from '../../db/repositories/audit';
import type { Actor, DomainDeps } from '../deps';
import { lockBucket, lockIntakeBuckets } from './locks';
import { type Item, type Outcome, recordAppeal, recordDecision, recordQaReview } from './outcomes';
import { catalogErrors, ingestReports, loadIntakeContext, type ReportOutcome, reportLockBuckets } from './reports';
import { bodyHash, type FieldError, fieldErrors, ZAppealInput, ZDecisionInput, ZQaReviewInput, ZReportInput } from './schemas';

/** What one intake request came to; the HTTP layer maps it to a status code. */
export type Submission<R> = { status: 'invalid'; errors: FieldError[] } | ReportOutcome | Outcome<R>;

// Short transactions under load: wait up to 10 s for a connection, and give up after 30 s.
export const TX_OPTIONS = { maxWait: 10_000, timeout: 30_000 };

const FUTURE_SLACK_MS = 5 * 60_000;

export async function submitReport(deps: DomainDeps, actor: Actor, raw: unknown): Promise<Submission<never>> {
  const now = deps.clock.now();
  const parsed = ZReportInput.safeParse(raw);
  const outcome = await deps.db.$transaction(async (tx) => {
    const ctx = await loadIntakeContext(tx, now, deps.channels.triage);
    const errors = [...(parsed.success ? [] : fieldErrors(parsed.error)), ...catalogErrors(ctx, (raw ?? {}) as Record<string, unknown>)];
    if (parsed.success && parsed.data.received_at && parsed.data.received_at.getTime() > now.getTime() + FUTURE_SLACK_MS) {
      errors.push({ path: 'received_at', message: 'more than 5 minutes in the future' });
    }
    if (errors.length || !parsed.success) return { status: 'invalid' as const, errors };
    const items = [{ input: parsed.data, hash: bodyHash(raw) }];
    await lockIntakeBuckets(tx, reportLockBuckets(items));
    const [result] = await ingestReports(tx, ctx, items);
    if (result?.status === 'created') {
      await recordAudit(tx, {
        actor: actor.id,
        origin: actor.origin,
        action: 'report.receive',
        entityType: 'report',
        entityId: String(result.receipt.id),
        after: { external_id: parsed.data.external_id, ...result.receipt },
        at: now,
      });
    }
    return result!;
  }, TX_OPTIONS);
  if (outcome.status === 'created') deps.alertsQueued();
  return outcome;
}

type Recorder<I, R> = (tx: Tx, now: Date, item: Item<I>) => Promise<Outcome<R>>;

async function submitWith<I extends { external_id: string }, R>(
  deps: DomainDeps,
  actor: Actor,
  raw: unknown,
  kind: string,
  schema: z.ZodType<I>,
  record: Recorder<I, R>,
): Promise<Submission<R>> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { status: 'invalid', errors: fieldErrors(parsed.error) };
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    // Two copies of one submission racing: the second waits, then sees the first and replays it.
    await lockIntakeBuckets(tx, [lockBucket(`${kind}:${parsed.data.external_id}`)]);
    return record(tx, now, { input: parsed.data, hash: bodyHash(raw), actor: actor.id, origin: actor.origin === 'cli' ? 'cli' : 'api' });
  }, TX_OPTIONS);
}

export const submitDecision = (deps: DomainDeps, actor: Actor, raw: unknown) =>
  submitWith(deps, actor, raw, 'decision', ZDecisionInput, recordDecision);
export const submitQaReview = (deps: DomainDeps, actor: Actor, raw: unknown) =>
  submitWith(deps, actor, raw, 'qa', ZQaReviewInput, recordQaReview);
export const submitAppeal = (deps: DomainDeps, actor: Actor, raw: unknown) =>
  submitWith(deps, actor, raw, 'appeal', ZAppealInput, recordAppeal);
