import type { Scorecard } from '../../../src/domain/digests/scorecard';
import { proportion } from '../../../src/domain/digests/wilson';

let nextId = 1;

/** A scorecard made by hand for views and rankings: a busy day unless told otherwise. */
export function card(o: {
  key?: string;
  name?: string;
  fa?: [number, number];
  res?: [number, number];
  qa?: [number, number];
  quiet?: boolean;
  backlog?: number;
  days?: number;
  topErrors?: { category: string | null; count: number }[];
}): Scorecard {
  const id = nextId++;
  const key = o.key ?? `v${id}`;
  const [faMet, faMissed] = o.fa ?? [95, 5];
  const [rMet, rMissed] = o.res ?? [90, 10];
  const [agree, reviewed] = o.qa ?? [111, 118];
  const attainment = (met: number, missed: number, target: number) => {
    const rate = met + missed === 0 ? null : met / (met + missed);
    return { met, missed, rate, target, belowTarget: rate !== null && rate < target };
  };
  const qaAccuracy = proportion(agree, reviewed);
  const backlog = o.backlog ?? 5;
  const end = new Date('2026-11-02T05:00:00Z');
  return {
    vendor: { id, key, name: o.name ?? key.toUpperCase(), timeZone: 'America/New_York' },
    period: {
      from: o.days && o.days > 1 ? '2026-10-03' : '2026-11-01',
      to: '2026-11-01',
      days: o.days ?? 1,
      timeZone: 'America/New_York',
      start: new Date('2026-11-01T04:00:00Z'),
      end,
      asOf: end,
    },
    reportsReceived: o.quiet ? 0 : 5,
    decisions: o.quiet ? 0 : 3,
    casesOpened: o.quiet ? 0 : 5,
    sla: {
      firstAction: attainment(faMet, faMissed, 0.95),
      resolution: attainment(rMet, rMissed, 0.9),
      breaches: 5,
      oldestOpenBreach:
        backlog > 0 ? { caseId: 7, openedAt: new Date('2026-10-20T12:00:00Z'), breachedAt: new Date('2026-10-20T13:00:00Z') } : null,
    },
    qa: {
      accuracy: qaAccuracy,
      target: 0.95,
      belowTarget: qaAccuracy.rate !== null && qaAccuracy.rate < 0.95,
      falsePositive: proportion(2, 30),
      falseNegative: proportion(2, 10),
      topErrors: o.topErrors ?? [
        { category: 'misread_context', count: 2 },
        { category: null, count: 1 },
      ],
    },
    appeals: { overturned: proportion(1, 2) },
    backlog: {
      asOf: end,
      total: backlog,
      byAge: {
        under4h: backlog > 0 ? 1 : 0,
        from4to24h: backlog > 0 ? 1 : 0,
        from1to3d: Math.max(0, backlog - 3),
        over3d: backlog > 0 ? 1 : 0,
      },
      oldest: backlog > 0 ? { caseId: 7, openedAt: new Date('2026-10-20T12:00:00Z') } : null,
    },
    throughput: { total: 3, perDay: 3, baselinePerDay: 2 },
    capacity: { pacePerDay: 2, daysToClear: backlog / 2, growing: true, reviewerHours: 130 / 60 },
    quiet: o.quiet ?? false,
    series: [],
  };
}
