import { inflateSync } from 'node:zlib';
import { type ChartDay, type ChartPort, renderTrendChart } from '../../src/domain/digests/chart';
import { ChartRenderer } from '../../src/render/chart';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const days: ChartDay[] = Array.from({ length: 30 }, (_, i) => ({
  date: `2026-11-${String(i + 1).padStart(2, '0')}`,
  intake: 40 + (i % 7) * 3,
  throughput: 38 + (i % 5) * 4,
}));

/** The PNG's chunks, checked against their CRCs' framing: type and data. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  const out: { type: string; data: Buffer }[] = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    out.push({ type: png.toString('latin1', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

// The renderer is the digest's ChartPort (a type error here if the two drift apart).
let renderer: ChartRenderer & ChartPort;
beforeAll(() => {
  renderer = new ChartRenderer();
});
afterAll(() => renderer.close());

describe('drawing the trend chart in worker threads', () => {
  it('is a valid PNG at twice the size of its SVG', async () => {
    const { png, svg } = await renderTrendChart(renderer, days, { title: 'acme — last 30 days' });
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const list = chunks(png);
    expect(list[0]!.type).toBe('IHDR');
    expect(list.at(-1)!.type).toBe('IEND');
    const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);
    const height = Number(/<svg[^>]* height="(\d+)"/.exec(svg)![1]);
    expect(width).toBeGreaterThan(640);
    expect(list[0]!.data.readUInt32BE(0)).toBe(width * 2);
    expect(list[0]!.data.readUInt32BE(4)).toBe(height * 2);
    // The image data inflates to one filter byte + 4 bytes (RGBA) per pixel, per row.
    const raw = inflateSync(Buffer.concat(list.filter((c) => c.type === 'IDAT').map((c) => c.data)));
    expect(raw.length).toBe(height * 2 * (1 + width * 2 * 4));
  });

  it('draws its text with the bundled font: two titles of the same size give two different images', async () => {
    // Without a usable font resvg leaves text out, and both images would be identical.
    const a = await renderTrendChart(renderer, days, { title: 'HHHH' });
    const b = await renderTrendChart(renderer, days, { title: 'IIII' });
    // The SVGs differ only by the title's letters (the layout is the same).
    expect(a.svg.replaceAll('HHHH', 'IIII') === b.svg).toBe(true);
    expect(a.png.equals(b.png)).toBe(false);
    // The same spec renders to the same bytes: nothing depends on the machine or the moment.
    const again = await renderTrendChart(renderer, days, { title: 'HHHH' });
    expect(again.png.equals(a.png)).toBe(true);
  });

  it('draws the rates panel and its dashed target rules', async () => {
    const targets = { firstAction: 0.92, resolution: 0.9, qaAccuracy: 0.95 };
    const withRates = days.map((d) => ({ ...d, firstActionAttainment: 0.9, resolutionAttainment: 0.85, qaAccuracy: 0.97 }));
    const { svg, png } = await renderTrendChart(renderer, withRates, { title: 'rates', targets });
    expect(svg).toContain('>QA accuracy<');
    expect(svg).toContain('stroke-dasharray="6,4"');
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });

  it('reports a spec it cannot render, and keeps rendering after', async () => {
    await expect(renderer.render({ mark: 'no-such-mark', data: { values: [] } })).rejects.toThrow(/chart rendering failed/);
    const { png } = await renderTrendChart(renderer, days.slice(0, 3), { title: 'three days' });
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });

  it('with several workers, each chart still goes back to its own request', async () => {
    const pool = new ChartRenderer({ workers: 2 });
    try {
      const titles = ['p0', 'p1', 'p2', 'p3'];
      const charts = await Promise.all(titles.map((title) => renderTrendChart(pool, days.slice(0, 5), { title })));
      expect(charts.map((c) => /aria-label="Title text '([^']*)'"/.exec(c.svg)?.[1])).toEqual(titles);
    } finally {
      await pool.close();
    }
  });

  it('rejects what was waiting when it is closed, and starts again when asked for more', async () => {
    const own = new ChartRenderer();
    const waiting = renderTrendChart(own, days, { title: 'closed' });
    await own.close();
    await expect(waiting).rejects.toThrow(/chart worker stopped/);
    const { png } = await renderTrendChart(own, days.slice(0, 2), { title: 'again' });
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    await own.close();
  });

  it('draws a chart of a shape it compiled before exactly as it draws it afresh', async () => {
    const targets = { firstAction: 0.92, resolution: 0.9, qaAccuracy: 0.95 };
    const vendor = (n: number) =>
      days.map((d, i) => ({
        ...d,
        throughput: d.throughput * n,
        firstActionAttainment: i % 4 ? 0.9 - n / 50 : null,
        resolutionAttainment: 0.85,
        qaAccuracy: n % 2 ? 0.97 : null,
      }));
    // The first two compile the shape; the third is drawn from it, with other rows, targets and title.
    await renderTrendChart(renderer, vendor(1), { title: 'a', targets });
    await renderTrendChart(renderer, vendor(2), { title: 'b', targets });
    const reused = await renderTrendChart(renderer, vendor(3), { title: 'a much longer title', targets: { ...targets, resolution: 0.8 } });
    const own = new ChartRenderer();
    try {
      const afresh = await renderTrendChart(own, vendor(3), { title: 'a much longer title', targets: { ...targets, resolution: 0.8 } });
      expect(reused.svg).toBe(afresh.svg);
      expect(reused.png.equals(afresh.png)).toBe(true);
    } finally {
      await own.close();
    }
  });

  it('writes straight (not premultiplied) colours where the picture is see-through', async () => {
    const { png } = await renderer.render({
      width: 20,
      height: 20,
      background: null,
      data: { values: [{ x: 0 }] },
      mark: { type: 'square', size: 4000, color: 'rgb(200,100,50)', opacity: 0.5 },
      encoding: { x: { field: 'x', type: 'quantitative', axis: null }, y: { value: 10 } },
    });
    const list = chunks(png);
    const [width, height] = [list[0]!.data.readUInt32BE(0), list[0]!.data.readUInt32BE(4)];
    const raw = inflateSync(Buffer.concat(list.filter((c) => c.type === 'IDAT').map((c) => c.data)));
    const pixels: number[][] = [];
    for (let y = 0; y < height; y++) {
      expect(raw[y * (1 + width * 4)]).toBe(0);
      for (let x = 0; x < width; x++) pixels.push([...raw.subarray(y * (1 + width * 4) + 1 + x * 4, y * (1 + width * 4) + 5 + x * 4)]);
    }
    const half = pixels.filter((p) => p[3]! > 100 && p[3]! < 150);
    expect(half.length).toBeGreaterThan(0);
    for (const [r, g, b] of half) expect([r, g, b].map((c) => Math.round(c! / 10))).toEqual([20, 10, 5]);
    expect(pixels.some((p) => p[3] === 0)).toBe(true);
  });

  it('renders charts asked for at once, each its own', async () => {
    const [one, two] = await Promise.all([
      renderTrendChart(renderer, days, { title: 'one' }),
      renderTrendChart(renderer, days.slice(10), { title: 'two' }),
    ]);
    expect(one.svg).toContain('>one<');
    expect(two.svg).toContain('>two<');
  });
});
