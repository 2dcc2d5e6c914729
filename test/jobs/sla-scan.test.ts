import { fixedClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { invalidateIntakeContext } from '../../src/domain/intake/context-cache';
import { parseCalendar } from '../../src/domain/sla/calendar';
import type { SlaPolicy } from '../../src/domain/sla/policies';
import { type ScanOptions, scanSla } from '../../src/domain/sla/scan';
import { caseSlaState, nextState, type SlaState } from '../../src/domain/sla/state';
import { startJobs } from '../../src/jobs';
import { slaScanJob } from '../../src/jobs/sla-scan';
import { startTestApp, type TestApp } from '../support/app';
import { waitUntil } from '../support/process';

// Friday 27 Nov 2026. acme_review and bulk_review run 24/7: first action 60 min, resolution 240 min, at risk at 75 %.
const T0 = '2026-11-27T10:00:00.000Z';
const clock = fixedClock(T0);
const MIN = 60_000;
const SLA = 'trustops-sla';
const VENDOR = 'acme-alerts';
const ESCALATION = 'trustops-escalations';

/** acme_review (vendor with its own channel) gets claude_ai reports, bulk_review (no channel) api ones, dublin_review mobile ones. */
async function configure(app: TestApp): Promise<void> {
  const db = app.db.prisma;
  const calendar = await db.businessCalendar.create({ data: { key: 'sla_test_24_7', alwaysOpen: true } });
  const acme = await db.vendor.create({ data: { key: 'acme', name: 'Acme Review', slackChannel: VENDOR } });
  const bulk = await db.vendor.create({ data: { key: 'bulk', name: 'Bulk Review' } });
  for (const [key, vendorId, surface] of [
    ['acme_review', acme.id, 'claude_ai'],
    ['bulk_review', bulk.id, 'api'],
  ] as const) {
    const queue = await db.queue.create({ data: { key, name: key, vendorId } });
    await db.slaPolicy.create({
      data: {
        queueId: queue.id,
        firstActionMinutes: 60,
        resolutionMinutes: 240,
        calendarId: calendar.id,
        effectiveFrom: new Date('2020-01-01'),
      },
    });
    await db.routingRule.create({ data: { position: surface === 'api' ? 1 : 2, surface, queueId: queue.id } });
  }
  // mobile reports: Mon–Fri 09:00–17:00 Dublin, first action 8 h, resolution 24 h.
  const dublin = await db.businessCalendar.create({
    data: {
      key: 'sla_test_dublin',
      timezone: 'Europe/Dublin',
      hours: Object.fromEntries(['1', '2', '3', '4', '5'].map((d) => [d, [['09:00', '17:00']]])),
    },
  });
  const queue = await db.queue.create({ data: { key: 'dublin_review', name: 'dublin_review', vendorId: bulk.id } });
  await db.slaPolicy.create({
    data: {
      queueId: queue.id,
      firstActionMinutes: 480,
      resolutionMinutes: 1440,
      calendarId: dublin.id,
      effectiveFrom: new Date('2020-01-01'),
    },
  });
  await db.routingRule.create({ data: { position: 3, surface: 'mobile', queueId: queue.id } });
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
  // Delivery stays out of the way here, so alert rows are seen exactly as the scan left them
  // (the last describe block runs it).
  await t.running.delivery.stop();
  await configure(t);
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  clock.set(T0);
  await truncateFacts();
});

/**
 * TRUNCATE takes its exclusive locks table by table (cascading to the tables that reference them), so
 * a background transaction of the app still reading one of them can deadlock with it; Postgres then
 * aborts one side, and the cleanup tries again.
 */
async function truncateFacts(attempt = 1): Promise<void> {
  try {
    await t.db.prisma.$executeRawUnsafe('TRUNCATE alerts, reports, decisions, cases, audit_events CASCADE');
  } catch (err) {
    if (attempt >= 5 || !String(err).includes('40P01')) throw err;
    await truncateFacts(attempt + 1);
  }
}

