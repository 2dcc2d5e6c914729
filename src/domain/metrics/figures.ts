import type { Analytics } from '../../analytics/types';
import type { DomainDeps } from '../deps';
import { addDays, localDate, mondayOf } from '../time';
import { type Catalog, type Dimension, type MetricsFilters, type ResolvedFilters, resolveFilters } from './filters';
import type { DateRange } from './range';
import { catalogQuery, factQuery, KINDS, type Kind, NONE } from './sources';

export { DIMENSIONS, type Dimension, FILTER_DIMENSIONS, type MetricsFilters, parseDimension, validateFilters } from './filters';
export { KINDS, type Kind, NONE } from './sources';

/**
 * Enforcement figures over a half-open range [start, end). Each figure counts one kind of fact, put in
 * the range (and in a day or week) by one instant of its own:
 *
 * - reportsReceived — reports whose received_at is in range.
 * - decisions, actionsByType, actionRate, automated — decisions whose decided_at is in range.
 *   actionsByType counts every action, no_violation included (its values add up to `decisions`);
 *   actionRate = decisions whose action ≠ no_violation ÷ decisions; automated = decisions flagged
 *   automated, human = the others, share = automated ÷ decisions.
 * - casesDecided, resolutionSla — cases whose resolved_at (set by their first decision) is in range:
 *   each case counts once, in the period it was first decided, so adjacent ranges add up.
 *   resolutionSla.met = those resolved at or before resolution_due_at.
 * - timeToAction, firstActionSla — cases whose first_action_at is in range. Time to action is
 *   first_action_at − opened_at; median and p90 are continuous percentiles (percentile_cont: linear
 *   interpolation between the two nearest cases), exact over every case, never averaged.
 *   firstActionSla.met = those acted on at or before first_action_due_at. Due times are fixed at
 *   opening on the case's business-hours calendar, so paused time never counts.
 * - escalations — escalations whose created_at is in range.
 * - appeals — appeals whose filed_at is in range (a cohort); resolved = those of them decided by now
 *   (upheld or overturned), overturnRate = overturned ÷ resolved.
 * - qa — QA reviews whose reviewed_at is in range; accuracy = agree ÷ reviewed.
 *
 * Every rate is null when its denominator is 0 (shown as "—"), never NaN.
 *
 * Filters and groups. Every fact has exactly one value per dimension; a filter keeps the facts with
 * that value and `by:` partitions facts by it, so a filtered look-up equals the matching group and
 * the groups of every count add up to the total.
 * - A case's surface, type and policy are those of its first report (earliest received_at, then lowest
 *   id): a case reported from two surfaces counts once, under the surface it was first reported on.
 *   Case facts (time to action, SLA, cases decided, escalations) use them — policy being the category
 *   the case was reported under, as the DSA's "time to action by type of alleged illegal content".
 * - A report's surface, type and policy (its category) are its own.
 * - A decision's policy and action are its own; appeals and QA reviews take their decision's.
 *   Decisions, appeals and QA reviews take surface and type from their case.
 * - Vendor: the vendor of the case's (current) queue, for every fact.
 * - Action, for facts that are not decisions (reports, cases, escalations): the action of the case's
 *   first decision (earliest decided_at, then lowest id), i.e. how the case turned out.
 * - day / week: the local date of the fact's own instant in the range's time zone; weeks start on
 *   Monday, local, and are keyed by that Monday (the first and last may be partial).
 * A fact with no value (a case without a decision, for `by:action`) falls in the group `(none)`.
 */
export type Figures = {
  reportsReceived: number;
  decisions: number;
  casesDecided: number;
  actionsByType: Record<string, number>;
  actionRate: number | null;
  timeToAction: { medianMs: number | null; p90Ms: number | null; n: number };
  firstActionSla: Attainment;
  resolutionSla: Attainment;
  escalations: number;
  appeals: { filed: number; resolved: number; overturned: number; overturnRate: number | null };
  automated: { automated: number; human: number; share: number | null };
  qa: { reviewed: number; agree: number; accuracy: number | null };
};
export type Attainment = { met: number; total: number; rate: number | null };

