/**
 * Draws Vega-Lite specs as SVG and PNG, in worker threads. Infrastructure, like src/db and
 * src/analytics: it may import Node built-ins and the drawing packages (vega, vega-lite,
 * @resvg/resvg-js, dejavu-fonts-ttf) and nothing of src/ — no domain, Slack, db, jobs, HTTP or
 * sandbox code. The domain hands it specs through its ChartPort (src/domain/digests/chart.ts).
 *
 * The font is the DejaVu Sans file from `dejavu-fonts-ttf`, and no system fonts, so a chart renders
 * the same on any machine, with no browser.
 *
 * vega and vega-lite are ES modules only. Jest runs this code as CommonJS in its own module system,
 * which can load neither (`import()` becomes its `require`), while tsx could. So rendering runs in a
 * worker thread: plain Node in both, it loads them with a real `import()`, and the ~100 ms of CPU a
 * chart takes stays off the thread that answers Slack.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

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
