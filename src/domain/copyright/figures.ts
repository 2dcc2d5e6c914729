/**
 * `/trustops copyright [range] [by:claimant|sender_kind|surface]`: the copyright figures of the
 * notices received in the range (a cohort: their outcomes and counter-notices, whenever those came),
 * the false-positive rate by claimant (top 10) and by detection source (the sender kind), repeat
 * infringers now and the open disputes with the business days left to their latest restore date.
 *
 * Read from the analytics copy (src/analytics/, DuckDB); the Postgres SQL these figures had before is the
 * oracle of test/domain/copyright/figures-differential.test.ts.
 */
import type { AnalyticsReader } from '../../analytics/types';
import { badInput } from '../../errors';
import type { DomainDeps } from '../deps';
import { csvLine } from '../exports/csv';
import { type DateRange, parseRange } from '../metrics/range';
import { isTimeZone } from '../time';
import { businessDaysLeft, type CopyrightCalendar } from './calendar';
import { loadCopyrightCalendar } from './holidays';
import { strikePolicy } from './repeat-infringers';
import type { StrikePolicy } from './strikes';

export const COPYRIGHT_DIMENSIONS = ['claimant', 'sender_kind', 'surface'] as const;
export type CopyrightDimension = (typeof COPYRIGHT_DIMENSIONS)[number];
export const COPYRIGHT_FIGURES_EXAMPLE = '/trustops copyright last 90d by:claimant';
const DEFAULT_RANGE = 'last 30d';
/** Claimants listed by name; the rest are summed in the last row. */
export const TOP_CLAIMANTS = 10;
const OPEN_DISPUTES_SHOWN = 10;
const REPEAT_INFRINGERS_SHOWN = 10;

export type CopyrightQuery = { range: DateRange; by: CopyrightDimension };

export type CopyrightRow = {
  /** The group's key (claimant, sender kind or surface); absent for the total. */
  key?: string;
  notices: number;
  complete: number;
  incomplete: number;
  takenDown: number;
  rejected: number;
  itemsTakenDown: number;
  /** Hours from receipt to take down or rejection. */
  timeToActionMedianHours: number | null;
  timeToActionP90Hours: number | null;
  counterNotices: number;
  restoredInWindow: number;
  restoredLate: number;
  restoredFalsePositive: number;
  heldForSuit: number;
  retractions: number;
  /** Taken-down notices later restored as false positive, retracted, or restored after a counter-notice without suit. */
  falsePositives: number;
  /** falsePositives / takenDown; null when nothing was taken down. */
  falsePositiveRate: number | null;
};

export type OpenDispute = {
  counterNoticeExternalId: string;
  noticeExternalId: string;
  accountId: string;
  latestRestoreOn: string | null;
  /** Business days to the latest restore date (negative: overdue); null while incomplete (no clock). */
  businessDaysLeft: number | null;
};

export type CopyrightFigures = {
  query: CopyrightQuery;
  total: CopyrightRow;
  /** By the chosen dimension; for claimants the top 10 by notices, then "(other claimants)". */
  rows: CopyrightRow[];
  /** The false-positive rate by claimant (top 10) and by detection source, whatever `by` is. */
  byClaimant: CopyrightRow[];
  bySenderKind: CopyrightRow[];
  policy: StrikePolicy;
  repeatInfringers: { count: number; top: { accountId: string; strikes: number }[] };
  openDisputes: { count: number; soonest: OpenDispute[] };
  asOf: string;
};