let seq = 0;
/** Opens a case through the intake API; `surface: 'api'` routes to bulk_review, anything else to acme_review. */
async function openCase(over: { surface?: string; received_at?: string } = {}, app = t): Promise<number> {
  seq++;
  const res = await app.api('/api/v1/reports', {
    external_id: `sla-${seq}`,
    surface: 'claude_ai',
    report_type: 'harmful_content',
    content_ref: `https://claude.ai/share/sla-${seq}`,
    received_at: T0,
    ...over,
  });
  expect(res.status).toBe(201);
  return res.json.case_id as number;
}

const scan = (at: string, opts?: ScanOptions) => {
  clock.set(at);
  return scanSla(t.running.deps, new Date(at), opts);
};
const alerts = () => t.db.prisma.alert.findMany({ orderBy: { id: 'asc' } });
const caseStates = async (id: number) =>
  t.db.prisma.case.findUniqueOrThrow({ where: { id }, select: { firstActionState: true, resolutionState: true } });
/** Every SLA policy by id, as the pure state function takes them. */
async function loadPolicies(): Promise<Map<number, SlaPolicy>> {
  const rows = await t.db.prisma.slaPolicy.findMany({ include: { calendar: { include: { holidays: true } } } });
  return new Map(rows.map((r) => [r.id, { ...r, calendar: parseCalendar({ ...r.calendar, holidays: r.calendar.holidays }) }]));
}
/** What the delivery worker would have recorded after posting. */
const markPosted = (where: string, at: string) =>
  t.db.prisma.$executeRawUnsafe(
    `UPDATE alerts SET status = 'sent', attempts = 1, slack_channel = 'C' || upper(channel), slack_ts = '1764237600.' || lpad(id::text, 6, '0'),
            sent_at = $1::timestamptz WHERE ${where}`,
    at,
  );
const NOTHING = { atRisk: 0, breached: 0, met: 0, missed: 0, alertsQueued: 0, rollups: 0, renotified: 0, alertsUpdated: 0 };

