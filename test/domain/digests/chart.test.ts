import { type ChartDay, type ChartPort, chartDays, renderTrendChart, trendChartSpec } from '../../../src/domain/digests/chart';
import type { DayCounts } from '../../../src/domain/digests/scorecard';

const days: ChartDay[] = Array.from({ length: 30 }, (_, i) => ({
  date: `2026-11-${String(i + 1).padStart(2, '0')}`,
  intake: 40 + (i % 7) * 3,
  throughput: 38 + (i % 5) * 4,
}));

describe('the 30-day trend chart spec', () => {
  it('has bars for the cases decided, a line for the cases opened, and axis titles unless asked not to', () => {
    const spec = trendChartSpec(days, { title: 't' }) as {
      layer: { mark: unknown }[];
      data: { name: string };
      datasets: Record<string, unknown[]>;
      encoding: { x: { title: unknown } };
    };
    expect(spec.layer.map((l) => (typeof l.mark === 'string' ? l.mark : (l.mark as { type: string }).type))).toEqual(['bar', 'line']);
    expect(spec.data).toEqual({ name: 'counts' });
    expect(spec.datasets.counts).toHaveLength(60);
    expect(spec.datasets.counts![0]).toEqual({ date: '11-01', series: 'Cases decided', count: 38 });
    expect(spec.encoding.x.title).toBe('Local date');
    expect((trendChartSpec(days, { title: 't', axisTitles: false }) as typeof spec).encoding.x.title).toBeNull();
  });

  it('draws SLA attainment and QA accuracy below, with their targets as dashed rules, when given targets', () => {
    const targets = { firstAction: 0.92, resolution: 0.9, qaAccuracy: 0.95 };
    const withRates = days.map((d, i) => ({
      ...d,
      firstActionAttainment: i === 3 ? null : 0.9,
      resolutionAttainment: 0.85,
      qaAccuracy: 0.97,
    }));
    type Rate = { series: string; rate: number };
    const spec = trendChartSpec(withRates, { title: 't', targets }) as {
      vconcat: { layer: { mark: { type: string }; data: { name: string } }[] }[];
      datasets: { rates: Rate[]; targets: Rate[] };
    };
    const [, rates] = spec.vconcat;
    expect(rates!.layer.map((l) => l.mark.type)).toEqual(['line', 'rule']);
    expect(rates!.layer.map((l) => l.data.name)).toEqual(['rates', 'targets']);
    // A day without completed first actions has no point: 29 of them, 30 of the others.
    expect(spec.datasets.rates.filter((v) => v.series === 'First-action SLA')).toHaveLength(29);
    expect(spec.datasets.rates.filter((v) => v.series === 'Resolution SLA')).toHaveLength(30);
    expect(spec.datasets.rates.filter((v) => v.series === 'QA accuracy')).toHaveLength(30);
    expect(spec.datasets.targets).toEqual([
      { series: 'First-action SLA', rate: 0.92 },
      { series: 'Resolution SLA', rate: 0.9 },
      { series: 'QA accuracy', rate: 0.95 },
    ]);
  });

  it("takes its days from a scorecard's series: a rate per target, none without samples", () => {
    const zero = {
      reports: 0,
      decisions: 0,
      breaches: 0,
      qaActioned: 0,
      qaFalsePositive: 0,
      qaNoAction: 0,
      qaFalseNegative: 0,
      appealsResolved: 0,
      appealsOverturned: 0,
    };
    const series: DayCounts[] = [
      {
        ...zero,
        date: '2026-11-01',
        opened: 5,
        decided: 3,
        firstActionMet: 3,
        firstActionMissed: 1,
        resolutionMet: 1,
        resolutionMissed: 2,
        qaReviewed: 40,
        qaAgree: 35,
      },
      {
        ...zero,
        date: '2026-11-02',
        opened: 0,
        decided: 0,
        firstActionMet: 0,
        firstActionMissed: 0,
        resolutionMet: 0,
        resolutionMissed: 0,
        qaReviewed: 0,
        qaAgree: 0,
      },
    ];
    expect(chartDays(series)).toEqual([
      { date: '2026-11-01', intake: 5, throughput: 3, firstActionAttainment: 0.75, resolutionAttainment: 1 / 3, qaAccuracy: 0.875 },
      { date: '2026-11-02', intake: 0, throughput: 0, firstActionAttainment: null, resolutionAttainment: null, qaAccuracy: null },
    ]);
  });

  it('is handed to whatever draws charts, as its spec', async () => {
    const drawn: Record<string, unknown>[] = [];
    const port: ChartPort = {
      render: async (spec) => {
        drawn.push(spec);
        return { svg: '<svg/>', png: Buffer.alloc(0) };
      },
    };
    await expect(renderTrendChart(port, days, { title: 'acme' })).resolves.toEqual({ svg: '<svg/>', png: Buffer.alloc(0) });
    expect(drawn).toEqual([trendChartSpec(days, { title: 'acme' })]);
  });
});
