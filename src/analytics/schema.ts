// The tables of the analytics copy: one entry per table. Each gives its DuckDB columns, from which both the
// DuckDB DDL and the Postgres SELECT that produces its rows (initial load and catch-up alike) are made, and,
// for facts, the denormalized columns kept by the sync. A new table (e.g. copyright notices) is an entry
// here plus its capture triggers in a migration (see prisma/migrations/*_analytics_changes).

export type ColumnType = 'INTEGER' | 'BIGINT' | 'VARCHAR' | 'BOOLEAN' | 'TIMESTAMPTZ' | 'DOUBLE';

/** A column copied from Postgres: its name (the same in both) and DuckDB type; `pg` when it needs an expression. */
export type Column = { name: string; type: ColumnType; pg?: string };

/**
 * Denormalized columns, each an expression over the row `x` and `joins` (FROM-clause joins from `x`). In
 * `joins`, `{decisions}` and `{reports}` stand for the rows to read (SOURCES): the raw rows during a build
 * (the tables are not there yet), only those of the cases being refreshed during a catch-up. `parent` says which change makes a row stale besides its own:
 * the change of the case (`cases`) or decision (`decisions`) its `via` column points at.
 */
export type Derived = {
  columns: readonly (Column & { expr: string })[];
  joins: string;
  parent: 'cases' | 'decisions';
  via: string;
};

export type CopiedTable = {
  name: string;
  kind: 'fact' | 'dimension';
  columns: readonly Column[];
  derived?: Derived;
  /** Facts: the column whose UTC day `analytics:verify` counts by. */
  day?: string;
  /** Facts whose changes make their parent's derived columns stale (a decision or report: its case's firsts). */
  marks?: { parent: 'cases'; via: string };
};

const int = (name: string): Column => ({ name, type: 'INTEGER' });
const text = (name: string): Column => ({ name, type: 'VARCHAR' });
const ts = (name: string): Column => ({ name, type: 'TIMESTAMPTZ' });
const bool = (name: string): Column => ({ name, type: 'BOOLEAN' });
const dbl = (name: string): Column => ({ name, type: 'DOUBLE' });

const from = (column: Column, expr: string) => ({ ...column, expr });

/** The decision and case columns appeals and QA reviews carry, from their decision. */
const DECISION_DERIVED: Derived = {
  columns: [
    from(int('case_id'), 'd.case_id'),
    from(text('decision_action'), 'd.action'),
    from(text('decision_policy'), 'd.policy'),
    from(bool('decision_automated'), 'd.automated'),
    from(ts('decision_decided_at'), 'd.decided_at'),
    from(int('case_surface_id'), 'd.case_surface_id'),
    from(int('case_report_type_id'), 'd.case_report_type_id'),
    from(text('case_category'), 'd.case_category'),
    from(int('case_queue_id'), 'd.case_queue_id'),
  ],
  joins: 'LEFT JOIN decisions d ON d.id = x.decision_id',
  parent: 'decisions',
  via: 'decision_id',
};

/** `{cases}`: the cases table, or during a catch-up the affected cases it fetched once (see joinsOf). */
const CASE_JOIN = 'LEFT JOIN {cases} c ON c.id = x.case_id';
/** The case's dimensions (its first report's surface, type and category, and its queue) as facts about a case carry them. */
const CASE_DIMENSIONS = [
  from(int('case_surface_id'), 'c.surface_id'),
  from(int('case_report_type_id'), 'c.report_type_id'),
  from(text('case_category'), 'c.category'),
  from(int('case_queue_id'), 'c.queue_id'),
];

/**
 * In dependency order: dimensions first, then cases (its first decision reads decisions' own columns),
 * then facts that read cases' columns, then facts that read decisions' derived columns.
 */
