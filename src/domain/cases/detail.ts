import { AppError } from '../../errors';
import type { Actor, DomainDeps } from '../deps';
import { requireRole } from '../roles/roles';

export const CASE_EXAMPLE = '/trustops case 1234';

/** Everything the record holds about a case, except reported content and reporter contact. */
export type CaseDetail = {
  caseId: number;
  status: string;
  queue: string;
  vendor: string;
  priority: string;
  assignee: string | null;
  openedAt: string;
  firstActionDueAt: string;
  firstActionState: string;
  resolutionDueAt: string;
  resolutionState: string;
  reports: { id: number; externalId: string; surface: string; type: string; category: string | null; receivedAt: string }[];
  decisions: {
    id: number;
    action: string;
    policy: string;
    actorType: string;
    automated: boolean;
    decidedAt: string;
    appeals: number;
    qaReviews: number;
  }[];
  escalations: {
    id: number;
    severity: string;
    status: string;
    requestedBy: string;
    createdAt: string;
    decidedBy: string | null;
    votes: number;
  }[];
  timeline: { at: string; actor: string; action: string; entity: string; summary: string }[];
};

// The audit trail of a case is its own events plus those of its reports, decisions and escalations.
const TIMELINE_SQL = `
SELECT created_at AS at, actor, action, entity_type || ':' || entity_id AS entity, after
  FROM audit_events
 WHERE (entity_type = 'case' AND entity_id = $1)
    OR (entity_type = 'report' AND entity_id = ANY($2::text[]))
    OR (entity_type = 'decision' AND entity_id = ANY($3::text[]))
    OR (entity_type = 'escalation' AND entity_id = ANY($4::text[]))
 ORDER BY created_at, id
 LIMIT 1000`;

/** The facts of an audit event in one short line: its after-state's scalar fields. */
function summarise(after: unknown): string {
  if (!after || typeof after !== 'object') return '';
  return Object.entries(after as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ')
    .slice(0, 300);
}

/** Analysts and above; the role is checked first, so a refusal never tells whether the case exists. */
export async function getCaseDetail(deps: DomainDeps, actor: Actor, caseId: number): Promise<CaseDetail> {
  await requireRole(deps, actor, 'analyst', 'see case details');
  const c = await deps.db.case.findUnique({
    where: { id: caseId },
    include: {
      queue: { include: { vendor: true } },
      reports: { orderBy: { id: 'asc' }, include: { surface: true, reportType: true } },
      decisions: { orderBy: { id: 'asc' }, include: { _count: { select: { appeals: true, qaReviews: true } } } },
      escalations: { orderBy: { id: 'asc' }, include: { _count: { select: { votes: true } } } },
    },
  });
  if (!c) throw new AppError('not_found', `There is no case ${caseId}.`, CASE_EXAMPLE);
  const ids = (rows: { id: number }[]) => rows.map((r) => String(r.id));
  const timeline = await deps.db.$queryRawUnsafe<{ at: Date; actor: string; action: string; entity: string; after: unknown }[]>(
    TIMELINE_SQL,
    String(c.id),
    ids(c.reports),
    ids(c.decisions),
    ids(c.escalations),
  );
  return {
    caseId: c.id,
    status: c.status,
    queue: c.queue.key,
    vendor: c.queue.vendor.name,
    priority: c.priority,
    assignee: c.assignee,
    openedAt: c.openedAt.toISOString(),
    firstActionDueAt: c.firstActionDueAt.toISOString(),
    firstActionState: c.firstActionState,
    resolutionDueAt: c.resolutionDueAt.toISOString(),
    resolutionState: c.resolutionState,
    reports: c.reports.map((r) => ({
      id: r.id,
      externalId: r.externalId,
      surface: r.surface.key,
      type: r.reportType.key,
      category: r.category,
      receivedAt: r.receivedAt.toISOString(),
    })),
    decisions: c.decisions.map((d) => ({
      id: d.id,
      action: d.action,
      policy: d.policy,
      actorType: d.actorType,
      automated: d.automated,
      decidedAt: d.decidedAt.toISOString(),
      appeals: d._count.appeals,
      qaReviews: d._count.qaReviews,
    })),
    escalations: c.escalations.map((e) => ({
      id: e.id,
      severity: e.severity,
      status: e.status,
      requestedBy: e.requestedBy,
      createdAt: e.createdAt.toISOString(),
      decidedBy: e.decidedBy,
      votes: e._count.votes,
    })),
    timeline: timeline.map((t) => ({
      at: t.at.toISOString(),
      actor: t.actor,
      action: t.action,
      entity: t.entity,
      summary: summarise(t.after),
    })),
  };
}
