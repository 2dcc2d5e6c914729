/**
 * Proportions from samples (QA accuracy, false-positive rates): the Wilson score interval, and the
 * one rule that says when a sample is too small to quote as a percentage. The DSA report is meant to
 * use the same rule (issue 12 item 3), so it lives here once.
 */

/** The 97.5th percentile of the standard normal distribution: a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

/** Below this many samples a rate is not quoted. */
export const MIN_SAMPLES = 30;
/** Nor when its 95 % interval is wider than this (20 percentage points). */
export const MAX_INTERVAL_WIDTH = 0.2;

export type Interval = { lower: number; upper: number };

/**
 * The Wilson score interval of k successes in n trials (Wilson 1927; Newcombe 1998, method 3):
 * unlike p ± z·√(p(1−p)/n) it stays inside [0, 1] and is not empty at 0 or n. None for n = 0.
 */
export function wilsonInterval(k: number, n: number, z: number = Z95): Interval | null {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n) {
    throw new RangeError(`a proportion needs whole numbers 0 ≤ k ≤ n, not ${k} of ${n}`);
  }
  if (n === 0) return null;
  const p = k / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denominator = 1 + z2 / n;
  // At k = 0 and k = n one bound is exactly 0 or 1; rounding would leave it a hair off.
  return {
    lower: k === 0 ? 0 : (centre - spread) / denominator,
    upper: k === n ? 1 : (centre + spread) / denominator,
  };
}

export type Proportion = {
  k: number;
  n: number;
  /** k ÷ n; null when n = 0. */
  rate: number | null;
  interval: Interval | null;
  /** False when n < 30 or the interval is wider than 20 points: show "too few" rather than a percentage. */
  enough: boolean;
};

export function proportion(k: number, n: number): Proportion {
  const interval = wilsonInterval(k, n);
  return {
    k,
    n,
    rate: n === 0 ? null : k / n,
    interval,
    enough: interval !== null && n >= MIN_SAMPLES && interval.upper - interval.lower <= MAX_INTERVAL_WIDTH,
  };
}

/** Two rates whose 95 % intervals overlap are not told apart by the data: "within the noise". */
export function withinNoise(a: Proportion, b: Proportion): boolean {
  if (!a.interval || !b.interval) return true;
  return a.interval.lower <= b.interval.upper && b.interval.lower <= a.interval.upper;
}