describe('the SLA scan', () => {
  it('alerts once per case × target × state on the SLA and vendor channels, with the contract’s data', async () => {
    const id = await openCase();
    expect(await scan('2026-11-27T10:44:00.000Z')).toMatchObject(NOTHING);

    expect(await scan('2026-11-27T10:45:00.000Z')).toMatchObject({ ...NOTHING, atRisk: 1, alertsQueued: 2 });
    const atRisk = {
      caseId: id,
      queue: 'acme_review',
      vendor: 'acme',
      priority: 'normal',
      target: 'first_action',
      state: 'at_risk',
      openedAt: '2026-11-27T10:00:00.000Z',
      dueAt: '2026-11-27T11:00:00.000Z',
      contentRef: `https://claude.ai/share/sla-${seq}`,
      policyVersion: 1,
    };
    expect(await alerts()).toEqual([
      expect.objectContaining({
        kind: 'sla_at_risk',
        dedupeKey: `sla:${id}:first_action:at_risk:${SLA}`,
        channel: SLA,
        message: atRisk,
        entityType: 'case',
        entityId: String(id),
        status: 'pending',
        renotifyAt: null,
      }),
      expect.objectContaining({
        kind: 'sla_at_risk',
        dedupeKey: `sla:${id}:first_action:at_risk:${VENDOR}`,
        channel: VENDOR,
        message: atRisk,
      }),
    ]);
    expect(await caseStates(id)).toEqual({ firstActionState: 'at_risk', resolutionState: 'ok' });

    // The same instant again: the stored state has caught up, so nothing is written.
    expect(await scan('2026-11-27T10:45:00.000Z')).toMatchObject(NOTHING);
    expect(await t.db.prisma.alert.count()).toBe(2);

    expect(await scan('2026-11-27T11:00:00.001Z')).toMatchObject({ ...NOTHING, breached: 1, alertsQueued: 2 });
    const breaches = (await alerts()).filter((a) => a.kind === 'sla_breach');
    expect(breaches.map((a) => [a.dedupeKey, a.channel])).toEqual([
      [`sla:${id}:first_action:breached:${SLA}`, SLA],
      [`sla:${id}:first_action:breached:${VENDOR}`, VENDOR],
    ]);
    expect(breaches[0]!.message).toEqual({ ...atRisk, state: 'breached' });
    // Armed for the one re-notification, 30 min after the breach was written.
    expect(breaches[0]!.renotifyAt?.toISOString()).toBe('2026-11-27T11:30:00.001Z');

    // Resolution turns at risk at 13:00 (75 % of 4 h) on its own.
    expect(await scan('2026-11-27T13:00:00.000Z')).toMatchObject({ ...NOTHING, atRisk: 1, alertsQueued: 2 });
    expect(await t.db.prisma.alert.count({ where: { dedupeKey: { startsWith: `sla:${id}:resolution:at_risk:` } } })).toBe(2);
    expect(await caseStates(id)).toEqual({ firstActionState: 'breached', resolutionState: 'at_risk' });
  });

  it('counts business hours only: a case received on Friday afternoon turns at risk on Monday', async () => {
    clock.set('2026-11-27T16:00:00.000Z');
    const id = await openCase({ surface: 'mobile', received_at: '2026-11-27T16:00:00Z' });
    // 75 % of 8 open hours = 6 h: Friday 16–17, then Monday from 09:00.
    expect(await t.db.prisma.case.findUniqueOrThrow({ where: { id } })).toMatchObject({
      firstActionAtRiskAt: new Date('2026-11-30T14:00:00Z'),
      firstActionDueAt: new Date('2026-11-30T16:00:00Z'),
      resolutionAtRiskAt: new Date('2026-12-02T10:00:00Z'),
    });
    expect(await scan('2026-11-29T12:00:00.000Z')).toMatchObject(NOTHING);
    expect(await scan('2026-11-30T14:00:00.000Z')).toMatchObject({ ...NOTHING, atRisk: 1, alertsQueued: 1 });
    expect((await alerts()).map((a) => [a.kind, a.message])).toEqual([
      ['sla_at_risk', expect.objectContaining({ queue: 'dublin_review', vendor: 'bulk', dueAt: '2026-11-30T16:00:00.000Z' })],
    ]);
  });

  it('goes straight to breached when the at-risk window passed between two scans', async () => {
    const id = await openCase();
    expect(await scan('2026-11-27T11:05:00.000Z')).toMatchObject({ ...NOTHING, breached: 1, alertsQueued: 2 });
    expect((await alerts()).map((a) => a.kind)).toEqual(['sla_breach', 'sla_breach']);
    expect(await caseStates(id)).toEqual({ firstActionState: 'breached', resolutionState: 'ok' });
  });

  it('edits the posted alerts in place when the case completes: outcome merged, back to the outbox, no new message', async () => {
    const id = await openCase();
    await scan('2026-11-27T11:01:00.000Z');
    await markPosted(`channel = '${SLA}'`, '2026-11-27T11:01:05.000Z');
    await t.db.prisma.alert.updateMany({ where: { channel: VENDOR }, data: { status: 'failed', lastError: 'channel_not_found' } });
    const before = await alerts();

    clock.set('2026-11-27T11:13:00.000Z');
    const decision = await t.api('/api/v1/decisions', {
      external_id: `sla-decision-${id}`,
      case_id: id,
      action: 'content_removed',
      policy: 'harmful_content',
      decided_at: '2026-11-27T11:12:00Z',
    });
    expect(decision.status).toBe(201);

    // First action 12 min late (missed); resolution well within its 4 h (met), with no alert to update.
    expect(await scan('2026-11-27T11:13:00.000Z')).toMatchObject({ ...NOTHING, met: 1, missed: 1, alertsUpdated: 1 });
    const after = await alerts();
    expect(after.map((a) => a.id)).toEqual(before.map((a) => a.id));
    const posted = after.find((a) => a.channel === SLA)!;
    expect(posted).toMatchObject({
      status: 'pending',
      attempts: 0,
      slackTs: before.find((a) => a.channel === SLA)!.slackTs,
      renotifyAt: null,
      message: {
        ...(before.find((a) => a.channel === SLA)!.message as object),
        outcome: 'missed',
        completedAt: '2026-11-27T11:12:00.000Z',
        overrunMinutes: 12,
        overrunWallMinutes: 12,
      },
    });
    expect(posted.nextAttemptAt.toISOString()).toBe('2026-11-27T11:13:00.000Z');
    // A post that failed stays as it was.
    expect(after.find((a) => a.channel === VENDOR)).toMatchObject({
      status: 'failed',
      message: before.find((a) => a.channel === VENDOR)!.message,
    });
    expect(await caseStates(id)).toEqual({ firstActionState: 'missed', resolutionState: 'met' });

    expect(await scan('2026-11-27T11:13:00.000Z')).toMatchObject(NOTHING);
  });

  it('leaves a completion to the next scan while one of its alerts is being posted', async () => {
    const id = await openCase();
    await scan('2026-11-27T11:01:00.000Z');
    await markPosted(`channel = '${VENDOR}'`, '2026-11-27T11:01:05.000Z');
    await t.db.prisma.alert.updateMany({ where: { channel: SLA }, data: { status: 'sending', attempts: 1 } });
    clock.set('2026-11-27T11:13:00.000Z');
    await t.api('/api/v1/decisions', {
      external_id: `sla-decision-${id}`,
      case_id: id,
      action: 'content_removed',
      policy: 'harmful_content',
      decided_at: '2026-11-27T11:12:00Z',
    });
    expect(await scan('2026-11-27T11:13:00.000Z')).toMatchObject({ ...NOTHING, met: 1, deferred: 1 });
    expect(await caseStates(id)).toEqual({ firstActionState: 'breached', resolutionState: 'met' });
    expect((await alerts()).some((a) => 'outcome' in (a.message as object))).toBe(false);

    await markPosted(`channel = '${SLA}'`, '2026-11-27T11:13:02.000Z');
    expect(await scan('2026-11-27T11:14:00.000Z')).toMatchObject({ ...NOTHING, missed: 1, alertsUpdated: 2 });
    expect(await caseStates(id)).toEqual({ firstActionState: 'missed', resolutionState: 'met' });
  });

  it('merges the outcome into an alert that was still waiting to be posted, so it goes out complete', async () => {
    const id = await openCase();
    await scan('2026-11-27T10:50:00.000Z');
    clock.set('2026-11-27T10:55:00.000Z');
    await t.api('/api/v1/decisions', {
      external_id: `sla-decision-${id}`,
      case_id: id,
      action: 'no_violation',
      policy: 'harmful_content',
      decided_at: '2026-11-27T10:55:00Z',
    });
    expect(await scan('2026-11-27T10:56:00.000Z')).toMatchObject({ met: 2, alertsUpdated: 2 });
    for (const a of await alerts()) {
      expect(a).toMatchObject({ kind: 'sla_at_risk', status: 'pending', message: { outcome: 'met', overrunMinutes: 0 } });
    }
  });

  it('rolls up more than 10 cases of one queue crossing together, per channel, and still records every state', async () => {
    // bulk_review: 11 cases (one roll-up, no vendor channel). acme_review: 10 cases (at the threshold: one alert each).
    const storm: number[] = [];
    for (let i = 0; i < 11; i++)
      storm.push(await openCase({ surface: 'api', received_at: `2026-11-27T10:00:${String(i).padStart(2, '0')}Z` }));
    const calm: number[] = [];
    for (let i = 0; i < 10; i++) calm.push(await openCase());

    const at = '2026-11-27T10:46:00.000Z';
    expect(await scan(at)).toMatchObject({ ...NOTHING, atRisk: 21, rollups: 1, alertsQueued: 1 + 10 * 2 });
    const rollups = await t.db.prisma.alert.findMany({ where: { kind: 'sla_rollup' } });
    expect(rollups).toEqual([
      expect.objectContaining({
        channel: SLA,
        dedupeKey: `sla:rollup:bulk_review:first_action:at_risk:${at}:${storm[0]}:${SLA}`,
        entityType: 'queue',
        message: {
          queue: 'bulk_review',
          vendor: 'bulk',
          target: 'first_action',
          state: 'at_risk',
          count: 11,
          oldestCaseId: storm[0],
          oldestOpenedAt: '2026-11-27T10:00:00.000Z',
          worstOverrunMinutes: 0,
          caseIds: storm,
        },
      }),
    ]);
    expect(await t.db.prisma.alert.count({ where: { kind: 'sla_at_risk', entityId: { in: storm.map(String) } } })).toBe(0);
    expect(await t.db.prisma.alert.count({ where: { kind: 'sla_at_risk', entityId: { in: calm.map(String) } } })).toBe(20);
    const states = await t.db.prisma.case.groupBy({ by: ['firstActionState'], _count: true, where: { id: { in: [...storm, ...calm] } } });
    expect(states).toEqual([{ firstActionState: 'at_risk', _count: 21 }]);

    // Breached 12 min 10 s after the oldest was due: the worst overrun rounds up to 13 min.
    const later = '2026-11-27T11:12:10.000Z';
    expect(await scan(later)).toMatchObject({ breached: 21, rollups: 1 });
    const breach = await t.db.prisma.alert.findFirstOrThrow({ where: { kind: 'sla_rollup', dedupeKey: { contains: ':breached:' } } });
    expect(breach.message).toMatchObject({ state: 'breached', count: 11, worstOverrunMinutes: 13 });
    expect(await scan(later)).toMatchObject(NOTHING);
  });

  it('re-notifies an unacknowledged breach once, 30 min after it was posted, to the escalation channel', async () => {
    const id = await openCase();
    const acked = await openCase();
    await scan('2026-11-27T11:01:00.000Z');
    await markPosted(`kind = 'sla_breach'`, '2026-11-27T11:01:00.000Z');
    // Acknowledged from the vendor's channel: covers the SLA channel's card too.
    await t.db.prisma.alert.updateMany({
      where: { entityId: String(acked), channel: VENDOR },
      data: { acknowledgedBy: 'U0ANALYST', acknowledgedAt: new Date('2026-11-27T11:10:00Z') },
    });

    expect(await scan('2026-11-27T11:30:59.000Z')).toMatchObject(NOTHING);
    expect(await scan('2026-11-27T11:31:00.000Z')).toMatchObject({ ...NOTHING, renotified: 1, alertsQueued: 1 });
    const breach = await t.db.prisma.alert.findUniqueOrThrow({ where: { dedupeKey: `sla:${id}:first_action:breached:${SLA}` } });
    const renotify = await t.db.prisma.alert.findMany({ where: { kind: 'sla_renotify' } });
    expect(renotify).toEqual([
      expect.objectContaining({
        dedupeKey: `sla:renotify:${id}:first_action`,
        channel: ESCALATION,
        entityType: 'case',
        entityId: String(id),
        message: { ...(breach.message as object), firstPostedAt: '2026-11-27T11:01:00.000Z' },
      }),
    ]);
    // Once only, and never for the acknowledged case.
    expect(await scan('2026-11-27T12:30:00.000Z')).toMatchObject({ renotified: 0 });
    expect(await t.db.prisma.alert.count({ where: { kind: 'sla_renotify' } })).toBe(1);
    expect(await t.db.prisma.alert.count({ where: { renotifyAt: { not: null } } })).toBe(0);
  });

  it('does not re-notify a breach that was never posted, nor one completed in the meantime', async () => {
    const failed = await openCase();
    const done = await openCase();
    await scan('2026-11-27T11:01:00.000Z');
    await t.db.prisma.alert.updateMany({ where: { entityId: String(failed) }, data: { status: 'failed' } });
    await markPosted(`entity_id = '${done}'`, '2026-11-27T11:01:00.000Z');
    clock.set('2026-11-27T11:20:00.000Z');
    await t.api('/api/v1/decisions', {
      external_id: `sla-decision-${done}`,
      case_id: done,
      action: 'no_violation',
      policy: 'harmful_content',
      decided_at: '2026-11-27T11:20:00Z',
    });
    await scan('2026-11-27T11:20:00.000Z');
    expect(await scan('2026-11-27T12:00:00.000Z')).toMatchObject({ renotified: 0 });
    expect(await t.db.prisma.alert.count({ where: { kind: 'sla_renotify' } })).toBe(0);
  });

  it('records exactly the states the SLA state function gives, scan after scan', async () => {
    clock.set('2026-11-27T14:00:00.000Z');
    const ids: number[] = [];
    for (let k = 0; k < 12; k++) ids.push(await openCase({ received_at: new Date(Date.parse(T0) + k * 20 * MIN).toISOString() }));
    for (const [i, at] of [
      [1, '2026-11-27T10:50:00Z'],
      [3, '2026-11-27T11:30:00Z'],
      [5, '2026-11-27T13:10:00Z'],
      [8, '2026-11-27T13:50:00Z'],
    ] as const) {
      const res = await t.api('/api/v1/decisions', {
        external_id: `sla-decision-${ids[i]}`,
        case_id: ids[i],
        action: 'no_violation',
        policy: 'harmful_content',
        decided_at: at,
      });
      expect(res.status).toBe(201);
    }
    const policies = await loadPolicies();
    const recorded = new Map<number, { first_action: SlaState; resolution: SlaState }>(
      ids.map((id) => [id, { first_action: 'ok', resolution: 'ok' }]),
    );
    for (const at of ['10:30', '11:00', '11:45', '12:30', '13:15', '14:00', '15:30', '18:00']) {
      const now = `2026-11-27T${at}:00.000Z`;
      await scan(now);
      for (const c of await t.db.prisma.case.findMany({ where: { id: { in: ids } } })) {
        const pure = caseSlaState(c, policies, new Date(now));
        const before = recorded.get(c.id)!;
        const expected = {
          first_action: nextState(before.first_action, pure.first_action.state),
          resolution: nextState(before.resolution, pure.resolution.state),
        };
        expect([now, c.id, c.firstActionState, c.resolutionState]).toEqual([now, c.id, expected.first_action, expected.resolution]);
        recorded.set(c.id, expected);
      }
    }
    const final = [...recorded.values()];
    expect(new Set(final.flatMap((s) => [s.first_action, s.resolution]))).toEqual(new Set(['met', 'missed', 'breached']));
  });

  it('keeps each case on the policy version it was opened under', async () => {
    const v1Case = await openCase();
    const queue = await t.db.prisma.queue.findUniqueOrThrow({ where: { key: 'acme_review' }, include: { policies: true } });
    const v1 = queue.policies.find((p) => p.version === 1)!;
    const v2 = await t.db.prisma.slaPolicy.create({
      data: {
        queueId: queue.id,
        version: 2,
        firstActionMinutes: 20,
        resolutionMinutes: 40,
        calendarId: v1.calendarId,
        effectiveFrom: new Date(T0),
      },
    });
    invalidateIntakeContext(t.db.prisma);
    try {
      const v2Case = await openCase();
      // 10:30: past v2's first-action target (20 min) and 75 % of its resolution target (40 min); well inside v1's.
      expect(await scan('2026-11-27T10:30:00.000Z')).toMatchObject({ breached: 1, atRisk: 1 });
      expect(await caseStates(v1Case)).toEqual({ firstActionState: 'ok', resolutionState: 'ok' });
      expect(await caseStates(v2Case)).toEqual({ firstActionState: 'breached', resolutionState: 'at_risk' });
      const messages = (await alerts()).map((a) => a.message as { caseId: number; policyVersion: number });
      expect(new Set(messages.map((m) => [m.caseId, m.policyVersion].join(':')))).toEqual(new Set([`${v2Case}:2`]));
    } finally {
      await t.db.prisma.case.deleteMany({ where: { slaPolicyId: v2.id } });
      await t.db.prisma.slaPolicy.delete({ where: { id: v2.id } });
      invalidateIntakeContext(t.db.prisma);
    }
  });

  it('acts on each case once when two scans race', async () => {
    const single: number[] = [];
    for (let i = 0; i < 3; i++) single.push(await openCase());
    for (let i = 0; i < 12; i++) await openCase({ surface: 'api' });
    const at = '2026-11-27T10:50:00.000Z';
    clock.set(at);
    const results = await Promise.all([
      scanSla(t.running.deps, new Date(at), { batchSize: 2 }),
      scanSla(t.running.deps, new Date(at), { batchSize: 2 }),
    ]);
    expect(results.reduce((n, r) => n + r.atRisk, 0)).toBe(15);
    const rows = await alerts();
    const perCase = rows.filter((a) => a.kind === 'sla_at_risk');
    expect(perCase).toHaveLength(6);
    expect(new Set(perCase.map((a) => a.dedupeKey)).size).toBe(6);
    // The storm may be split between the two scans, never counted twice.
    const rolled = rows.filter((a) => a.kind === 'sla_rollup').flatMap((a) => (a.message as { caseIds: number[] }).caseIds);
    expect(rolled).toHaveLength(12);
    expect(new Set(rolled).size).toBe(12);
  });
});

