import { runningClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { holdForSuit } from '../../src/domain/copyright/dispute-actions';
import { refreshDisputeCards, scanDisputeReminders } from '../../src/domain/copyright/dispute-reminders';
import { submitNotice } from '../../src/domain/copyright/notices';
import { retractNotice, takeDownNotice } from '../../src/domain/copyright/notices-actions';
import { startJobs } from '../../src/jobs';
import { copyrightRemindersJob } from '../../src/jobs/copyright-reminders';
import { ADMIN, startTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { waitUntil } from '../support/process';

// A counter-notice received Wednesday 25 Nov 2026 at 15:00 in New York (20:00 UTC), the day before Thanksgiving.
// Claimant notified is due one business day later: Friday 27 Nov 15:00 New York (20:00 UTC), Thanksgiving skipped.
// Window: 10th business day Thursday 10 Dec (reminder at 09:00 New York = 14:00 UTC), 14th Wednesday 16 Dec, so
// overdue from midnight starting 17 Dec in New York (05:00 UTC).
const RECEIVED = '2026-11-25T20:00:00Z';
const clock = runningClock('2026-11-25T20:05:00Z');
jest.setTimeout(120_000);
const ANALYST = 'U0REMANALYST';
const COPYRIGHT = 'trustops-copyright';
const ESCALATION = 'trustops-escalations';

let db: TestDatabase;
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await startTestApp({ db, clock });
  // A second replica on the same database, posting to the same workspace.
  b = await startTestApp({ db, clock, emulator: a.emulator });
  a.emulator.addUser({ id: ANALYST, name: 'analyst' });
  await a.command(`role <@${ANALYST}> analyst`, ADMIN);
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await db?.drop();
});

let seq = 0;
async function dispute(app: TestApp): Promise<number> {
  const n = ++seq;
  const deps = app.running.deps;
  const notice = await submitNotice(
    deps,
    { id: 'api:intake', origin: 'api' },
    {
      external_id: `rem-notice-${n}`,
      received_at: '2026-11-20T15:00:00Z',
      sender: { name: 'Harbor Music', email: 'legal@harbor.example', kind: 'rights_holder' },
      work: 'Harbor Lights',
      items: [{ content_ref: `https://claude.ai/share/rem-${n}`, surface: 'claude_ai', account_id: `acct-rem-${n}` }],
      signature: '/Harbor/',
      good_faith: true,
      accurate_and_authorized: true,
    },
  );
  if (notice.status !== 'created') throw new Error('notice not created');
  await takeDownNotice(deps, { actor: { id: ANALYST, origin: 'slack' }, noticeId: notice.receipt.id });
  const res = await app.api('/api/v1/copyright/counter-notices', {
    external_id: `rem-cn-${n}`,
    notice_external_id: `rem-notice-${n}`,
    received_at: RECEIVED,
    subscriber: { name: 'Sam', address: '1 Main St', phone: '+1 212 555 0100', account_id: `acct-rem-${n}` },
    signature: '/Sam/',
    mistake_statement: true,
    consent_to_jurisdiction: true,
    accepts_service: true,
  });
  expect(res.status).toBe(201);
  return res.json.id as number;
}

const keys = (id: number) => ({
  notify: `copyright:counter_notice:${id}:claimant_notify_due`,
  open: `copyright:counter_notice:${id}:window_open`,
  overdue: `copyright:counter_notice:${id}:restore_overdue`,
  overdueEscalation: `copyright:counter_notice:${id}:restore_overdue:escalation`,
});

/** Both replicas scan at once, then each again: what a restart or a second replica would do. */
async function scanEverywhere(at: string) {
  clock.set(at);
  const results = await Promise.all([scanDisputeReminders(a.running.deps), scanDisputeReminders(b.running.deps)]);
  results.push(await scanDisputeReminders(b.running.deps), await scanDisputeReminders(a.running.deps));
  return results.reduce(
    (sum, r) => ({
      claimant_notify_due: sum.claimant_notify_due + r.claimant_notify_due,
      window_open: sum.window_open + r.window_open,
      restore_overdue: sum.restore_overdue + r.restore_overdue,
    }),
    { claimant_notify_due: 0, window_open: 0, restore_overdue: 0 },
  );
}

async function drained() {
  a.running.delivery.kick();
  b.running.delivery.kick();
  await waitUntil(
    'the outbox to drain',
    async () => ((await db.prisma.alert.count({ where: { status: { in: ['pending', 'sending'] } } })) === 0 ? true : undefined),
    45_000,
  );
}

const cardAlert = (id: number) => db.prisma.alert.findUniqueOrThrow({ where: { dedupeKey: `copyright:counter_notice:${id}:card` } });
const said = (channel: string, text: string) => a.emulator.messages(channel).filter((m) => JSON.stringify(m).includes(text));

