// The figures of the template report, read from the analytics copy (src/analytics) in one snapshot. The
// sources and times follow `export dsa` (dsa.ts): its source rule (VOLUNTARY_SQL) and TIME_TO_ACTION_SQL, and its
// aggregates are read in the same snapshot so the consistency checks can hold the two against each other.
import type { Analytics } from '../../../analytics/types';
import type { DateRange } from '../../metrics/range';
import { type DsaAggregates, dsaAggregates, NOTICE_HEAD_SQL, TIME_TO_ACTION_SQL, VOLUNTARY_SQL } from '../dsa';
import { UNMAPPED } from '../dsa-mapping';
import {
  ACTION_RESTRICTION_COLUMN,
  COMPLAINT_TYPES,
  COPYRIGHT_POLICY,
  complaintTypeOfAction,
  SUSPENDING_ACTIONS,
  SUSPENSION_REASONS,
} from './restrictions';
import { KEYWORD_OTHER, NOT_SPECIFIED_NOTICE, RESTRICTION_COLUMNS, type RestrictionColumn } from './template';

type Deps = { analytics: Pick<Analytics, 'read'> };
type Row = Record<string, unknown>;

/** A figure per template row: key `TOTAL`, `<category>` or `<category>/<keyword>`. */
export const rowKey = (category?: string, keyword?: string) =>
  category === undefined ? 'TOTAL' : keyword ? `${category}/${keyword}` : category;

export type NoticeFigures = {
  received: number;
  receivedTf: number;
  items: number;
  itemsTf: number;
  medianHours: number | null;
  medianHoursTf: number | null;
  law: number;
  lawTf: number;
  tc: number;
  tcTf: number;
};
export type OwnInitiativeFigures = { measures: number; automated: number; warnings: number; byColumn: Record<RestrictionColumn, number> };
export type Scoped = { total: number; ownInitiative: number; namTotal: number; namTrustedFlagger: number };
export type AppealFigures = {
  total: number;
  upheld: number;
  partiallyReversed: number;
  reversed: number;
  omitted: number;
  medianHours: number | null;
};

export type ReportFigures = {
  /** The `export dsa` aggregates of the same range and snapshot. */
  aggregates: DsaAggregates;
  notices: Record<string, NoticeFigures>;
  ownIllegal: Record<string, OwnInitiativeFigures>;
  ownTc: Record<string, OwnInitiativeFigures>;
  appeals: { all: AppealFigures; byType: Record<string, AppealFigures>; untyped: number };
  suspensions: Record<string, number>;
  automated: {
    measuresAutomated: Scoped;
    measuresNotAutomated: Scoped;
    noticesAutomated: Scoped;
    noticesNotAutomated: Scoped;
    /** Automated no_violation decisions in the period: the population QA's reviews of automated negatives sample (recall). */
    negativesAutomated: number;
  };
  qa: {
    reviewed: number;
    agreed: number;
    /** Reviews of automated restricting decisions, and how many QA found a violation in. */
    positives: number;
    truePositives: number;
    /** Reviews of automated no_violation decisions that QA found to be violations after all (missed). */
    negatives: number;
    falseNegatives: number;
  };
};

const num = (v: unknown) => Number(v ?? 0);
const hours = (ms: unknown) => (ms === null || ms === undefined ? null : Math.round((Number(ms) / 3_600_000) * 1e6) / 1e6);
const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

// $1, $2: the range; $3, $4: the UNMAPPED category and ground. A mapping without a keyword counts under KEYWORD_OTHER.
const MAPPED = `coalesce(m.category, $3) AS category, coalesce(m.keyword, '${KEYWORD_OTHER}') AS keyword,
                coalesce(m.decision_ground, $4) AS ground`;
const ROW_SETS = 'GROUPING SETS ((category, keyword), (category), ())';

const NOTICES_SQL = `
  WITH n AS (
    SELECT category AS policy, trusted_flagger AS tf, count(*) FILTER (WHERE ${NOTICE_HEAD_SQL}) AS n,
           sum(coalesce(items, 1)) AS items
      FROM reports
     WHERE received_at >= $1 AND received_at < $2 AND NOT own_initiative
     GROUP BY ALL)
  SELECT CASE WHEN n.policy IS NULL THEN '${NOT_SPECIFIED_NOTICE}' ELSE coalesce(m.category, $3) END AS category,
         CASE WHEN n.policy IS NULL THEN NULL ELSE coalesce(m.keyword, '${KEYWORD_OTHER}') END AS keyword,
         n.policy, sum(n.n) AS received, coalesce(sum(n.n) FILTER (WHERE n.tf), 0) AS received_tf,
         sum(n.items) AS items, coalesce(sum(n.items) FILTER (WHERE n.tf), 0) AS items_tf
    FROM n LEFT JOIN dsa_category_map m ON m.policy = n.policy
   GROUP BY ALL`;