/** "last 90d by:claimant": the words with a colon are options, the others the range (last 30 days when none). */
export function parseCopyrightQuery(deps: Pick<DomainDeps, 'clock' | 'timeZone'>, words: readonly string[]): CopyrightQuery {
  let by: CopyrightDimension = 'claimant';
  let timeZone = deps.timeZone;
  const rangeWords: string[] = [];
  const seen = new Set<string>();
  for (const w of words) {
    const at = w.indexOf(':');
    if (at < 0) {
      rangeWords.push(w);
      continue;
    }
    const key = w.slice(0, at).toLowerCase();
    const value = w.slice(at + 1);
    if (!['by', 'tz'].includes(key) || !value)
      throw badInput(
        `\`${w}\` is not an option; use \`by:claimant\`, \`by:sender_kind\`, \`by:surface\` or \`tz:<zone>\`.`,
        COPYRIGHT_FIGURES_EXAMPLE,
      );
    if (seen.has(key)) throw badInput(`\`${key}:\` is given twice.`, COPYRIGHT_FIGURES_EXAMPLE);
    seen.add(key);
    if (key === 'tz') timeZone = value;
    else {
      const v = value.toLowerCase().replace(/-/g, '_');
      if (!(COPYRIGHT_DIMENSIONS as readonly string[]).includes(v))
        throw badInput(
          `\`by:${value}\` is not a grouping; use ${COPYRIGHT_DIMENSIONS.map((d) => `\`by:${d}\``).join(', ')}.`,
          COPYRIGHT_FIGURES_EXAMPLE,
        );
      by = v as CopyrightDimension;
    }
  }
  if (!isTimeZone(timeZone))
    throw badInput(`\`${timeZone}\` is not a time zone; use an IANA name such as \`tz:America/New_York\`.`, COPYRIGHT_FIGURES_EXAMPLE);
  const range = parseRange(rangeWords.length ? rangeWords.join(' ') : DEFAULT_RANGE, { now: deps.clock.now(), timeZone });
  return { range, by };
}

/** The query back as words, for the Export CSV button's value. */
export function copyrightQueryText(q: CopyrightQuery, words: readonly string[]): string {
  return [...words.filter((w) => !/^by:/i.test(w)), `by:${q.by}`].join(' ');
}

// Per notice of the cohort: its outcome and its counter-notices' outcomes (DuckDB SQL, on the analytics copy).
const COHORT = `
  WITH n AS (
    SELECT id, claimant, sender_kind, status, missing_count = 0 AS complete,
           (action_taken IS NOT NULL AND action_taken NOT IN ('no_action', 'no_violation')) AS taken_down,
           item_count,
           (epoch_us(actioned_at) - epoch_us(received_at)) / 3600000000.0::DOUBLE AS hours
      FROM copyright_notices
     WHERE received_at >= $1 AND received_at < $2
  ), cn AS (
    SELECT notice_id,
           count(*) AS counter_notices,
           count(*) FILTER (WHERE outcome = 'restored_in_window') AS in_window,
           count(*) FILTER (WHERE outcome = 'restored_late') AS late,
           count(*) FILTER (WHERE outcome = 'restored_false_positive') AS false_positive,
           count(*) FILTER (WHERE outcome = 'held') AS held
      FROM counter_notices WHERE notice_id IN (SELECT id FROM n)
     GROUP BY notice_id
  ), x AS (
    SELECT n.*, coalesce(cn.counter_notices, 0) AS counter_notices, coalesce(cn.in_window, 0) AS in_window,
           coalesce(cn.late, 0) AS late, coalesce(cn.false_positive, 0) AS false_positive, coalesce(cn.held, 0) AS held
      FROM n LEFT JOIN cn ON cn.notice_id = n.id
  )`;

const FIGURES = `
  count(*) AS notices,
  count(*) FILTER (WHERE complete) AS complete,
  count(*) FILTER (WHERE NOT complete) AS incomplete,
  count(*) FILTER (WHERE taken_down) AS taken_down,
  count(*) FILTER (WHERE status = 'rejected') AS rejected,
  coalesce(sum(item_count) FILTER (WHERE taken_down), 0) AS items_taken_down,
  quantile_cont(hours, 0.5) AS tta_median,
  quantile_cont(hours, 0.9) AS tta_p90,
  coalesce(sum(counter_notices), 0) AS counter_notices,
  coalesce(sum(in_window), 0) AS in_window,
  coalesce(sum(late), 0) AS late,
  coalesce(sum(false_positive), 0) AS false_positive,
  coalesce(sum(held), 0) AS held,
  count(*) FILTER (WHERE status = 'retracted') AS retractions,
  count(*) FILTER (WHERE taken_down AND (status = 'retracted' OR in_window + late + false_positive > 0)) AS false_positives`;

