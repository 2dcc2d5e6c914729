import type { Tx } from '../../db/client';
import { AppError } from '../../errors';
import type { Prisma } from '../../generated/prisma/client';
import { enqueueAlerts, type NewAlert } from '../alerts/outbox';
import type { DueTimes } from '../sla/policies';
import { type IntakeContext, routeReport } from './context';
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

export const OPEN_CASE_STATUSES = ['queued', 'in_review', 'escalated'] as const;
// Written exactly as the predicate of cases_open_content_ref_key, so ON CONFLICT can infer that index.
const OPEN_SQL = `status IN ('queued', 'in_review', 'escalated')`;

type OpenCase = { id: number; queue: string; priority: string; firstActionDueAt: Date; resolutionDueAt: Date };

/**
 * Records a batch of validated reports (one from the API, thousands from a CSV import) with
 * set-based queries: replays are recognised by external id and body hash, each report joins the
 * open case about the same content or opens a routed case with SLA due times, and urgent types
 * queue a triage alert. The caller holds the transaction. No lock is needed to keep two open cases
 * about one content reference apart (the partial unique index does) nor two copies of one report
 * (reports.external_id is unique): a case or report another writer filed meanwhile is joined or
 * answered as a replay.
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
  if (refs.length) await readOpenCases(tx, refs, open);
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
    const { target, policy, openedAt, due, risk } = routeReport(ctx, input);
    newCases.push({
      ref: input.content_ref,
      queueId: target.queueId,
      queue: target.queueKey,
      priority: target.priority,
      policyId: policy.id,
      openedAt,
      ...due,
      ...risk,
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
       ON CONFLICT (content_ref) WHERE ${OPEN_SQL} DO NOTHING
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
    // The partial unique index kept out a case another writer opened meanwhile: join that one.
    const lost = newCases.filter((c) => !open.has(c.ref)).map((c) => c.ref);
    if (lost.length) await readOpenCases(tx, lost, open);
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
       ON CONFLICT (external_id) DO NOTHING
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
      const id = idOf.get(input.external_id);
      // Filed by another writer since step 1: a replay or a conflict, decided in step 4.
      if (id === undefined) continue;
      outcomes[idx] = { status: 'created', receipt: receipt(id, c) };
      const type = ctx.types.get(input.report_type)!;
      // Urgent types announce a new case once; later reports about the same content join silently.
      if (type.urgent && openedCaseIds.has(c.id)) alerts.push(triageAlert(ctx, input, type.name, id, c));
    }
    await enqueueAlerts(tx, alerts, ctx.now);
    if (inserted.length < rows.length && openedCaseIds.size) {
      // A case opened here for reports that all turned out to be filed elsewhere stays empty: drop it.
      await tx.$executeRawUnsafe(
        'DELETE FROM cases c WHERE c.id = ANY($1::int[]) AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.case_id = c.id)',
        [...openedCaseIds],
      );
    }
  }

  // 4. Replays answer exactly what the first submission answered.
  const replays = items.map((_, idx) => idx).filter((idx) => outcomes[idx] === undefined);
  if (replays.length) {
    const rows = await tx.$queryRawUnsafe<
      {
        id: number;
        external_id: string;
        body_hash: string;
        case_id: number;
        queue: string;
        priority: string;
        first_action_due_at: Date;
        resolution_due_at: Date;
      }[]
    >(
      `SELECT r.id, r.external_id, r.body_hash, c.id AS case_id, q.key AS queue, c.priority, c.first_action_due_at, c.resolution_due_at
         FROM reports r JOIN cases c ON c.id = r.case_id JOIN queues q ON q.id = c.queue_id
        WHERE r.external_id = ANY($1::text[])`,
      replays.map((idx) => items[idx]!.input.external_id),
    );
    const byExt = new Map(rows.map((r) => [r.external_id, r]));
    for (const idx of replays) {
      const r = byExt.get(items[idx]!.input.external_id);
      if (!r) throw new AppError('conflict', `report ${items[idx]!.input.external_id} has no case`);
      if (r.body_hash !== items[idx]!.hash) {
        outcomes[idx] = { status: 'conflict', message: `external_id ${r.external_id} was already received with a different body` };
        continue;
      }
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

/** The open cases about these content references (at most one each: the partial unique index). */
async function readOpenCases(tx: Tx, refs: readonly string[], into: Map<string, OpenCase>): Promise<void> {
  const rows = await tx.$queryRawUnsafe<
    { id: number; content_ref: string; queue: string; priority: string; first_action_due_at: Date; resolution_due_at: Date }[]
  >(
    `SELECT c.id, c.content_ref, q.key AS queue, c.priority, c.first_action_due_at, c.resolution_due_at
       FROM cases c JOIN queues q ON q.id = c.queue_id
      WHERE c.content_ref = ANY($1::text[]) AND c.${OPEN_SQL}`,
    refs,
  );
  for (const r of rows) {
    into.set(r.content_ref, {
      id: r.id,
      queue: r.queue,
      priority: r.priority,
      firstActionDueAt: r.first_action_due_at,
      resolutionDueAt: r.resolution_due_at,
    });
  }
}

