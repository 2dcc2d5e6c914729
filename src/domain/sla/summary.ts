import type { Analytics } from '../../analytics/types';
import { badInput } from '../../errors';
import type { DomainDeps } from '../deps';
import { startOfLocalDay } from '../time';

export type Attainment = { met: number; missed: number };
export type SlaSummary = {
  scope: string;
  atRisk: number;
  breached: number;
  oldestBreached: { caseId: number; openedAt: Date } | null;
  today: { firstAction: Attainment; resolution: Attainment };
  last7Days: { firstAction: Attainment; resolution: Attainment };
};

const EXAMPLE = '/trustops sla acme_review';

/** What the summary reads: vendors and queues from Postgres (the catalog), the figures from the analytics copy. */
export type SlaSummaryDeps = Pick<DomainDeps, 'db' | 'clock'> & { analytics: Pick<Analytics, 'read'> };

const OPEN = "status IN ('queued', 'in_review', 'escalated')";
const BREACHED = "'breached' IN (first_action_state, resolution_state)";
const AT_RISK = `'at_risk' IN (first_action_state, resolution_state) AND NOT ${BREACHED}`;

/**
 * Targets of one kind completed in the last 7 days ($3 ≤ at < $1), met when done by the due time, and
 * those of them completed today (≥ $2). Reads only the cases whose completion falls in the week.
 */
const completions = (kind: 'fa' | 'r', scope: string) => {
  const [at, due] = kind === 'fa' ? ['first_action_at', 'first_action_due_at'] : ['resolved_at', 'resolution_due_at'];
  return `SELECT count(*) FILTER (WHERE ${at} <= ${due}) AS ${kind}_met_week, count(*) FILTER (WHERE ${at} > ${due}) AS ${kind}_missed_week,
                 count(*) FILTER (WHERE ${at} >= $2 AND ${at} <= ${due}) AS ${kind}_met_today,
                 count(*) FILTER (WHERE ${at} >= $2 AND ${at} > ${due}) AS ${kind}_missed_today
            FROM cases WHERE ${at} >= $3 AND ${at} < $1${scope}`;
};

/**
 * At-risk and breached open cases (as the last SLA scan left them), the oldest breach, and
 * attainment — met ÷ (met + missed) over targets completed in the period; open cases excluded.
 * One statement over the copy's cases: every figure counts the same cases. The scope (a vendor or a
 * queue) is checked on Postgres, the record.
 */
export async function slaSummary(deps: SlaSummaryDeps, input: { scope?: string; timeZone: string }): Promise<SlaSummary> {
  const now = deps.clock.now();
  let scopeSql = '';
  let scopeParam: number | undefined;
  let scope = 'all queues';
  if (input.scope) {
    const vendor = await deps.db.vendor.findUnique({ where: { key: input.scope } });
    const queue = vendor ? null : await deps.db.queue.findUnique({ where: { key: input.scope } });
    if (!vendor && !queue) {
      const [vendors, queues] = await Promise.all([
        deps.db.vendor.findMany({ orderBy: { key: 'asc' } }),
        deps.db.queue.findMany({ orderBy: { key: 'asc' } }),
      ]);
      throw badInput(
        `\`${input.scope}\` is neither a vendor nor a queue. Vendors: ${vendors.map((v) => v.key).join(', ')}. Queues: ${queues.map((q) => q.key).join(', ')}.`,
        EXAMPLE,
      );
    }
    // A vendor's cases are those in its queues now, as in the metrics.
    scopeSql = vendor
      ? ' AND queue_id IN (SELECT id FROM queues WHERE vendor_id = CAST($4 AS INTEGER))'
      : ' AND queue_id = CAST($4 AS INTEGER)';
    scopeParam = vendor ? vendor.id : queue!.id;
    scope = vendor ? `vendor ${vendor.key}` : `queue ${queue!.key}`;
  }
  const today = startOfLocalDay(now, input.timeZone);
  const weekAgo = startOfLocalDay(new Date(today.getTime() - 6 * 86_400_000 + 12 * 3600_000), input.timeZone);
  // Open cases are few and completions of the week a narrow time slice: each part reads only its own rows.
  const [row] = await deps.analytics.read((reader) =>
    reader.query<Record<string, number | Date | null>>(
      `WITH open AS (SELECT id, opened_at, first_action_state, resolution_state FROM cases WHERE ${OPEN}${scopeSql})
       SELECT * FROM (SELECT count(*) FILTER (WHERE ${AT_RISK}) AS at_risk, count(*) FILTER (WHERE ${BREACHED}) AS breached FROM open) o
         LEFT JOIN (SELECT id AS oldest_id, opened_at AS oldest_at FROM open WHERE ${BREACHED} ORDER BY opened_at, id LIMIT 1) b ON true
         CROSS JOIN (${completions('fa', scopeSql)}) fa
         CROSS JOIN (${completions('r', scopeSql)}) r`,
      scopeParam === undefined ? [now, today, weekAgo] : [now, today, weekAgo, scopeParam],
    ),
  );
  const n = (key: string) => Number(row?.[key] ?? 0);
  const attainment = (period: 'today' | 'week') => ({
    firstAction: { met: n(`fa_met_${period}`), missed: n(`fa_missed_${period}`) },
    resolution: { met: n(`r_met_${period}`), missed: n(`r_missed_${period}`) },
  });
  const oldestId = row?.oldest_id;
  return {
    scope,
    atRisk: n('at_risk'),
    breached: n('breached'),
    oldestBreached: oldestId === null || oldestId === undefined ? null : { caseId: Number(oldestId), openedAt: row!.oldest_at as Date },
    today: attainment('today'),
    last7Days: attainment('week'),
  };
}
