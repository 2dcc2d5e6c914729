// The tables of the analytics copy: one entry per table. Each gives its DuckDB columns, from which both the
// DuckDB DDL and the Postgres SELECT that produces its rows (initial load and catch-up alike) are made, and,
// for facts, the denormalized columns kept by the sync. A new table (e.g. copyright notices) is an entry
// here plus its capture triggers in a migration (see prisma/migrations/*_analytics_changes).

export type ColumnType = 'INTEGER' | 'BIGINT' | 'VARCHAR' | 'BOOLEAN' | 'TIMESTAMPTZ' | 'DOUBLE';

/** A column copied from Postgres: its name (the same in both) and DuckDB type; `pg` when it needs an expression. */
export type Column = { name: string; type: ColumnType; pg?: string };

/**
 * Denormalized columns: `select` yields `id` and each column for the rows of `<table> <alias>` (no WHERE), the
 * sync adding which rows to refresh. `parent` says which change makes a row stale besides its own: the
 * change of the case (`cases`) or decision (`decisions`) its `via` column points at.
 */
export type Derived = {
  columns: readonly Column[];
  alias: string;
  select: string;
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
  /** Facts whose changes make their parent's derived columns stale (a decision: its case's first decision). */
  marks?: { parent: 'cases'; via: string };
};

const int = (name: string): Column => ({ name, type: 'INTEGER' });
const text = (name: string): Column => ({ name, type: 'VARCHAR' });
const ts = (name: string): Column => ({ name, type: 'TIMESTAMPTZ' });
const bool = (name: string): Column => ({ name, type: 'BOOLEAN' });

/** The eight decision and case columns appeals and QA reviews carry, from their decision. */
const decisionDerived = (alias: string, table: string): Derived => ({
  columns: [
    int('case_id'),
    text('decision_action'),
    text('decision_policy'),
    bool('decision_automated'),
    ts('decision_decided_at'),
    int('case_surface_id'),
    int('case_report_type_id'),
    text('case_category'),
    int('case_queue_id'),
  ],
  alias,
  select: `SELECT ${alias}.id, d.case_id, d.action AS decision_action, d.policy AS decision_policy,
                  d.automated AS decision_automated, d.decided_at AS decision_decided_at, d.case_surface_id,
                  d.case_report_type_id, d.case_category, d.case_queue_id
             FROM ${table} ${alias} LEFT JOIN decisions d ON d.id = ${alias}.decision_id`,
  parent: 'decisions',
  via: 'decision_id',
});

/**
 * In dependency order: dimensions first, then cases (its first decision reads decisions' own columns),
 * then facts that read cases' columns, then facts that read decisions' derived columns.
 */
export const TABLES: readonly CopiedTable[] = [
  { name: 'surfaces', kind: 'dimension', columns: [int('id'), text('key'), text('name'), bool('active')] },
  { name: 'report_types', kind: 'dimension', columns: [int('id'), text('key'), text('name'), bool('urgent')] },
  { name: 'vendors', kind: 'dimension', columns: [int('id'), text('key'), text('name'), text('timezone')] },
  { name: 'queues', kind: 'dimension', columns: [int('id'), text('key'), text('name'), int('vendor_id')] },
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
      columns: [text('first_decision_action')],
      alias: 'c',
      // The case's first decision: earliest decided_at, then lowest id.
      select: `SELECT c.id, (SELECT first(d.action ORDER BY d.decided_at, d.id) FROM decisions d WHERE d.case_id = c.id)
                 AS first_decision_action FROM cases c`,
      parent: 'cases',
      via: 'id',
    },
  },
  {
    name: 'reports',
    kind: 'fact',
    day: 'received_at',
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
      ts('received_at'),
      ts('created_at'),
    ],
    derived: {
      columns: [int('case_queue_id'), text('case_first_decision_action')],
      alias: 'r',
      select: `SELECT r.id, c.queue_id AS case_queue_id, c.first_decision_action AS case_first_decision_action
                 FROM reports r LEFT JOIN cases c ON c.id = r.case_id`,
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
      ts('decided_at'),
      ts('created_at'),
    ],
    derived: {
      columns: [
        int('case_surface_id'),
        int('case_report_type_id'),
        text('case_category'),
        int('case_queue_id'),
        ts('case_first_report_at'),
      ],
      alias: 'x',
      select: `SELECT x.id, c.surface_id AS case_surface_id, c.report_type_id AS case_report_type_id, c.category AS case_category,
                      c.queue_id AS case_queue_id, c.first_report_at AS case_first_report_at
                 FROM decisions x LEFT JOIN cases c ON c.id = x.case_id`,
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
      columns: [
        int('case_surface_id'),
        int('case_report_type_id'),
        text('case_category'),
        int('case_queue_id'),
        text('case_first_decision_action'),
      ],
      alias: 'e',
      select: `SELECT e.id, c.surface_id AS case_surface_id, c.report_type_id AS case_report_type_id, c.category AS case_category,
                      c.queue_id AS case_queue_id, c.first_decision_action AS case_first_decision_action
                 FROM escalations e LEFT JOIN cases c ON c.id = e.case_id`,
      parent: 'cases',
      via: 'case_id',
    },
  },
  {
    name: 'appeals',
    kind: 'fact',
    day: 'filed_at',
    columns: [int('id'), text('external_id'), int('decision_id'), text('outcome'), ts('filed_at'), ts('resolved_at')],
    derived: decisionDerived('a', 'appeals'),
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
    derived: decisionDerived('q', 'qa_reviews'),
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
export const SCHEMA_VERSION = TABLES.map((t) => `${duckDdl(t)}|${t.derived?.select ?? ''}`).join(';');
