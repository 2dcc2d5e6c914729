import type { Analytics, AnalyticsReader } from '../../analytics/types';
import { badInput } from '../../errors';
import type { DomainDeps } from '../deps';
import { localTimeSql } from '../local-time-sql';
import type { DateRange } from '../metrics/range';
import { addDays, dayNumberOf, localDate, startOfLocalDate, startOfLocalDay } from '../time';
import { type Proportion, proportion } from './wilson';

/**
 * A vendor's scorecard over local days [from, to] (one day for the daily digest, any range on demand),
 * read from the analytics copy in one transaction. Days are the vendor's local calendar days unless a
 * zone is given (the overview uses the ops zone); their bounds come from time.ts (startOfLocalDate), and
 * DuckDB is given the zone's offsets (offsetSegments) rather than converting zones with its own tz data.
 *
 * A fact belongs to the vendor of its case's queue. Each figure counts facts by one instant of their own,
 * so a day's figures never change once the day is over, and adjacent days add up to the range:
 * - reportsReceived — reports received_at in the period; decisions — decisions decided_at in it.
 * - casesOpened (intake) — cases opened_at in it; throughput — cases resolved_at in it (each case once,
 *   when its first decision resolved it).
 * - SLA attainment — met ÷ (met + missed) over targets completed in the period (first_action_at,
 *   resolved_at), met when at or before the due time. breaches — targets whose due time fell in the
 *   period (and before now) without being completed by it; a case closed without a decision counts as
 *   done at closed_at.
 * - QA — reviews reviewed_at in the period. accuracy = agree ÷ reviewed. False positive: QA disagrees,
 *   the decision took an action and QA's correct action is no_violation; its rate is over the reviewed
 *   decisions that took an action. False negative: QA disagrees, the decision was no_violation and QA's
 *   correct action is another; its rate is over the reviewed no_violation decisions. Top error
 *   categories: the disagreements by error_category, most first.
 * - appeals — appeals resolved (upheld or overturned) in the period; overturn rate = overturned ÷ resolved.
 *   (By resolution, not by filing: a filing cohort's outcomes keep changing, so a late digest would differ.)
 * - backlog — as of the end of the period (or now, if earlier): cases opened before it and neither
 *   resolved nor closed before it, by age then (< 4 h, 4–24 h, 1–3 d, ≥ 3 d), the oldest (earliest opened,
 *   then lowest id), and the oldest open breach (a case in the backlog past a due time it had not met).
 * - throughput baseline — the mean of cases decided per day over the 7 local days before the period.
 * - pace — that baseline for a one-day period, a longer period's own mean per day. daysToClear = backlog
 *   ÷ pace (null when the pace is 0 and there is a backlog). growing — intake exceeded throughput on each
 *   of the period's last three days.
 * - reviewerHours — Σ over the vendor's queues of backlog × minutes per case ÷ 60 (minutesPerCase per
 *   queue id; DEFAULT_MINUTES_PER_CASE where a queue has none).
 * - series — the same daily counts for the 30 local days ending on the period's last day (the chart).
 */

export type DigestTargets = { firstAction: number; resolution: number; qaAccuracy: number };
/** A vendor's targets where its row has none (the copy of an older file); each vendor's own are data. */
export const DEFAULT_TARGETS: DigestTargets = { firstAction: 0.95, resolution: 0.9, qaAccuracy: 0.95 };
/** Reviewer minutes a case takes where its queue has no `minutes:` setting yet. */
export const DEFAULT_MINUTES_PER_CASE = 10;
export const SERIES_DAYS = 30;
export const BASELINE_DAYS = 7;
/** The longest period a scorecard covers (one query, grouped by day). */
export const MAX_PERIOD_DAYS = 366;
const NO_ACTION = 'no_violation';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export type DayCounts = {
  date: string;
  reports: number;
  decisions: number;
  opened: number;
  decided: number;
  firstActionMet: number;
  firstActionMissed: number;
  resolutionMet: number;
  resolutionMissed: number;
  breaches: number;
  qaReviewed: number;
  qaAgree: number;
  qaActioned: number;
  qaFalsePositive: number;
  qaNoAction: number;
  qaFalseNegative: number;
  appealsResolved: number;
  appealsOverturned: number;
};

export type Attainment = { met: number; missed: number; rate: number | null; target: number; belowTarget: boolean };
export type VendorRef = { id: number; key: string; name: string; timeZone: string };
type VendorRow = VendorRef & { targets: DigestTargets };

