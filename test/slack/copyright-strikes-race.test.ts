import { runningClock } from '../../src/clock';
import { takeDownNotice } from '../../src/domain/copyright/notices-actions';
import { ADMIN, startTestApp, type TestApp } from '../support/app';

// Takedowns of different notices naming the same account, racing: each must see the other's strike,
// so the repeat-infringer threshold is crossed exactly once per account (review #8).
const clock = runningClock('2026-11-27T12:00:00Z');
jest.setTimeout(120_000);
const ANALYST = 'U0ANALYST1';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
  for (const id of [ANALYST, ADMIN]) t.emulator.addUser({ id, name: id.toLowerCase() });
  await t.command(`role <@${ANALYST}> analyst`, ADMIN);
});
afterAll(async () => {
  await t.stop();
});

let seq = 0;
async function notice(account: string): Promise<number> {
  seq++;
  const res = await t.api('/api/v1/copyright/notices', {
    external_id: `race-${seq}`,
    received_at: '2026-11-27T09:00:00Z',
    sender: { name: 'Jane Roe', email: 'legal@lumen.example', kind: 'rights_holder' },
    work: 'A photograph',
    items: [{ content_ref: `https://claude.ai/share/race-${seq}`, surface: 'claude_ai', account_id: account }],
    signature: '/Jane Roe/',
    good_faith: true,
    accurate_and_authorized: true,
  });
  expect(res.status).toBe(201);
  return res.json.id as number;
}

const analyst = { id: ANALYST, origin: 'slack' as const };

async function terminationsOf(accounts: string[]) {
  const rows = await t.db.prisma.copyrightTermination.groupBy({
    by: ['accountId'],
    where: { accountId: { in: accounts } },
    _count: { _all: true },
  });
  return Object.fromEntries(rows.map((r) => [r.accountId, r._count._all]));
}

it('threshold - 2: two racing takedowns per account (policy 2) raise exactly one termination per account', async () => {
  expect((await t.command('copyright policy strikes:2 window:365', ADMIN)).text).toContain('2 strikes within 365 days');
  const accounts = ['acct_r1', 'acct_r2', 'acct_r3', 'acct_r4', 'acct_r5'];
  const notices: number[] = [];
  for (const a of accounts) notices.push(await notice(a), await notice(a));
  await Promise.all(notices.map((noticeId) => takeDownNotice(t.running.deps, { actor: analyst, noticeId })));
  const strikes = await t.db.prisma.copyrightStrike.count({ where: { accountId: { in: accounts }, removedAt: null } });
  expect(strikes).toBe(10);
  expect(await terminationsOf(accounts)).toEqual(Object.fromEntries(accounts.map((a) => [a, 1])));
});

it('threshold - 1: one prior strike, then two racing takedowns (policy 3) raise exactly one termination per account', async () => {
  expect((await t.command('copyright policy strikes:3 window:365', ADMIN)).text).toContain('3 strikes within 365 days');
  const accounts = ['acct_s1', 'acct_s2', 'acct_s3', 'acct_s4', 'acct_s5'];
  for (const a of accounts) await takeDownNotice(t.running.deps, { actor: analyst, noticeId: await notice(a) });
  expect(await terminationsOf(accounts)).toEqual({});
  const notices: number[] = [];
  for (const a of accounts) notices.push(await notice(a), await notice(a));
  await Promise.all(notices.map((noticeId) => takeDownNotice(t.running.deps, { actor: analyst, noticeId })));
  expect(await terminationsOf(accounts)).toEqual(Object.fromEntries(accounts.map((a) => [a, 1])));
});
