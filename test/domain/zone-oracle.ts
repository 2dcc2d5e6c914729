/**
 * A slow, independent reading of Intl for the time-zone tests: no caching, no segments, just
 * "what does Intl print at this instant". The code under test (src/domain/time.ts) must agree.
 */

const HOUR = 3600_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(zone, f);
  }
  return f;
}

/** Intl's local time at `t` as "YYYY-MM-DD HH:MM:SS". */
export function intlLocal(t: number, zone: string): string {
  const parts = Object.fromEntries(
    formatFor(zone)
      .formatToParts(t)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year!.padStart(4, '0')}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

export function intlDate(t: number, zone: string): string {
  return intlLocal(t, zone).slice(0, 10);
}

/** Offset (ms) at `t`, from Intl's printed local time. */
export function intlOffset(t: number, zone: string): number {
  const whole = Math.floor(t / 1000) * 1000;
  return Date.parse(`${intlLocal(whole, zone).replace(' ', 'T')}Z`) - whole;
}

export type Transition = { at: number; before: number; after: number };

/**
 * Every offset change in [from, to), read from Intl every `step` (hourly by default) and bisected
 * to the second. Offset changes are at least 95 h apart in tzdata, so a step of a few hours is safe.
 */
export function intlTransitions(zone: string, from: number, to: number, step = HOUR): Transition[] {
  const out: Transition[] = [];
  let prev = intlOffset(from, zone);
  for (let t = from + step; t < to + step; t += step) {
    const next = intlOffset(t, zone);
    if (next === prev) continue;
    let lo = t - step;
    let hi = t;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (intlOffset(mid, zone) === prev) lo = mid;
      else hi = mid;
    }
    if (hi < to) out.push({ at: hi, before: prev, after: next });
    prev = next;
  }
  return out;
}