/** One group of the cohort, as the SQL gives it (exported for the differential test against the Postgres oracle). */
export type FigureRow = {
  dim: string | null;
  key: string | null;
  notices: number;
  complete: number;
  incomplete: number;
  taken_down: number;
  rejected: number;
  items_taken_down: number;
  tta_median: number | null;
  tta_p90: number | null;
  counter_notices: number;
  in_window: number;
  late: number;
  false_positive: number;
  held: number;
  retractions: number;
  false_positives: number;
};

const round1 = (x: number | null) => (x === null ? null : Math.round(Number(x) * 10) / 10);

export function toRow(r: FigureRow): CopyrightRow {
  return {
    ...(r.key !== null ? { key: r.key } : {}),
    notices: r.notices,
    complete: r.complete,
    incomplete: r.incomplete,
    takenDown: r.taken_down,
    rejected: r.rejected,
    itemsTakenDown: r.items_taken_down,
    timeToActionMedianHours: round1(r.tta_median),
    timeToActionP90Hours: round1(r.tta_p90),
    counterNotices: r.counter_notices,
    restoredInWindow: r.in_window,
    restoredLate: r.late,
    restoredFalsePositive: r.false_positive,
    heldForSuit: r.held,
    retractions: r.retractions,
    falsePositives: r.false_positives,
    falsePositiveRate: r.taken_down > 0 ? r.false_positives / r.taken_down : null,
  };
}

const EMPTY: FigureRow = {
  dim: null,
  key: null,
  notices: 0,
  complete: 0,
  incomplete: 0,
  taken_down: 0,
  rejected: 0,
  items_taken_down: 0,
  tta_median: null,
  tta_p90: null,
  counter_notices: 0,
  in_window: 0,
  late: 0,
  false_positive: 0,
  held: 0,
  retractions: 0,
  false_positives: 0,
};

/**
 * Claimants ranked by notices: the top 10 named, the others summed in one row (counts and the
 * false-positive rate add up; medians do not, so that row has no time to action).
 */
function topClaimants(rows: readonly CopyrightRow[]): CopyrightRow[] {
  const ranked = [...rows].sort((a, b) => b.notices - a.notices || (a.key ?? '').localeCompare(b.key ?? ''));
  const top = ranked.slice(0, TOP_CLAIMANTS);
  const rest = ranked.slice(TOP_CLAIMANTS);
  if (rest.length === 0) return top;
  const sum = (f: (r: CopyrightRow) => number) => rest.reduce((n, r) => n + f(r), 0);
  const takenDown = sum((r) => r.takenDown);
  const falsePositives = sum((r) => r.falsePositives);
  return [
    ...top,
    {
      key: `(${rest.length} other claimants)`,
      notices: sum((r) => r.notices),
      complete: sum((r) => r.complete),
      incomplete: sum((r) => r.incomplete),
      takenDown,
      rejected: sum((r) => r.rejected),
      itemsTakenDown: sum((r) => r.itemsTakenDown),
      timeToActionMedianHours: null,
      timeToActionP90Hours: null,
      counterNotices: sum((r) => r.counterNotices),
      restoredInWindow: sum((r) => r.restoredInWindow),
      restoredLate: sum((r) => r.restoredLate),
      restoredFalsePositive: sum((r) => r.restoredFalsePositive),
      heldForSuit: sum((r) => r.heldForSuit),
      retractions: sum((r) => r.retractions),
      falsePositives,
      falsePositiveRate: takenDown > 0 ? falsePositives / takenDown : null,
    },
  ];
}