export const TABLES: readonly CopiedTable[] = [
  { name: 'surfaces', kind: 'dimension', columns: [int('id'), text('key'), text('name'), bool('active')] },
  { name: 'report_types', kind: 'dimension', columns: [int('id'), text('key'), text('name'), bool('urgent')] },
  {
    name: 'vendors',
    kind: 'dimension',
    columns: [
      int('id'),
      text('key'),
      text('name'),
      text('timezone'),
      dbl('first_action_target'),
      dbl('resolution_target'),
      dbl('qa_accuracy_target'),
    ],
  },
  { name: 'queues', kind: 'dimension', columns: [int('id'), text('key'), text('name'), int('vendor_id'), int('minutes_per_case')] },
  {
    name: 'sla_policies',
    kind: 'dimension',
    columns: [
      int('id'),
      int('queue_id'),
      text('priority'),
      int('version'),
      int('first_action_minutes'),
      int('resolution_minutes'),
      int('at_risk_percent'),
      int('calendar_id'),
      ts('effective_from'),
    ],
  },
  {
    name: 'dsa_category_map',
    kind: 'dimension',
    columns: [
      text('policy'),
      text('category'),
      text('decision_ground'),
      text('keyword'),
      text('ground_text'),
      text('explanation'),
      text('updated_by'),
      ts('updated_at'),
    ],
  },
  {
    name: 'cases',
    kind: 'fact',
    day: 'opened_at',
    columns: [
      int('id'),
      int('queue_id'),
      int('sla_policy_id'),
      text('priority'),
      text('status'),
      int('first_report_id'),
      ts('first_report_at'),
      int('surface_id'),
      int('report_type_id'),
      text('category'),
      ts('opened_at'),
      ts('first_action_due_at'),
      ts('resolution_due_at'),
      ts('first_action_at'),
      ts('resolved_at'),
      ts('closed_at'),
      text('first_action_state'),
      text('resolution_state'),
      ts('first_action_at_risk_at'),
      ts('resolution_at_risk_at'),
      ts('updated_at'),
    ],
    derived: {
      // The case's first decision (earliest decided_at, then lowest id) and what its first report says.
      columns: [
        from(text('first_decision_action'), 'f.action'),
        from(bool('first_decision_automated'), 'f.automated'),
        from(ts('first_decision_at'), 'f.decided_at'),
        from(bool('first_report_own_initiative'), 'r.own_initiative'),
        from(bool('first_report_trusted_flagger'), 'r.trusted_flagger'),
        from(text('first_report_jurisdiction'), 'r.jurisdiction'),
        from(text('first_report_language'), 'r.language'),
      ],
      joins: `LEFT JOIN (SELECT s.case_id, arg_min(s.action, (s.decided_at, s.id)) AS action,
                               arg_min(s.automated, (s.decided_at, s.id)) AS automated, min(s.decided_at) AS decided_at
                          FROM {decisions} s GROUP BY s.case_id) f ON f.case_id = x.id
              LEFT JOIN {reports} r ON r.id = x.first_report_id`,
      parent: 'cases',
      via: 'id',
    },
  },
  {
    name: 'reports',
    kind: 'fact',
    day: 'received_at',
    marks: { parent: 'cases', via: 'case_id' },
    columns: [
      int('id'),
      text('external_id'),
      int('case_id'),
      int('surface_id'),
      int('report_type_id'),
      text('category'),
      text('jurisdiction'),
      text('language'),
      bool('own_initiative'),
      bool('trusted_flagger'),
      int('items'),
      ts('received_at'),
      ts('created_at'),
    ],
    derived: {
      columns: [
        from(int('case_queue_id'), 'c.queue_id'),
        from(text('case_first_decision_action'), 'c.first_decision_action'),
        // The DSA report's automated-means sheet: how each notice's case was first decided, and when.
        from(bool('case_first_decision_automated'), 'c.first_decision_automated'),
        from(ts('case_first_decision_at'), 'c.first_decision_at'),
      ],
      joins: CASE_JOIN,
      parent: 'cases',
      via: 'case_id',
    },
  },
  {
    name: 'decisions',
    kind: 'fact',
    day: 'decided_at',
    marks: { parent: 'cases', via: 'case_id' },
    columns: [
      int('id'),
      text('external_id'),
      int('case_id'),
      text('action'),
      text('policy'),
      text('actor_type'),
      text('actor_id'),
      bool('automated'),
      text('suspension_reason'),
      ts('decided_at'),
      ts('created_at'),
    ],
    derived: {
      columns: [
        ...CASE_DIMENSIONS,
        from(ts('case_first_report_at'), 'c.first_report_at'),
        from(ts('case_opened_at'), 'c.opened_at'),
        from(int('case_first_report_id'), 'c.first_report_id'),
        from(bool('case_first_report_own_initiative'), 'c.first_report_own_initiative'),
        from(bool('case_first_report_trusted_flagger'), 'c.first_report_trusted_flagger'),
        from(text('case_first_report_jurisdiction'), 'c.first_report_jurisdiction'),
        from(text('case_first_report_language'), 'c.first_report_language'),
      ],
      joins: CASE_JOIN,
      parent: 'cases',
      via: 'case_id',
    },
  },
  {
    name: 'escalations',
    kind: 'fact',
    day: 'created_at',
    columns: [
      int('id'),
      int('case_id'),
      text('source'),
      text('severity'),
      text('status'),
      int('required_approvals'),
      ts('deadline_at'),
      ts('decided_at'),
      text('decided_by'),
      ts('created_at'),
    ],
    derived: {
      columns: [...CASE_DIMENSIONS, from(text('case_first_decision_action'), 'c.first_decision_action')],
      joins: CASE_JOIN,
      parent: 'cases',
      via: 'case_id',
    },
  },
  {
    name: 'appeals',
    kind: 'fact',
    day: 'filed_at',
    columns: [
      int('id'),
      text('external_id'),
      int('decision_id'),
      text('outcome'),
      text('complaint_type'),
      ts('filed_at'),
      ts('resolved_at'),
    ],
    derived: DECISION_DERIVED,
  },
  {
    name: 'qa_reviews',
    kind: 'fact',
    day: 'reviewed_at',
    columns: [
      int('id'),
      text('external_id'),
      int('decision_id'),
      text('outcome'),
      text('correct_action'),
      text('correct_policy'),
      text('error_severity'),
      text('error_category'),
      text('reviewer_id'),
      ts('reviewed_at'),
    ],
    derived: DECISION_DERIVED,
  },
  // Copyright: what `/trustops copyright` reads. No sender contacts, works, signatures or content references.
  {
    name: 'copyright_notices',
    kind: 'fact',
    day: 'received_at',
    columns: [
      int('id'),
      text('external_id'),
      text('claimant'),
      text('sender_kind'),
      text('status'),
      text('action_taken'),
      int('item_count'),
      { name: 'missing_count', type: 'INTEGER', pg: 'cardinality("missing_elements")' },
      ts('received_at'),
      ts('actioned_at'),
    ],
  },
  {
    name: 'copyright_notice_items',
    kind: 'fact',
    day: 'taken_down_at',
    columns: [int('id'), int('notice_id'), text('surface'), text('account_id'), ts('taken_down_at'), ts('restored_at')],
  },
  {
    name: 'counter_notices',
    kind: 'fact',
    day: 'received_at',
    columns: [
      int('id'),
      text('external_id'),
      int('notice_id'),
      text('account_id'),
      text('status'),
      text('outcome'),
      ts('received_at'),
      // A local date on the copyright calendar: carried as its UTC midnight (sessions run in UTC).
      { name: 'latest_restore_on', type: 'TIMESTAMPTZ', pg: '"latest_restore_on"::timestamptz' },
      ts('resolved_at'),
    ],
  },
  {
    name: 'copyright_strikes',
    kind: 'fact',
    day: 'created_at',
    columns: [int('id'), text('account_id'), int('notice_id'), ts('created_at'), ts('removed_at')],
  },
];