export type MetricsQuery = { range: DateRange; filters: MetricsFilters; by?: Dimension };
export type MetricsResult = { query: MetricsQuery; total: Figures; groups?: { key: string; figures: Figures }[] };

const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);

/** Raw counts per group as SQL returns them; figures are derived at the end. */
type Counts = {
  reports: number;
  decisionsByAction: Map<string, { n: number; automated: number }>;
  firstActions: { n: number; met: number; p50: number | null; p90: number | null };
  resolutions: { n: number; met: number };
  escalations: number;
  appeals: { n: number; resolved: number; overturned: number };
  qa: { n: number; agree: number };
};

const emptyCounts = (): Counts => ({
  reports: 0,
  decisionsByAction: new Map(),
  firstActions: { n: 0, met: 0, p50: null, p90: null },
  resolutions: { n: 0, met: 0 },
  escalations: 0,
  appeals: { n: 0, resolved: 0, overturned: 0 },
  qa: { n: 0, agree: 0 },
});

/** A row of a fact statement: its group (null in the total, or for a fact with no value), then aggregates. */
export type FactRow = { grp: string | null; total: boolean } & Record<string, unknown>;
const num = (v: unknown) => Number(v ?? 0);
// Interpolated percentiles carry float noise (…000.0000001): keep microseconds, exactly what ms values can mean.
const msOrNull = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 1000) / 1000);

function add(kind: Kind, c: Counts, row: FactRow): void {
  switch (kind) {
    case 'reports':
      c.reports = num(row.n);
      return;
    case 'decisions':
      c.decisionsByAction.set(String(row.action), { n: num(row.n), automated: num(row.automated) });
      return;
    case 'firstActions':
      c.firstActions = { n: num(row.n), met: num(row.met), p50: msOrNull(row.p50), p90: msOrNull(row.p90) };
      return;
    case 'resolutions':
      c.resolutions = { n: num(row.n), met: num(row.met) };
      return;
    case 'escalations':
      c.escalations = num(row.n);
      return;
    case 'appeals':
      c.appeals = { n: num(row.n), resolved: num(row.resolved), overturned: num(row.overturned) };
      return;
    case 'qa':
      c.qa = { n: num(row.n), agree: num(row.agree) };
      return;
  }
}

function figuresOf(c: Counts): Figures {
  const actions = [...c.decisionsByAction.entries()].sort(([a], [b]) => a.localeCompare(b));
  const decisions = actions.reduce((sum, [, v]) => sum + v.n, 0);
  const automated = actions.reduce((sum, [, v]) => sum + v.automated, 0);
  const noViolation = c.decisionsByAction.get('no_violation')?.n ?? 0;
  return {
    reportsReceived: c.reports,
    decisions,
    casesDecided: c.resolutions.n,
    actionsByType: Object.fromEntries(actions.map(([action, v]) => [action, v.n])),
    actionRate: ratio(decisions - noViolation, decisions),
    timeToAction: { medianMs: c.firstActions.p50, p90Ms: c.firstActions.p90, n: c.firstActions.n },
    firstActionSla: { met: c.firstActions.met, total: c.firstActions.n, rate: ratio(c.firstActions.met, c.firstActions.n) },
    resolutionSla: { met: c.resolutions.met, total: c.resolutions.n, rate: ratio(c.resolutions.met, c.resolutions.n) },
    escalations: c.escalations,
    appeals: {
      filed: c.appeals.n,
      resolved: c.appeals.resolved,
      overturned: c.appeals.overturned,
      overturnRate: ratio(c.appeals.overturned, c.appeals.resolved),
    },
    automated: { automated, human: decisions - automated, share: ratio(automated, decisions) },
    qa: { reviewed: c.qa.n, agree: c.qa.agree, accuracy: ratio(c.qa.agree, c.qa.n) },
  };
}

