// The DSA read-outs as they were computed on Postgres before the analytics read model (issue 11), kept
// as the test oracle only: the differential test runs these statements and the DuckDB ones over the
// same data. Same figures, same rows, read straight from the record (cases, reports by first_report_id).
import type { DsaAggregates } from '../../src/domain/exports/dsa';
import {
  DECISION_GROUNDS,
  type DecisionGround,
  SOURCE_TYPES,
  type SourceType,
  STATEMENT_CATEGORIES,
  type StatementCategory,
} from '../../src/domain/exports/dsa-enums';
import { UNMAPPED, UNSPECIFIED_NOTICE_CATEGORY } from '../../src/domain/exports/dsa-mapping';
import { type DecisionRow, NO_RESTRICTION, RESTRICTIONS, restrictionType } from '../../src/domain/exports/dsa-sor';
import type { DateRange } from '../../src/domain/metrics/range';
import type { PrismaClient } from '../../src/generated/prisma/client';

type Counts = Record<string, number>;
type Row = Record<string, unknown>;

const num = (v: unknown) => Number(v ?? 0);
const msOrNull = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 1000) / 1000);
const ratio = (n: number, d: number) => (d > 0 ? n / d : null);
const zeros = (keys: readonly string[]): Counts => Object.fromEntries(keys.map((k) => [k, 0]));
const bump = (c: Counts, key: string, n: number) => {
  c[key] = (c[key] ?? 0) + n;
};
function entry<T>(map: Record<string, T>, key: string, make: () => T): T {
  map[key] ??= make();
  return map[key];
}
const sorted = (c: Counts): Counts => Object.fromEntries(Object.entries(c).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

const RESTRICTION_TYPES = [...new Set(Object.keys(RESTRICTIONS).map(restrictionType)), NO_RESTRICTION];
const SEVERITIES = ['minor', 'major', 'critical'];

const CATEGORY_SQL = 'coalesce(m.category, $3::text)';
const GROUND_SQL = 'coalesce(m.decision_ground, $4::text)';
const FIRST_REPORT_SQL = `LEFT JOIN cases fc ON fc.id = d.case_id LEFT JOIN reports fr ON fr.id = fc.first_report_id`;
const SOURCE_SQL = `CASE WHEN fr.id IS NULL OR fr.own_initiative THEN 'SOURCE_VOLUNTARY'
                         WHEN fr.trusted_flagger THEN 'SOURCE_TRUSTED_FLAGGER' ELSE 'SOURCE_ARTICLE_16' END`;

// A copyright notice's items are reports `copyright-notice:<notice>:<position>`: the notice counts once.
const NOTICE_KEY = `CASE WHEN r.external_id ~ '^copyright-notice:.*:[0-9]+$' THEN regexp_replace(r.external_id, ':[0-9]+$', '')
                        ELSE 'report:' || r.id END`;

const NOTICES_SQL = `
  SELECT CASE WHEN r.category IS NULL THEN $4::text ELSE ${CATEGORY_SQL} END AS category,
         count(DISTINCT ${NOTICE_KEY})::int AS received, count(DISTINCT ${NOTICE_KEY}) FILTER (WHERE r.trusted_flagger)::int AS trusted
    FROM reports r LEFT JOIN dsa_category_map m ON m.policy = r.category
   WHERE r.received_at >= $1 AND r.received_at < $2 AND NOT r.own_initiative
   GROUP BY 1`;

const ACTIONS_SQL = `
  WITH a AS (
    SELECT d.action, d.automated, d.policy, m.policy IS NULL AS unmapped,
           ${CATEGORY_SQL} AS category, ${GROUND_SQL} AS ground, ${SOURCE_SQL} AS source,
           extract(epoch FROM d.decided_at - coalesce(fr.received_at, c.opened_at))::float8 * 1000 AS ms
      FROM decisions d
      JOIN cases c ON c.id = d.case_id
      LEFT JOIN dsa_category_map m ON m.policy = d.policy
      ${FIRST_REPORT_SQL}
     WHERE d.decided_at >= $1 AND d.decided_at < $2 AND d.action <> 'no_violation')
  SELECT source, ground, category, action, automated, policy, unmapped,
         grouping(source, ground, category, action, automated, policy, unmapped)::int AS g,
         count(*)::int AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50
    FROM a
   GROUP BY GROUPING SETS ((source, ground, category, action, automated, policy, unmapped), (source), ())`;

const COMPLAINTS_SQL = `
  WITH x AS (
    SELECT ${CATEGORY_SQL} AS category, a.outcome::text AS outcome, d.automated,
           CASE WHEN a.outcome <> 'pending' AND a.resolved_at IS NOT NULL
                THEN extract(epoch FROM a.resolved_at - a.filed_at)::float8 * 1000 END AS ms
      FROM appeals a
      JOIN decisions d ON d.id = a.decision_id
      LEFT JOIN dsa_category_map m ON m.policy = d.policy
     WHERE a.filed_at >= $1 AND a.filed_at < $2)
  SELECT category, outcome, automated, grouping(category, outcome, automated)::int AS g,
         count(*)::int AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50
    FROM x
   GROUP BY GROUPING SETS ((category, outcome, automated), ())`;

const AUTOMATION_SQL = `
  SELECT count(*)::int AS decisions, count(*) FILTER (WHERE automated)::int AS automated
    FROM decisions WHERE decided_at >= $1 AND decided_at < $2`;

const QA_SQL = `
  SELECT d.automated, q.outcome::text AS outcome, q.error_severity AS severity, count(*)::int AS n
    FROM qa_reviews q JOIN decisions d ON d.id = q.decision_id
   WHERE q.reviewed_at >= $1 AND q.reviewed_at < $2
   GROUP BY 1, 2, 3`;

/** dsaAggregates as Postgres computes it. */
export async function oracleDsaAggregates(db: PrismaClient, range: DateRange): Promise<DsaAggregates> {
  const q = (sql: string, ...params: unknown[]) => db.$queryRawUnsafe<Row[]>(sql, range.start, range.end, ...params);
  const [noticeRows, actionRows, complaintRows, automationRows, qaRows] = await Promise.all([
    q(NOTICES_SQL, UNMAPPED.category, UNSPECIFIED_NOTICE_CATEGORY),
    q(ACTIONS_SQL, UNMAPPED.category, UNMAPPED.ground),
    q(COMPLAINTS_SQL, UNMAPPED.category),
    q(AUTOMATION_SQL),
    q(QA_SQL),
  ]);

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
  const ownInitiative: DsaAggregates['ownInitiative'] = {
    total: 0,
    byCategory: zeros(STATEMENT_CATEGORIES),
    byDetection: { automated: 0, manual: 0 },
    byRestriction: zeros(RESTRICTION_TYPES),
  };
  const unmappedPolicies: Counts = {};
  for (const r of actionRows) {
    const n = num(r.n);
    const g = num(r.g);
    if (g === 0b1111111) {
      actions.total = n;
      actions.medianTimeToActionMs = msOrNull(r.p50);
    } else if (g === 0b0111111) {
      const s = entry(actions.bySource, String(r.source), () => ({ total: 0, medianTimeToActionMs: null as number | null }));
      s.total = n;
      s.medianTimeToActionMs = msOrNull(r.p50);
    } else {
      const [source, category, action] = [String(r.source) as SourceType, String(r.category), String(r.action)];
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

  const decisions = num(automationRows[0]?.decisions);
  const automatedDecisions = num(automationRows[0]?.automated);
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

const DECISIONS_SQL = `
  SELECT d.id, d.external_id, d.case_id, d.action, d.policy, d.actor_type::text AS actor_type, d.automated, d.decided_at,
         c.opened_at, ${CATEGORY_SQL} AS category, ${GROUND_SQL} AS ground, m.ground_text, m.explanation,
         m.policy IS NOT NULL AS mapped, ${SOURCE_SQL} AS source, fr.received_at AS first_report_at,
         fr.jurisdiction, fr.language, s.key AS surface, rt.key AS report_type
    FROM decisions d
    JOIN cases c ON c.id = d.case_id
    LEFT JOIN dsa_category_map m ON m.policy = d.policy
    ${FIRST_REPORT_SQL}
    LEFT JOIN surfaces s ON s.id = fr.surface_id
    LEFT JOIN report_types rt ON rt.id = fr.report_type_id
   WHERE d.decided_at >= $1 AND d.decided_at < $2
   ORDER BY d.id`;

/** decisionRows as Postgres computes it (all at once: the oracle reads test-sized data). */
export async function oracleDecisionRows(db: PrismaClient, range: DateRange): Promise<DecisionRow[]> {
  const rows = await db.$queryRawUnsafe<Row[]>(DECISIONS_SQL, range.start, range.end, UNMAPPED.category, UNMAPPED.ground);
  return rows.map((r) => ({
    id: num(r.id),
    externalId: (r.external_id as string | null) ?? null,
    caseId: num(r.case_id),
    action: String(r.action),
    policy: String(r.policy),
    actorType: String(r.actor_type),
    automated: Boolean(r.automated),
    decidedAt: r.decided_at as Date,
    openedAt: r.opened_at as Date,
    category: r.category as StatementCategory,
    ground: r.ground as DecisionGround,
    groundText: (r.ground_text as string | null) ?? null,
    explanation: (r.explanation as string | null) ?? null,
    mapped: Boolean(r.mapped),
    sourceType: r.source as SourceType,
    firstReportAt: (r.first_report_at as Date | null) ?? null,
    reportType: (r.report_type as string | null) ?? null,
    surface: (r.surface as string | null) ?? null,
    jurisdiction: (r.jurisdiction as string | null) ?? null,
    language: (r.language as string | null) ?? null,
  }));
}