/** The cohort's figures in one scan: the total, by sender kind and by claimant. */
export async function cohortRows(r: AnalyticsReader, range: DateRange): Promise<FigureRow[]> {
  return r.query<FigureRow>(
    `${COHORT}
     SELECT CASE WHEN grouping(sender_kind) = 0 THEN 'sender_kind' WHEN grouping(claimant) = 0 THEN 'claimant' END AS dim,
            coalesce(sender_kind, claimant) AS key, ${FIGURES}
       FROM x GROUP BY GROUPING SETS ((), (sender_kind), (claimant))`,
    [range.start, range.end],
  );
}

/** By surface: a notice counts under each surface its items are on; items taken down are counted per surface. */
export async function surfaceRows(r: AnalyticsReader, range: DateRange): Promise<FigureRow[]> {
  return r.query<FigureRow>(
    // Items per notice and surface through one histogram per notice: grouping by the notice alone (an integer)
    // is several times cheaper than by (notice, surface) over a million items.
    `${COHORT}, i AS (
       SELECT notice_id, unnest(map_keys(h)) AS surface, unnest(map_values(h)) AS items
         FROM (SELECT notice_id, histogram(surface) AS h FROM copyright_notice_items
                WHERE notice_id IN (SELECT id FROM n) GROUP BY notice_id)
     ), s AS (
       SELECT x.*, i.surface, i.items AS surface_items FROM x JOIN i ON i.notice_id = x.id
     )
     SELECT 'surface' AS dim, surface AS key, ${FIGURES.replace(
       'coalesce(sum(item_count) FILTER (WHERE taken_down), 0) AS items_taken_down',
       'coalesce(sum(surface_items) FILTER (WHERE taken_down), 0) AS items_taken_down',
     )}
       FROM s GROUP BY surface ORDER BY count(*) DESC, surface`,
    [range.start, range.end],
  );
}

export type InfringerRow = { account_id: string; strikes: number; total: number };
export type DisputeRow = { cn: string; notice: string; account_id: string; latest: Date | null; total: number };

/**
 * Read from the analytics copy (caught up first, so every notice, outcome, counter-notice and strike committed
 * before the look-up counts), in one DuckDB transaction: the cohort with its grouping sets, by surface when
 * asked, and the current state (repeat infringers, open disputes). The policy and the calendar come from Postgres.
 */
export async function computeCopyrightFigures(
  deps: Pick<DomainDeps, 'db' | 'analytics' | 'clock' | 'copyrightTimeZone'>,
  query: CopyrightQuery,
): Promise<CopyrightFigures> {
  const now = deps.clock.now();
  const { range } = query;
  const [policy, cal] = await Promise.all([strikePolicy(deps.db), loadCopyrightCalendar(deps)]);
  const { grouped, bySurfaceRows, infringers, disputes } = await deps.analytics.read(async (r) => ({
    grouped: await cohortRows(r, range),
    bySurfaceRows: query.by === 'surface' ? await surfaceRows(r, range) : [],
    infringers: await r.query<InfringerRow>(
      `SELECT account_id, count(*) AS strikes, count(*) OVER () AS total
         FROM copyright_strikes
        WHERE removed_at IS NULL AND created_at > $1 AND created_at <= $2
        GROUP BY account_id HAVING count(*) >= $3
        ORDER BY count(*) DESC, account_id LIMIT ${REPEAT_INFRINGERS_SHOWN}`,
      [new Date(now.getTime() - policy.windowDays * 86_400_000), now, policy.strikes],
    ),
    disputes: await r.query<DisputeRow>(
      `SELECT c.external_id AS cn, n.external_id AS notice, c.account_id, c.latest_restore_on AS latest, count(*) OVER () AS total
         FROM counter_notices c JOIN copyright_notices n ON n.id = c.notice_id
        WHERE c.status IN ('pending', 'info_requested')
        ORDER BY c.latest_restore_on ASC NULLS LAST, c.received_at, c.id LIMIT ${OPEN_DISPUTES_SHOWN}`,
    ),
  }));
  return assembleFigures({ query, now, policy, cal, grouped, bySurfaceRows, infringers, disputes });
}

