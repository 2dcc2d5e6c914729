import { z } from 'zod';
import { AppError, isUniqueViolation } from '../../errors';
import type { Actor, DomainDeps } from '../deps';
import { ZId } from '../ids';
import type { Outcome } from '../intake/outcomes';
import { bodyHash, type FieldError, fieldErrors, unstorableTextErrors, ZExternalId } from '../intake/schemas';
import { checkTargetVendor } from '../tokens/scope';
import { MAX_REASON, raiseEscalation, SEVERITIES } from './escalations';

export const ZEscalationInput = z.strictObject({
  external_id: ZExternalId,
  case_id: ZId,
  severity: z.enum(SEVERITIES, { error: `expected one of ${SEVERITIES.join(', ')}` }),
  reason: z.string().trim().min(1, 'required').max(MAX_REASON, `at most ${MAX_REASON} characters`),
  /** The vendor reviewer asking, as the vendor names them. */
  requested_by: z.string().trim().min(1).max(200, 'at most 200 characters').optional(),
});

export type EscalationReceipt = { id: number; case_id: number; status: string; severity: string; deadline_at: string };

type Submission = { status: 'invalid'; errors: FieldError[] } | Outcome<EscalationReceipt>;

async function receipt(deps: DomainDeps, id: number): Promise<EscalationReceipt> {
  const e = await deps.db.escalation.findUniqueOrThrow({ where: { id } });
  return { id: e.id, case_id: e.caseId, status: e.status, severity: e.severity, deadline_at: e.deadlineAt.toISOString() };
}

/**
 * POST /api/v1/escalations: a vendor asks for an internal decision. Idempotent on external_id like
 * every intake (same body ⇒ the same answer, a different body ⇒ 409).
 */
export async function submitEscalation(deps: DomainDeps, actor: Actor, raw: unknown): Promise<Submission> {
  const parsed = ZEscalationInput.safeParse(raw);
  const errors = [...(parsed.success ? [] : fieldErrors(parsed.error)), ...unstorableTextErrors(raw)];
  if (!parsed.success || errors.length) return { status: 'invalid', errors };
  const input = parsed.data;
  await checkTargetVendor(deps.db, actor, { case_id: input.case_id });
  const hash = bodyHash(raw);
  const replay = async (): Promise<Submission | undefined> => {
    const prior = await deps.db.escalation.findUnique({ where: { externalId: input.external_id } });
    if (!prior) return undefined;
    if (prior.bodyHash !== hash)
      return { status: 'conflict', message: `external_id ${input.external_id} was already received with a different body` };
    return { status: 'replayed', receipt: await receipt(deps, prior.id) };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  try {
    const raised = await raiseEscalation(deps, {
      actor: { id: input.requested_by ? `vendor:${input.requested_by}` : actor.id, origin: actor.origin },
      caseId: input.case_id,
      severity: input.severity,
      reason: input.reason,
      source: 'vendor',
      externalId: input.external_id,
      bodyHash: hash,
    });
    // A pending escalation already there may be this very request, sent twice at once.
    if (!raised.created)
      return (
        (await replay()) ?? {
          status: 'conflict',
          message: `case ${input.case_id} already has a pending escalation (${raised.escalationId})`,
        }
      );
    return { status: 'created', receipt: await receipt(deps, raised.escalationId) };
  } catch (err) {
    // The same external_id sent twice at once: the second insert loses the race and replays the first.
    if (isUniqueViolation(err)) return (await replay()) ?? Promise.reject(err);
    if (err instanceof AppError && err.code === 'not_found')
      return { status: 'not_found', path: 'case_id', message: `no case ${input.case_id}` };
    if (err instanceof AppError && err.code === 'conflict') return { status: 'conflict', message: err.message };
    throw err;
  }
}
