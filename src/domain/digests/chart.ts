/**
 * The digest's trend chart over 30 local days: cases decided (bars) and opened (line), and below them
 * SLA attainment and QA accuracy against their targets,
 * Vega-Lite → SVG → PNG, with the DejaVu Sans font file from the `dejavu-fonts-ttf` package and no
 * system fonts, so it renders the same on any machine, with no browser.
 *
 * vega and vega-lite are ES modules only. Jest runs this code as CommonJS in its own module system,
 * which can load neither (`import()` becomes its `require`), while tsx could. So rendering runs in a
 * worker thread: plain Node in both, it loads them with a real `import()`, and the ~100 ms of CPU a
 * chart takes stays off the thread that answers Slack.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
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
    data: { values: counts },
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
    title: o.title,
    background: 'white',
    config: { font: 'DejaVu Sans' },
  };
  if (!o.targets) return { ...base, ...countsPanel };
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
        data: { values: rates },
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: { x: { ...x, scale: { domain: days.map(label) } }, y: yRate, color },
      },
      {
        data: {
          values: [
            { series: 'First-action SLA', rate: o.targets.firstAction },
            { series: 'Resolution SLA', rate: o.targets.resolution },
            { series: 'QA accuracy', rate: o.targets.qaAccuracy },
          ],
        },
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { y: { field: 'rate', type: 'quantitative' }, color },
      },
    ],
  };
  return { ...base, vconcat: [countsPanel, ratesPanel], resolve: { scale: { color: 'shared' } } };
}

export type RenderedChart = { svg: string; png: Buffer };

const localRequire = createRequire(__filename);
const FONT_FILE = localRequire.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');

// Plain CommonJS, evaluated in the worker: loads the modules once, then renders each spec it is sent.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const loaded = Promise.all([import(workerData.vega), import(workerData.vegaLite)]);
const { Resvg } = require(workerData.resvg);
parentPort.on('message', async ({ id, spec }) => {
  try {
    const [vega, vl] = await loaded;
    const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
    const svg = await view.toSVG();
    view.finalize();
    const png = new Resvg(svg, {
      font: { fontFiles: [workerData.font], loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
      fitTo: { mode: 'zoom', value: 2 },
    }).render().asPng();
    const bytes = new Uint8Array(png);
    parentPort.postMessage({ id, svg, png: bytes }, [bytes.buffer]);
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.stack) || e) });
  }
});
`;

type Pending = { resolve: (c: RenderedChart) => void; reject: (e: Error) => void };
type Slot = { worker: Worker | undefined; pending: Map<number, Pending> };

/**
 * Renders charts in worker threads (one by default), each started on first use. A chart goes to the
 * worker with the fewest waiting. Idle workers do not keep the process alive; `close()` ends them.
 */
export class ChartRenderer {
  private readonly slots: Slot[];
  private nextId = 1;

  constructor(o: { workers?: number } = {}) {
    const n = Math.max(1, Math.floor(o.workers ?? 1));
    this.slots = Array.from({ length: n }, () => ({ worker: undefined, pending: new Map() }));
  }

  render(spec: Record<string, unknown>): Promise<RenderedChart> {
    const slot = this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const worker = this.start(slot);
    const id = this.nextId++;
    return new Promise<RenderedChart>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, spec });
    });
  }

  async close(): Promise<void> {
    const workers = this.slots.map((s) => s.worker).filter((w): w is Worker => w !== undefined);
    for (const s of this.slots) s.worker = undefined;
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private start(slot: Slot): Worker {
    if (slot.worker) return slot.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        vega: pathToFileURL(localRequire.resolve('vega')).href,
        vegaLite: pathToFileURL(localRequire.resolve('vega-lite')).href,
        resvg: localRequire.resolve('@resvg/resvg-js'),
        font: FONT_FILE,
      },
    });
    worker.unref();
    worker.on('message', (m: { id: number; svg?: string; png?: Uint8Array; error?: string }) => {
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      if (slot.pending.size === 0) worker.unref();
      if (m.error !== undefined) p.reject(new Error(`chart rendering failed: ${m.error}`));
      else p.resolve({ svg: m.svg ?? '', png: Buffer.from(m.png ?? new Uint8Array()) });
    });
    const failAll = (e: Error) => {
      if (slot.worker === worker) slot.worker = undefined;
      for (const p of slot.pending.values()) p.reject(e);
      slot.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`the chart worker stopped (exit code ${code})`)));
    slot.worker = worker;
    return worker;
  }
}

/** The 30-day trend chart of a vendor as PNG (and the SVG it was drawn from). */
export function renderTrendChart(renderer: ChartRenderer, days: readonly ChartDay[], o: ChartOptions): Promise<RenderedChart> {
  return renderer.render(trendChartSpec(days, o));
}