describe('the sla-scan job', () => {
  it('runs the scan on TRUSTOPS_SLA_SCAN_CRON, once per tick', async () => {
    const config = loadConfig({ TRUSTOPS_SLA_SCAN_CRON: '*/30 * * * * *' });
    const job = slaScanJob(config);
    expect(job).toMatchObject({ name: 'sla-scan', cron: '*/30 * * * * *' });
    const id = await openCase();
    clock.set('2026-11-27T10:45:00.000Z');
    const jobs = startJobs({ db: t.db.prisma, log: t.running.deps.log, metrics: t.running.metrics, clock }, [job]);
    try {
      const tick = new Date('2026-11-27T10:45:00.000Z');
      expect(await jobs.runOnce('sla-scan', tick)).toBe('ran');
      expect(await jobs.runOnce('sla-scan', tick)).toBe('skipped');
    } finally {
      await jobs.stop();
    }
    expect(await caseStates(id)).toEqual({ firstActionState: 'at_risk', resolutionState: 'ok' });
    expect(await t.db.prisma.alert.count({ where: { kind: 'sla_at_risk' } })).toBe(2);
    expect(await t.db.prisma.jobRun.findFirst({ where: { jobName: 'sla-scan' } })).toMatchObject({ status: 'ok' });
  });
});

