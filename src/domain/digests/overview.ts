import { csvLine } from '../exports/csv';
import type { Scorecard } from './scorecard';
import { type Proportion, proportion, withinNoise } from './wilson';

/**
 * The overview digest (vendor-ops channel only: it compares vendors). Two rankings over the same day:
 * - SLA attainment — both targets together: met ÷ completed, first actions and resolutions;
 * - QA accuracy — agree ÷ reviewed.
 * Higher first; vendors with nothing to measure last; then by key. A vendor whose 95 % interval
 * overlaps the one ranked just above it is "within the noise" of it: the data do not order them.
 * Each vendor's missed targets are listed (first action, resolution, QA accuracy: below target).
 */

export type TargetName = 'first_action' | 'resolution' | 'qa_accuracy';

export type RankedVendor = {
  rank: number;
  card: Scorecard;
  value: Proportion;
  /** Its interval overlaps that of the vendor ranked just above. */
  withinNoiseOfAbove: boolean;
};

export type Overview = {
  date: string;
  timeZone: string;
  bySla: RankedVendor[];
  byQa: RankedVendor[];
  missedTargets: Map<number, TargetName[]>;
};

/** SLA attainment over both targets: met ÷ completed. */
export function slaProportion(card: Scorecard): Proportion {
  const { firstAction: fa, resolution: r } = card.sla;
  return proportion(fa.met + r.met, fa.met + fa.missed + r.met + r.missed);
}

export function missedTargets(card: Scorecard): TargetName[] {
  const out: TargetName[] = [];
  if (card.sla.firstAction.belowTarget) out.push('first_action');
  if (card.sla.resolution.belowTarget) out.push('resolution');
  if (card.qa.belowTarget) out.push('qa_accuracy');
  return out;
}

function rank(cards: readonly Scorecard[], value: (c: Scorecard) => Proportion): RankedVendor[] {
  const sorted = cards
    .map((card) => ({ card, value: value(card) }))
    .sort((a, b) => {
      if (a.value.rate === null || b.value.rate === null) {
        if (a.value.rate !== b.value.rate) return a.value.rate === null ? 1 : -1;
      } else if (a.value.rate !== b.value.rate) return b.value.rate - a.value.rate;
      return a.card.vendor.key < b.card.vendor.key ? -1 : a.card.vendor.key > b.card.vendor.key ? 1 : 0;
    });
  return sorted.map((s, i) => {
    const above = sorted[i - 1];
    return {
      rank: i + 1,
      card: s.card,
      value: s.value,
      withinNoiseOfAbove: above !== undefined && s.value.rate !== null && above.value.rate !== null && withinNoise(s.value, above.value),
    };
  });
}

/** The overview of scorecards computed over one date in one zone (scorecards(…, { timeZone })). */
export function buildOverview(cards: readonly Scorecard[]): Overview {
  const first = cards[0];
  return {
    date: first?.period.to ?? '',
    timeZone: first?.period.timeZone ?? 'UTC',
    bySla: rank(cards, slaProportion),
    byQa: rank(cards, (c) => c.qa.accuracy),
    missedTargets: new Map(cards.map((c) => [c.vendor.id, missedTargets(c)])),
  };
}

const COLUMNS = [
  'vendor',
  'vendor_name',
  'date',
  'time_zone',
  'sla_rank',
  'sla_within_noise_of_above',
  'sla_attainment',
  'sla_ci_lower',
  'sla_ci_upper',
  'first_action_met',
  'first_action_missed',
  'first_action_attainment',
  'first_action_target',
  'resolution_met',
  'resolution_missed',
  'resolution_attainment',
  'resolution_target',
  'breaches',
  'qa_rank',
  'qa_within_noise_of_above',
  'qa_reviewed',
  'qa_agree',
  'qa_accuracy',
  'qa_ci_lower',
  'qa_ci_upper',
  'qa_target',
  'qa_enough_samples',
  'false_positive_rate',
  'false_positive_n',
  'false_negative_rate',
  'false_negative_n',
  'appeals_resolved',
  'appeal_overturn_rate',
  'reports_received',
  'decisions',
  'cases_opened',
  'cases_decided',
  'cases_decided_7_day_average',
  'backlog',
  'days_to_clear',
  'growing',
  'reviewer_hours',
  'targets_missed',
];

/** The full overview as CSV, in SLA rank order, for the digest's thread. Rates are fractions, empty when undefined. */
export function* overviewCsvLines(o: Overview): Iterable<string> {
  yield csvLine(COLUMNS);
  const qaRank = new Map(o.byQa.map((r) => [r.card.vendor.id, r]));
  for (const s of o.bySla) {
    const c = s.card;
    const q = qaRank.get(c.vendor.id)!;
    yield csvLine([
      c.vendor.key,
      c.vendor.name,
      c.period.to,
      c.period.timeZone,
      s.rank,
      s.withinNoiseOfAbove,
      s.value.rate,
      s.value.interval?.lower,
      s.value.interval?.upper,
      c.sla.firstAction.met,
      c.sla.firstAction.missed,
      c.sla.firstAction.rate,
      c.sla.firstAction.target,
      c.sla.resolution.met,
      c.sla.resolution.missed,
      c.sla.resolution.rate,
      c.sla.resolution.target,
      c.sla.breaches,
      q.rank,
      q.withinNoiseOfAbove,
      c.qa.accuracy.n,
      c.qa.accuracy.k,
      c.qa.accuracy.rate,
      c.qa.accuracy.interval?.lower,
      c.qa.accuracy.interval?.upper,
      c.qa.target,
      c.qa.accuracy.enough,
      c.qa.falsePositive.rate,
      c.qa.falsePositive.n,
      c.qa.falseNegative.rate,
      c.qa.falseNegative.n,
      c.appeals.overturned.n,
      c.appeals.overturned.rate,
      c.reportsReceived,
      c.decisions,
      c.casesOpened,
      c.throughput.total,
      c.throughput.baselinePerDay,
      c.backlog.total,
      c.capacity.daysToClear,
      c.capacity.growing,
      c.capacity.reviewerHours,
      (o.missedTargets.get(c.vendor.id) ?? []).join(' '),
    ]);
  }
}

export function overviewCsv(o: Overview): string {
  return [...overviewCsvLines(o)].join('');
}
