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

/**
 * At-risk and breached open cases (as the last SLA scan left them), the oldest breach, and
 * attainment — met ÷ (met + missed) over targets completed in the period; open cases excluded.
 */
export async function slaSummary(deps: Pick<DomainDeps, 'db' | 'clock'>, input: { scope?: string; timeZone: string }): Promise<SlaSummary> {
  const now = deps.clock.now();
  let queueIds: number[] | null = null;
  let scope = 'all queues';
  if (input.scope) {
    const vendor = await deps.db.vendor.findUnique({ where: { key: input.scope }, include: { queues: true } });
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
    queueIds = vendor ? vendor.queues.map((q) => q.id) : [queue!.id];
    scope = vendor ? `vendor ${vendor.key}` : `queue ${queue!.key}`;
  }
  const inScope = queueIds ? 'AND c.queue_id = ANY($1::int[])' : 'AND $1::int[] IS NULL';
  const [open] = await deps.db.$queryRawUnsafe<{ at_risk: number; breached: number; oldest_id: number | null; oldest_at: Date | null }[]>(
    `WITH o AS (
       SELECT c.id, c.opened_at, c.first_action_state, c.resolution_state FROM cases c
        WHERE c.status IN ('queued', 'in_review', 'escalated') ${inScope})
     SELECT (SELECT count(*) FROM o WHERE 'at_risk' IN (first_action_state, resolution_state)
                                      AND 'breached' NOT IN (first_action_state, resolution_state))::int AS at_risk,
            (SELECT count(*) FROM o WHERE 'breached' IN (first_action_state, resolution_state))::int AS breached,
            b.id AS oldest_id, b.opened_at AS oldest_at
       FROM (SELECT 1) one
       LEFT JOIN LATERAL (SELECT id, opened_at FROM o WHERE 'breached' IN (first_action_state, resolution_state) ORDER BY opened_at LIMIT 1) b ON true`,
    queueIds,
  );
  const attainment = async (since: Date) => {
    const [row] = await deps.db.$queryRawUnsafe<{ fa_met: number; fa_missed: number; r_met: number; r_missed: number }[]>(
      `SELECT count(*) FILTER (WHERE c.first_action_at >= $2 AND c.first_action_at < $3 AND c.first_action_at <= c.first_action_due_at)::int AS fa_met,
              count(*) FILTER (WHERE c.first_action_at >= $2 AND c.first_action_at < $3 AND c.first_action_at > c.first_action_due_at)::int AS fa_missed,
              count(*) FILTER (WHERE c.resolved_at >= $2 AND c.resolved_at < $3 AND c.resolved_at <= c.resolution_due_at)::int AS r_met,
              count(*) FILTER (WHERE c.resolved_at >= $2 AND c.resolved_at < $3 AND c.resolved_at > c.resolution_due_at)::int AS r_missed
         FROM cases c
        WHERE (c.first_action_at >= $2 OR c.resolved_at >= $2) ${inScope}`,
      queueIds,
      since,
      now,
    );
    return {
      firstAction: { met: row?.fa_met ?? 0, missed: row?.fa_missed ?? 0 },
      resolution: { met: row?.r_met ?? 0, missed: row?.r_missed ?? 0 },
    };
  };
  const today = startOfLocalDay(now, input.timeZone);
  const weekAgo = startOfLocalDay(new Date(today.getTime() - 6 * 86_400_000 + 12 * 3600_000), input.timeZone);
  return {
    scope,
    atRisk: open?.at_risk ?? 0,
    breached: open?.breached ?? 0,
    oldestBreached: open?.oldest_id ? { caseId: open.oldest_id, openedAt: open.oldest_at! } : null,
    today: await attainment(today),
    last7Days: await attainment(weekAgo),
  };
}
