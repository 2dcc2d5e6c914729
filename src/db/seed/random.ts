// A tiny seeded PRNG and the samplers the demo seed needs. Math.random is never used, so the
// same anchor and scale always give the same rows.

export type Rng = () => number;

/** mulberry32: 32-bit state, fast, good enough for demo data (not for anything secret). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, to turn "anchor|scale|day" into a seed. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function chance(rng: Rng, p: number): boolean {
  return rng() < p;
}

export function between(rng: Rng, min: number, max: number): number {
  return min + rng() * (max - min);
}

/** An integer in [min, max]. */
export function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function pickOne<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pickOne: empty list');
  return item;
}

/** Right-skewed positive values (review times): median times e^(sigma·N(0,1)). */
export function lognormal(rng: Rng, median: number, sigma: number): number {
  const u = 1 - rng();
  const v = rng();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(sigma * z);
}

/** Poisson-ish count around a (possibly fractional) mean, so small scales still vary. */
export function roundRandom(rng: Rng, mean: number): number {
  const floor = Math.floor(mean);
  return floor + (rng() < mean - floor ? 1 : 0);
}

const HEX = '0123456789abcdef';
export function hex(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += HEX[Math.floor(rng() * 16)];
  return out;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export function base62(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[Math.floor(rng() * 62)];
  return out;
}

/**
 * A UUIDv7: the first 48 bits are the time in ms, so ids minted in time order land next to each
 * other in a btree (bulk inserts stay append-mostly instead of touching random index pages).
 */
export function uuidV7(rng: Rng, epochSeconds: number): string {
  const ms = Math.floor(epochSeconds * 1000)
    .toString(16)
    .padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${hex(rng, 3)}-${'89ab'[Math.floor(rng() * 4)]}${hex(rng, 3)}-${hex(rng, 12)}`;
}

/** Base62 of a non-negative integer, left-padded: sorts like the number. */
export function base62Of(n: number, width: number): string {
  let out = '';
  let v = Math.floor(n);
  while (v > 0) {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out.padStart(width, '0');
}

export type Weighted<T> = readonly (readonly [T, number])[];

/** Precomputes the cumulative weights once; sampling is then a short scan. */
export function weighted<T>(entries: Weighted<T>): (rng: Rng) => T {
  const values: T[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (const [value, weight] of entries) {
    if (weight <= 0) continue;
    total += weight;
    values.push(value);
    cumulative.push(total);
  }
  if (values.length === 0) throw new Error('weighted: no positive weight');
  const last = values[values.length - 1] as T;
  return (rng) => {
    const x = rng() * total;
    for (let i = 0; i < cumulative.length; i++) {
      if (x < (cumulative[i] as number)) return values[i] as T;
    }
    return last;
  };
}
