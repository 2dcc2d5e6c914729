/**
 * The digest's trend chart: daily throughput as bars and intake as a line over 30 local days,
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

export type ChartDay = { date: string; intake: number; throughput: number };
export type ChartOptions = { title: string; width?: number; height?: number; axisTitles?: boolean };

/** The Vega-Lite spec: data in, no I/O. Dates are local calendar dates, drawn as ordinal labels. */
export function trendChartSpec(days: readonly ChartDay[], o: ChartOptions): Record<string, unknown> {
  const axisTitles = o.axisTitles ?? true;
  const values = days.flatMap((d) => [
    { date: d.date.slice(5), series: 'Cases decided', count: d.throughput },
    { date: d.date.slice(5), series: 'Cases opened', count: d.intake },
  ]);
  const x = { field: 'date', type: 'ordinal', sort: null, title: axisTitles ? 'Local date' : null, axis: { labelAngle: -60 } };
  const y = { field: 'count', type: 'quantitative', title: axisTitles ? 'Cases' : null };
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: ['Cases decided', 'Cases opened'], range: ['#4c78a8', '#e45756'] },
    legend: { orient: 'top' },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.title,
    width: o.width ?? 640,
    height: o.height ?? 240,
    background: 'white',
    config: { font: 'DejaVu Sans' },
    data: { values },
    encoding: { x },
    layer: [
      { transform: [{ filter: "datum.series === 'Cases decided'" }], mark: 'bar', encoding: { y, color } },
      {
        transform: [{ filter: "datum.series === 'Cases opened'" }],
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: { y, color },
      },
    ],
  };
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

/**
 * Renders charts in one worker thread, started on first use. The worker does not keep the process
 * alive while idle; `close()` ends it.
 */
export class ChartRenderer {
  private worker: Worker | undefined;
  private pending = new Map<number, Pending>();
  private nextId = 1;

  render(spec: Record<string, unknown>): Promise<RenderedChart> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<RenderedChart>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, spec });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
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
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.error !== undefined) p.reject(new Error(`chart rendering failed: ${m.error}`));
      else p.resolve({ svg: m.svg ?? '', png: Buffer.from(m.png ?? new Uint8Array()) });
    });
    const failAll = (e: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`the chart worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

/** The 30-day trend chart of a vendor as PNG (and the SVG it was drawn from). */
export function renderTrendChart(renderer: ChartRenderer, days: readonly ChartDay[], o: ChartOptions): Promise<RenderedChart> {
  return renderer.render(trendChartSpec(days, o));
}
