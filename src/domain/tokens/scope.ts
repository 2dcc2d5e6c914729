import type { Tx } from '../../db/client';
import { forbidden } from '../../errors';
import type { Actor } from '../deps';

// A vendor token files for its own vendor's queues only. Routing decides a report's queue, so a report
// is checked once routed, inside its transaction (a refusal rolls everything back); a decision, QA
// review, appeal or escalation is checked against the case it acts on before anything is written.

type Queue = { key: string; vendorId: number; vendor: { key: string } };
const withQueue = { queue: { include: { vendor: true } } } as const;

const refusal = (actor: Actor, what: string, q: Queue) =>
  forbidden(
    `this token files for vendor ${actor.vendor?.key} only; ${what} is in queue ${q.key} of vendor ${q.vendor.key}, so nothing was stored`,
  );

/** Refuses a report a vendor token filed when routing put it in (or joined it to a case of) another vendor's queue. */
export async function checkReportQueue(tx: Tx, actor: Actor, queueKey: string): Promise<void> {
  if (!actor.vendor) return;
  const q = await tx.queue.findUnique({ where: { key: queueKey }, include: { vendor: true } });
  if (q && q.vendorId !== actor.vendor.id) throw refusal(actor, 'the report routes to a case that', q);
}

/** What a submission acts on: a case, or a decision (and through it a case). */
export type TargetRef = { case_id?: number; report_external_id?: string; decision_id?: number; decision_external_id?: string };

/** Refuses a vendor token's submission about a case in another vendor's queue. A missing target is left to the submission (404). */
export async function checkTargetVendor(tx: Tx, actor: Actor, ref: TargetRef): Promise<void> {
  if (!actor.vendor) return;
  const inCase = { case: { include: withQueue } } as const;
  const target =
    ref.case_id !== undefined
      ? await tx.case.findUnique({ where: { id: ref.case_id }, include: withQueue })
      : ref.report_external_id !== undefined
        ? (await tx.report.findUnique({ where: { externalId: ref.report_external_id }, include: inCase }))?.case
        : ref.decision_id !== undefined
          ? (await tx.decision.findUnique({ where: { id: ref.decision_id }, include: inCase }))?.case
          : ref.decision_external_id !== undefined
            ? (await tx.decision.findUnique({ where: { externalId: ref.decision_external_id }, include: inCase }))?.case
            : undefined;
  if (target && target.queue.vendorId !== actor.vendor.id) throw refusal(actor, `case ${target.id}`, target.queue);
}