export type Scorecard = {
  vendor: VendorRef;
  period: { from: string; to: string; days: number; timeZone: string; start: Date; end: Date; asOf: Date };
  reportsReceived: number;
  decisions: number;
  casesOpened: number;
  sla: {
    firstAction: Attainment;
    resolution: Attainment;
    breaches: number;
    oldestOpenBreach: { caseId: number; openedAt: Date; breachedAt: Date } | null;
  };
  qa: {
    accuracy: Proportion;
    target: number;
    belowTarget: boolean;
    falsePositive: Proportion;
    falseNegative: Proportion;
    topErrors: { category: string | null; count: number }[];
  };
  appeals: { overturned: Proportion };
  backlog: {
    asOf: Date;
    total: number;
    byAge: { under4h: number; from4to24h: number; from1to3d: number; over3d: number };
    oldest: { caseId: number; openedAt: Date } | null;
  };
  throughput: { total: number; perDay: number; baselinePerDay: number };
  capacity: { pacePerDay: number; daysToClear: number | null; growing: boolean; reviewerHours: number };
  /** True when nothing happened in the period: no report, decision, case opened or decided, review or appeal. */
  quiet: boolean;
  series: DayCounts[];
};

export type ScorecardInput = {
  /** First and last local date of the period, YYYY-MM-DD (the same date for a daily digest). */
  from: string;
  to: string;
  /** The zone of the local days; by default each vendor's own. */
  timeZone?: string;
  /** Minutes of reviewer time per case, by queue id; by default each queue's own setting (minutes_per_case). */
  minutesPerCase?: ReadonlyMap<number, number>;
  /** The same targets for every vendor; by default each vendor's own. */
  targets?: DigestTargets;
  /** False: no 30-day series (the overview draws no chart), so only the period and the 7 days before it are read. */
  series?: boolean;
};

export type ScorecardDeps = Pick<DomainDeps, 'clock'> & { analytics: Pick<Analytics, 'read'> };

/**
 * The local dates of a parsed range (`/trustops vendor acme last 7d`, parsed with the metrics' parseRange
 * in the vendor's zone): its boundaries are local midnights, so [start, end) is whole days.
 */
export function periodOfRange(range: DateRange): { from: string; to: string; timeZone: string } {
  return {
    from: localDate(range.start, range.timeZone),
    to: localDate(new Date(range.end.getTime() - 1), range.timeZone),
    timeZone: range.timeZone,
  };
}

/** The local date before the one `now` falls on: what a digest sent at `now` covers. */
export function previousLocalDate(now: Date, timeZone: string): string {
  return localDate(new Date(startOfLocalDay(now, timeZone).getTime() - 1), timeZone);
}

/** One vendor's scorecard, by key; an unknown key names the vendors there are. */
export async function vendorScorecard(deps: ScorecardDeps, vendorKey: string, input: ScorecardInput): Promise<Scorecard> {
  const [card] = await scorecards(deps, { ...input, vendorKeys: [vendorKey] });
  return card!;
}

/** Scorecards of several vendors (all of them when `vendorKeys` is not given), in one read, ordered by key. */
export async function scorecards(deps: ScorecardDeps, input: ScorecardInput & { vendorKeys?: readonly string[] }): Promise<Scorecard[]> {
  const days = checkPeriod(input.from, input.to);
  const now = deps.clock.now();
  return deps.analytics.read(async (reader) => {
    const all = (
      await reader.query(
        'SELECT id, key, name, timezone, first_action_target, resolution_target, qa_accuracy_target FROM vendors ORDER BY key',
      )
    ).map(
      (r): VendorRow => ({
        id: Number(r.id),
        key: String(r.key),
        name: String(r.name),
        timeZone: String(r.timezone),
        targets: {
          firstAction: r.first_action_target == null ? DEFAULT_TARGETS.firstAction : Number(r.first_action_target),
          resolution: r.resolution_target == null ? DEFAULT_TARGETS.resolution : Number(r.resolution_target),
          qaAccuracy: r.qa_accuracy_target == null ? DEFAULT_TARGETS.qaAccuracy : Number(r.qa_accuracy_target),
        },
      }),
    );
    let vendors = all;
    if (input.vendorKeys) {
      const unknown = input.vendorKeys.filter((k) => !all.some((v) => v.key === k));
      if (unknown.length) {
        throw badInput(
          `No vendor \`${unknown[0]}\`. Vendors: ${all.map((v) => v.key).join(', ') || '(none yet)'}.`,
          '/trustops vendor acme 2026-11-01..2026-11-30',
        );
      }
      vendors = all.filter((v) => input.vendorKeys!.includes(v.key));
    }
    // Vendors sharing a zone share day bounds: one set of statements per zone.
    const byZone = new Map<string, VendorRow[]>();
    for (const v of vendors) {
      const zone = input.timeZone ?? v.timeZone;
      byZone.set(zone, [...(byZone.get(zone) ?? []), v]);
    }
    const out: Scorecard[] = [];
    for (const [zone, group] of byZone) out.push(...(await zoneScorecards(reader, group, zone, days, now, input)));
    return out.sort((a, b) => (a.vendor.key < b.vendor.key ? -1 : a.vendor.key > b.vendor.key ? 1 : 0));
  });
}

