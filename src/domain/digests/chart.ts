/**
 * The digest's trend chart over 30 local days: cases decided (bars) and opened (line), and below them
 * SLA attainment and QA accuracy against their targets, as a Vega-Lite spec. Pure: data in, spec out.
 * Drawing it (Vega-Lite → SVG → PNG, in worker threads) is infrastructure, in src/render/chart.ts,
 * reached through the ChartPort the digest job is given.
 */
import type { DayCounts, DigestTargets } from './scorecard';

export type ChartDay = {
  date: string;
  intake: number;
  throughput: number;
  /** Met ÷ completed that day, per target; null when none completed. */
  firstActionAttainment?: number | null;
  resolutionAttainment?: number | null;
  /** Agree ÷ reviewed that day; null when nothing was reviewed. */
  qaAccuracy?: number | null;
};
export type ChartOptions = {
  title: string;
  width?: number;
  height?: number;
  axisTitles?: boolean;
  /** Reference lines on the rates panel (fractions); without them, no rates panel. */
  targets?: DigestTargets;
};

/** The chart's days from a scorecard's daily series. */
export function chartDays(series: readonly DayCounts[]): ChartDay[] {
  const rate = (k: number, n: number) => (n === 0 ? null : k / n);
  return series.map((d) => ({
    date: d.date,
    intake: d.opened,
    throughput: d.decided,
    firstActionAttainment: rate(d.firstActionMet, d.firstActionMet + d.firstActionMissed),
    resolutionAttainment: rate(d.resolutionMet, d.resolutionMet + d.resolutionMissed),
    qaAccuracy: rate(d.qaAgree, d.qaReviewed),
  }));
}

const SERIES_COLORS = {
  'Cases decided': '#4c78a8',
  'Cases opened': '#e45756',
  'First-action SLA': '#54a24b',
  'Resolution SLA': '#f58518',
  'QA accuracy': '#b279a2',
};

/**
 * The Vega-Lite spec: data in, no I/O. Dates are local calendar dates, drawn as ordinal labels. Counts
 * on top (cases decided as bars, cases opened as a line); with targets, rates below (first-action and
 * resolution SLA attainment and QA accuracy as lines, each target a dashed rule in its colour; a day
 * without any sample has no point).
 *
 * The rows are named data sets (`datasets`) and the title a parameter, so every vendor's chart of one
 * morning has the same shape apart from them: the renderer compiles that shape once and draws each chart
 * from it with its own rows and title.
 */
export function trendChartSpec(days: readonly ChartDay[], o: ChartOptions): Record<string, unknown> {
  const axisTitles = o.axisTitles ?? true;
  const width = o.width ?? 640;
  const label = (d: ChartDay) => d.date.slice(5);
  const counts = days.flatMap((d) => [
    { date: label(d), series: 'Cases decided', count: d.throughput },
    { date: label(d), series: 'Cases opened', count: d.intake },
  ]);
  const x = { field: 'date', type: 'ordinal', sort: days.map(label), title: axisTitles ? 'Local date' : null, axis: { labelAngle: -60 } };
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    // Only the series drawn are in the legend.
    scale: { domain: Object.keys(SERIES_COLORS).slice(0, o.targets ? 5 : 2), range: Object.values(SERIES_COLORS) },
    legend: { orient: 'top' },
  };
  const y = { field: 'count', type: 'quantitative', title: axisTitles ? 'Cases' : null };
  const countsPanel = {
    width,
    height: o.height ?? 240,
    data: { name: 'counts' },
    // With the rates panel below, the dates are written once, under it.
    encoding: { x: o.targets ? { ...x, title: null, axis: { labels: false, ticks: false } } : x },
    layer: [
      { transform: [{ filter: "datum.series === 'Cases decided'" }], mark: 'bar', encoding: { y, color } },
      {
        transform: [{ filter: "datum.series === 'Cases opened'" }],
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: { y, color },
      },
    ],
  };
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    params: [{ name: 'chartTitle', value: o.title }],
    title: { text: { expr: 'chartTitle' } },
    background: 'white',
    config: { font: 'DejaVu Sans' },
  };
  if (!o.targets) return { ...base, datasets: { counts }, ...countsPanel };
  const rates = days.flatMap((d) =>
    (
      [
        ['First-action SLA', d.firstActionAttainment],
        ['Resolution SLA', d.resolutionAttainment],
        ['QA accuracy', d.qaAccuracy],
      ] as const
    )
      .filter(([, rate]) => rate !== null && rate !== undefined)
      .map(([series, rate]) => ({ date: label(d), series, rate })),
  );
  const yRate = { field: 'rate', type: 'quantitative', title: axisTitles ? 'Rate' : null, axis: { format: '.0%' }, scale: { zero: false } };
  const ratesPanel = {
    width,
    height: 140,
    layer: [
      {
        data: { name: 'rates' },
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: { x: { ...x, scale: { domain: days.map(label) } }, y: yRate, color },
      },
      {
        data: { name: 'targets' },
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { y: { field: 'rate', type: 'quantitative' }, color },
      },
    ],
  };
  const targets = [
    { series: 'First-action SLA', rate: o.targets.firstAction },
    { series: 'Resolution SLA', rate: o.targets.resolution },
    { series: 'QA accuracy', rate: o.targets.qaAccuracy },
  ];
  return { ...base, datasets: { counts, rates, targets }, vconcat: [countsPanel, ratesPanel], resolve: { scale: { color: 'shared' } } };
}

export type RenderedChart = { svg: string; png: Buffer };

/** What draws a Vega-Lite spec: src/render/chart.ts ChartRenderer in the bot. */
export type ChartPort = { render(spec: Record<string, unknown>): Promise<RenderedChart> };

/** The 30-day trend chart of a vendor as PNG (and the SVG it was drawn from). */
export function renderTrendChart(renderer: ChartPort, days: readonly ChartDay[], o: ChartOptions): Promise<RenderedChart> {
  return renderer.render(trendChartSpec(days, o));
}
