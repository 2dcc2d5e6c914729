import { badInput } from '../../errors';
import type { Actor, DomainDeps } from '../deps';
import type { MetricsQuery } from '../metrics/figures';
import { computeMetrics } from '../metrics/figures';
import { metricsCsvLines } from '../metrics/lookup';
import { requireRole } from '../roles/roles';
import { localDate } from '../time';
import { decisionExportLines, dsaAggregates, dsaAggregatesCsvLines } from './dsa';

/** One file of an export: its name, title and lines (streamed, never all in memory at once). */
export type ExportFile = {
  filename: string;
  title: string;
  lines: AsyncIterable<string> | Iterable<string>;
  /** What a line is, for "1,204 rows": CSV lines after the header, JSON lines; a JSON document has none. */
  records: 'csv' | 'jsonl' | 'none';
};

/** "2026-01-01_2026-06-30": the range's local dates, end inclusive. */
function span(q: MetricsQuery): string {
  const day = (d: Date) => localDate(d, q.range.timeZone);
  return `${day(q.range.start)}_${day(new Date(q.range.end.getTime() - 1))}`;
}

/** The files each export is made of. The DSA read-outs cover the whole service: filters apply to metrics only. */
export async function exportFiles(
  deps: DomainDeps,
  actor: Actor,
  kind: 'metrics' | 'dsa' | 'decisions',
  q: MetricsQuery,
): Promise<ExportFile[]> {
  // Figures are for everyone with a role; one row per decision (and its statement of reasons) is case-level.
  if (kind === 'decisions') await requireRole(deps, actor, 'analyst', 'export decision-level records');
  else await requireRole(deps, actor, 'viewer', `export ${kind === 'dsa' ? 'DSA aggregates' : 'metrics'}`);
  if (kind === 'metrics') {
    const result = await computeMetrics(deps, q);
    return [
      {
        filename: `trustops-metrics-${span(q)}${q.by ? `-by-${q.by}` : ''}.csv`,
        title: `Enforcement metrics, ${q.range.label}`,
        lines: metricsCsvLines(result),
        records: 'csv',
      },
    ];
  }
  if (Object.keys(q.filters).length || q.by)
    throw badInput(
      `The \`${kind}\` export covers every surface, type, policy and vendor; filters and \`by:\` apply to \`metrics\` only.`,
      `/trustops export ${kind} 2026-H1`,
    );
  if (kind === 'dsa') {
    const agg = await dsaAggregates(deps, q.range);
    return [
      {
        filename: `trustops-dsa-${span(q)}.csv`,
        title: `DSA transparency aggregates, ${q.range.label}`,
        lines: dsaAggregatesCsvLines(agg),
        records: 'csv',
      },
      {
        filename: `trustops-dsa-${span(q)}.json`,
        title: `DSA transparency aggregates, ${q.range.label}`,
        lines: [`${JSON.stringify(agg, null, 2)}\n`],
        records: 'none',
      },
    ];
  }
  return [
    {
      filename: `trustops-decisions-${span(q)}.csv`,
      title: `Decisions, ${q.range.label}`,
      lines: decisionExportLines(deps, q.range, 'csv'),
      records: 'csv',
    },
    {
      filename: `trustops-statements-of-reasons-${span(q)}.jsonl`,
      title: `DSA statements of reasons, ${q.range.label}`,
      lines: decisionExportLines(deps, q.range, 'sor-jsonl'),
      records: 'jsonl',
    },
  ];
}