// Actions on notices: every action but no_violation on a case whose first report was a notice. One scan groups the
// decisions by policy (and trusted flagger), keeping each group's times to action as a list; the mapping is joined to
// those few groups, and each row of the template takes its exact median from its groups' lists put together
// (quantile_cont over the same values as over the rows themselves: the same figure, without a holistic aggregate per
// grouping set and row, nor the mapping joined to every decision).
const NOTICE_ACTIONS_SQL = `
  WITH p AS (
    SELECT d.policy, d.case_first_report_trusted_flagger AS tf, count(*) AS n, list(${TIME_TO_ACTION_SQL}) AS ms
      FROM decisions d
     WHERE d.decided_at >= $1 AND d.decided_at < $2 AND d.action <> 'no_violation'
       AND NOT ${VOLUNTARY_SQL}
     GROUP BY ALL),
  x AS (SELECT ${MAPPED}, p.tf, p.n, p.ms FROM p LEFT JOIN dsa_category_map m ON m.policy = p.policy)
  SELECT category, keyword, grouping(category, keyword) AS g,
         coalesce(sum(n) FILTER (WHERE ground = 'DECISION_GROUND_ILLEGAL_CONTENT'), 0) AS law,
         coalesce(sum(n) FILTER (WHERE ground = 'DECISION_GROUND_ILLEGAL_CONTENT' AND tf), 0) AS law_tf,
         coalesce(sum(n) FILTER (WHERE ground <> 'DECISION_GROUND_ILLEGAL_CONTENT'), 0) AS tc,
         coalesce(sum(n) FILTER (WHERE ground <> 'DECISION_GROUND_ILLEGAL_CONTENT' AND tf), 0) AS tc_tf,
         list_aggregate(flatten(list(ms)), 'quantile_cont', 0.5) AS p50,
         list_aggregate(flatten(list(ms) FILTER (WHERE tf)), 'quantile_cont', 0.5) AS p50_tf
    FROM x GROUP BY ${ROW_SETS}`;

// The complaint type: as intake gave it, else from what the appealed decision did. The CASE is generated from
// complaintTypeOfAction (the one rule, review #16) over every known action, with and without a trusted
// flagger's notice (the appealed case's first report).
const complaintTypeSql = () => {
  const tf = 'coalesce(c.first_report_trusted_flagger, false)';
  const branches = ['no_violation', ...Object.keys(ACTION_RESTRICTION_COLUMN)].flatMap((action) => {
    const plain = complaintTypeOfAction(action, false);
    const flagged = complaintTypeOfAction(action, true);
    const when = `a.decision_action = ${quote(action)}`;
    if (plain === flagged) return plain ? [`WHEN ${when} THEN ${quote(plain)}`] : [];
    return [...(flagged ? [`WHEN ${when} AND ${tf} THEN ${quote(flagged)}`] : []), ...(plain ? [`WHEN ${when} THEN ${quote(plain)}`] : [])];
  });
  return `coalesce(a.complaint_type, CASE ${branches.join('\n      ')} END)`;
};

const APPEALS_SQL = `
  WITH x AS (
    SELECT ${complaintTypeSql()} AS type, a.outcome,
           CASE WHEN a.outcome IN ('upheld', 'overturned', 'partially_overturned') AND a.resolved_at IS NOT NULL
                THEN (epoch_ms(a.resolved_at) - epoch_ms(a.filed_at))::DOUBLE END AS ms
      FROM appeals a LEFT JOIN cases c ON c.id = a.case_id
     WHERE a.filed_at >= $1 AND a.filed_at < $2)
  SELECT type, grouping(type) AS g, count(*) AS total,
         count(*) FILTER (WHERE outcome = 'upheld') AS upheld,
         count(*) FILTER (WHERE outcome = 'partially_overturned') AS partially,
         count(*) FILTER (WHERE outcome = 'overturned') AS reversed,
         count(*) FILTER (WHERE outcome = 'closed') AS omitted,
         quantile_cont(ms, 0.5) AS p50
    FROM x GROUP BY GROUPING SETS ((type), ())`;