describe('delivery', () => {
  let live: TestApp;
  beforeAll(async () => {
    live = await startTestApp({ clock });
    live.emulator.addChannel(VENDOR);
    await configure(live);
  });
  afterAll(async () => {
    await live.stop();
  });

  it('is left to the delivery worker, which posts the scan’s alerts at once: one to the SLA channel, one to the vendor’s', async () => {
    clock.set(T0);
    const id = await openCase({}, live);
    clock.set('2026-11-27T10:45:00.000Z');
    expect(await scanSla(live.running.deps, clock.now())).toMatchObject({ atRisk: 1, alertsQueued: 2 });
    const rows = await waitUntil(
      'the alerts to be delivered',
      async () => {
        const all = await live.db.prisma.alert.findMany({ orderBy: { id: 'asc' } });
        return all.length === 2 && all.every((a) => a.status !== 'pending' && a.status !== 'sending') ? all : undefined;
      },
      10_000,
    );
    expect(rows.map((a) => [a.kind, a.channel, a.status, a.attempts, a.lastError])).toEqual([
      ['sla_at_risk', SLA, 'sent', 1, null],
      ['sla_at_risk', VENDOR, 'sent', 1, null],
    ]);
    // Each is in its channel once, where its row says, and about this case.
    for (const a of rows) {
      const posted = live.emulator
        .messages(a.channel)
        .filter((m) => (m.metadata as { event_payload?: { alert_id?: number } })?.event_payload?.alert_id === a.id);
      expect(posted.map((m) => m.ts)).toEqual([a.slackTs]);
      expect((a.message as { caseId?: number }).caseId).toBe(id);
    }
  });
});
