import { MAX_INTERVAL_WIDTH, MIN_SAMPLES, proportion, wilsonInterval, withinNoise } from '../../../src/domain/digests/wilson';

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

describe('Wilson score interval', () => {
  // Published values: Newcombe RG (1998), "Two-sided confidence intervals for the single proportion:
  // comparison of seven methods", Statistics in Medicine 17:857–872: method 3 (score
  // interval without continuity correction), examples (a)–(d).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i of %i gives %f–%f as Newcombe (1998) tabulates', (k, n, lower, upper) => {
    const i = wilsonInterval(k, n)!;
    expect(round4(i.lower)).toBe(lower);
    expect(round4(i.upper)).toBe(upper);
  });

  it('gives the example of issue 12: 111 of 118 is 94.1 % with 95 % CI 88.3–97.1', () => {
    const i = wilsonInterval(111, 118)!;
    expect(((111 / 118) * 100).toFixed(1)).toBe('94.1');
    expect((i.lower * 100).toFixed(1)).toBe('88.3');
    expect((i.upper * 100).toFixed(1)).toBe('97.1');
  });

  it('has exact bounds at 0 and n, and none at all for n = 0', () => {
    expect(wilsonInterval(0, 5)!.lower).toBe(0);
    expect(wilsonInterval(5, 5)!.upper).toBe(1);
    expect(wilsonInterval(0, 0)).toBeNull();
    const none = proportion(0, 0);
    expect(none).toEqual({ k: 0, n: 0, rate: null, interval: null, enough: false });
  });

  it('refuses counts that are not a proportion', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 2)).toThrow(RangeError);
  });
});

describe('when a sample is enough to quote a rate', () => {
  it('needs at least 30 samples', () => {
    expect(MIN_SAMPLES).toBe(30);
    expect(proportion(29, 29).enough).toBe(false);
    expect(proportion(30, 30).enough).toBe(true);
  });

  it('needs an interval no wider than 20 points', () => {
    expect(MAX_INTERVAL_WIDTH).toBe(0.2);
    // 15 of 30: Wilson 0.3315–0.6685, 33.7 points wide.
    expect(proportion(15, 30).enough).toBe(false);
    // 50 of 100: 0.4038–0.5962, 19.2 points.
    expect(proportion(50, 100).enough).toBe(true);
  });
});

describe('within the noise', () => {
  it('is when the two intervals overlap', () => {
    expect(withinNoise(proportion(90, 100), proportion(85, 100))).toBe(true);
    expect(withinNoise(proportion(99, 100), proportion(80, 100))).toBe(false);
    expect(withinNoise(proportion(0, 0), proportion(80, 100))).toBe(true);
  });
});