function checkPeriod(from: string, to: string): number {
  const a = dayNumberOf(from);
  const b = dayNumberOf(to);
  if (a === undefined || b === undefined) throw badInput(`Dates are written YYYY-MM-DD: "${a === undefined ? from : to}" is not one.`);
  if (b < a) throw badInput(`The period ends (${to}) before it starts (${from}).`);
  if (b - a + 1 > MAX_PERIOD_DAYS) throw badInput(`A scorecard covers at most ${MAX_PERIOD_DAYS} days; ${from} to ${to} is ${b - a + 1}.`);
  return b - a + 1;
}

const EMPTY_DAY = (date: string): DayCounts => ({
  date,
  reports: 0,
  decisions: 0,
  opened: 0,
  decided: 0,
  firstActionMet: 0,
  firstActionMissed: 0,
  resolutionMet: 0,
  resolutionMissed: 0,
  breaches: 0,
  qaReviewed: 0,
  qaAgree: 0,
  qaActioned: 0,
  qaFalsePositive: 0,
  qaNoAction: 0,
  qaFalseNegative: 0,
  appealsResolved: 0,
  appealsOverturned: 0,
});

type Row = Record<string, unknown>;
/** A period with none of these is quiet (breaches alone are not activity: nobody acted). */
const QUIET_KEYS = [
  'reports',
  'decisions',
  'opened',
  'decided',
  'firstActionMet',
  'firstActionMissed',
  'qaReviewed',
  'appealsResolved',
] as const;
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

