import type { AnalyticsStatus } from '../../../src/analytics/types';
import { buildingNotice, whileBuilding } from '../../../src/domain/metrics/building';

const status = (s: Partial<AnalyticsStatus>): AnalyticsStatus => ({ state: 'ready', lagMs: 0, rows: {}, file: 'x.duckdb', ...s });
const loading = (table: string, rowsLoaded: number, rowsExpected: number, fraction: number) =>
  status({ state: 'building', progress: { table, rowsLoaded, rowsExpected, fraction } });

describe('the progress of a build, as a look-up says it', () => {
  it.each([
    ['42 % (4.2 M of 10 M decisions)', loading('decisions', 4_200_000, 10_000_000, 0.42)],
    ['90 % (950 k of 1 M QA reviews)', loading('qa_reviews', 950_000, 1_000_000, 0.9)],
    ['4 % (420 of 9,999 reports)', loading('reports', 420, 9_999, 0.042)],
    // Never "100 %" while still building.
    ['99 % (12 of 12 escalations)', loading('escalations', 12, 12, 0.999)],
  ])('%s', (expected, s) => {
    expect(buildingNotice(s)).toBe(`Building the analytics copy: ${expected}; your figures follow.`);
  });

  it('says only that it is building before the load has counted rows, and nothing once ready or failed', () => {
    expect(buildingNotice(status({ state: 'building' }))).toBe('Building the analytics copy; your figures follow.');
    expect(buildingNotice(status({ state: 'ready' }))).toBeUndefined();
    expect(buildingNotice(status({ state: 'failed', error: 'disk full' }))).toBeUndefined();
  });
});

describe('whileBuilding', () => {
  it('says nothing and just works when the copy is ready', async () => {
    const said: string[] = [];
    expect(
      await whileBuilding(
        { status: () => status({}) },
        (t) => said.push(t),
        async () => 7,
      ),
    ).toBe(7);
    expect(said).toEqual([]);
  });

  afterEach(() => jest.useRealTimers());

  it('says the progress at once and again until the build ends, then no more', async () => {
    jest.useFakeTimers();
    let current = loading('decisions', 1_000_000, 10_000_000, 0.1);
    const said: string[] = [];
    let finish!: (v: string) => void;
    const work = new Promise<string>((resolve) => {
      finish = resolve;
    });
    const result = whileBuilding(
      { status: () => current },
      (t) => said.push(t),
      () => work,
      1000,
    );
    expect(said).toEqual(['Building the analytics copy: 10 % (1 M of 10 M decisions); your figures follow.']);
    current = loading('decisions', 5_000_000, 10_000_000, 0.5);
    jest.advanceTimersByTime(1000);
    expect(said).toHaveLength(2);
    expect(said[1]).toBe('Building the analytics copy: 50 % (5 M of 10 M decisions); your figures follow.');
    // Built: the figures are on their way, nothing more to say.
    current = status({});
    jest.advanceTimersByTime(5000);
    expect(said).toHaveLength(2);
    finish('figures');
    expect(await result).toBe('figures');
    expect(jest.getTimerCount()).toBe(0);
  });
});
