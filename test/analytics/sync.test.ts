import { openTestAnalytics, type TestAnalytics } from '../support/analytics';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type Facts, facts } from '../support/facts';

let db: TestDatabase;
let analytics: TestAnalytics;
let f: Facts;

const SLA = { firstActionMinutes: 60, resolutionMinutes: 240 };

beforeAll(async () => {
  db = await createTestDatabase();
  f = facts(db.prisma);
  const calendar = await db.prisma.businessCalendar.findFirstOrThrow();
  await f.vendorQueue('acme', { ...SLA, calendarId: calendar.id });
  await f.vendorQueue('globex', { ...SLA, calendarId: calendar.id });
  await f.openCase('c1', '2026-11-01T10:00:00Z', { queue: 'acme' });
  await f.report('r1', 'c1', '2026-11-01T09:59:00Z', { surface: 'api', category: 'spam' });
  await f.decide('d1', 'c1', '2026-11-01T11:00:00Z', 'remove', 'spam', false);
  analytics = await openTestAnalytics(db);
});

afterAll(async () => {
  await analytics?.close();
  await db?.drop();
});

const one = async <R extends Record<string, unknown>>(sql: string, params: (string | number | Date | null)[] = []) =>
  analytics.read(async (r) => (await r.query<R>(sql, params))[0]);

describe('the analytics copy', () => {
  it('loads the facts with their denormalized columns', async () => {
    const d = await one('SELECT * FROM decisions WHERE id = $1', [f.ids.d1!]);
    expect(d).toMatchObject({ id: f.ids.d1, action: 'remove', policy: 'spam', automated: false, case_category: 'spam' });
    expect(d?.decided_at).toEqual(new Date('2026-11-01T11:00:00Z'));
    expect(d?.case_first_report_at).toEqual(new Date('2026-11-01T09:59:00Z'));
    const c = await one('SELECT first_decision_action, status FROM cases WHERE id = $1', [f.ids.c1!]);
    expect(c).toEqual({ first_decision_action: 'remove', status: 'queued' });
    const r = await one<{ case_first_decision_action: string; n: number }>(
      'SELECT case_first_decision_action, count(*) OVER () AS n FROM reports',
    );
    expect(r).toEqual({ case_first_decision_action: 'remove', n: 1 });
  });

  it('sees a decision committed before the read', async () => {
    await f.decide('d2', 'c1', '2026-11-01T10:30:00Z', 'warn', 'spam', true);
    const c = await one('SELECT first_decision_action FROM cases WHERE id = $1', [f.ids.c1!]);
    expect(c).toEqual({ first_decision_action: 'warn' });
    const n = await one('SELECT count(*) AS n FROM decisions');
    expect(n).toEqual({ n: 2 });
  });
});