async function zoneScorecards(
  reader: AnalyticsReader,
  vendors: VendorRow[],
  timeZone: string,
  days: number,
  now: Date,
  input: ScorecardInput,
): Promise<Scorecard[]> {
  const withSeries = input.series ?? true;
  const seriesFrom = addDays(input.to, -(SERIES_DAYS - 1));
  const baselineFrom = addDays(input.from, -BASELINE_DAYS);
  // YYYY-MM-DD strings sort as dates.
  const firstDate = withSeries ? [seriesFrom, baselineFrom].sort()[0]! : baselineFrom;
  const windowStart = startOfLocalDate(firstDate, timeZone);
  const start = startOfLocalDate(input.from, timeZone);
  const end = startOfLocalDate(addDays(input.to, 1), timeZone);
  // Figures are as of the end of the period, or of now for a period not over yet.
  const asOf = end < now ? end : now;
  const ids = vendors.map((v) => v.id).join(', ');
  const day = `CAST(${localTimeSql('e.at', windowStart, end, timeZone)} AS DATE)`;
  const done = 'least(c.resolved_at, c.closed_at)';

  // Every dated fact of the window as (vendor, kind, instant, flags); $1 window start, $2 end, $3 as-of.
  const events = (await reader.query(
    `WITH vq AS (SELECT id AS queue_id, vendor_id FROM queues WHERE vendor_id IN (${ids})),
     e AS (
       SELECT vq.vendor_id, 'report' AS kind, r.received_at AS at, 0 AS a, 0 AS b, 0 AS c, 0 AS d
         FROM reports r JOIN vq ON vq.queue_id = r.case_queue_id WHERE r.received_at >= $1 AND r.received_at < $2
       UNION ALL
       SELECT vq.vendor_id, 'decision', d.decided_at, 0, 0, 0, 0
         FROM decisions d JOIN vq ON vq.queue_id = d.case_queue_id WHERE d.decided_at >= $1 AND d.decided_at < $2
       UNION ALL
       SELECT vq.vendor_id, 'opened', c.opened_at, 0, 0, 0, 0
         FROM cases c JOIN vq ON vq.queue_id = c.queue_id WHERE c.opened_at >= $1 AND c.opened_at < $2
       UNION ALL
       SELECT vq.vendor_id, 'decided', c.resolved_at, CAST(c.resolved_at <= c.resolution_due_at AS INTEGER), 0, 0, 0
         FROM cases c JOIN vq ON vq.queue_id = c.queue_id WHERE c.resolved_at >= $1 AND c.resolved_at < $2
       UNION ALL
       SELECT vq.vendor_id, 'first_action', c.first_action_at, CAST(c.first_action_at <= c.first_action_due_at AS INTEGER), 0, 0, 0
         FROM cases c JOIN vq ON vq.queue_id = c.queue_id WHERE c.first_action_at >= $1 AND c.first_action_at < $2
       UNION ALL
       SELECT vq.vendor_id, 'breach', c.first_action_due_at, 0, 0, 0, 0
         FROM cases c JOIN vq ON vq.queue_id = c.queue_id
        WHERE c.first_action_due_at >= $1 AND c.first_action_due_at < $2 AND c.first_action_due_at < $3
          AND coalesce(least(c.first_action_at, c.closed_at) > c.first_action_due_at, true)
       UNION ALL
       SELECT vq.vendor_id, 'breach', c.resolution_due_at, 0, 0, 0, 0
         FROM cases c JOIN vq ON vq.queue_id = c.queue_id
        WHERE c.resolution_due_at >= $1 AND c.resolution_due_at < $2 AND c.resolution_due_at < $3
          AND coalesce(${done} > c.resolution_due_at, true)
       UNION ALL
       SELECT vq.vendor_id, 'qa', q.reviewed_at,
              CAST(q.outcome = 'agree' AS INTEGER),
              CAST(q.decision_action <> '${NO_ACTION}' AS INTEGER),
              CAST(q.outcome = 'disagree' AND q.decision_action <> '${NO_ACTION}' AND q.correct_action = '${NO_ACTION}' AS INTEGER),
              CAST(q.outcome = 'disagree' AND q.decision_action = '${NO_ACTION}' AND coalesce(q.correct_action <> '${NO_ACTION}', false) AS INTEGER)
         FROM qa_reviews q JOIN vq ON vq.queue_id = q.case_queue_id WHERE q.reviewed_at >= $1 AND q.reviewed_at < $2
       UNION ALL
       SELECT vq.vendor_id, 'appeal', a.resolved_at, CAST(a.outcome = 'overturned' AS INTEGER), 0, 0, 0
         FROM appeals a JOIN vq ON vq.queue_id = a.case_queue_id
        WHERE a.outcome IN ('upheld', 'overturned') AND a.resolved_at >= $1 AND a.resolved_at < $2
     )
     SELECT e.vendor_id, e.kind, ${day} AS day, count(*) AS n, sum(e.a) AS a, sum(e.b) AS b, sum(e.c) AS c, sum(e.d) AS d
       FROM e GROUP BY ALL`,
    [windowStart, end, asOf],
  )) as Row[];

  const asOfMs = asOf.getTime();
  // Open at the as-of instant: opened before it, neither resolved nor closed before it.
  const backlog = (await reader.query(
    `WITH vq AS (SELECT id AS queue_id, vendor_id, minutes_per_case FROM queues WHERE vendor_id IN (${ids})),
     b AS (
       SELECT vq.vendor_id, c.queue_id, vq.minutes_per_case, c.id, c.opened_at, ${asOfMs} - epoch_ms(c.opened_at) AS age,
              least(CASE WHEN c.first_action_due_at < $1 AND coalesce(c.first_action_at >= $1, true) THEN c.first_action_due_at END,
                    CASE WHEN c.resolution_due_at < $1 THEN c.resolution_due_at END) AS breached_at
         FROM cases c JOIN vq ON vq.queue_id = c.queue_id
        WHERE c.opened_at < $1 AND coalesce(${done} >= $1, true)
     )
     SELECT vendor_id, queue_id, any_value(minutes_per_case) AS minutes_per_case, count(*) AS total,
            count(*) FILTER (WHERE age < ${4 * HOUR}) AS under4h,
            count(*) FILTER (WHERE age >= ${4 * HOUR} AND age < ${DAY}) AS from4to24h,
            count(*) FILTER (WHERE age >= ${DAY} AND age < ${3 * DAY}) AS from1to3d,
            count(*) FILTER (WHERE age >= ${3 * DAY}) AS over3d,
            arg_min(id, [epoch_ms(opened_at), id]) AS oldest_id,
            min(opened_at) AS oldest_at,
            arg_min(id, [epoch_ms(opened_at), id]) FILTER (WHERE breached_at IS NOT NULL) AS breach_id,
            arg_min(opened_at, [epoch_ms(opened_at), id]) FILTER (WHERE breached_at IS NOT NULL) AS breach_opened_at,
            arg_min(breached_at, [epoch_ms(opened_at), id]) FILTER (WHERE breached_at IS NOT NULL) AS breach_at
       FROM b GROUP BY vendor_id, queue_id`,
    [asOf],
  )) as Row[];

  const errors = (await reader.query(
    `SELECT vq.vendor_id, q.error_category AS category, count(*) AS n
       FROM qa_reviews q JOIN queues vq ON vq.id = q.case_queue_id
      WHERE vq.vendor_id IN (${ids}) AND q.outcome = 'disagree' AND q.reviewed_at >= $1 AND q.reviewed_at < $2
      GROUP BY ALL`,
    [start, end],
  )) as Row[];

  return vendors.map((vendor) =>
    buildScorecard({
      vendor: { id: vendor.id, key: vendor.key, name: vendor.name, timeZone: vendor.timeZone },
      timeZone,
      from: input.from,
      to: input.to,
      days,
      start,
      end,
      asOf,
      firstDate,
      withSeries,
      targets: input.targets ?? vendor.targets,
      minutesPerCase: input.minutesPerCase,
      events: events.filter((r) => Number(r.vendor_id) === vendor.id),
      backlog: backlog.filter((r) => Number(r.vendor_id) === vendor.id),
      errors: errors.filter((r) => Number(r.vendor_id) === vendor.id),
    }),
  );
}

