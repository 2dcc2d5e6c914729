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

const OPEN = "f.status IN ('queued', 'in_review', 'escalated')";
const AT_RISK = "'at_risk' IN (f.first_action_state, f.resolution_state) AND 'breached' NOT IN (f.first_action_state, f.resolution_state)";
const BREACHED = "'breached' IN (f.first_action_state, f.resolution_state)";
/** Targets completed in [$since, $now): met when done by the due time, missed after it. */
const completed = (since: number, column: 'first_action' | 'resolution', met: boolean) => {
  const at = column === 'first_action' ? 'f.first_action_at' : 'f.resolved_at';
  const due = column === 'first_action' ? 'f.first_action_due_at' : 'f.resolution_due_at';
  return `count(*) FILTER (WHERE ${at} >= $${since} AND ${at} < $1 AND ${at} ${met ? '<=' : '>'} ${due})`;
};

/**
 * At-risk and breached open cases (as the last SLA scan left them), the oldest breach, and
 * attainment — met ÷ (met + missed) over targets completed in the period; open cases excluded.
 * One statement over the copy's cases: every figure counts the same cases.
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
      ? 'WHERE f.queue_id IN (SELECT id FROM queues WHERE vendor_id = CAST($4 AS INTEGER))'
      : 'WHERE f.queue_id = CAST($4 AS INTEGER)';
    scopeParam = vendor ? vendor.id : queue!.id;
    scope = vendor ? `vendor ${vendor.key}` : `queue ${queue!.key}`;
  }
  const today = startOfLocalDay(now, input.timeZone);
  const weekAgo = startOfLocalDay(new Date(today.getTime() - 6 * 86_400_000 + 12 * 3600_000), input.timeZone);
  const [row] = await deps.analytics.read((reader) =>
    reader.query<Record<string, number | Date | null>>(
      `SELECT count(*) FILTER (WHERE ${OPEN} AND ${AT_RISK}) AS at_risk,
              count(*) FILTER (WHERE ${OPEN} AND ${BREACHED}) AS breached,
              -- the earliest opened, then the lowest id
              arg_min(f.id, [epoch_ms(f.opened_at), f.id]) FILTER (WHERE ${OPEN} AND ${BREACHED}) AS oldest_id,
              min(f.opened_at) FILTER (WHERE ${OPEN} AND ${BREACHED}) AS oldest_at,
              ${completed(2, 'first_action', true)} AS fa_met_today, ${completed(2, 'first_action', false)} AS fa_missed_today,
              ${completed(2, 'resolution', true)} AS r_met_today, ${completed(2, 'resolution', false)} AS r_missed_today,
              ${completed(3, 'first_action', true)} AS fa_met_week, ${completed(3, 'first_action', false)} AS fa_missed_week,
              ${completed(3, 'resolution', true)} AS r_met_week, ${completed(3, 'resolution', false)} AS r_missed_week
         FROM cases f ${scopeSql}`,
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