describe('dispute reminders', () => {
  let id: number;
  let held: number;
  let retracted: number;
  beforeAll(async () => {
    clock.set('2026-11-25T20:05:00Z');
    id = await dispute(a);
    held = await dispute(b);
    await holdForSuit(a.running.deps, {
      actor: { id: ANALYST, origin: 'slack' },
      counterNoticeId: held,
      suit: { court: 'S.D.N.Y.', caseNumber: '1:26-cv-1', filedOn: '2026-11-25' },
    });
    retracted = await dispute(a);
    await retractNotice(a.running.deps, { actor: { id: 'api:intake', origin: 'api' }, externalId: `rem-notice-${seq}` });
    await drained();
  });

  it('says in the thread, once, that the claimant has not been notified one business day after receipt', async () => {
    expect(await scanEverywhere('2026-11-27T19:59:00Z')).toEqual({ claimant_notify_due: 0, window_open: 0, restore_overdue: 0 });
    expect(await scanEverywhere('2026-11-27T20:00:00Z')).toMatchObject({ claimant_notify_due: 1 });
    expect(await db.prisma.alert.count({ where: { dedupeKey: keys(id).notify } })).toBe(1);
    await drained();
    const card = await cardAlert(id);
    const replies = a.emulator
      .messages(COPYRIGHT)
      .filter((m) => m.thread_ts === card.slackTs && JSON.stringify(m).includes('Claimant not yet notified'));
    expect(replies).toHaveLength(1);
  });

  it('redraws open dispute cards once a day, so business days left are today’s', async () => {
    clock.set('2026-12-01T15:00:00Z'); // Tuesday 1 Dec, 10:00 in New York
    const counts = await Promise.all([refreshDisputeCards(a.running.deps), refreshDisputeCards(b.running.deps)]);
    expect(counts[0]! + counts[1]!).toBe(1); // the held dispute has no clock to redraw
    expect(await refreshDisputeCards(a.running.deps)).toBe(0);
    await drained();
    const card = await cardAlert(id);
    // Business days after Tue 1 Dec: 2, 3, 4, 7, 8, 9, 10 to the earliest date; 11, 14, 15, 16 more to the latest.
    expect(JSON.stringify(a.emulator.message(card.slackChannel!, card.slackTs!)?.blocks)).toContain(
      'Restore allowed in 7 business days; 11 business days left to the latest date',
    );
  });

  it('opens the window at 09:00 New York on the earliest date: the card is updated and the thread told, once', async () => {
    expect(await scanEverywhere('2026-12-10T13:59:00Z')).toMatchObject({ window_open: 0 });
    expect(await scanEverywhere('2026-12-10T14:00:00Z')).toMatchObject({ window_open: 1, claimant_notify_due: 0 });
    await drained();
    const card = await cardAlert(id);
    const json = JSON.stringify(a.emulator.message(card.slackChannel!, card.slackTs!)?.blocks);
    expect(json).toContain('Window open');
    expect(json).toContain('Wednesday 2026-12-16');
    const replies = said(COPYRIGHT, 'The restore window is open');
    expect(replies).toHaveLength(1);
    expect(replies[0]?.thread_ts).toBe(card.slackTs);
  });

  it('sends the overdue alert to the copyright and escalation channels once, also after a restart', async () => {
    expect(await scanEverywhere('2026-12-17T04:59:00Z')).toMatchObject({ restore_overdue: 0 });
    expect(await scanEverywhere('2026-12-17T05:00:00Z')).toMatchObject({ restore_overdue: 1 });
    // A restart: a third instance comes up later and runs the job on a tick of its own.
    clock.set('2026-12-17T09:00:00Z');
    const c = await startTestApp({ db, clock, emulator: a.emulator });
    try {
      const config = loadConfig({});
      const jobs = startJobs({ db: db.prisma, log: c.running.deps.log, metrics: c.running.metrics, clock }, [
        copyrightRemindersJob(config, c.running.deps),
      ]);
      try {
        expect(await jobs.runOnce('copyright-reminders', new Date('2026-12-17T09:00:00Z'))).toBe('ran');
        expect(await jobs.runOnce('copyright-reminders', new Date('2026-12-17T09:00:00Z'))).toBe('skipped');
        expect(await jobs.runOnce('copyright-reminders', new Date('2026-12-17T09:01:00Z'))).toBe('ran');
      } finally {
        await jobs.stop();
      }
      expect(await db.prisma.jobRun.count({ where: { jobName: 'copyright-reminders', status: 'ok' } })).toBe(2);
    } finally {
      await c.stop();
    }
    await drained();
    const k = keys(id);
    expect(await db.prisma.alert.count({ where: { dedupeKey: { in: [k.notify, k.open, k.overdue, k.overdueEscalation] } } })).toBe(4);
    expect(said(COPYRIGHT, 'Restore overdue')).toHaveLength(1);
    expect(said(ESCALATION, 'Restore overdue')).toHaveLength(1);
    expect(said(COPYRIGHT, 'Claimant not yet notified')).toHaveLength(1);
    expect(said(COPYRIGHT, 'The restore window is open')).toHaveLength(1);
    const card = await cardAlert(id);
    expect(JSON.stringify(a.emulator.message(card.slackChannel!, card.slackTs!)?.blocks)).toContain('Overdue');
  });

  it('closes a dispute whose notice was retracted: no reminder, no overdue alert, the complaint overturned', async () => {
    const k = keys(retracted);
    expect(await db.prisma.alert.count({ where: { dedupeKey: { in: [k.notify, k.open, k.overdue, k.overdueEscalation] } } })).toBe(0);
    const row = await db.prisma.counterNotice.findUniqueOrThrow({ where: { id: retracted } });
    expect(row).toMatchObject({ status: 'restored', outcome: 'notice_retracted' });
    const appeals = await db.prisma.appeal.findMany({ where: { externalId: { startsWith: `counter-notice:${retracted}:` } } });
    expect(appeals.map((x) => x.outcome)).toEqual(['overturned']);
    const card = await cardAlert(retracted);
    expect(JSON.stringify(a.emulator.message(card.slackChannel!, card.slackTs!)?.blocks)).toContain('the notice was retracted');
  });

  it('sends nothing for a dispute held for suit: its clock is stopped', async () => {
    const k = keys(held);
    expect(await db.prisma.alert.count({ where: { dedupeKey: { in: [k.notify, k.open, k.overdue, k.overdueEscalation] } } })).toBe(0);
  });
});
