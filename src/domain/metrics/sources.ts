import type { AnalyticsParam } from '../../analytics/types';
import { localTimeSql } from '../local-time-sql';
import type { Dimension, FilterDimension, ResolvedFilters } from './filters';
import type { DateRange } from './range';

// The DuckDB SQL behind the figures: one aggregate statement per kind of fact (reports, decisions,
// first actions, resolutions, escalations, appeals, QA reviews), over the analytics copy. Every fact
// table of the copy carries its case's dimensions (first report's surface, type and category, queue,
// first decision's action), so a statement reads one table and joins only the tiny queues table, for
// the vendor. Each returns one row per group plus the total (GROUPING SETS), percentiles included.

/** The group of a fact that has no value for the dimension (a case with no report, an undecided case). */
export const NONE = '(none)';

export type Kind = 'reports' | 'decisions' | 'firstActions' | 'resolutions' | 'escalations' | 'appeals' | 'qa';

type AttrDimension = Exclude<Dimension, 'day' | 'week' | 'vendor'>;

type Source = {
  table: string;
  /** The instant that puts the fact in a range and in a day or week. */
  at: string;
  /** The column holding each dimension's value (ids for surface and type, keys for policy and action). */
  attrs: Record<AttrDimension, string>;
  /** The case's queue, whose vendor is the fact's vendor. */
  queue: string;
  /** Inner columns the aggregates read. */
  columns: string;
  /** A column the rows are always split by (decisions: their action). */
  split?: string;
  aggregates: string;
  /** Columns computed from the aggregate `p` (a list of percentiles), which is then left out. */
  unpack?: string;
};

// A case's surface, type and category are its first report's; facts about a case carry them as case_*.
const OF_CASE_ROW: Record<AttrDimension, string> = {
  surface: 'surface_id',
  type: 'report_type_id',
  policy: 'category',
  action: 'first_decision_action',
};
/** Appeals and QA reviews: their decision's policy and action, their case's surface and type. */
const OF_DECISION_FACT: Record<AttrDimension, string> = {
  surface: 'case_surface_id',
  type: 'case_report_type_id',
  policy: 'decision_policy',
  action: 'decision_action',
};

const SOURCES: Record<Kind, Source> = {
  reports: {
    table: 'reports',
    at: 'received_at',
    attrs: { surface: 'surface_id', type: 'report_type_id', policy: 'category', action: 'case_first_decision_action' },
    queue: 'case_queue_id',
    columns: '',
    aggregates: 'count(*) AS n',
  },
  decisions: {
    table: 'decisions',
    at: 'decided_at',
    attrs: { surface: 'case_surface_id', type: 'case_report_type_id', policy: 'policy', action: 'action' },
    queue: 'case_queue_id',
    columns: ', f.action AS action, f.automated AS automated',
    split: 'action',
    aggregates: 'count(*) AS n, count(*) FILTER (WHERE automated) AS automated',
  },
  firstActions: {
    table: 'cases',
    at: 'first_action_at',
    attrs: OF_CASE_ROW,
    queue: 'queue_id',
    // Whole milliseconds (the record keeps no finer) as BIGINT: quantile_cont interpolates it into a DOUBLE
    // (DuckDB ≥ 1.5) and selects on integers about twice as fast as on doubles.
    columns: `, f.first_action_at <= f.first_action_due_at AS met, epoch_ms(f.first_action_at) - epoch_ms(f.opened_at) AS tta`,
    // One selection for both percentiles.
    aggregates: 'count(*) AS n, count(*) FILTER (WHERE met) AS met, quantile_cont(tta, [0.5, 0.9]) AS p',
    unpack: 'p[1] AS p50, p[2] AS p90',
  },
  resolutions: {
    table: 'cases',
    at: 'resolved_at',
    attrs: OF_CASE_ROW,
    queue: 'queue_id',
    columns: ', f.resolved_at <= f.resolution_due_at AS met',
    aggregates: 'count(*) AS n, count(*) FILTER (WHERE met) AS met',
  },
  escalations: {
    table: 'escalations',
    at: 'created_at',
    attrs: { surface: 'case_surface_id', type: 'case_report_type_id', policy: 'case_category', action: 'case_first_decision_action' },
    queue: 'case_queue_id',
    columns: '',
    aggregates: 'count(*) AS n',
  },
  appeals: {
    table: 'appeals',
    at: 'filed_at',
    attrs: OF_DECISION_FACT,
    queue: 'case_queue_id',
    columns: ', f.outcome AS outcome',
    aggregates: `count(*) AS n, count(*) FILTER (WHERE outcome <> 'pending') AS resolved,
                 count(*) FILTER (WHERE outcome = 'overturned') AS overturned`,
  },
  qa: {
    table: 'qa_reviews',
    at: 'reviewed_at',
    attrs: OF_DECISION_FACT,
    queue: 'case_queue_id',
    columns: ', f.outcome AS outcome',
    aggregates: `count(*) AS n, count(*) FILTER (WHERE outcome = 'agree') AS agree`,
  },
};