function buildScorecard(x: {
  vendor: VendorRef;
  timeZone: string;
  from: string;
  to: string;
  days: number;
  start: Date;
  end: Date;
  asOf: Date;
  firstDate: string;
  withSeries: boolean;
  targets: DigestTargets;
  minutesPerCase: ReadonlyMap<number, number> | undefined;
  events: Row[];
  backlog: Row[];
  errors: Row[];
}): Scorecard {
  const dayCount = dayNumberOf(x.to)! - dayNumberOf(x.firstDate)! + 1;
  const daily = new Map<string, DayCounts>();
  for (let i = 0; i < dayCount; i++) {
    const date = addDays(x.firstDate, i);
    daily.set(date, EMPTY_DAY(date));
  }
  for (const r of x.events) {
    const d = daily.get((r.day as Date).toISOString().slice(0, 10));
    if (!d) continue;
    const [n, a, b, c, e] = [num(r.n), num(r.a), num(r.b), num(r.c), num(r.d)];
    switch (r.kind) {
      case 'report':
        d.reports += n;
        break;
      case 'decision':
        d.decisions += n;
        break;
      case 'opened':
        d.opened += n;
        break;
      case 'decided':
        d.decided += n;
        d.resolutionMet += a;
        d.resolutionMissed += n - a;
        break;
      case 'first_action':
        d.firstActionMet += a;
        d.firstActionMissed += n - a;
        break;
      case 'breach':
        d.breaches += n;
        break;
      case 'qa':
        d.qaReviewed += n;
        d.qaAgree += a;
        d.qaActioned += b;
        d.qaNoAction += n - b;
        d.qaFalsePositive += c;
        d.qaFalseNegative += e;
        break;
      case 'appeal':
        d.appealsResolved += n;
        d.appealsOverturned += a;
        break;
    }
  }
  const all = [...daily.values()];
  const inPeriod = all.filter((d) => d.date >= x.from && d.date <= x.to);
  const sum = (k: keyof Omit<DayCounts, 'date'>, list: DayCounts[] = inPeriod) => list.reduce((s, d) => s + d[k], 0);

  const attainment = (met: number, missed: number, target: number): Attainment => {
    const rate = met + missed === 0 ? null : met / (met + missed);
    return { met, missed, rate, target, belowTarget: rate !== null && rate < target };
  };

  const backlogTotal = x.backlog.reduce((s, r) => s + num(r.total), 0);
  const byAge = {
    under4h: x.backlog.reduce((s, r) => s + num(r.under4h), 0),
    from4to24h: x.backlog.reduce((s, r) => s + num(r.from4to24h), 0),
    from1to3d: x.backlog.reduce((s, r) => s + num(r.from1to3d), 0),
    over3d: x.backlog.reduce((s, r) => s + num(r.over3d), 0),
  };
  const earliest = <T>(items: T[], at: (t: T) => Date, id: (t: T) => number): T | undefined =>
    items.reduce<T | undefined>((best, t) => {
      if (!best) return t;
      const d = at(t).getTime() - at(best).getTime();
      return d < 0 || (d === 0 && id(t) < id(best)) ? t : best;
    }, undefined);
  const oldestRow = earliest(
    x.backlog.filter((r) => r.oldest_id !== null),
    (r) => r.oldest_at as Date,
    (r) => num(r.oldest_id),
  );
  const breachRow = earliest(
    x.backlog.filter((r) => r.breach_id !== null && r.breach_id !== undefined),
    (r) => r.breach_opened_at as Date,
    (r) => num(r.breach_id),
  );
  let reviewerMinutes = 0;
  for (const r of x.backlog) {
    const perCase =
      x.minutesPerCase?.get(num(r.queue_id)) ?? (r.minutes_per_case == null ? DEFAULT_MINUTES_PER_CASE : num(r.minutes_per_case));
    reviewerMinutes += num(r.total) * perCase;
  }

  const throughputTotal = sum('decided');
  const baseline = all.filter((d) => d.date >= addDays(x.from, -BASELINE_DAYS) && d.date < x.from);
  const baselinePerDay = sum('decided', baseline) / BASELINE_DAYS;
  const perDay = throughputTotal / x.days;
  const pace = x.days === 1 ? baselinePerDay : perDay;
  const lastThree = all.filter((d) => d.date > addDays(x.to, -3) && d.date <= x.to);
  const qaAccuracy = proportion(sum('qaAgree'), sum('qaReviewed'));
  const errorList = x.errors
    .map((r) => ({ category: r.category === null ? null : String(r.category), count: num(r.n) }))
    .sort((a, b) => b.count - a.count || (a.category ?? '\uffff').localeCompare(b.category ?? '\uffff'))
    .slice(0, 3);

  return {
    vendor: x.vendor,
    period: { from: x.from, to: x.to, days: x.days, timeZone: x.timeZone, start: x.start, end: x.end, asOf: x.asOf },
    reportsReceived: sum('reports'),
    decisions: sum('decisions'),
    casesOpened: sum('opened'),
    sla: {
      firstAction: attainment(sum('firstActionMet'), sum('firstActionMissed'), x.targets.firstAction),
      resolution: attainment(sum('resolutionMet'), sum('resolutionMissed'), x.targets.resolution),
      breaches: sum('breaches'),
      oldestOpenBreach: breachRow
        ? { caseId: num(breachRow.breach_id), openedAt: breachRow.breach_opened_at as Date, breachedAt: breachRow.breach_at as Date }
        : null,
    },
    qa: {
      accuracy: qaAccuracy,
      target: x.targets.qaAccuracy,
      belowTarget: qaAccuracy.rate !== null && qaAccuracy.rate < x.targets.qaAccuracy,
      falsePositive: proportion(sum('qaFalsePositive'), sum('qaActioned')),
      falseNegative: proportion(sum('qaFalseNegative'), sum('qaNoAction')),
      topErrors: errorList,
    },
    appeals: { overturned: proportion(sum('appealsOverturned'), sum('appealsResolved')) },
    backlog: {
      asOf: x.asOf,
      total: backlogTotal,
      byAge,
      oldest: oldestRow ? { caseId: num(oldestRow.oldest_id), openedAt: oldestRow.oldest_at as Date } : null,
    },
    throughput: { total: throughputTotal, perDay, baselinePerDay },
    capacity: {
      pacePerDay: pace,
      daysToClear: backlogTotal === 0 ? 0 : pace === 0 ? null : backlogTotal / pace,
      growing: lastThree.length === 3 && lastThree.every((d) => d.opened > d.decided),
      reviewerHours: reviewerMinutes / 60,
    },
    quiet: QUIET_KEYS.every((k) => sum(k) === 0),
    series: x.withSeries ? all.filter((d) => d.date >= addDays(x.to, -(SERIES_DAYS - 1))) : [],
  };
}
