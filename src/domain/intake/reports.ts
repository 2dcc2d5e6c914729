import type { Tx } from '../../db/client';
import { AppError } from '../../errors';
import type { Prisma } from '../../generated/prisma/client';
import { enqueueAlerts, type NewAlert } from '../alerts/outbox';
import { dueTimes } from '../sla/policies';
import { atRiskTimes } from '../sla/state';
import type { IntakeContext } from './context';
import { lockBucket } from './locks';
import type { ReportInput } from './schemas';

/** The intake API's answer for a report. */
export type ReportReceipt = {
  id: number;
  case_id: number;
  queue: string;
  priority: string;
  first_action_due_at: string;
  resolution_due_at: string;
};

export type ReportOutcome = { status: 'created' | 'replayed'; receipt: ReportReceipt } | { status: 'conflict'; message: string };

export type IntakeItem = { input: ReportInput; hash: string };

export function reportLockBuckets(items: readonly IntakeItem[]): number[] {
  return items.flatMap((i) => [lockBucket(`ref:${i.input.content_ref}`), lockBucket(`ext:${i.input.external_id}`)]);
}

export const OPEN_CASE_STATUSES = ['queued', 'in_review', 'escalated'] as const;

type OpenCase = { id: number; queue: string; priority: string; firstActionDueAt: Date; resolutionDueAt: Date };

/**
 * Records a batch of validated reports (one from the API, thousands from a CSV import) with
 * set-based queries: replays are recognised by external id and body hash, each report joins the
 * open case about the same content or opens a routed case with SLA due times, and urgent types
 * queue a triage alert. The caller holds the intake locks (see locks.ts) and the transaction.
 */