// Every decision of the period in a few groups, one scan: own-initiative measures (sheets 5 and 6, by the policy's
// mapping), automated means (sheet 8) and repeat offenders' suspensions (sheet 7) are all counted from them.
const DECISION_GROUPS_SQL = `
  SELECT ${VOLUNTARY_SQL} AS own, coalesce(d.case_first_report_trusted_flagger, false) AS tf, d.policy, d.action,
         d.automated, d.suspension_reason AS reason, count(*) AS n
    FROM decisions d
   WHERE d.decided_at >= $1 AND d.decided_at < $2
   GROUP BY ALL`;

const MAPPINGS_SQL = 'SELECT policy, category, keyword, decision_ground FROM dsa_category_map';

// Notices processed (8_automated_means): the template counts notices, not decisions. A notice (a report not
// own-initiative, counted once as on 4_notices: a copyright notice once however many items) is processed by its
// case's first decision (earliest, then lowest id; a report joins only an open case, so it came before), whatever
// that decided (no_violation too), and counts in the period of that decision: solely automated when it was.
// The read model carries each case's first decision on its reports (case_first_decision_at, _automated): one scan.
const NOTICES_PROCESSED_SQL = `
  SELECT r.case_first_decision_automated AS automated, r.trusted_flagger AS tf, count(*) AS n
    FROM reports r
   WHERE r.case_first_decision_at >= $1 AND r.case_first_decision_at < $2 AND NOT r.own_initiative AND ${NOTICE_HEAD_SQL}
   GROUP BY ALL`;

const QA_SQL = `
  SELECT decision_action <> 'no_violation' AS positive, outcome,
         coalesce(correct_action, decision_action) <> 'no_violation' AS violation, count(*) AS n
    FROM qa_reviews
   WHERE reviewed_at >= $1 AND reviewed_at < $2 AND decision_automated
   GROUP BY ALL`;

const zeroScoped = (): Scoped => ({ total: 0, ownInitiative: 0, namTotal: 0, namTrustedFlagger: 0 });
export const zeroNotice = (): NoticeFigures => ({
  received: 0,
  receivedTf: 0,
  items: 0,
  itemsTf: 0,
  medianHours: null,
  medianHoursTf: null,
  law: 0,
  lawTf: 0,
  tc: 0,
  tcTf: 0,
});
export const zeroOwn = (): OwnInitiativeFigures => ({
  measures: 0,
  automated: 0,
  warnings: 0,
  byColumn: Object.fromEntries(RESTRICTION_COLUMNS.map((c) => [c, 0])) as Record<RestrictionColumn, number>,
});
const zeroAppeal = (): AppealFigures => ({ total: 0, upheld: 0, partiallyReversed: 0, reversed: 0, omitted: 0, medianHours: null });

const keyOf = (r: Row) =>
  num(r.g) === 3 ? rowKey() : num(r.g) === 1 ? rowKey(String(r.category)) : rowKey(String(r.category), String(r.keyword));