/** Who files a single report: the audit's actor, and a vendor token's vendor (its own queues only). */
export type Filer = { actor: string; origin: string; vendorId: number | null };

/**
 * What one statement came to: `alerted` when it queued a triage alert; `refused` names the queue a
 * vendor token may not file into.
 */
export type FiledReport = (ReportOutcome & { alerted?: boolean }) | { status: 'refused'; queue: string };

const ISO = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

// One report in one statement, with no lock and no interactive transaction: a replay or conflict is
// seen by external id; the report joins the open case about its content or opens the routed one,
// against the partial unique index on open cases (ON CONFLICT … DO NOTHING); the audit row and an
// urgent type's triage alert are written by the same statement, so it all lands or none does. Losing
// a race (another statement opened the case, or filed the same external id, while this one ran) writes
// nothing: the caller runs it again and sees the winner.
export const FILE_REPORT_SQL = `
WITH prior AS (
  SELECT r.id, r.body_hash, c.id AS case_id, q.key AS queue, q.vendor_id, c.priority, c.first_action_due_at, c.resolution_due_at
    FROM reports r LEFT JOIN cases c ON c.id = r.case_id LEFT JOIN queues q ON q.id = c.queue_id
   WHERE r.external_id = $1
), open AS (
  SELECT c.id, q.key AS queue, q.vendor_id, c.priority, c.first_action_due_at, c.resolution_due_at
    FROM cases c JOIN queues q ON q.id = c.queue_id
   WHERE c.content_ref = $3 AND c.${OPEN_SQL} AND NOT EXISTS (SELECT 1 FROM prior)
   LIMIT 1
), opened AS (
  INSERT INTO cases (queue_id, sla_policy_id, priority, status, content_ref, opened_at, first_action_due_at, resolution_due_at,
                     first_action_at_risk_at, resolution_at_risk_at, updated_at)
  SELECT $17, $18, $19, 'queued', $3, $14, $20, $21, $22, $23, $16
   WHERE $24 AND NOT EXISTS (SELECT 1 FROM prior) AND NOT EXISTS (SELECT 1 FROM open)
  ON CONFLICT (content_ref) WHERE ${OPEN_SQL} DO NOTHING
  RETURNING id, $25::text AS queue, $26::int AS vendor_id, priority, first_action_due_at, resolution_due_at
), target AS (
  SELECT *, false AS new FROM open UNION ALL SELECT *, true AS new FROM opened
), filed AS (
  INSERT INTO reports (external_id, body_hash, surface_id, report_type_id, category, content_ref, reporter_contact, jurisdiction,
                       language, description, details, own_initiative, trusted_flagger, received_at, case_id, items, created_at)
  SELECT $1, $2, $4, $5, $6, $3, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, t.id, $15, $16
    FROM target t WHERE $27::int IS NULL OR t.vendor_id = $27
  RETURNING id
), audited AS (
  INSERT INTO audit_events (actor, origin, action, entity_type, entity_id, after, created_at)
  SELECT $28, $29, 'report.receive', 'report', f.id::text,
         jsonb_build_object('external_id', $1::text, 'id', f.id, 'case_id', t.id, 'queue', t.queue, 'priority', t.priority,
                            'first_action_due_at', ${ISO('t.first_action_due_at')}, 'resolution_due_at', ${ISO('t.resolution_due_at')}),
         $16
    FROM filed f, target t
), alerted AS (
  INSERT INTO alerts (kind, dedupe_key, channel, message, entity_type, entity_id, created_at, next_attempt_at)
  SELECT 'triage', 'triage:case:' || t.id, $30, $31::jsonb || jsonb_build_object('caseId', t.id, 'reportId', f.id), 'case', t.id::text, $16, $16
    FROM filed f, target t WHERE t.new AND $31::jsonb IS NOT NULL
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING id
)
SELECT EXISTS (SELECT 1 FROM alerted) AS alerted, p.body_hash AS prior_hash, coalesce(p.id, f.id) AS id, coalesce(p.case_id, t.id) AS case_id, coalesce(p.queue, t.queue) AS queue,
       coalesce(p.vendor_id, t.vendor_id) AS vendor_id, coalesce(p.priority, t.priority) AS priority,
       coalesce(p.first_action_due_at, t.first_action_due_at) AS first_action_due_at,
       coalesce(p.resolution_due_at, t.resolution_due_at) AS resolution_due_at, f.id IS NOT NULL AS filed
  FROM (SELECT 1) one LEFT JOIN prior p ON true LEFT JOIN target t ON true LEFT JOIN filed f ON true`;