/** Every day (or week) the range touches, so days without facts still show, as zeros. */
function calendarKeys(range: DateRange, by: 'day' | 'week'): string[] {
  const keys: string[] = [];
  if (range.end <= range.start) return keys;
  const last = localDate(new Date(range.end.getTime() - 1), range.timeZone);
  for (let day = localDate(range.start, range.timeZone); day <= last; day = addDays(day, 1)) {
    const key = by === 'day' ? day : mondayOf(day);
    if (keys[keys.length - 1] !== key) keys.push(key);
  }
  return keys;
}

/** What a look-up reads: the catalogs (Postgres) and the facts (the analytics copy). */
export type MetricsDeps = Pick<DomainDeps, 'db'> & { analytics: Pick<Analytics, 'read'> };

/** The dimension whose catalog (surfaces, report types, vendors) maps group ids back to keys. */
export const catalogDimension = (by: Dimension | undefined) => (by === 'surface' || by === 'type' || by === 'vendor' ? by : undefined);

/**
 * The figures for a range, optionally filtered and grouped (see Figures for what each one counts).
 * Unknown filter values ⇒ bad input listing the valid ones (checked on Postgres, the record). The facts,
 * and the keys of the groups, come from the analytics copy in one read: seven aggregate statements
 * and a catalog that all see the same facts.
 */
export async function computeMetrics(deps: MetricsDeps, q: MetricsQuery): Promise<MetricsResult> {
  const filters = await resolveFilters(deps, q.filters);
  const byCatalog = catalogDimension(q.by);
  const { catalog, results } = await deps.analytics.read(async (reader) => {
    const results: { kind: Kind; rows: FactRow[] }[] = [];
    // One connection runs one statement at a time; each statement uses every thread DuckDB has.
    for (const kind of KINDS) {
      const { sql, params } = factQuery(kind, { range: q.range, filters, by: q.by });
      results.push({ kind, rows: await reader.query<FactRow>(sql, params) });
    }
    const keys = byCatalog ? await reader.query<{ key: string; id: number }>(catalogQuery(byCatalog)) : [];
    const catalog: Catalog = new Map(keys.map((r) => [r.key, r.id]));
    return { catalog, results };
  });
  return assembleMetrics(q, filters, catalog, results);
}

/**
 * Figures from the rows of the seven fact statements (see factQuery for their shape): groups keyed by
 * catalog key, every surface, type or vendor (within the filter) and every day or week of the range
 * listed even at zero, `(none)` last.
 */
export function assembleMetrics(
  q: MetricsQuery,
  filters: ResolvedFilters,
  catalog: Catalog,
  results: readonly { kind: Kind; rows: readonly FactRow[] }[],
): MetricsResult {
  const query: MetricsQuery = { ...q, filters: Object.fromEntries(Object.entries(filters).map(([d, v]) => [d, v.key])) };
  const byCatalog = catalogDimension(q.by);
  // Catalog groups come back as ids: map them to keys.
  const keyOfId = new Map([...catalog].map(([key, id]) => [String(id), key]));
  const keyOf = (grp: string | null) => (grp === null ? NONE : (keyOfId.get(grp) ?? grp));
  const total = emptyCounts();
  const groups = new Map<string, Counts>();
  const listed =
    q.by === 'day' || q.by === 'week'
      ? calendarKeys(q.range, q.by)
      : byCatalog
        ? [...catalog.keys()].filter((k) => !filters[byCatalog] || filters[byCatalog].key === k)
        : [];
  for (const key of listed) groups.set(key, emptyCounts());
  for (const { kind, rows } of results) {
    for (const row of rows) {
      if (row.total) {
        add(kind, total, row);
        continue;
      }
      const key = keyOf(row.grp);
      if (!groups.has(key)) groups.set(key, emptyCounts());
      add(kind, groups.get(key)!, row);
    }
  }
  if (!q.by) return { query, total: figuresOf(total) };
  const order = (a: string, b: string) => (a === NONE ? 1 : b === NONE ? -1 : a < b ? -1 : a > b ? 1 : 0);
  return {
    query,
    total: figuresOf(total),
    groups: [...groups.keys()].sort(order).map((key) => ({ key, figures: figuresOf(groups.get(key)!) })),
  };
}
