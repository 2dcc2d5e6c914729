// The EU DSA read-outs: the transparency-report aggregates (Art. 15 and 24 DSA) and the per-decision
// export, as CSV or as statement-of-reasons JSON lines (Art. 17, Transparency Database API v2).
import type { Analytics } from '../../analytics/types';
import type { DateRange } from '../metrics/range';
import { readBatches } from './analytics-stream';
import { csvLine } from './csv';
import {
  DECISION_GROUNDS,
  type DecisionGround,
  SOURCE_TYPES,
  type SourceType,
  STATEMENT_CATEGORIES,
  type StatementCategory,
} from './dsa-enums';
import { UNMAPPED, UNSPECIFIED_NOTICE_CATEGORY } from './dsa-mapping';
import { type DecisionRow, NO_RESTRICTION, RESTRICTIONS, restrictionOf, restrictionType, statementOfReasons } from './dsa-sor';

/** Every read-out reads the analytics copy (src/analytics), never Postgres. */
type Deps = { analytics: Pick<Analytics, 'read'> };

/** Per-count maps list every known key (zero when nothing happened), so empty ranges read as zeros. */
type Counts = Record<string, number>;
type Ratio = number | null;

/**
 * Every section counts facts put in the range [start, end) by one instant of their own:
 * - notices — reports received in range that are notices (not own-initiative), by the DSA category of
 *   their policy category (none given ⇒ STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE) and trusted flagger or not.
 * - actions — decisions taken in range that are enforcement actions (every action but no_violation;
 *   warnings included), by the ground and category of their policy (dsa_category_map, else the UNMAPPED
 *   rule), by source (the case's first report: a user notice, a trusted flagger's, or own initiative —
 *   also for cases opened with no report), and by action. Time to action runs from the case's first
 *   report (or its opening) to the decision; medians are exact (percentile_cont over every action).
 * - ownInitiative — the own-initiative subset of actions, by category, detection method (automated when
 *   the decision was) and restriction type (the DSA restriction the action applies; `none` for warnings).
 * - complaints — appeals filed in range (a cohort): by outcome so far, reversals (overturned) and the
 *   median time from filing to decision of those decided.
 * - automation — decisions taken in range (no_violation included) and how many were automated; QA
 *   reviews done in range of automated and of human decisions with their disagreement (error) rate and
 *   severity; and automated decisions among the complaints' reversals.
 * Rates are null when their denominator is 0, never NaN.
 */
export type DsaAggregates = {
  range: { start: string; end: string; label: string; timeZone: string };
  notices: { received: number; trustedFlagger: number; byCategory: Record<string, { received: number; trustedFlagger: number }> };
  actions: {
    total: number;
    medianTimeToActionMs: number | null;
    byGround: Record<string, { total: number; onNotices: number; ownInitiative: number }>;
    bySource: Record<string, { total: number; medianTimeToActionMs: number | null }>;
    byCategory: Counts;
    byAction: Counts;
  };
  ownInitiative: { total: number; byCategory: Counts; byDetection: { automated: number; manual: number }; byRestriction: Counts };
  complaints: {
    received: number;
    byOutcome: { pending: number; upheld: number; overturned: number };
    reversals: number;
    medianDecisionTimeMs: number | null;
    byCategory: Counts;
  };
  automation: {
    decisions: number;
    automated: number;
    automatedShare: Ratio;
    qa: Record<'automated' | 'human', { reviewed: number; disagreed: number; errorRate: Ratio }>;
    qaErrorsBySeverity: Counts;
    automatedReversals: number;
  };
  /** Decisions in range under policies with no dsa_category_map row (reported by the UNMAPPED rule). */
  unmappedPolicies: Counts;
};