/** The answer from the rows the statements gave (shared with the differential test's Postgres oracle). */
export function assembleFigures(p: {
  query: CopyrightQuery;
  now: Date;
  policy: StrikePolicy;
  cal: CopyrightCalendar;
  grouped: readonly FigureRow[];
  bySurfaceRows: readonly FigureRow[];
  infringers: readonly InfringerRow[];
  disputes: readonly DisputeRow[];
}): CopyrightFigures {
  const { query, now, policy, cal, grouped, infringers, disputes } = p;
  const byClaimant = topClaimants(grouped.filter((r) => r.dim === 'claimant').map(toRow));
  const total = toRow(grouped.find((r) => r.dim === null) ?? EMPTY);
  const bySenderKind = grouped.filter((r) => r.dim === 'sender_kind').map(toRow);
  bySenderKind.sort((a, b) => (a.key ?? '').localeCompare(b.key ?? ''));
  const bySurface = p.bySurfaceRows.map(toRow);

  return {
    query,
    total,
    rows: query.by === 'claimant' ? byClaimant : query.by === 'sender_kind' ? bySenderKind : bySurface,
    byClaimant,
    bySenderKind,
    policy,
    repeatInfringers: {
      count: infringers[0]?.total ?? 0,
      top: infringers.map((r) => ({ accountId: r.account_id, strikes: r.strikes })),
    },
    openDisputes: {
      count: disputes[0]?.total ?? 0,
      soonest: disputes.map((d) => {
        const latest = d.latest ? d.latest.toISOString().slice(0, 10) : null;
        return {
          counterNoticeExternalId: d.cn,
          noticeExternalId: d.notice,
          accountId: d.account_id,
          latestRestoreOn: latest,
          businessDaysLeft: latest ? businessDaysLeft(cal, now, latest) : null,
        };
      }),
    },
    asOf: now.toISOString(),
  };
}

export async function lookUpCopyrightFigures(
  deps: Pick<DomainDeps, 'db' | 'analytics' | 'clock' | 'timeZone' | 'copyrightTimeZone'>,
  words: readonly string[],
): Promise<CopyrightFigures> {
  return computeCopyrightFigures(deps, parseCopyrightQuery(deps, words));
}

const CSV_COLUMNS = [
  'group',
  'key',
  'notices',
  'complete',
  'incomplete',
  'taken_down',
  'rejected',
  'items_taken_down',
  'time_to_action_median_h',
  'time_to_action_p90_h',
  'counter_notices',
  'restored_in_window',
  'restored_late',
  'restored_false_positive',
  'held_for_suit',
  'retractions',
  'false_positives',
  'false_positive_rate',
] as const;

/** The figures as CSV: the total, the chosen grouping, and the false-positive rate by claimant and by sender kind. */
export function* copyrightCsvLines(f: CopyrightFigures): Iterable<string> {
  yield csvLine([...CSV_COLUMNS]);
  const line = (group: string, r: CopyrightRow) =>
    csvLine([
      group,
      r.key ?? '',
      r.notices,
      r.complete,
      r.incomplete,
      r.takenDown,
      r.rejected,
      r.itemsTakenDown,
      r.timeToActionMedianHours,
      r.timeToActionP90Hours,
      r.counterNotices,
      r.restoredInWindow,
      r.restoredLate,
      r.restoredFalsePositive,
      r.heldForSuit,
      r.retractions,
      r.falsePositives,
      r.falsePositiveRate === null ? null : Math.round(r.falsePositiveRate * 10_000) / 10_000,
    ]);
  yield line('total', f.total);
  for (const r of f.rows) yield line(f.query.by, r);
  if (f.query.by !== 'claimant') for (const r of f.byClaimant) yield line('claimant', r);
  if (f.query.by !== 'sender_kind') for (const r of f.bySenderKind) yield line('sender_kind', r);
}
