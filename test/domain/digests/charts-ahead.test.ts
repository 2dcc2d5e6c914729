import type { ChartPort, RenderedChart } from '../../../src/domain/digests/chart';
import { chartsAhead, digestChart } from '../../../src/domain/digests/files';
import { reviveScorecard } from '../../../src/domain/digests/revive';
import type { DayCounts, Scorecard } from '../../../src/domain/digests/scorecard';
import { card } from './cards';

const day = (date: string, n: number): DayCounts => ({
  date,
  reports: n,
  decisions: n,
  opened: n + 1,
  decided: n,
  firstActionMet: n,
  firstActionMissed: 1,
  resolutionMet: n - 1,
  resolutionMissed: 1,
  breaches: 0,
  qaReviewed: 30,
  qaAgree: 29,
  qaActioned: 20,
  qaFalsePositive: 1,
  qaNoAction: 10,
  qaFalseNegative: 0,
  appealsResolved: 0,
  appealsOverturned: 0,
});
const withSeries = (c: Scorecard): Scorecard => ({ ...c, series: [day('2026-10-31', 40), day('2026-11-01', 42)] });

/** A ChartPort that records each spec it draws, and answers when told to. */
function recordingPort() {
  const drawn: Record<string, unknown>[] = [];
  const pending: { resolve: (c: RenderedChart) => void; reject: (e: Error) => void }[] = [];
  const port: ChartPort = {
    render: (spec) => {
      drawn.push(spec);
      return new Promise((resolve, reject) => pending.push({ resolve, reject }));
    },
  };
  return { port, drawn, pending };
}

describe('charts drawn ahead of their thread files', () => {
  it('draws a queued digest at once, and the file pass gets that same chart, even from the card as the outbox returns it', async () => {
    const { port, drawn, pending } = recordingPort();
    const charts = chartsAhead(port);
    const acme = withSeries(card({ key: 'acme' }));
    charts.drawAhead(acme);
    expect(drawn).toHaveLength(1);
    pending[0]!.resolve({ svg: '<svg/>', png: Buffer.from('acme') });
    // The outbox stores the card as JSON; the file pass revives it and asks for its chart.
    const revived = reviveScorecard(JSON.parse(JSON.stringify({ card: acme })).card);
    await expect(digestChart(charts, revived)).resolves.toEqual(Buffer.from('acme'));
    expect(drawn).toHaveLength(1);
  });

  it('draws nothing ahead for a quiet day (it has no chart), nor the same chart twice', () => {
    const { port, drawn } = recordingPort();
    const charts = chartsAhead(port);
    charts.drawAhead(withSeries(card({ key: 'calm', quiet: true })));
    expect(drawn).toEqual([]);
    const acme = withSeries(card({ key: 'acme' }));
    charts.drawAhead(acme);
    charts.drawAhead(acme);
    expect(drawn).toHaveLength(1);
  });

  it('keeps at most so many charts waiting to be taken; past that the file pass draws its own', async () => {
    const { port, drawn, pending } = recordingPort();
    const charts = chartsAhead(port, { max: 2 });
    const cards = ['a', 'b', 'c'].map((key) => withSeries(card({ key })));
    for (const c of cards) charts.drawAhead(c);
    expect(drawn).toHaveLength(2);
    pending[0]!.resolve({ svg: '<svg/>', png: Buffer.from('a') });
    await expect(digestChart(charts, cards[0]!)).resolves.toEqual(Buffer.from('a'));
    // Taken: room for one more.
    charts.drawAhead(cards[2]!);
    expect(drawn).toHaveLength(3);
  });

  it('draws a chart again when the one drawn ahead failed, and when a file asks again for a chart it already took', async () => {
    const { port, drawn, pending } = recordingPort();
    const charts = chartsAhead(port);
    const acme = withSeries(card({ key: 'acme' }));
    charts.drawAhead(acme);
    pending[0]!.reject(new Error('worker gone'));
    await new Promise((r) => setImmediate(r));
    const again = digestChart(charts, acme);
    expect(drawn).toHaveLength(2);
    pending[1]!.resolve({ svg: '<svg/>', png: Buffer.from('second') });
    await expect(again).resolves.toEqual(Buffer.from('second'));
    // Taken once: a retry of the same file draws it anew rather than keeping every chart for the run.
    const third = digestChart(charts, acme);
    expect(drawn).toHaveLength(3);
    pending[2]!.resolve({ svg: '<svg/>', png: Buffer.from('third') });
    await expect(third).resolves.toEqual(Buffer.from('third'));
  });

  it('gives two vendors of one morning charts of one shape: only their rows and title differ', () => {
    const { port, drawn } = recordingPort();
    const charts = chartsAhead(port);
    charts.drawAhead(withSeries(card({ key: 'acme', name: 'Acme Review' })));
    charts.drawAhead({ ...withSeries(card({ key: 'kiri', name: 'Kiri' })), series: [day('2026-10-31', 7), day('2026-11-01', 9)] });
    const shape = (spec: Record<string, unknown>) => ({ ...spec, datasets: Object.keys(spec.datasets as object), params: undefined });
    expect(drawn).toHaveLength(2);
    expect(shape(drawn[0]!)).toEqual(shape(drawn[1]!));
    expect(drawn[0]!.params).toEqual([{ name: 'chartTitle', value: 'Acme Review: the 30 days to 2026-11-01' }]);
    expect(drawn[0]!.datasets).not.toEqual(drawn[1]!.datasets);
  });
});
