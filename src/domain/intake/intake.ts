import { pgPoolOf, TX_OPTIONS, type Tx } from '../../db/client';
import { AppError } from '../../errors';
import type { Actor, DomainDeps } from '../deps';
import { checkReportQueue, checkTargetVendor, type TargetRef } from '../tokens/scope';
import { cachedIntakeContext, catalogErrors } from './context';
import { lockBucket, lockIntakeBuckets } from './locks';
import { type Item, type Outcome, recordAppeal, recordDecision, recordQaReview } from './outcomes';
import { fileReport, type Query, type ReportOutcome } from './reports';
import { bodyHash, type FieldError, type InputOf, type IntakeKind, validateIntake } from './schemas';

/** What one intake request came to; the HTTP layer maps it to a status code. */
export type Submission<R> = { status: 'invalid'; errors: FieldError[] } | ReportOutcome | Outcome<R>;

const originOf = (actor: Actor) => (actor.origin === 'cli' ? 'cli' : 'api');

export async function submitReport(deps: DomainDeps, actor: Actor, raw: unknown): Promise<Submission<never>> {
  const now = deps.clock.now();
  const ctx = await cachedIntakeContext(deps.db, now, deps.channels.triage);
  const checked = validateIntake('report', raw, now);
  const unknown = catalogErrors(ctx, (raw ?? {}) as Record<string, unknown>);
  if ('errors' in checked || unknown.length)
    return { status: 'invalid', errors: [...('errors' in checked ? checked.errors : []), ...unknown] };
  const pool = pgPoolOf(deps.db);
  const query: Query = async (statement) => (await pool.query(statement)).rows;
  const outcome = await fileReport(
    query,
    ctx,
    { input: checked.data, hash: bodyHash(raw) },
    { actor: actor.id, origin: originOf(actor), vendorId: actor.vendor?.id ?? null },
  );
  // Throws the vendor token's refusal (403, nothing was written), in the words every refusal uses.
  if (outcome.status === 'refused') {
    await checkReportQueue(deps.db, actor, outcome.queue);
    throw new AppError('forbidden', 'this token files for its own vendor only; nothing was stored');
  }
  // Only a queued alert wakes delivery: a wake-up per report would keep it polling the outbox under load.
  if (outcome.status === 'created' && outcome.alerted) deps.alertsQueued();
  return outcome;
}

type Recorder<I, R> = (tx: Tx, now: Date, item: Item<I>) => Promise<Outcome<R>>;

async function submitWith<K extends Exclude<IntakeKind, 'report'>, R>(
  deps: DomainDeps,
  actor: Actor,
  raw: unknown,
  kind: K,
  record: Recorder<InputOf<K>, R>,
): Promise<Submission<R>> {
  const now = deps.clock.now();
  const checked = validateIntake(kind, raw, now);
  if ('errors' in checked) return { status: 'invalid', errors: checked.errors };
  return deps.db.$transaction(async (tx) => {
    // Two copies of one submission racing: the second waits, then sees the first and replays it.
    await lockIntakeBuckets(tx, [lockBucket(`${kind}:${checked.data.external_id}`)]);
    await checkTargetVendor(tx, actor, checked.data as TargetRef);
    return record(tx, now, { input: checked.data, hash: bodyHash(raw), actor: actor.id, origin: originOf(actor) });
  }, TX_OPTIONS);
}

export const submitDecision = (deps: DomainDeps, actor: Actor, raw: unknown) => submitWith(deps, actor, raw, 'decision', recordDecision);
export const submitQaReview = (deps: DomainDeps, actor: Actor, raw: unknown) => submitWith(deps, actor, raw, 'qa_review', recordQaReview);
export const submitAppeal = (deps: DomainDeps, actor: Actor, raw: unknown) => submitWith(deps, actor, raw, 'appeal', recordAppeal);
