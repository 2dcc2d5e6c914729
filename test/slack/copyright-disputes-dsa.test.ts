import { runningClock } from '../../src/clock';
import { rejectCounterNotice, restoreFalsePositive } from '../../src/domain/copyright/dispute-actions';
import { submitNotice } from '../../src/domain/copyright/notices';
import { takeDownNotice } from '../../src/domain/copyright/notices-actions';
import { dsaAggregates } from '../../src/domain/exports/dsa';
import { parseRange } from '../../src/domain/metrics/range';
import { ADMIN, startTestApp, type TestApp } from '../support/app';
import { oracleDsaAggregates } from '../support/dsa-oracle';

// Copyright takedowns in the DSA read-outs (issue 10, item 8): notices under Article 16 in the
// intellectual-property category, actions on the illegal-content ground, counter-notices as complaints.
const clock = runningClock('2026-12-10T12:00:00Z');
jest.setTimeout(90_000);
const ANALYST = 'U0DSAANALYST';
const IP = 'STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
  await t.command(`role <@${ANALYST}> analyst`, ADMIN);
});
afterAll(async () => {
  await t.stop();
});

async function takedown(n: number, items: number) {
  const deps = t.running.deps;
  const notice = await submitNotice(
    deps,
    { id: 'api:intake', origin: 'api' },
    {
      external_id: `dsa-notice-${n}`,
      received_at: '2026-12-03T10:00:00Z',
      sender: { name: 'Harbor Music', email: 'legal@harbor.example', kind: 'automated_agent' },
      work: 'Harbor Lights',
      items: Array.from({ length: items }, (_, i) => ({
        content_ref: `https://claude.ai/share/dsa-${n}-${i}`,
        surface: 'claude_ai',
        account_id: `acct-dsa-${n}`,
      })),
      signature: '/Harbor/',
      good_faith: true,
      accurate_and_authorized: true,
    },
  );
  if (notice.status !== 'created') throw new Error('notice not created');
  await takeDownNotice(deps, { actor: { id: ANALYST, origin: 'slack' }, noticeId: notice.receipt.id });
}

async function counterNotice(n: number): Promise<number> {
  const res = await t.api('/api/v1/copyright/counter-notices', {
    external_id: `dsa-cn-${n}`,
    notice_external_id: `dsa-notice-${n}`,
    received_at: '2026-12-04T10:00:00Z',
    subscriber: { name: 'Sam', address: '1 Main St', phone: '+1 212 555 0100', account_id: `acct-dsa-${n}` },
    signature: '/Sam/',
    mistake_statement: true,
    consent_to_jurisdiction: true,
    accepts_service: true,
  });
  expect(res.status).toBe(201);
  return res.json.id as number;
}

it('counts copyright takedowns as Article 16 notices and illegal-content actions in the IP category, and counter-notices as complaints', async () => {
  await takedown(1, 2); // two items: one notice with two items (review #5), two actions; disputed, then restored as a false positive
  await takedown(2, 1); // disputed, the counter-notice rejected
  await takedown(3, 1); // never disputed
  const restored = await counterNotice(1);
  const rejected = await counterNotice(2);
  const actor = { id: ANALYST, origin: 'slack' as const };
  await restoreFalsePositive(t.running.deps, { actor, counterNoticeId: restored, reason: 'own recording' });
  await rejectCounterNotice(t.running.deps, { actor, counterNoticeId: rejected, reason: 'not the subscriber’s signature' });

  const range = parseRange('2026-12', { now: clock.now(), timeZone: 'UTC' });
  const dsa = await dsaAggregates(t.running.deps, range);
  expect(dsa.notices.byCategory[IP]).toEqual({ received: 3, trustedFlagger: 0 });
  expect(dsa.actions.byCategory[IP]).toBe(4);
  expect(dsa.actions.byGround.DECISION_GROUND_ILLEGAL_CONTENT).toEqual({ total: 4, onNotices: 4, ownInitiative: 0 });
  expect(dsa.actions.bySource.SOURCE_ARTICLE_16?.total).toBe(4);
  expect(dsa.actions.byAction.content_removed).toBe(4);
  // A restore reverses the takedown; it is not a new action (still four content_removed, nothing else).
  expect(Object.values(dsa.actions.byAction).reduce((s, n) => s + n, 0)).toBe(4);
  // Three disputed takedown decisions: two overturned by the false-positive restore, one upheld by the rejection.
  expect(dsa.complaints.received).toBe(3);
  expect(dsa.complaints.byCategory[IP]).toBe(3);
  expect(dsa.complaints.byOutcome).toEqual({ pending: 0, upheld: 1, overturned: 2 });
  expect(dsa.complaints.reversals).toBe(2);
  expect(dsa).toEqual(await oracleDsaAggregates(t.db.prisma, range));
});