const num = (v: unknown) => Number(v ?? 0);
// Interpolated percentiles carry float noise: keep what milliseconds can mean.
const msOrNull = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 1000) / 1000);
const ratio = (n: number, d: number): Ratio => (d > 0 ? n / d : null);
const zeros = (keys: readonly string[]): Counts => Object.fromEntries(keys.map((k) => [k, 0]));
const bump = (c: Counts, key: string, n: number) => {
  c[key] = (c[key] ?? 0) + n;
};
/** The map's entry for key, created when missing (a category or ground the lists did not foresee). */
function entry<T>(map: Record<string, T>, key: string, make: () => T): T {
  map[key] ??= make();
  return map[key];
}
const sorted = (c: Counts): Counts => Object.fromEntries(Object.entries(c).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

const RESTRICTION_TYPES = [...new Set(Object.keys(RESTRICTIONS).map(restrictionType)), NO_RESTRICTION];
const SEVERITIES = ['minor', 'major', 'critical'];

// The read model's tables (src/analytics): decisions carry their case's first report and opening as
// case_* columns, appeals and QA reviews their decision's policy and automation as decision_* columns.
// $1, $2 are the range; $3, $4 the UNMAPPED category and ground (or the unspecified-notice category).

// The case's first report decides the source, as it decides the case's surface in the metrics; a case
// opened with no report is the provider's own initiative. VOLUNTARY_SQL is that test as a boolean (never NULL), for
// filters that need no label.
export const VOLUNTARY_SQL = '(d.case_first_report_id IS NULL OR coalesce(d.case_first_report_own_initiative, false))';
export const SOURCE_SQL = `CASE WHEN ${VOLUNTARY_SQL} THEN 'SOURCE_VOLUNTARY'
                         WHEN d.case_first_report_trusted_flagger THEN 'SOURCE_TRUSTED_FLAGGER' ELSE 'SOURCE_ARTICLE_16' END`;
// Timestamps are whole milliseconds; DOUBLE so that quantile_cont interpolates instead of rounding.
export const TIME_TO_ACTION_SQL = '(epoch_ms(d.decided_at) - epoch_ms(coalesce(d.case_first_report_at, d.case_opened_at)))::DOUBLE';

/**
 * A report that is a notice of its own (counts once as a notice received): every report but the second and later
 * items of a copyright notice. A complete copyright notice is recorded as one report per item of information,
 * external ids `copyright-notice:<notice>:<position>` from position 0 (src/domain/copyright/notices.ts
 * reportExternalId), so the notice counts once, at its first item, and its items count as items (review #5).
 */
export const NOTICE_HEAD_SQL = `NOT (coalesce(external_id, '') LIKE 'copyright-notice:%' AND external_id NOT LIKE '%:0')`;

// Each statement counts by the raw policy first and joins the (small) mapping to the groups, not to the rows.
const NOTICES_SQL = `
  WITH n AS (
    SELECT category, trusted_flagger, count(*) FILTER (WHERE ${NOTICE_HEAD_SQL}) AS n
      FROM reports
     WHERE received_at >= $1 AND received_at < $2 AND NOT own_initiative
     GROUP BY ALL)
  SELECT CASE WHEN n.category IS NULL THEN $4 ELSE coalesce(m.category, $3) END AS category,
         sum(n.n) AS received, coalesce(sum(n.n) FILTER (WHERE n.trusted_flagger), 0) AS trusted
    FROM n LEFT JOIN dsa_category_map m ON m.policy = n.category
   GROUP BY 1`;

// Every decision in range (no_violation too: the automation section counts them), by what the breakdowns need.
const DECISIONS_SQL = `
  WITH g AS (
    SELECT ${SOURCE_SQL} AS source, d.action, d.automated, d.policy, count(*) AS n
      FROM decisions d
     WHERE d.decided_at >= $1 AND d.decided_at < $2
     GROUP BY ALL)
  SELECT g.source, g.action, g.automated, g.policy, g.n, m.policy IS NULL AS unmapped,
         coalesce(m.category, $3) AS category, coalesce(m.decision_ground, $4) AS ground
    FROM g LEFT JOIN dsa_category_map m ON m.policy = g.policy`;

// Exact medians of time to action, by source and overall (the rows are gathered once per grouping set).
const MEDIANS_SQL = `
  SELECT ${SOURCE_SQL} AS source, grouping(source) AS g, count(*) AS n, quantile_cont(${TIME_TO_ACTION_SQL}, 0.5) AS p50
    FROM decisions d
   WHERE d.decided_at >= $1 AND d.decided_at < $2 AND d.action <> 'no_violation'
   GROUP BY GROUPING SETS ((source), ())`;

const COMPLAINTS_SQL = `
  WITH x AS (
    SELECT coalesce(m.category, $3) AS category, a.outcome, a.decision_automated AS automated,
           CASE WHEN a.outcome <> 'pending' AND a.resolved_at IS NOT NULL
                THEN (epoch_ms(a.resolved_at) - epoch_ms(a.filed_at))::DOUBLE END AS ms
      FROM appeals a LEFT JOIN dsa_category_map m ON m.policy = a.decision_policy
     WHERE a.filed_at >= $1 AND a.filed_at < $2)
  SELECT category, outcome, automated, grouping(category, outcome, automated) AS g,
         count(*) AS n, quantile_cont(ms, 0.5) AS p50
    FROM x
   GROUP BY GROUPING SETS ((category, outcome, automated), ())`;

const QA_SQL = `
  SELECT decision_automated AS automated, outcome, error_severity AS severity, count(*) AS n
    FROM qa_reviews
   WHERE reviewed_at >= $1 AND reviewed_at < $2
   GROUP BY ALL`;

type Row = Record<string, unknown>;

/**
 * The DSA transparency-report aggregates for a range: five set-based statements on one snapshot of the read model.
 * `medians: false` leaves out the time-to-action medians (null), the costliest statement, for a caller that reads
 * only the counts (the template report's checks); every count is the same either way.
 */
export async function dsaAggregates(deps: Deps, range: DateRange, opts: { medians?: boolean } = {}): Promise<DsaAggregates> {
  const [noticeRows, decisionGroups, medianRows, complaintRows, qaRows] = await deps.analytics.read(async (reader) => {
    const q = (sql: string, ...params: string[]) => reader.query(sql, [range.start, range.end, ...params]);
    return [
      await q(NOTICES_SQL, UNMAPPED.category, UNSPECIFIED_NOTICE_CATEGORY),
      await q(DECISIONS_SQL, UNMAPPED.category, UNMAPPED.ground),
      opts.medians === false ? [] : await q(MEDIANS_SQL),
      await q(COMPLAINTS_SQL, UNMAPPED.category),
      await q(QA_SQL),
    ];
  });

  const notices: DsaAggregates['notices'] = {
    received: 0,
    trustedFlagger: 0,
    byCategory: Object.fromEntries(STATEMENT_CATEGORIES.map((c) => [c, { received: 0, trustedFlagger: 0 }])),
  };
  for (const r of noticeRows) {
    const c = entry(notices.byCategory, String(r.category), () => ({ received: 0, trustedFlagger: 0 }));
    c.received += num(r.received);
    c.trustedFlagger += num(r.trusted);
    notices.received += num(r.received);
    notices.trustedFlagger += num(r.trusted);
  }

  const actions: DsaAggregates['actions'] = {
    total: 0,
    medianTimeToActionMs: null,
    byGround: Object.fromEntries(DECISION_GROUNDS.map((g) => [g, { total: 0, onNotices: 0, ownInitiative: 0 }])),
    bySource: Object.fromEntries(SOURCE_TYPES.map((s) => [s, { total: 0, medianTimeToActionMs: null }])),
    byCategory: zeros(STATEMENT_CATEGORIES),
    byAction: {},
  };
  // Counts come from the decision groups below; the medians statement gives only the medians.
  for (const r of medianRows) {
    if (num(r.g) !== 0) {
      actions.medianTimeToActionMs = msOrNull(r.p50);
      continue;
    }
    const s = entry(actions.bySource, String(r.source), () => ({ total: 0, medianTimeToActionMs: null as number | null }));
    s.medianTimeToActionMs = msOrNull(r.p50);
  }
  const ownInitiative: DsaAggregates['ownInitiative'] = {
    total: 0,
    byCategory: zeros(STATEMENT_CATEGORIES),
    byDetection: { automated: 0, manual: 0 },
    byRestriction: zeros(RESTRICTION_TYPES),
  };
  const unmappedPolicies: Counts = {};
  let decisions = 0;
  let automatedDecisions = 0;
  for (const r of decisionGroups) {
    const n = num(r.n);
    decisions += n;
    if (r.automated) automatedDecisions += n;
    const action = String(r.action);
    if (action === 'no_violation') continue;
    const [source, category] = [String(r.source) as SourceType, String(r.category)];
    actions.total += n;
    entry(actions.bySource, source, () => ({ total: 0, medianTimeToActionMs: null as number | null })).total += n;
    const ground = entry(actions.byGround, String(r.ground), () => ({ total: 0, onNotices: 0, ownInitiative: 0 }));
    ground.total += n;
    if (source === 'SOURCE_VOLUNTARY') ground.ownInitiative += n;
    else ground.onNotices += n;
    bump(actions.byCategory, category, n);
    bump(actions.byAction, action, n);
    if (r.unmapped) bump(unmappedPolicies, String(r.policy), n);
    if (source === 'SOURCE_VOLUNTARY') {
      ownInitiative.total += n;
      bump(ownInitiative.byCategory, category, n);
      ownInitiative.byDetection[r.automated ? 'automated' : 'manual'] += n;
      bump(ownInitiative.byRestriction, restrictionType(action), n);
    }
  }

  const complaints: DsaAggregates['complaints'] = {
    received: 0,
    byOutcome: { pending: 0, upheld: 0, overturned: 0 },
    reversals: 0,
    medianDecisionTimeMs: null,
    byCategory: zeros(STATEMENT_CATEGORIES),
  };
  let automatedReversals = 0;
  for (const r of complaintRows) {
    const n = num(r.n);
    if (num(r.g) !== 0) {
      complaints.received = n;
      complaints.medianDecisionTimeMs = msOrNull(r.p50);
      continue;
    }
    const outcome = String(r.outcome) as keyof DsaAggregates['complaints']['byOutcome'];
    complaints.byOutcome[outcome] = (complaints.byOutcome[outcome] ?? 0) + n;
    bump(complaints.byCategory, String(r.category), n);
    if (outcome === 'overturned' && r.automated) automatedReversals += n;
  }
  complaints.reversals = complaints.byOutcome.overturned;

  const qa = { automated: { reviewed: 0, disagreed: 0 }, human: { reviewed: 0, disagreed: 0 } };
  const qaErrorsBySeverity = zeros(SEVERITIES);
  for (const r of qaRows) {
    const n = num(r.n);
    const who = qa[r.automated ? 'automated' : 'human'];
    who.reviewed += n;
    if (r.outcome !== 'disagree') continue;
    who.disagreed += n;
    bump(qaErrorsBySeverity, r.severity === null ? 'unspecified' : String(r.severity), n);
  }
  const withRate = (x: { reviewed: number; disagreed: number }) => ({ ...x, errorRate: ratio(x.disagreed, x.reviewed) });

  return {
    range: { start: range.start.toISOString(), end: range.end.toISOString(), label: range.label, timeZone: range.timeZone },
    notices,
    actions: { ...actions, byAction: sorted(actions.byAction) },
    ownInitiative,
    complaints,
    automation: {
      decisions,
      automated: automatedDecisions,
      automatedShare: ratio(automatedDecisions, decisions),
      qa: { automated: withRate(qa.automated), human: withRate(qa.human) },
      qaErrorsBySeverity,
      automatedReversals,
    },
    unmappedPolicies: sorted(unmappedPolicies),
  };
}

export const DSA_CSV_HEADER = ['section', 'metric', 'dimension', 'key', 'value'] as const;

/**
 * The aggregates as a long CSV: one figure per line, `section,metric,dimension,key,value`, where
 * dimension `total` has an empty key. Empty cells are figures that do not exist (a median of nothing).
 */
export function* dsaAggregatesCsvLines(agg: DsaAggregates): Iterable<string> {
  const line = (section: string, metric: string, dimension: string, key: string, value: string | number | null) =>
    csvLine([section, metric, dimension, key, value]);
  yield csvLine(DSA_CSV_HEADER);
  yield line('range', 'start', 'total', '', agg.range.start);
  yield line('range', 'end', 'total', '', agg.range.end);
  yield line('range', 'label', 'total', '', agg.range.label);
  yield line('range', 'time_zone', 'total', '', agg.range.timeZone);

  const { notices, actions, ownInitiative, complaints, automation } = agg;
  yield line('notices', 'received', 'total', '', notices.received);
  yield line('notices', 'trusted_flagger', 'total', '', notices.trustedFlagger);
  for (const [cat, c] of Object.entries(notices.byCategory)) {
    yield line('notices', 'received', 'category', cat, c.received);
    yield line('notices', 'trusted_flagger', 'category', cat, c.trustedFlagger);
  }

  yield line('actions', 'count', 'total', '', actions.total);
  yield line('actions', 'median_time_to_action_ms', 'total', '', actions.medianTimeToActionMs);
  for (const [ground, g] of Object.entries(actions.byGround)) {
    yield line('actions', 'count', 'ground', ground, g.total);
    yield line('actions', 'on_notices', 'ground', ground, g.onNotices);
    yield line('actions', 'own_initiative', 'ground', ground, g.ownInitiative);
  }
  for (const [source, s] of Object.entries(actions.bySource)) {
    yield line('actions', 'count', 'source', source, s.total);
    yield line('actions', 'median_time_to_action_ms', 'source', source, s.medianTimeToActionMs);
  }
  for (const [cat, n] of Object.entries(actions.byCategory)) yield line('actions', 'count', 'category', cat, n);
  for (const [action, n] of Object.entries(actions.byAction)) yield line('actions', 'count', 'action', action, n);

  yield line('own_initiative', 'count', 'total', '', ownInitiative.total);
  for (const [cat, n] of Object.entries(ownInitiative.byCategory)) yield line('own_initiative', 'count', 'category', cat, n);
  for (const [how, n] of Object.entries(ownInitiative.byDetection)) yield line('own_initiative', 'count', 'detection', how, n);
  for (const [r, n] of Object.entries(ownInitiative.byRestriction)) yield line('own_initiative', 'count', 'restriction', r, n);

  yield line('complaints', 'received', 'total', '', complaints.received);
  yield line('complaints', 'reversals', 'total', '', complaints.reversals);
  yield line('complaints', 'median_decision_time_ms', 'total', '', complaints.medianDecisionTimeMs);
  for (const [outcome, n] of Object.entries(complaints.byOutcome)) yield line('complaints', 'count', 'outcome', outcome, n);
  for (const [cat, n] of Object.entries(complaints.byCategory)) yield line('complaints', 'count', 'category', cat, n);

  yield line('automation', 'decisions', 'total', '', automation.decisions);
  yield line('automation', 'automated', 'total', '', automation.automated);
  yield line('automation', 'automated_share', 'total', '', automation.automatedShare);
  yield line('automation', 'automated_reversals', 'total', '', automation.automatedReversals);
  for (const [who, x] of Object.entries(automation.qa)) {
    yield line('automation', 'qa_reviewed', 'actor', who, x.reviewed);
    yield line('automation', 'qa_disagreed', 'actor', who, x.disagreed);
    yield line('automation', 'qa_error_rate', 'actor', who, x.errorRate);
  }
  for (const [sev, n] of Object.entries(automation.qaErrorsBySeverity)) yield line('automation', 'qa_errors', 'severity', sev, n);
  for (const [policy, n] of Object.entries(agg.unmappedPolicies)) yield line('mapping', 'unmapped_decisions', 'policy', policy, n);
}

// One row per decision with what the statement of reasons needs; never a contact, content reference or content.
// $3, $4: the window of ids [lo, hi) this statement reads. The policy's mapping is looked up once per
// export, not joined: its texts run to 2,000 characters and would be copied out of DuckDB for every row.
const DECISION_ROWS_SQL = `
  SELECT d.id, d.external_id, d.case_id, d.action, d.policy, d.actor_type, d.automated, d.decided_at,
         d.case_opened_at AS opened_at, ${SOURCE_SQL} AS source,
         d.case_first_report_at AS first_report_at, d.case_first_report_jurisdiction AS jurisdiction,
         d.case_first_report_language AS language, s.key AS surface, rt.key AS report_type
    FROM decisions d
    LEFT JOIN surfaces s ON s.id = d.case_surface_id
    LEFT JOIN report_types rt ON rt.id = d.case_report_type_id
   WHERE d.decided_at >= $1 AND d.decided_at < $2 AND d.id >= $3 AND d.id < $4
   ORDER BY d.id`;

// How the range's decisions spread over the ids, in buckets of $3 consecutive ids.
const ID_BUCKETS_SQL = `
  SELECT id // $3 AS bucket, count(*) AS n
    FROM decisions
   WHERE decided_at >= $1 AND decided_at < $2
   GROUP BY 1 ORDER BY 1`;
/** How DuckDB reads the decisions: id windows of whole buckets of `idBucket` ids, each of about `windowRows` rows. */
export type DecisionWindows = { windowRows: number; idBucket: number };
const WINDOWS: DecisionWindows = { windowRows: 50_000, idBucket: 16_384 };

/** Consecutive non-empty buckets grouped into id windows [lo, hi), each closed once it holds `windowRows` rows. */
function idWindows(buckets: Row[], { windowRows, idBucket }: DecisionWindows): [number, number][] {
  const windows: [number, number][] = [];
  let first: number | null = null;
  let count = 0;
  for (const b of buckets) {
    first ??= num(b.bucket);
    count += num(b.n);
    if (count < windowRows) continue;
    windows.push([first * idBucket, (num(b.bucket) + 1) * idBucket]);
    first = null;
    count = 0;
  }
  const last = buckets.at(-1);
  if (first !== null && last) windows.push([first * idBucket, (num(last.bucket) + 1) * idBucket]);
  return windows;
}

const MAPPINGS_SQL = 'SELECT policy, category, decision_ground, ground_text, explanation FROM dsa_category_map';

export function toDecisionRow(r: Row, mappings: Map<string, Row>): DecisionRow {
  const m = mappings.get(String(r.policy));
  return {
    id: num(r.id),
    externalId: (r.external_id as string | null) ?? null,
    caseId: num(r.case_id),
    action: String(r.action),
    policy: String(r.policy),
    actorType: String(r.actor_type),
    automated: Boolean(r.automated),
    decidedAt: r.decided_at as Date,
    openedAt: r.opened_at as Date,
    category: m ? (m.category as StatementCategory) : UNMAPPED.category,
    ground: m ? (m.decision_ground as DecisionGround) : UNMAPPED.ground,
    groundText: (m?.ground_text as string | null | undefined) ?? null,
    explanation: (m?.explanation as string | null | undefined) ?? null,
    mapped: m !== undefined,
    sourceType: r.source as SourceType,
    firstReportAt: (r.first_report_at as Date | null) ?? null,
    reportType: (r.report_type as string | null) ?? null,
    surface: (r.surface as string | null) ?? null,
    jurisdiction: (r.jurisdiction as string | null) ?? null,
    language: (r.language as string | null) ?? null,
  };
}

/**
 * Streams the range's decisions as rows, in id order, from one snapshot of the read model. A single
 * ORDER BY over a half year would make DuckDB sort millions of wide rows before the first one comes
 * out; instead it sorts one window of ids at a time (the id filter skips every other row group), and
 * hands the rows over a batch at a time, so memory stays flat on both sides however long the range.
 */
export async function* decisionRows(deps: Deps, range: DateRange, windows: DecisionWindows = WINDOWS): AsyncGenerator<DecisionRow> {
  const batches = readBatches(deps.analytics, async function* (reader) {
    const mappings = new Map((await reader.query(MAPPINGS_SQL)).map((m) => [String(m.policy), m]));
    const buckets = await reader.query(ID_BUCKETS_SQL, [range.start, range.end, windows.idBucket]);
    for (const [lo, hi] of idWindows(buckets, windows))
      for await (const batch of reader.stream(DECISION_ROWS_SQL, [range.start, range.end, lo, hi]))
        yield batch.map((r) => toDecisionRow(r, mappings));
  });
  for await (const batch of batches) yield* batch;
}

export const DECISION_CSV_HEADER = [
  'decision_id',
  'external_id',
  'case_id',
  'decided_at',
  'action',
  'policy',
  'actor_type',
  'automated',
  'surface',
  'report_type',
  'source_type',
  'dsa_category',
  'decision_ground',
  'dsa_mapped',
  'restriction',
  'statement_of_reasons',
] as const;

/**
 * The range's decisions, streamed: `csv` is one row per decision (header first); `sor-jsonl` is one
 * DSA statement of reasons per line, for decisions that restrict something — no_violation decisions
 * and warnings are not statements of reasons and are left out (see RESTRICTIONS in dsa-sor.ts).
 * Neither format carries reporter contacts, content references or the content itself.
 */
export async function* decisionExportLines(
  deps: Deps,
  range: DateRange,
  format: 'csv' | 'sor-jsonl',
  windows: DecisionWindows = WINDOWS,
): AsyncGenerator<string> {
  if (format === 'csv') yield csvLine(DECISION_CSV_HEADER);
  for await (const row of decisionRows(deps, range, windows)) {
    if (format === 'sor-jsonl') {
      const sor = statementOfReasons(row, range.timeZone);
      if (sor) yield `${JSON.stringify(sor)}\n`;
      continue;
    }
    yield csvLine([
      row.id,
      row.externalId,
      row.caseId,
      row.decidedAt,
      row.action,
      row.policy,
      row.actorType,
      row.automated,
      row.surface,
      row.reportType,
      row.sourceType,
      row.category,
      row.ground,
      row.mapped,
      restrictionType(row.action),
      restrictionOf(row.action) !== undefined,
    ]);
  }
}
