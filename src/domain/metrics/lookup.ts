import { badInput } from '../../errors';
import type { DomainDeps } from '../deps';
import { csvLine } from '../exports/csv';
import { isTimeZone } from '../time';
import {
  computeMetrics,
  type Figures,
  type MetricsDeps,
  type MetricsQuery,
  type MetricsResult,
  parseDimension,
  validateFilters,
} from './figures';
import { parseRange } from './range';

export const METRICS_EXAMPLE = '/trustops metrics last 7d surface:claude_ai by:policy';
const OPTION_KEYS = ['surface', 'type', 'policy', 'vendor', 'by', 'tz'] as const;

/**
 * Reads "<range> [surface:X] [type:Y] [policy:Z] [vendor:V] [by:D] [tz:Zone]": the words with a
 * colon are options, the others are the range. Unknown filter values are refused with the valid ones.
 */
export async function parseMetricsQuery(deps: Pick<DomainDeps, 'db' | 'clock' | 'timeZone'>, text: string): Promise<MetricsQuery> {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const options: Partial<Record<(typeof OPTION_KEYS)[number], string>> = {};
  const rangeWords: string[] = [];
  for (const w of words) {
    const at = w.indexOf(':');
    if (at < 0) {
      rangeWords.push(w);
      continue;
    }
    const key = w.slice(0, at).toLowerCase() as (typeof OPTION_KEYS)[number];
    const value = w.slice(at + 1);
    if (!OPTION_KEYS.includes(key) || !value)
      throw badInput(`\`${w}\` is not an option; use ${OPTION_KEYS.map((k) => `\`${k}:…\``).join(', ')}.`, METRICS_EXAMPLE);
    if (options[key] !== undefined) throw badInput(`\`${key}:\` is given twice.`, METRICS_EXAMPLE);
    options[key] = value;
  }
  const timeZone = options.tz ?? deps.timeZone;
  if (!isTimeZone(timeZone))
    throw badInput(`\`${timeZone}\` is not a time zone; use an IANA name such as \`tz:Europe/Paris\`.`, METRICS_EXAMPLE);
  if (rangeWords.length === 0)
    throw badInput('Say which dates: a range such as `last 7d`, `2026-Q3` or `2026-10-01..2026-10-31`.', METRICS_EXAMPLE);
  const range = parseRange(rangeWords.join(' '), { now: deps.clock.now(), timeZone });
  const filters = await validateFilters(deps, {
    surface: options.surface,
    type: options.type,
    policy: options.policy,
    vendor: options.vendor,
  });
  const by = options.by === undefined ? undefined : parseDimension(options.by);
  return { range, filters, ...(by ? { by } : {}) };
}

export async function lookUpMetrics(deps: MetricsDeps & Pick<DomainDeps, 'clock' | 'timeZone'>, text: string): Promise<MetricsResult> {
  return computeMetrics(deps, await parseMetricsQuery(deps, text));
}

const COLUMNS = [
  'group',
  'reports_received',
  'decisions',
  'cases_decided',
  'action_rate',
  'time_to_action_median_seconds',
  'time_to_action_p90_seconds',
  'first_action_sla_met',
  'first_action_sla_total',
  'first_action_sla_rate',
  'resolution_sla_met',
  'resolution_sla_total',
  'resolution_sla_rate',
  'escalations',
  'appeals_filed',
  'appeals_resolved',
  'appeals_overturned',
  'overturn_rate',
  'automated_decisions',
  'human_decisions',
  'automated_share',
  'qa_reviewed',
  'qa_agree',
  'qa_accuracy',
];

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms) / 1000);

function row(group: string, f: Figures, actions: readonly string[]) {
  return [
    group,
    f.reportsReceived,
    f.decisions,
    f.casesDecided,
    f.actionRate,
    seconds(f.timeToAction.medianMs),
    seconds(f.timeToAction.p90Ms),
    f.firstActionSla.met,
    f.firstActionSla.total,
    f.firstActionSla.rate,
    f.resolutionSla.met,
    f.resolutionSla.total,
    f.resolutionSla.rate,
    f.escalations,
    f.appeals.filed,
    f.appeals.resolved,
    f.appeals.overturned,
    f.appeals.overturnRate,
    f.automated.automated,
    f.automated.human,
    f.automated.share,
    f.qa.reviewed,
    f.qa.agree,
    f.qa.accuracy,
    ...actions.map((a) => f.actionsByType[a] ?? 0),
  ];
}

/** The look-up as a CSV: one row for the total, then one per group; rates as fractions, empty when undefined. */
export function* metricsCsvLines(r: MetricsResult): Iterable<string> {
  const actions = [...new Set([r.total, ...(r.groups ?? []).map((g) => g.figures)].flatMap((f) => Object.keys(f.actionsByType)))].sort();
  yield csvLine([...COLUMNS, ...actions.map((a) => `actions_${a}`)]);
  yield csvLine(row('total', r.total, actions));
  for (const g of r.groups ?? []) yield csvLine(row(`${r.query.by}:${g.key}`, g.figures, actions));
}