export const FACT_TABLES = TABLES.filter((t) => t.kind === 'fact').map((t) => t.name);

export function tableNamed(name: string): CopiedTable | undefined {
  return TABLES.find((t) => t.name === name);
}

/** Every column of the DuckDB table: the copied ones, then the derived ones. */
export function allColumns(t: CopiedTable): Column[] {
  return [...t.columns, ...(t.derived?.columns ?? [])];
}

export function duckDdl(t: CopiedTable): string {
  return `CREATE TABLE ${t.name} (${allColumns(t)
    .map((c) => `${c.name} ${c.type}`)
    .join(', ')})`;
}

/** The Postgres SELECT of the copied columns (enums come out as their labels; the session is in UTC). */
export function pgSelect(t: CopiedTable): string {
  return `SELECT ${t.columns.map((c) => c.pg ?? `"${c.name}"`).join(', ')} FROM "${t.name}"`;
}

/** read_csv's `columns` argument for the copied columns. */
export function csvColumns(t: CopiedTable): string {
  return `{${t.columns.map((c) => `'${c.name}': '${c.type}'`).join(', ')}}`;
}

/** Changes when any table changes shape: a copy made under another version rebuilds. */
export const SCHEMA_VERSION = TABLES.map((t) => `${duckDdl(t)}|${JSON.stringify(t.derived ?? null)}`).join(';');

