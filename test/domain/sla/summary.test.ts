import type { Analytics } from '../../../src/analytics/types';
import { fixedClock } from '../../../src/clock';
import { slaSummary } from '../../../src/domain/sla/summary';
import { AppError } from '../../../src/errors';
import type { PrismaClient } from '../../../src/generated/prisma/client';
import { openTestAnalytics } from '../../support/analytics';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { facts } from '../../support/facts';

// "Now" is Tuesday 2026-03-31 14:00 in Paris (12:00Z). Today began at 2026-03-30T22:00Z; the last 7 days
// (March 25–31, local) began at 2026-03-24T23:00Z, still in winter time. Every SLA: first action 60 min
// after opening, resolution 240 min.
const TZ = 'Europe/Paris';
const clock = fixedClock('2026-03-31T12:00:00Z');

let t: TestDatabase;
let db: PrismaClient;
let analytics: Analytics;
let f: ReturnType<typeof facts>;
const summary = (scope?: string) => slaSummary({ db, clock, analytics }, { scope, timeZone: TZ });

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.prisma;
  f = facts(db);
  const calendar = await db.businessCalendar.findUniqueOrThrow({ where: { key: 'always_open' } });
  for (const key of ['acme', 'bolt']) await f.vendorQueue(key, { firstActionMinutes: 60, resolutionMinutes: 240, calendarId: calendar.id });
  // Open cases, with the SLA states the last scan recorded.
  await f.openCase('A', '2026-03-31T10:00:00Z', { queue: 'acme', firstActionState: 'at_risk' });
  await f.openCase('B', '2026-03-20T10:00:00Z', { queue: 'acme', resolutionState: 'breached' });
  await f.openCase('C', '2026-03-20T10:00:00Z', {
    queue: 'bolt',
    status: 'in_review',
    firstActionState: 'breached',
    resolutionState: 'at_risk',
  });
  await f.openCase('E', '2026-03-25T10:00:00Z', {
    queue: 'acme',
    status: 'escalated',
    firstActionState: 'at_risk',
    resolutionState: 'breached',
  });
  // Closed: its breach no longer counts.
  await f.openCase('D', '2026-03-01T10:00:00Z', { queue: 'default', status: 'closed', resolutionState: 'breached' });
  // Completed targets.
  await f.openCase('F', '2026-03-31T08:00:00Z', { queue: 'acme', firstAction: '2026-03-31T08:30:00Z', resolved: '2026-03-31T11:00:00Z' });
  // First action 90 min after opening, at 00:30 local on the 31st: today, missed.
  await f.openCase('G', '2026-03-30T21:00:00Z', { queue: 'bolt', firstAction: '2026-03-30T22:30:00Z' });
  await f.openCase('H', '2026-03-25T00:00:00Z', {
    queue: 'default',
    firstAction: '2026-03-25T00:30:00Z',
    resolved: '2026-03-25T06:00:00Z',
  });
  // First action a millisecond before the 7 days began (out); resolved exactly as they began (in, met).
  await f.openCase('I', '2026-03-24T20:00:00Z', {
    queue: 'acme',
    firstAction: '2026-03-24T22:59:59.999Z',
    resolved: '2026-03-24T23:00:00.000Z',
  });
  // Acted on at "now": the period is [start, now), so not yet.
  await f.openCase('J', '2026-03-31T11:30:00Z', { queue: 'acme', firstAction: '2026-03-31T12:00:00Z' });
  analytics = await openTestAnalytics(t);
}, 60_000);
afterAll(async () => {
  await analytics?.close();
  await t?.drop();
});

describe('SLA summary from the analytics copy', () => {
  it('counts open at-risk and breached cases, names the oldest breach, and attainment today and over 7 local days', async () => {
    expect(await summary()).toEqual({
      scope: 'all queues',
      // A; E is breached as well, so it counts as breached only; D is closed
      atRisk: 1,
      breached: 3,
      // B and C opened at the same instant: the lower id
      oldestBreached: { caseId: f.ids.B, openedAt: new Date('2026-03-20T10:00:00Z') },
      // F met, G missed; F resolved in time
      today: { firstAction: { met: 1, missed: 1 }, resolution: { met: 1, missed: 0 } },
      // F H met, G missed; F I met, H late
      last7Days: { firstAction: { met: 2, missed: 1 }, resolution: { met: 2, missed: 1 } },
    });
  });

  it('scopes to a vendor’s queues or to one queue', async () => {
    expect(await summary('acme')).toMatchObject({
      scope: 'vendor acme',
      atRisk: 1,
      breached: 2,
      oldestBreached: { caseId: f.ids.B },
      today: { firstAction: { met: 1, missed: 0 }, resolution: { met: 1, missed: 0 } },
      last7Days: { firstAction: { met: 1, missed: 0 }, resolution: { met: 2, missed: 0 } },
    });
    expect(await summary('bolt_q')).toMatchObject({
      scope: 'queue bolt_q',
      atRisk: 0,
      breached: 1,
      oldestBreached: { caseId: f.ids.C },
      today: { firstAction: { met: 0, missed: 1 }, resolution: { met: 0, missed: 0 } },
    });
  });

  it('follows a case moved to another vendor’s queue after the copy was built', async () => {
    const bolt = await db.queue.findUniqueOrThrow({ where: { key: 'bolt_q' } });
    await db.case.update({ where: { id: f.ids.B! }, data: { queueId: bolt.id } });
    expect(await summary('acme')).toMatchObject({ breached: 1, oldestBreached: { caseId: f.ids.E } });
    expect(await summary('bolt')).toMatchObject({ breached: 2, oldestBreached: { caseId: f.ids.B } });
  });

  it('explains an unknown scope with the vendors and queues there are', async () => {
    const err = await summary('nowhere').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toContain('`nowhere` is neither a vendor nor a queue. Vendors: acme, bolt, default.');
  });
});
