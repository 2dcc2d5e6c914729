import type { Tx } from '../../db/client';
import { AppError, forbidden } from '../../errors';
import type { Actor } from '../deps';

// A vendor token files for its own vendor's queues only. Routing decides a report's queue, so a report
// is checked once routed, inside its transaction (a refusal rolls everything back); a decision, QA
// review, appeal or escalation is checked against the case it acts on before anything is written.

const withQueue = { queue: { include: { vendor: true } } } as const;

/**
 * A submission about another vendor's case gets the answer a missing reference gets (404, the same
 * words), so a vendor cannot probe which ids exist or whose they are. The reason goes to the audit only.
 */
export class OutOfScope extends AppError {
  constructor(
    readonly path: string,
    readonly missing: string,
    reason: string,
  ) {
    super('forbidden', reason);
  }
}

/** Refuses a report a vendor token filed when routing put it in (or joined it to a case of) another vendor's queue. */
export async function checkReportQueue(tx: Tx, actor: Actor, queueKey: string): Promise<void> {
  if (!actor.vendor) return;
  const q = await tx.queue.findUnique({ where: { key: queueKey }, include: { vendor: true } });
  // Names neither the queue nor its vendor: routing rules and other vendors are not the token's business.
  if (q && q.vendorId !== actor.vendor.id)
    throw forbidden(
      `this token files for vendor ${actor.vendor.key} only, and this report routes to another vendor's queue; nothing was stored`,
    );
}

/** What a submission acts on: a case, or a decision (and through it a case). */
export type TargetRef = { case_id?: number; report_external_id?: string; decision_id?: number; decision_external_id?: string };

/** Refuses a vendor token's submission about a case in another vendor's queue. A missing target is left to the submission (404). */
export async function checkTargetVendor(tx: Tx, actor: Actor, ref: TargetRef): Promise<void> {
  if (!actor.vendor) return;
  const inCase = { case: { include: withQueue } } as const;
  const [path, missing, target] =
    ref.case_id !== undefined
      ? ['case_id', `no case ${ref.case_id}`, await tx.case.findUnique({ where: { id: ref.case_id }, include: withQueue })]
      : ref.report_external_id !== undefined
        ? [
            'report_external_id',
            `no report ${ref.report_external_id}`,
            (await tx.report.findUnique({ where: { externalId: ref.report_external_id }, include: inCase }))?.case,
          ]
        : ref.decision_id !== undefined
          ? [
              'decision_id',
              `no decision ${ref.decision_id}`,
              (await tx.decision.findUnique({ where: { id: ref.decision_id }, include: inCase }))?.case,
            ]
          : ref.decision_external_id !== undefined
            ? [
                'decision_external_id',
                `no decision ${ref.decision_external_id}`,
                (await tx.decision.findUnique({ where: { externalId: ref.decision_external_id }, include: inCase }))?.case,
              ]
            : ['', '', undefined];
  if (target && target.queue.vendorId !== actor.vendor.id)
    throw new OutOfScope(
      path,
      missing,
      `vendor ${actor.vendor.key} acted on case ${target.id} in queue ${target.queue.key} of vendor ${target.queue.vendor.key}`,
    );
}
