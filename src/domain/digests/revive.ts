import type { Scorecard } from './scorecard';

/**
 * A scorecard as it comes back from the outbox's JSON (instants as ISO strings) made whole again: the
 * digest is rendered at delivery time from the figures computed when it was claimed.
 */
export function reviveScorecard(json: unknown): Scorecard {
  const c = structuredClone(json) as Scorecard;
  const d = (v: unknown) => (v instanceof Date ? v : new Date(String(v)));
  c.period.start = d(c.period.start);
  c.period.end = d(c.period.end);
  c.period.asOf = d(c.period.asOf);
  c.backlog.asOf = d(c.backlog.asOf);
  if (c.backlog.oldest) c.backlog.oldest.openedAt = d(c.backlog.oldest.openedAt);
  const b = c.sla.oldestOpenBreach;
  if (b) {
    b.openedAt = d(b.openedAt);
    b.breachedAt = d(b.breachedAt);
  }
  c.series ??= [];
  return c;
}

/** An optional instant from JSON. */
export const reviveDate = (v: unknown): Date | undefined => (v === undefined || v === null ? undefined : new Date(String(v)));
