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

it('decisions recorded before submission was turned on are not sent until an admin moves the start back, then once', async () => {
  // The first worker to run records the start: the moment submission was turned on.
  await waitUntil(
    'the start recorded',
    async () => (await db.prisma.dsaReportSetting.findUnique({ where: { key: 'submission_start' } })) ?? undefined,
    10_000,
  );
  await decide(a, 'history', 5); // decided an hour ago: before the start
  await waitUntil(
    'five skipped',
    async () => ((await db.prisma.dsaSubmission.count({ where: { status: 'skipped' } })) === 5 ? true : undefined),
    10_000,
  );
  const shown = await a.command('dsa submissions start', ADMIN);
  expect(shown.text).toMatch(
    /^Statements of reasons are sent for restricting decisions decided from \S+ .*set by TrustOps when submission was turned on/,
  );
  expect((await a.command('dsa submissions', ADMIN)).text).toContain('Statements of reasons: 0 accepted, 0 waiting, 0 refused');
  expect(tdb.statements.size).toBe(0);

  // Someone else cannot move it; an admin moves it back three hours, and the five go, once.
  await a.command(`dsa submissions start ${recent(3)}`);
  expect(await db.prisma.dsaSubmission.count({ where: { status: 'skipped' } })).toBe(5);
  const moved = await a.command(`dsa submissions start ${recent(3)}`, ADMIN);
  expect(moved.text).toContain('5 earlier skipped statements queued to be sent, 0 waiting statements before it skipped.');
  await waitUntil('five statements accepted', async () => (tdb.statements.size === 5 ? true : undefined), 30_000);
  expect([...tdb.statements.keys()].sort()).toEqual(['history-1', 'history-2', 'history-3', 'history-4', 'history-5']);
}, 60_000);

it('each decision reaches the database once across two replicas and a restart, and admins see where it stands', async () => {
  // The five of the test above are there already: 135 in all.
  await decide(a, 'first', 60);
  await waitUntil('65 statements accepted (5 + 60)', async () => (tdb.statements.size === 65 ? true : undefined), 30_000);

  // One replica restarts while the other keeps going; the restarted one picks up new work too.
  await b.stop();
  await decide(a, 'second', 40);
  b = await startTestApp({ db, env: { TRUSTOPS_DSA_TDB_URL: tdb.url, TRUSTOPS_DSA_TDB_TOKEN: tdb.token }, emulator: a.emulator });
  await decide(b, 'third', 30);
  await waitUntil('135 statements accepted', async () => (tdb.statements.size === 135 ? true : undefined), 30_000);
  await waitUntil(
    'every row accepted',
    async () => ((await db.prisma.dsaSubmission.count({ where: { status: 'accepted' } })) === 135 ? true : undefined),
    10_000,
  );

  // Exactly once: every statement was sent in one accepted call, none refused as a duplicate.
  expect(sent()).toBe(135);
  expect(tdb.calls.filter((c) => c.status === 422)).toEqual([]);
  expect(tdb.statements.get('first-2')).toMatchObject({ decision_visibility: ['DECISION_VISIBILITY_CONTENT_DEMOTED'] });

  const reply = await a.command('dsa submissions', ADMIN);
  expect(reply.text).toContain('Statements of reasons: 135 accepted, 0 waiting, 0 refused; every statement is accepted.');
  expect((await a.command('dsa submissions')).text).not.toContain('135 accepted');

  const metrics = await (await fetch(`${a.baseUrl}/metrics`)).text();
  expect(metrics).toContain('trustops_dsa_oldest_unaccepted_seconds 0');
}, 120_000);
