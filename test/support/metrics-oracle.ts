import {
  assembleMetrics,
  catalogDimension,
  type Dimension,
  type FactRow,
  KINDS,
  type Kind,
  type MetricsQuery,
  type MetricsResult,
} from '../../src/domain/metrics/figures';
import { type Catalog, type FilterDimension, loadCatalog, type ResolvedFilters, resolveFilters } from '../../src/domain/metrics/filters';
import type { DateRange } from '../../src/domain/metrics/range';
import type { PrismaClient } from '../../src/generated/prisma/client';

// The test oracle of the metrics: the Postgres SQL that computed them before the analytics copy
// (issue 11), kept only to check the DuckDB statements against. It reaches every dimension through
// the record's own joins (a fact's case, queue and decision; a case's first decision by a lateral
// look-up), so a denormalized column of the copy that drifts from Postgres shows up as a difference.
// Same row shape and same assembly as the copy's statements.

/** How a fact reaches what it may need: its decision, its case, the case's queue or first decision. */
type Join = 'decision' | 'case' | 'queue' | 'firstDecision';
const JOIN_ORDER: readonly Join[] = ['decision', 'case', 'queue', 'firstDecision'];
type Attr = { expr: string; joins: Join[] };
type AttrDimension = Exclude<Dimension, 'day' | 'week'>;

type Source = {
  from: string;
  /** The case id, as seen from `from`. */
  caseId: string;
  /** True when `from` is the cases table itself, aliased c. */
  caseIsBase?: boolean;
  /** Appeals and QA reviews: how to reach their decision, aliased d (only joined when a filter or group needs it). */
  decision?: string;
  /** The instant that puts the fact in a range and in a day or week. */
  at: string;
  /** A predicate that lets Postgres reach `at` through an index whose leading column is something else. */
  reach?: string;
  attrs: Record<AttrDimension, Attr>;
  /** Inner columns the aggregates read. */
  columns: string;
  /** A column the rows are always split by (decisions: their action). */
  split?: string;
  aggregates: string;
};

// Ids, not keys: grouping on an integer is cheaper, and the caller maps ids back to keys.
// A case's surface, type and category are its first report's, kept on the case by a trigger on reports.
const OF_CASE: Record<AttrDimension, Attr> = {
  surface: { expr: 'c.surface_id', joins: ['case'] },
  type: { expr: 'c.report_type_id', joins: ['case'] },
  policy: { expr: 'c.category', joins: ['case'] },
  vendor: { expr: 'q.vendor_id', joins: ['case', 'queue'] },
  action: { expr: 'fd.action', joins: ['firstDecision'] },
};
const OF_DECISION: Record<AttrDimension, Attr> = {
  ...OF_CASE,
  policy: { expr: 'd.policy', joins: [] },
  action: { expr: 'd.action', joins: [] },
};
/** Appeals and QA reviews reach everything through their decision. */
const VIA_DECISION = Object.fromEntries(
  Object.entries(OF_DECISION).map(([dim, a]) => [dim, { expr: a.expr, joins: ['decision', ...a.joins] }]),
) as Record<AttrDimension, Attr>;

/**
 * The distinct values of an SLA state column, by a loose index scan: `state = ANY (…) AND at >= …`
 * turns cases(state, at) into a range scan per state, where a bare `at >= …` would read every case.
 * Exact whatever states exist, since it asks the table.
 */
const statesOf = (column: string) =>
  `ARRAY(WITH RECURSIVE s AS (SELECT (SELECT min(${column}) FROM cases) AS v
                              UNION ALL SELECT (SELECT min(${column}) FROM cases WHERE ${column} > s.v) FROM s WHERE s.v IS NOT NULL)
         SELECT v FROM s WHERE v IS NOT NULL)`;

const SOURCES: Record<Kind, Source> = {
  reports: {
    from: 'reports r',
    caseId: 'r.case_id',
    at: 'r.received_at',
    attrs: {
      ...OF_CASE,
      surface: { expr: 'r.surface_id', joins: [] },
      type: { expr: 'r.report_type_id', joins: [] },
      policy: { expr: 'r.category', joins: [] },
    },
    columns: '',
    aggregates: 'count(*)::int AS n',
  },
  decisions: {
    from: 'decisions d',
    caseId: 'd.case_id',
    at: 'd.decided_at',
    attrs: OF_DECISION,
    columns: ', d.action AS action, d.automated AS automated',
    split: 'action',
    aggregates: 'count(*)::int AS n, count(*) FILTER (WHERE automated)::int AS automated',
  },
  firstActions: {
    from: 'cases c',
    caseId: 'c.id',
    caseIsBase: true,
    at: 'c.first_action_at',
    reach: `c.first_action_state = ANY (${statesOf('first_action_state')})`,
    attrs: OF_CASE,
    // date_part gives float8 from the interval's exact microseconds; extract() would compute in numeric, far slower.
    columns: `, c.first_action_at <= c.first_action_due_at AS met,
                date_part('epoch', c.first_action_at - c.opened_at) * 1000 AS tta`,
    aggregates: `count(*)::int AS n, count(*) FILTER (WHERE met)::int AS met,
                 (percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY tta))[1] AS p50,
                 (percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY tta))[2] AS p90`,
  },
  resolutions: {
    from: 'cases c',
    caseId: 'c.id',
    caseIsBase: true,
    at: 'c.resolved_at',
    reach: `c.resolution_state = ANY (${statesOf('resolution_state')})`,
    attrs: OF_CASE,
    columns: ', c.resolved_at <= c.resolution_due_at AS met',
    aggregates: 'count(*)::int AS n, count(*) FILTER (WHERE met)::int AS met',
  },
  escalations: {
    from: 'escalations e',
    caseId: 'e.case_id',
    at: 'e.created_at',
    attrs: OF_CASE,
    columns: '',
    aggregates: 'count(*)::int AS n',
  },
  appeals: {
    from: 'appeals a',
    decision: 'JOIN decisions d ON d.id = a.decision_id',
    caseId: 'd.case_id',
    at: 'a.filed_at',
    attrs: VIA_DECISION,
    columns: ', a.outcome::text AS outcome',
    aggregates: `count(*)::int AS n, count(*) FILTER (WHERE outcome <> 'pending')::int AS resolved,
                 count(*) FILTER (WHERE outcome = 'overturned')::int AS overturned`,
  },
  qa: {
    from: 'qa_reviews qr',
    decision: 'JOIN decisions d ON d.id = qr.decision_id',
    caseId: 'd.case_id',
    at: 'qr.reviewed_at',
    attrs: VIA_DECISION,
    columns: ', qr.outcome::text AS outcome',
    aggregates: `count(*)::int AS n, count(*) FILTER (WHERE outcome = 'agree')::int AS agree`,
  },
};