/** Every figure of the template report for a range: one snapshot of the read model. */
export async function reportFigures(deps: Deps, range: DateRange): Promise<ReportFigures> {
  // The aggregates of `export dsa` are read in the same snapshot (the same DuckDB transaction), so the checks
  // compare like with like however the facts move meanwhile.
  const [aggregates, noticeRows, actionRows, decisionGroups, mappingRows, appealRows, processedRows, qaRows] = await deps.analytics.read(
    async (reader) => {
      const q = (sql: string, ...params: string[]) => reader.query(sql, [range.start, range.end, ...params]);
      return [
        await dsaAggregates({ analytics: { read: (fn) => fn(reader) } }, range, { medians: false }),
        await q(NOTICES_SQL, UNMAPPED.category),
        await q(NOTICE_ACTIONS_SQL, UNMAPPED.category, UNMAPPED.ground),
        await q(DECISION_GROUPS_SQL),
        await reader.query(MAPPINGS_SQL),
        await q(APPEALS_SQL),
        await q(NOTICES_PROCESSED_SQL),
        await q(QA_SQL),
      ] as const;
    },
  );

  const notices: Record<string, NoticeFigures> = {};
  const notice = (key: string) => {
    notices[key] ??= zeroNotice();
    return notices[key];
  };
  for (const r of noticeRows) {
    const category = String(r.category);
    const keys = [rowKey(), rowKey(category), ...(r.keyword === null ? [] : [rowKey(category, String(r.keyword))])];
    for (const key of keys) {
      const n = notice(key);
      n.received += num(r.received);
      n.receivedTf += num(r.received_tf);
      n.items += num(r.items);
      n.itemsTf += num(r.items_tf);
    }
  }
  for (const r of actionRows) {
    const n = notice(keyOf(r));
    n.law = num(r.law);
    n.lawTf = num(r.law_tf);
    n.tc = num(r.tc);
    n.tcTf = num(r.tc_tf);
    n.medianHours = hours(r.p50);
    n.medianHoursTf = hours(r.p50_tf);
  }

  // Own-initiative measures by the ground, category and keyword of their policy (unmapped: the UNMAPPED rule; no
  // keyword: KEYWORD_OTHER), each on its TOTAL, category and keyword rows.
  const mappings = new Map(mappingRows.map((m) => [String(m.policy), m]));
  const ownIllegal: Record<string, OwnInitiativeFigures> = {};
  const ownTc: Record<string, OwnInitiativeFigures> = {};
  for (const r of decisionGroups) {
    if (!r.own || r.action === 'no_violation') continue;
    const m = mappings.get(String(r.policy));
    const category = String(m?.category ?? UNMAPPED.category);
    const keyword = String(m?.keyword ?? KEYWORD_OTHER);
    const ground = String(m?.decision_ground ?? UNMAPPED.ground);
    const sheet = ground === 'DECISION_GROUND_ILLEGAL_CONTENT' ? ownIllegal : ownTc;
    const n = num(r.n);
    const column = ACTION_RESTRICTION_COLUMN[String(r.action)];
    for (const key of [rowKey(), rowKey(category), rowKey(category, keyword)]) {
      sheet[key] ??= zeroOwn();
      const f = sheet[key];
      f.measures += n;
      if (r.automated) f.automated += n;
      if (r.action === 'account_warned') f.warnings += n;
      if (column) f.byColumn[column] += n;
    }
  }

  const appeals = { all: zeroAppeal(), byType: {} as Record<string, AppealFigures>, untyped: 0 };
  for (const type of Object.keys(COMPLAINT_TYPES)) appeals.byType[type] = zeroAppeal();
  for (const r of appealRows) {
    const f: AppealFigures = {
      total: num(r.total),
      upheld: num(r.upheld),
      partiallyReversed: num(r.partially),
      reversed: num(r.reversed),
      omitted: num(r.omitted),
      medianHours: hours(r.p50),
    };
    if (num(r.g) !== 0) appeals.all = f;
    else if (r.type === null) appeals.untyped = f.total;
    else appeals.byType[String(r.type)] = f;
  }

  // Repeat offenders' suspensions by reason; a suspension or ban under the copyright policy with no reason given is a
  // repeat-infringer ban: manifestly illegal content.
  const suspensions: Record<string, number> = Object.fromEntries(SUSPENSION_REASONS.map((s) => [s, 0]));
  for (const r of decisionGroups) {
    const action = String(r.action);
    if (!(SUSPENDING_ACTIONS as readonly string[]).includes(action)) continue;
    const reason =
      r.reason ??
      (r.policy === COPYRIGHT_POLICY && (action === 'account_suspended' || action === 'account_banned')
        ? 'manifestly_illegal_content'
        : null);
    if (reason !== null) suspensions[String(reason)] = (suspensions[String(reason)] ?? 0) + num(r.n);
  }

  const automated = {
    measuresAutomated: zeroScoped(),
    measuresNotAutomated: zeroScoped(),
    noticesAutomated: zeroScoped(),
    noticesNotAutomated: zeroScoped(),
    negativesAutomated: 0,
  };
  for (const r of decisionGroups) {
    const n = num(r.n);
    const add = (s: Scoped) => {
      s.total += n;
      if (r.own) s.ownInitiative += n;
      else s.namTotal += n;
      if (!r.own && r.tf) s.namTrustedFlagger += n;
    };
    if (r.action !== 'no_violation') add(r.automated ? automated.measuresAutomated : automated.measuresNotAutomated);
    else if (r.automated) automated.negativesAutomated += n;
  }
  for (const r of processedRows) {
    const s = r.automated ? automated.noticesAutomated : automated.noticesNotAutomated;
    const n = num(r.n);
    s.total += n;
    s.namTotal += n;
    if (r.tf) s.namTrustedFlagger += n;
  }

  const qa = { reviewed: 0, agreed: 0, positives: 0, truePositives: 0, negatives: 0, falseNegatives: 0 };
  for (const r of qaRows) {
    const n = num(r.n);
    qa.reviewed += n;
    if (r.outcome === 'agree') qa.agreed += n;
    if (r.positive) {
      qa.positives += n;
      if (r.outcome === 'agree' || r.violation) qa.truePositives += n;
    } else {
      qa.negatives += n;
      if (r.outcome === 'disagree' && r.violation) qa.falseNegatives += n;
    }
  }
  return { aggregates, notices, ownIllegal, ownTc, appeals, suspensions, automated, qa };
}
