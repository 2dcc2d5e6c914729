import { startTdbStandIn, type TdbStandIn } from '../../src/sandbox/tdb/server';
import { ADMIN, startTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { waitUntil } from '../support/process';

// Two replicas of the bot on one database, both submitting to the stand-in database; then one restarts.
let db: TestDatabase;
let tdb: TdbStandIn;
let a: TestApp;
let b: TestApp;

const recent = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3_600_000).toISOString();

beforeAll(async () => {
  db = await createTestDatabase();
  tdb = await startTdbStandIn();
  const env = { TRUSTOPS_DSA_TDB_URL: tdb.url, TRUSTOPS_DSA_TDB_TOKEN: tdb.token };
  a = await startTestApp({ db, env });
  b = await startTestApp({ db, env, emulator: a.emulator });
}, 90_000);
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await tdb?.close();
  await db?.drop();
});

/** A notice and `n` restricting decisions on its case, through the intake API of `app`. */
async function decide(app: TestApp, prefix: string, n: number): Promise<void> {
  const report = await app.api('/api/v1/reports', {
    external_id: `${prefix}-report`,
    surface: 'claude_ai',
    report_type: 'harmful_content',
    category: 'hate_speech',
    content_ref: `https://example.com/${prefix}`,
    received_at: recent(2),
  });
  expect(report.status).toBe(201);
  for (let k = 1; k <= n; k++) {
    const res = await app.api('/api/v1/decisions', {
      external_id: `${prefix}-${k}`,
      case_id: report.json.case_id,
      action: k % 2 ? 'content_removed' : 'content_demoted',
      policy: 'hate_speech',
      decided_at: recent(1),
    });
    expect(res.status).toBe(201);
  }
}

const sent = () => tdb.calls.filter((c) => c.status === 201).reduce((n, c) => n + c.count, 0);

it('each decision reaches the database once across two replicas and a restart, and admins see where it stands', async () => {
  await decide(a, 'first', 60);
  await waitUntil('60 statements accepted', async () => (tdb.statements.size === 60 ? true : undefined), 30_000);

  // One replica restarts while the other keeps going; the restarted one picks up new work too.
  await b.stop();
  await decide(a, 'second', 40);
  b = await startTestApp({ db, env: { TRUSTOPS_DSA_TDB_URL: tdb.url, TRUSTOPS_DSA_TDB_TOKEN: tdb.token }, emulator: a.emulator });
  await decide(b, 'third', 30);
  await waitUntil('130 statements accepted', async () => (tdb.statements.size === 130 ? true : undefined), 30_000);
  await waitUntil(
    'every row accepted',
    async () => ((await db.prisma.dsaSubmission.count({ where: { status: 'accepted' } })) === 130 ? true : undefined),
    10_000,
  );

  // Exactly once: every statement was sent in one accepted call, none refused as a duplicate.
  expect(sent()).toBe(130);
  expect(tdb.calls.filter((c) => c.status === 422)).toEqual([]);
  expect(tdb.statements.get('first-2')).toMatchObject({ decision_visibility: ['DECISION_VISIBILITY_CONTENT_DEMOTED'] });

  const reply = await a.command('dsa submissions', ADMIN);
  expect(reply.text).toContain('Statements of reasons: 130 accepted, 0 waiting, 0 refused; every statement is accepted.');
  expect((await a.command('dsa submissions')).text).not.toContain('130 accepted');

  const metrics = await (await fetch(`${a.baseUrl}/metrics`)).text();
  expect(metrics).toContain('trustops_dsa_oldest_unaccepted_seconds 0');
}, 120_000);