type FiledRow = {
  alerted: boolean;
  prior_hash: string | null;
  id: number | null;
  case_id: number | null;
  queue: string | null;
  vendor_id: number | null;
  priority: string;
  first_action_due_at: Date;
  resolution_due_at: Date;
  filed: boolean;
};

/**
 * Runs a statement on a pooled connection: the raw pg path of the intake hot path. A named statement
 * is parsed and planned once per connection, then only bound and executed.
 */
export type Query = <R>(statement: { name: string; text: string; values: unknown[] }) => Promise<R[]>;

const REPORT_RACE_TRIES = 5;

/**
 * Files one validated report in one statement (see FILE_REPORT_SQL), no transaction held open across
 * round trips. Answers as ingestReports does for the same item, plus `refused` for a vendor token whose
 * report routes to (or would join a case of) another vendor's queue, in which case nothing is written.
 */
export async function fileReport(query: Query, ctx: IntakeContext, item: IntakeItem, filer: Filer): Promise<FiledReport> {
  const { input, hash } = item;
  const type = ctx.types.get(input.report_type)!;
  const { target, policy, openedAt: receivedAt, due, risk } = routeReport(ctx, input);
  const targetVendor = target.vendorId ?? null;
  const mayOpen = filer.vendorId === null || targetVendor === filer.vendorId;
  const alert = type.urgent ? triageMessage(input, type.name, target.queueKey, target.priority, due) : null;
  const values = [
    input.external_id,
    hash,
    input.content_ref,
    ctx.surfaces.get(input.surface)!,
    type.id,
    input.category ?? null,
    input.reporter ?? null,
    input.jurisdiction ?? null,
    input.language ?? null,
    input.description ?? null,
    input.mcp_server ? JSON.stringify({ mcp_server: input.mcp_server }) : null,
    input.own_initiative ?? false,
    input.trusted_flagger ?? false,
    receivedAt,
    input.items ?? 1,
    ctx.now,
    target.queueId,
    policy.id,
    target.priority,
    due.firstActionDueAt,
    due.resolutionDueAt,
    risk.firstActionAtRiskAt,
    risk.resolutionAtRiskAt,
    mayOpen,
    target.queueKey,
    targetVendor,
    filer.vendorId,
    filer.actor,
    filer.origin,
    ctx.triageChannel,
    alert === null ? null : JSON.stringify(alert),
  ];
  for (let attempt = 1; ; attempt++) {
    let row: FiledRow | undefined;
    try {
      [row] = await query<FiledRow>({ name: 'intake_file_report', text: FILE_REPORT_SQL, values });
    } catch (err) {
      // The same external id filed by another statement meanwhile: the next try sees it as a replay.
      if (!isUniqueViolation(err, 'reports_external_id_key') || attempt >= REPORT_RACE_TRIES) throw err;
      continue;
    }
    if (!row) throw new AppError('conflict', 'the report statement returned nothing');
    if (row.prior_hash !== null && row.prior_hash !== hash) {
      return { status: 'conflict', message: `external_id ${input.external_id} was already received with a different body` };
    }
    if (row.prior_hash !== null && row.case_id === null) throw new AppError('conflict', `report ${input.external_id} has no case`);
    if (row.case_id !== null && filer.vendorId !== null && row.vendor_id !== filer.vendorId)
      return { status: 'refused', queue: row.queue! };
    if (row.case_id === null && !mayOpen) return { status: 'refused', queue: target.queueKey };
    if (row.case_id !== null && row.id !== null) {
      const c = {
        id: row.case_id,
        queue: row.queue!,
        priority: row.priority,
        firstActionDueAt: row.first_action_due_at,
        resolutionDueAt: row.resolution_due_at,
      };
      return row.filed
        ? { status: 'created', receipt: receipt(row.id, c), alerted: row.alerted }
        : { status: 'replayed', receipt: receipt(row.id, c) };
    }
    // Another statement opened the case about this content while this one ran: join it on the next try.
    if (attempt >= REPORT_RACE_TRIES) throw new AppError('conflict', `report ${input.external_id} lost ${attempt} races for its case`);
  }
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown };
  return e?.code === '23505' && e.constraint === constraint;
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

/** A new case's triage card, less the case and report ids, which the statement adds. */
function triageMessage(input: ReportInput, typeName: string, queue: string, priority: string, due: DueTimes): Prisma.InputJsonObject {
  return {
    reportType: input.report_type,
    reportTypeName: typeName,
    surface: input.surface,
    queue,
    priority,
    firstActionDueAt: due.firstActionDueAt.toISOString(),
    resolutionDueAt: due.resolutionDueAt.toISOString(),
    contentRef: input.content_ref,
    jurisdiction: input.jurisdiction ?? null,
    mcpServer: input.mcp_server ?? null,
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
