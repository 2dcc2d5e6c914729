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
// A spec's shape (all but its named data sets' rows and its plain parameters' values) is compiled and parsed
// once: the next chart of that shape is a new View of the parsed spec given its own rows and values, which
// draws exactly what compiling it afresh would (a View is not reused: it keeps state from its last data).
// The PNG is encoded here from resvg's pixels (fast deflate, no filters): resvg's own encoder took a
// quarter of a chart's time.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const zlib = require('node:zlib');
const loaded = Promise.all([import(workerData.vega), import(workerData.vegaLite)]);
const { Resvg } = require(workerData.resvg);
const SHAPES = 16;
const shapes = new Map();

function templateOf(spec) {
  const datasets = spec.datasets && typeof spec.datasets === 'object' ? spec.datasets : {};
  const params = Array.isArray(spec.params) ? spec.params : [];
  const plain = (p) => p && typeof p === 'object' && typeof p.name === 'string' && Object.keys(p).every((k) => k === 'name' || k === 'value');
  const shape = { ...spec, datasets: Object.keys(datasets), params: params.map((p) => (plain(p) ? { name: p.name } : p)) };
  return {
    key: JSON.stringify(shape),
    datasets: Object.entries(datasets),
    signals: params.filter(plain).map((p) => [p.name, p.value]),
  };
}

function parsedOf(vega, vl, spec) {
  const t = templateOf(spec);
  let shape = shapes.get(t.key);
  if (shape) shapes.delete(t.key);
  else {
    const compiled = vl.compile(spec).spec;
    const data = compiled.data || [];
    const signals = compiled.signals || [];
    const templated =
      t.datasets.every(([name]) => data.some((d) => d.name === name && Array.isArray(d.values) && !d.format)) &&
      t.signals.every(([name]) => signals.some((s) => s.name === name && !s.update && !s.on));
    if (!templated) return { runtime: vega.parse(compiled), t: { datasets: [], signals: [] } };
    for (const d of data) if (t.datasets.some(([name]) => name === d.name)) d.values = [];
    shape = vega.parse(compiled);
  }
  shapes.set(t.key, shape);
  if (shapes.size > SHAPES) shapes.delete(shapes.keys().next().value);
  return { runtime: shape, t };
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** RGBA PNG from resvg's premultiplied pixels, each row with filter 0. */
function encodePng(width, height, pixels) {
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) pixels.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1) + 1;
    for (let i = row; i < row + stride; i += 4) {
      const a = raw[i + 3];
      if (a === 255) continue;
      for (let c = 0; c < 3; c++) raw[i + c] = a === 0 ? 0 : Math.min(255, Math.floor((raw[i + c] * 255) / a + 0.5));
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // RGBA
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(raw, { level: 3 })), chunk('IEND', Buffer.alloc(0))]);
}

parentPort.on('message', async ({ id, spec }) => {
  try {
    const [vega, vl] = await loaded;
    const { runtime, t } = parsedOf(vega, vl, spec);
    const view = new vega.View(runtime, { renderer: 'none' });
    for (const [name, value] of t.signals) view.signal(name, value);
    for (const [name, rows] of t.datasets) view.data(name, rows);
    const svg = await view.toSVG();
    view.finalize();
    const image = new Resvg(svg, {
      font: { fontFiles: [workerData.font], loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
      fitTo: { mode: 'zoom', value: 2 },
    }).render();
    const png = typeof zlib.crc32 === 'function' ? encodePng(image.width, image.height, image.pixels) : image.asPng();
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