/** The tables `joins` read through a placeholder (`{decisions}`), which a build reads from their raw files. */
export const SOURCES = ['decisions', 'reports'] as const;

/** The columns of each source the joins read: all a build stages of it (10 M rows each, so only these). */
export const SOURCE_COLUMNS: Record<(typeof SOURCES)[number], readonly string[]> = {
  decisions: ['id', 'case_id', 'action', 'automated', 'decided_at'],
  reports: ['id', 'own_initiative', 'trusted_flagger', 'jurisdiction', 'language'],
};
/** What the placeholders of `joins` stand for: the build's staged sources, or a catch-up's fetched cases. */
export type Sources = Partial<Record<(typeof SOURCES)[number] | 'cases', string>>;

/** The row's own columns (`x.<name>`) a table's derived columns read, besides its id. */
export function selfReads(d: Derived): string[] {
  const text = [d.joins, ...d.columns.map((c) => c.expr)].join(' ');
  return [...new Set([...text.matchAll(/\bx\.(\w+)/g)].map((m) => m[1] as string))].filter((c) => c !== 'id');
}

/** `joins` with each `{source}` replaced by the relation given, else by the table itself. */
export function joinsOf(d: Derived, sources: Sources = {}): string {
  return [...SOURCES, 'cases' as const].reduce((sql, name) => sql.replaceAll(`{${name}}`, sources[name] ?? name), d.joins);
}

/** The alias a join gives the relation of `{source}` (`r` for `LEFT JOIN {reports} r`), if the joins read it. */
export function aliasOf(d: Derived, source: (typeof SOURCES)[number] | 'cases'): string | undefined {
  return new RegExp(`\\{${source}\\}\\s+(\\w+)`).exec(d.joins)?.[1];
}

/**
 * The full rows (copied columns, then derived ones) of `source`, a relation of copied columns: how a build
 * fills a table, and how a catch-up inserts the rows it fetched.
 */
export function rowsWithDerived(t: CopiedTable, source: string, sources: Sources = {}): string {
  const copied = t.columns.map((c) => `x.${c.name}`);
  if (!t.derived) return `SELECT ${copied.join(', ')} FROM ${source} x`;
  const derived = t.derived.columns.map((c) => `${c.expr} AS ${c.name}`);
  return `SELECT ${[...copied, ...derived].join(', ')} FROM ${source} x ${joinsOf(t.derived, sources)}`;
}