export async function ingestReports(tx: Tx, ctx: IntakeContext, items: readonly IntakeItem[]): Promise<ReportOutcome[]> {
  const outcomes: (ReportOutcome | undefined)[] = new Array(items.length);

  // 1. Replays and conflicts, against the database and within the batch.
  const existing = await tx.$queryRawUnsafe<{ external_id: string; body_hash: string; id: number; case_id: number }[]>(
    'SELECT external_id, body_hash, id, case_id FROM reports WHERE external_id = ANY($1::text[])',
    items.map((i) => i.input.external_id),
  );
  const known = new Map(existing.map((r) => [r.external_id, r]));
  const firstInBatch = new Map<string, number>();
  const fresh: number[] = [];
  items.forEach((item, idx) => {
    const prior = known.get(item.input.external_id);
    const earlier = firstInBatch.get(item.input.external_id);
    const priorHash = prior?.body_hash ?? (earlier !== undefined ? items[earlier]!.hash : undefined);
    if (priorHash !== undefined && priorHash !== item.hash) {
      outcomes[idx] = { status: 'conflict', message: `external_id ${item.input.external_id} was already received with a different body` };
    } else if (prior === undefined && earlier === undefined) {
      firstInBatch.set(item.input.external_id, idx);
      fresh.push(idx);
    }
  });

  // 2. Open cases about the same content; otherwise one new routed case per content reference.
  const refs = [...new Set(fresh.map((idx) => items[idx]!.input.content_ref))];
  const open = new Map<string, OpenCase>();
  if (refs.length) {
    const rows = await tx.$queryRawUnsafe<
      { id: number; content_ref: string; queue: string; priority: string; first_action_due_at: Date; resolution_due_at: Date }[]
    >(
      `SELECT DISTINCT ON (c.content_ref) c.id, c.content_ref, q.key AS queue, c.priority, c.first_action_due_at, c.resolution_due_at
         FROM cases c JOIN queues q ON q.id = c.queue_id
        WHERE c.content_ref = ANY($1::text[]) AND c.status::text = ANY($2::text[])
        ORDER BY c.content_ref, c.opened_at DESC`,
      refs,
      OPEN_CASE_STATUSES,
    );
    for (const r of rows) {
      open.set(r.content_ref, {
        id: r.id,
        queue: r.queue,
        priority: r.priority,
        firstActionDueAt: r.first_action_due_at,
        resolutionDueAt: r.resolution_due_at,
      });
    }
  }
  const newCases: {
    ref: string;
    queueId: number;
    queue: string;
    priority: string;
    policyId: number;
    openedAt: Date;
    firstActionDueAt: Date;
    resolutionDueAt: Date;
    firstActionAtRiskAt: Date;
    resolutionAtRiskAt: Date;
  }[] = [];
  const opening = new Set<string>();
  for (const idx of fresh) {
    const input = items[idx]!.input;
    if (open.has(input.content_ref) || opening.has(input.content_ref)) continue;
    opening.add(input.content_ref);
    const target = ctx.router.route({
      reportType: input.report_type,
      surface: input.surface,
      language: input.language,
      jurisdiction: input.jurisdiction,
    });
    const policy = ctx.policies.policyFor(target.queueId, target.priority);
    // The SLA clock starts when the report was received, not when it reached us.
    const openedAt = input.received_at ?? ctx.now;
    newCases.push({
      ref: input.content_ref,
      queueId: target.queueId,
      queue: target.queueKey,
      priority: target.priority,
      policyId: policy.id,
      openedAt,
      ...dueTimes(policy, openedAt),
      ...atRiskTimes(policy, openedAt),
    });
  }
  const openedCaseIds = new Set<number>();
  if (newCases.length) {
    const ids = await tx.$queryRawUnsafe<{ id: number; content_ref: string }[]>(
      `INSERT INTO cases (queue_id, sla_policy_id, priority, status, content_ref, opened_at, first_action_due_at, resolution_due_at,
                          first_action_at_risk_at, resolution_at_risk_at, updated_at)
       SELECT q, p, pr, 'queued', ref, o, fa, rd, far, rr, $10::timestamptz
         FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[],
                     $8::timestamptz[], $9::timestamptz[]) AS t(q, p, pr, ref, o, fa, rd, far, rr)
       RETURNING id, content_ref`,
      newCases.map((c) => c.queueId),
      newCases.map((c) => c.policyId),
      newCases.map((c) => c.priority),
      newCases.map((c) => c.ref),
      newCases.map((c) => c.openedAt.toISOString()),
      newCases.map((c) => c.firstActionDueAt.toISOString()),
      newCases.map((c) => c.resolutionDueAt.toISOString()),
      newCases.map((c) => c.firstActionAtRiskAt.toISOString()),
      newCases.map((c) => c.resolutionAtRiskAt.toISOString()),
      ctx.now.toISOString(),
    );
    const byRef = new Map(newCases.map((c) => [c.ref, c]));
    for (const row of ids) {
      const c = byRef.get(row.content_ref)!;
      open.set(row.content_ref, {
        id: row.id,
        queue: c.queue,
        priority: c.priority,
        firstActionDueAt: c.firstActionDueAt,
        resolutionDueAt: c.resolutionDueAt,
      });
      openedCaseIds.add(row.id);
    }
  }

  // 3. The reports themselves.
  if (fresh.length) {
    const rows = fresh.map((idx) => {
      const { input, hash } = items[idx]!;
      return { input, hash, caseId: open.get(input.content_ref)!.id };
    });
    const inserted = await tx.$queryRawUnsafe<{ id: number; external_id: string }[]>(
      `INSERT INTO reports (external_id, body_hash, surface_id, report_type_id, category, content_ref, reporter_contact, jurisdiction,
                            language, description, details, own_initiative, trusted_flagger, received_at, case_id, items, created_at)
       SELECT * , $17::timestamptz FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[],
                            $9::text[], $10::text[], $11::jsonb[], $12::bool[], $13::bool[], $14::timestamptz[], $15::int[], $16::int[])
       RETURNING id, external_id`,
      rows.map((r) => r.input.external_id),
      rows.map((r) => r.hash),
      rows.map((r) => ctx.surfaces.get(r.input.surface)!),
      rows.map((r) => ctx.types.get(r.input.report_type)!.id),
      rows.map((r) => r.input.category ?? null),
      rows.map((r) => r.input.content_ref),
      rows.map((r) => r.input.reporter ?? null),
      rows.map((r) => r.input.jurisdiction ?? null),
      rows.map((r) => r.input.language ?? null),
      rows.map((r) => r.input.description ?? null),
      rows.map((r) => (r.input.mcp_server ? JSON.stringify({ mcp_server: r.input.mcp_server }) : null)),
      rows.map((r) => r.input.own_initiative ?? false),
      rows.map((r) => r.input.trusted_flagger ?? false),
      rows.map((r) => (r.input.received_at ?? ctx.now).toISOString()),
      rows.map((r) => r.caseId),
      rows.map((r) => r.input.items ?? 1),
      ctx.now.toISOString(),
    );
    const idOf = new Map(inserted.map((r) => [r.external_id, r.id]));
    const alerts: NewAlert[] = [];
    for (const idx of fresh) {
      const input = items[idx]!.input;
      const c = open.get(input.content_ref)!;
      const id = idOf.get(input.external_id)!;
      outcomes[idx] = { status: 'created', receipt: receipt(id, c) };
      const type = ctx.types.get(input.report_type)!;
      // Urgent types announce a new case once; later reports about the same content join silently.
      if (type.urgent && openedCaseIds.has(c.id)) alerts.push(triageAlert(ctx, input, type.name, id, c));
    }
    await enqueueAlerts(tx, alerts, ctx.now);
  }

  // 4. Replays answer exactly what the first submission answered.
  const replays = items.map((_, idx) => idx).filter((idx) => outcomes[idx] === undefined);
  if (replays.length) {
    const rows = await tx.$queryRawUnsafe<
      {
        id: number;
        external_id: string;
        case_id: number;
        queue: string;
        priority: string;
        first_action_due_at: Date;
        resolution_due_at: Date;
      }[]
    >(
      `SELECT r.id, r.external_id, c.id AS case_id, q.key AS queue, c.priority, c.first_action_due_at, c.resolution_due_at
         FROM reports r JOIN cases c ON c.id = r.case_id JOIN queues q ON q.id = c.queue_id
        WHERE r.external_id = ANY($1::text[])`,
      replays.map((idx) => items[idx]!.input.external_id),
    );
    const byExt = new Map(rows.map((r) => [r.external_id, r]));
    for (const idx of replays) {
      const r = byExt.get(items[idx]!.input.external_id);
      if (!r) throw new AppError('conflict', `report ${items[idx]!.input.external_id} has no case`);
      const c = {
        id: r.case_id,
        queue: r.queue,
        priority: r.priority,
        firstActionDueAt: r.first_action_due_at,
        resolutionDueAt: r.resolution_due_at,
      };
      outcomes[idx] = { status: 'replayed', receipt: receipt(r.id, c) };
    }
  }
  return outcomes as ReportOutcome[];
}

function receipt(id: number, c: OpenCase): ReportReceipt {
  return {
    id,
    case_id: c.id,
    queue: c.queue,
    priority: c.priority,
    first_action_due_at: c.firstActionDueAt.toISOString(),
    resolution_due_at: c.resolutionDueAt.toISOString(),
  };
}

function triageAlert(ctx: IntakeContext, input: ReportInput, typeName: string, reportId: number, c: OpenCase): NewAlert {
  const message: Prisma.InputJsonObject = {
    caseId: c.id,
    reportId,
    reportType: input.report_type,
    reportTypeName: typeName,
    surface: input.surface,
    queue: c.queue,
    priority: c.priority,
    firstActionDueAt: c.firstActionDueAt.toISOString(),
    resolutionDueAt: c.resolutionDueAt.toISOString(),
    contentRef: input.content_ref,
    jurisdiction: input.jurisdiction ?? null,
    mcpServer: input.mcp_server ?? null,
  };
  return {
    kind: 'triage',
    dedupeKey: `triage:case:${c.id}`,
    channel: ctx.triageChannel,
    message,
    entityType: 'case',
    entityId: String(c.id),
  };
}
