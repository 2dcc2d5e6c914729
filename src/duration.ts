// The one reader of durations written as a whole number and a unit ("90m", "24h", "2d"): configuration
// and the sandbox's clock control both use it.
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export type DurationUnit = keyof typeof UNIT_MS;

/** "90m" → 5,400,000 (ms); undefined when the text is not a whole number followed by one of `units`. */
export function parseDuration(text: string, units: readonly DurationUnit[] = ['s', 'm', 'h', 'd']): number | undefined {
  const [, n, unit] = /^(\d+)\s*([a-z])$/.exec(text.trim()) ?? [];
  if (n === undefined || !units.includes(unit as DurationUnit)) return undefined;
  return Number(n) * UNIT_MS[unit as DurationUnit];
}