function joinSql(join: Join, s: Source): string {
  switch (join) {
    case 'decision':
      return s.decision ?? '';
    case 'case':
      return s.caseIsBase ? '' : `LEFT JOIN cases c ON c.id = ${s.caseId}`;
    case 'queue':
      return 'LEFT JOIN queues q ON q.id = c.queue_id';
    // The first decision (earliest decided, then lowest id) gives a case its outcome. One index probe per case.
    case 'firstDecision':
      return `LEFT JOIN LATERAL (SELECT d1.action FROM decisions d1
                                  WHERE d1.case_id = ${s.caseId} ORDER BY d1.decided_at, d1.id LIMIT 1) fd ON true`;
  }
}

const FILTER_TYPE: Record<FilterDimension, string> = { surface: 'int', type: 'int', vendor: 'int', policy: 'text' };

/** One statement and its parameters: rows `{ grp, total, [split], …aggregates }`. */
function factQuery(kind: Kind, q: { range: DateRange; filters: ResolvedFilters; by?: Dimension }): { sql: string; params: unknown[] } {
  const s = SOURCES[kind];
  const params: unknown[] = [];
  const param = (value: unknown, type: string) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  const joins = new Set<Join>();
  const use = (a: Attr) => {
    for (const j of a.joins) joins.add(j);
    return a.expr;
  };

  const where = [`${s.at} >= ${param(q.range.start, 'timestamptz')}`, `${s.at} < ${param(q.range.end, 'timestamptz')}`];
  if (s.reach) where.unshift(s.reach);
  for (const [dim, value] of Object.entries(q.filters) as [FilterDimension, { id: number | string }][]) {
    where.push(`${use(s.attrs[dim])} = ${param(value.id, FILTER_TYPE[dim])}`);
  }

  let group = 'NULL::text';
  if (q.by === 'day') group = `to_char(${s.at} AT TIME ZONE ${param(q.range.timeZone, 'text')}, 'YYYY-MM-DD')`;
  // date_trunc('week') of a local timestamp is its Monday 00:00, local.
  else if (q.by === 'week') group = `to_char(date_trunc('week', ${s.at} AT TIME ZONE ${param(q.range.timeZone, 'text')}), 'YYYY-MM-DD')`;
  else if (q.by) group = `(${use(s.attrs[q.by])})::text`;

  const from = [s.from, ...JOIN_ORDER.filter((j) => joins.has(j) || (j === 'case' && joins.has('queue'))).map((j) => joinSql(j, s))]
    .filter(Boolean)
    .join('\n  ');
  const split = s.split ? `, ${s.split}` : '';
  const grouping = q.by ? `GROUP BY GROUPING SETS ((grp${split}), (${s.split ?? ''}))` : s.split ? `GROUP BY ${s.split}` : '';
  const sql = `SELECT ${q.by ? 'grp, GROUPING(grp) = 1' : 'NULL::text AS grp, true'} AS total${split}, ${s.aggregates}
  FROM (SELECT ${group} AS grp${s.columns}
          FROM ${from}
         WHERE ${where.join('\n           AND ')}) f
  ${grouping}`;
  return { sql, params };
}

// JIT compiling takes longer than these queries on test data; percentile sorts stay in memory.
const SESSION_SQL = "SELECT set_config('jit', 'off', true), set_config('work_mem', '32MB', true)";

/** The figures of a look-up, computed by Postgres alone. */
export async function oracleMetrics(db: PrismaClient, q: MetricsQuery): Promise<MetricsResult> {
  const filters = await resolveFilters({ db }, q.filters);
  const byCatalog = catalogDimension(q.by);
  const catalog: Catalog = byCatalog ? await loadCatalog({ db }, byCatalog) : new Map();
  // One REPEATABLE READ transaction: every statement counts the same facts, as the copy's one read does.
  const results = await db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(SESSION_SQL);
      const out: { kind: Kind; rows: FactRow[] }[] = [];
      for (const kind of KINDS) {
        const { sql, params } = factQuery(kind, { range: q.range, filters, by: q.by });
        out.push({ kind, rows: await tx.$queryRawUnsafe<FactRow[]>(sql, ...params) });
      }
      return out;
    },
    { isolationLevel: 'RepeatableRead', timeout: 120_000 },
  );
  return assembleMetrics(q, filters, catalog, results);
}