export const KINDS = Object.keys(SOURCES) as Kind[];

const CATALOG_TABLES = { surface: 'surfaces', type: 'report_types', vendor: 'vendors' } as const;

/** The keys and ids of a catalog the groups of a look-up are listed from: rows `{ key, id }`. */
export const catalogQuery = (dim: keyof typeof CATALOG_TABLES) => `SELECT key, id FROM ${CATALOG_TABLES[dim]}`;

/** One statement and its parameters: rows `{ grp, total, [split], …aggregates }`, grp as text (an id for catalog dimensions). */
export function factQuery(
  kind: Kind,
  q: { range: DateRange; filters: ResolvedFilters; by?: Dimension },
): { sql: string; params: AnalyticsParam[] } {
  const s = SOURCES[kind];
  const params: AnalyticsParam[] = [];
  const param = (value: AnalyticsParam, type?: string) => {
    params.push(value);
    return type ? `CAST($${params.length} AS ${type})` : `$${params.length}`;
  };
  let vendor = false;
  const column = (dim: FilterDimension | 'action') => {
    if (dim !== 'vendor') return `f.${s.attrs[dim]}`;
    vendor = true;
    return 'q.vendor_id';
  };

  const at = `f.${s.at}`;
  const where = [`${at} >= ${param(q.range.start)}`, `${at} < ${param(q.range.end)}`];
  for (const [dim, value] of Object.entries(q.filters) as [FilterDimension, { id: number | string }][]) {
    where.push(`${column(dim)} = ${param(value.id, dim === 'policy' ? 'VARCHAR' : 'INTEGER')}`);
  }

  // Days and weeks group on a DATE (cheaper than text), turned into 'YYYY-MM-DD' after grouping;
  // date_trunc('week') of a local timestamp is its Monday, local.
  let group = 'NULL';
  if (q.by === 'day') group = `CAST(${localTimeSql(at, q.range.start, q.range.end, q.range.timeZone)} AS DATE)`;
  else if (q.by === 'week') group = `CAST(date_trunc('week', ${localTimeSql(at, q.range.start, q.range.end, q.range.timeZone)}) AS DATE)`;
  else if (q.by) group = column(q.by);

  const from = vendor ? `${s.table} f LEFT JOIN queues q ON q.id = f.${s.queue}` : `${s.table} f`;
  const split = s.split ? `, ${s.split}` : '';
  const grouping = q.by ? `GROUP BY GROUPING SETS ((grp${split}), (${s.split ?? ''}))` : s.split ? `GROUP BY ${s.split}` : '';
  const inner = `SELECT ${q.by ? 'grp, GROUPING(grp) = 1' : 'NULL AS grp, true'} AS total${split}, ${s.aggregates}
  FROM (SELECT ${group} AS grp${s.columns}
          FROM ${from}
         WHERE ${where.join('\n           AND ')}) f
  ${grouping}`;
  const sql = `SELECT * ${s.unpack ? 'EXCLUDE (p) ' : ''}REPLACE (CAST(grp AS VARCHAR) AS grp)${s.unpack ? `, ${s.unpack}` : ''}
  FROM (${inner}) g`;
  return { sql, params };
}
