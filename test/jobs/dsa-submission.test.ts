import { Registry } from 'prom-client';
import { fixedClock } from '../../src/clock';
import { listDsaSubmissions, retryDsaSubmissions, setSubmissionStart } from '../../src/domain/exports/dsa-tdb/submissions';
import { validateStatement } from '../../src/domain/exports/dsa-tdb/validate';
import { NO_GROUPS } from '../../src/domain/roles/groups';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { type DsaSubmissionWorker, RESTRICTING_ACTIONS, startDsaSubmissions } from '../../src/jobs/dsa-submission';
import { silentLogger } from '../../src/logger';
import { startTdbStandIn, type TdbStandIn } from '../../src/sandbox/tdb/server';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { facts } from '../support/facts';

const clock = fixedClock('2026-11-30T12:00:00Z');
let t: TestDatabase;
let db: PrismaClient;
let tdb: TdbStandIn;
let caseNo = 0;

/** The submission start, as an admin sets it (the tests below but the start's own send history from 2000 on). */
const setStart = (iso: string) =>
  db.dsaReportSetting.upsert({
    where: { key: 'submission_start' },
    create: { key: 'submission_start', value: iso, updatedBy: 'UADMIN', updatedAt: new Date() },
    update: { value: iso },
  });

beforeEach(async () => {
  t = await createTestDatabase();
  db = t.prisma;
  tdb = await startTdbStandIn();
  clock.set('2026-11-30T12:00:00Z');
  await setStart('2000-01-01T00:00:00.000Z');
});
afterEach(async () => {
  await tdb?.close();
  await t?.drop();
});

/** `n` decisions on one notice-based case (hate_speech, so T&C ground): `action` for each, external ids `<prefix>-<k>`. */
async function decisions(n: number, prefix: string, action = 'content_removed', decidedAt = '2026-11-30T10:00:00Z'): Promise<void> {
  const f = facts(db);
  const name = `C${++caseNo}`;
  await f.openCase(name, '2026-11-30T09:00:00Z', { status: 'decided' });
  await f.report(`r-${name}`, name, '2026-11-30T09:00:00Z', { category: 'hate_speech', jurisdiction: 'DE' });
  await db.$executeRawUnsafe(
    `INSERT INTO decisions (external_id, case_id, action, policy, actor_type, automated, decided_at)
     SELECT $1 || '-' || k, $2, $3, 'hate_speech', 'vendor_reviewer', false, $4::timestamptz FROM generate_series(1, $5) k`,
    prefix,
    f.ids[name],
    action,
    decidedAt,
    n,
  );
}

function worker(over: Partial<Parameters<typeof startDsaSubmissions>[0]> = {}): DsaSubmissionWorker {
  return startDsaSubmissions({
    db,
    log: silentLogger,
    clock,
    registry: new Registry(),
    url: tdb.url,
    token: tdb.token,
    timeZone: 'UTC',
    manual: true,
    ...over,
  });
}

/** Runs the worker until a pass claims nothing. */
async function drain(w: DsaSubmissionWorker): Promise<void> {
  for (let k = 0; k < 100; k++) {
    const r = await w.runOnce();
    if (r.claimed === 0 && r.enqueued === 0) return;
  }
  throw new Error('the worker never ran dry');
}

const statuses = async () =>
  Object.fromEntries((await db.dsaSubmission.groupBy({ by: ['status'], _count: { _all: true } })).map((g) => [g.status, g._count._all]));

describe('statements of reasons to the Transparency Database', () => {
  it('sends every restricting decision once, in batches of at most 100, and never a no_violation or a warning', async () => {
    await decisions(250, 'rm');
    await decisions(3, 'nv', 'no_violation');
    await decisions(2, 'warn', 'account_warned');
    await drain(worker());
    expect(tdb.statements.size).toBe(250);
    expect(tdb.calls.every((c) => c.count <= 100 && c.status === 201)).toBe(true);
    expect(tdb.calls.map((c) => c.count)).toEqual([100, 100, 50]);
    expect(await statuses()).toEqual({ accepted: 250 });
    expect(tdb.statements.get('rm-1')).toMatchObject({
      puid: 'rm-1',
      decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
      source_type: 'SOURCE_ARTICLE_16',
      category: 'STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH',
      territorial_scope: ['DE'],
    });
    // Nothing left: another pass sends nothing.
    await worker().runOnce();
    expect(tdb.calls).toHaveLength(3);
  });

  it('two replicas at once: each statement is sent once', async () => {
    await decisions(420, 'two');
    const a = worker({ batchSize: 50 });
    const b = worker({ batchSize: 50 });
    await Promise.all([drain(a), drain(b)]);
    expect(tdb.statements.size).toBe(420);
    expect(tdb.calls.reduce((n, c) => n + c.count, 0)).toBe(420);
    expect(tdb.calls.every((c) => c.status === 201)).toBe(true);
    expect(await statuses()).toEqual({ accepted: 420 });
  });

  it('a restart after the database stored a batch but the answer was lost: the lease runs out, the resend is answered "existing", and each is accepted once', async () => {
    await decisions(30, 'crash');
    tdb.failNext(1, 'drop-after-store');
    const first = worker({ leaseMs: 60_000 });
    const r = await first.runOnce();
    expect(r).toMatchObject({ claimed: 30, accepted: 0, retried: 30 });
    await first.stop();
    expect(tdb.statements.size).toBe(30);
    // The rows wait for their retry (backed off); a new process after a while takes them up.
    expect(await statuses()).toEqual({ pending: 30 });
    clock.advance(5 * 60_000);
    await drain(worker());
    expect(await statuses()).toEqual({ accepted: 30 });
    expect(tdb.statements.size).toBe(30);
    expect(tdb.calls.map((c) => [c.count, c.status])).toEqual([
      [30, 0],
      [30, 422],
    ]);
    const row = await db.dsaSubmission.findUniqueOrThrow({ where: { puid: 'crash-1' } });
    expect(row.lastError).toBe('already in the database (422, existing puid)');
  });

  it('a worker that died while sending: its claim runs out and another replica finishes the work', async () => {
    await decisions(5, 'dead');
    // Queued by a replica that could not reach the database, then claimed by one killed before it sent.
    expect(await worker({ url: 'http://127.0.0.1:9' }).runOnce()).toMatchObject({ claimed: 5, retried: 5 });
    await db.$executeRawUnsafe(
      `UPDATE dsa_submissions SET status = 'sending', next_attempt_at = $1::timestamptz`,
      new Date('2026-11-30T12:05:00Z'),
    );
    expect((await worker().runOnce()).claimed).toBe(0);
    expect(tdb.calls).toEqual([]);
    clock.advance(6 * 60_000);
    await drain(worker());
    expect(await statuses()).toEqual({ accepted: 5 });
    expect(tdb.statements.size).toBe(5);
  });

  it('a batch with a known puid is refused whole: the known ones are marked done and the rest resent', async () => {
    await decisions(10, 'dup');
    // Statements sent by an earlier installation, unknown to this database of ours.
    tdb.statements.set('dup-3', { puid: 'dup-3' });
    tdb.statements.set('dup-7', { puid: 'dup-7' });
    await drain(worker());
    expect(tdb.calls.map((c) => [c.count, c.status])).toEqual([
      [10, 422],
      [8, 201],
    ]);
    expect(await statuses()).toEqual({ accepted: 10 });
    expect(tdb.statements.get('dup-3')).toEqual({ puid: 'dup-3' });
  });

  it('a batch refused for an invalid statement is split until it is found: the others go through, the refused one is kept with the reasons and shown to admins', async () => {
    await decisions(100, 'inv');
    tdb.refuse('inv-37', { decision_facts: ['The decision facts contain a forbidden word.'] });
    await drain(worker());
    expect(tdb.statements.size).toBe(99);
    expect(await statuses()).toEqual({ accepted: 99, refused: 1 });
    const row = await db.dsaSubmission.findUniqueOrThrow({ where: { puid: 'inv-37' } });
    expect(row.reasons).toEqual({ decision_facts: ['The decision facts contain a forbidden word.'] });
    // 100 → 50 + 50 → … → the single one: about log2(100) refused calls, never 100 single sends.
    expect(tdb.calls.length).toBeLessThan(20);
    expect(tdb.calls.at(-1)).toEqual({ path: '/api/v1/statements', count: expect.any(Number), status: 201 });

    const deps = { db, clock, configuredAdmins: ['UADMIN'], defaultRole: 'viewer', groups: NO_GROUPS } as never;
    const view = await listDsaSubmissions(deps, { id: 'UADMIN', origin: 'slack' });
    expect(view.counts).toEqual({ pending: 0, sending: 0, accepted: 99, refused: 1, skipped: 0 });
    expect(view.refused).toEqual([expect.objectContaining({ puid: 'inv-37', reasons: row.reasons })]);
    await expect(listDsaSubmissions(deps, { id: 'USOMEONE', origin: 'slack' })).rejects.toThrow();
  });

  it('validates before sending: a statement that breaks the rules is refused here, with the reason, and never sent', async () => {
    await decisions(2, 'old', 'content_removed', '2019-06-01T00:00:00Z');
    await decisions(1, 'ok');
    await drain(worker());
    expect([...tdb.statements.keys()]).toEqual(['ok-1']);
    const row = await db.dsaSubmission.findUniqueOrThrow({ where: { puid: 'old-1' } });
    expect(row.status).toBe('refused');
    expect(row.reasons).toEqual({ application_date: [expect.stringContaining('2020-01-01')] });
    expect(row.lastError).toBe('refused before sending: breaks the database rules');
  });

  it('a refused statement is resent after an admin fixes its cause and asks for it, audited; others cannot (review #14)', async () => {
    await decisions(2, 'fix', 'content_removed', '2019-06-01T00:00:00Z');
    await drain(worker());
    expect(await statuses()).toEqual({ refused: 2 });
    const deps = { db, clock, configuredAdmins: ['UADMIN'], defaultRole: 'viewer', groups: NO_GROUPS } as never;
    await expect(retryDsaSubmissions(deps, { id: 'USOMEONE', origin: 'slack' }, 'all-refused')).rejects.toThrow();
    // The decisions are corrected (their date), then resent: one by puid, then all the others.
    await db.decision.updateMany({ where: { externalId: { startsWith: 'fix-' } }, data: { decidedAt: new Date('2026-11-30T10:00:00Z') } });
    expect(await retryDsaSubmissions(deps, { id: 'UADMIN', origin: 'slack' }, 'fix-1')).toBe(1);
    await drain(worker());
    expect([...tdb.statements.keys()]).toEqual(['fix-1']);
    expect(await retryDsaSubmissions(deps, { id: 'UADMIN', origin: 'slack' }, 'all-refused')).toBe(1);
    await drain(worker());
    expect([...tdb.statements.keys()].sort()).toEqual(['fix-1', 'fix-2']);
    expect(await statuses()).toEqual({ accepted: 2 });
    const audit = await db.auditEvent.findMany({ where: { action: 'dsa_submission.retry' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.actor, a.entityId])).toEqual([
      ['UADMIN', 'fix-1'],
      ['UADMIN', 'all-refused'],
    ]);
  });

  it('validation before sending applies the enum, territorial scope and language rules the database applies (review #24)', async () => {
    await decisions(1, 'val');
    await drain(worker());
    const sent = tdb.statements.get('val-1') as Record<string, unknown>;
    expect(validateStatement(sent)).toEqual({});
    const broken = {
      ...sent,
      decision_account: 'DECISION_ACCOUNT_NOPE',
      content_type: ['CONTENT_TYPE_BOGUS'],
      territorial_scope: ['XX'],
      content_language: 'english',
    };
    expect(Object.keys(validateStatement(broken)).sort()).toEqual([
      'content_language',
      'content_type',
      'decision_account',
      'territorial_scope',
    ]);
  });

  it('backs off while the database is down, and the gauge shows how long the oldest statement has waited', async () => {
    await decisions(3, 'down', 'content_removed', '2026-11-30T11:00:00Z');
    tdb.failNext(2, 503);
    const registry = new Registry();
    const w = worker({ registry });
    expect(await w.runOnce()).toMatchObject({ claimed: 3, retried: 3 });
    const row = await db.dsaSubmission.findUniqueOrThrow({ where: { puid: 'down-1' } });
    expect(row.nextAttemptAt.toISOString()).toBe('2026-11-30T12:00:02.000Z');
    expect(row.lastError).toMatch(/^HTTP 503/);
    expect((await w.runOnce()).claimed).toBe(0); // not due yet
    expect(await registry.metrics()).toContain('trustops_dsa_oldest_unaccepted_seconds 3600');
    clock.advance(2_000);
    expect(await w.runOnce()).toMatchObject({ claimed: 3, retried: 3 });
    expect((await db.dsaSubmission.findUniqueOrThrow({ where: { puid: 'down-1' } })).nextAttemptAt.toISOString()).toBe(
      '2026-11-30T12:00:06.000Z',
    );
    clock.advance(4_000);
    expect(await w.runOnce()).toMatchObject({ claimed: 3, accepted: 3 });
    expect(await registry.metrics()).toContain('trustops_dsa_oldest_unaccepted_seconds 0');
    expect(await registry.metrics()).toMatch(/trustops_dsa_submissions_total\{outcome="retry"\} 6/);
  });

  it('a wrong token is not a refusal: the statements wait and are retried', async () => {
    await decisions(1, 'tok');
    const w = worker({ token: 'not-the-token' });
    expect(await w.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    const row = await db.dsaSubmission.findUniqueOrThrow({ where: { puid: 'tok-1' } });
    expect([row.status, row.lastError?.slice(0, 8)]).toEqual(['pending', 'HTTP 401']);
  });

  it('a decision committed late with a low id (a long import) is queued with its decision and sent (review #1)', async () => {
    const f = facts(db);
    await f.openCase('LATE', '2026-11-30T09:00:00Z', { status: 'decided' });
    await f.report('r-LATE', 'LATE', '2026-11-30T09:00:00Z', { category: 'hate_speech', jurisdiction: 'DE' });
    const insert = (id: number, ext: string) =>
      db.$executeRawUnsafe(
        `INSERT INTO decisions (id, external_id, case_id, action, policy, actor_type, automated, decided_at)
         VALUES ($1, $2, $3, 'content_removed', 'hate_speech', 'vendor_reviewer', false, '2026-11-30T10:00:00Z')`,
        id,
        ext,
        f.ids.LATE,
      );
    const w = worker();
    await insert(300_000, 'live-1');
    await drain(w);
    await insert(5, 'late-1');
    await drain(w);
    expect([...tdb.statements.keys()].sort()).toEqual(['late-1', 'live-1']);
    expect(await statuses()).toEqual({ accepted: 2 });
  });

  it("the queue is written in the decision's transaction: a rolled-back decision leaves nothing, and exactly the restricting actions are queued (review #1)", async () => {
    const f = facts(db);
    await f.openCase('TX', '2026-11-30T09:00:00Z', { status: 'decided' });
    await expect(
      db.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(
          `INSERT INTO decisions (external_id, case_id, action, policy, actor_type, decided_at)
           VALUES ('rolled-back', $1, 'content_removed', 'hate_speech', 'vendor_reviewer', '2026-11-30T10:00:00Z')`,
          f.ids.TX,
        );
        expect(await tx.dsaSubmission.count()).toBe(1);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await db.dsaSubmission.count()).toBe(0);
    // The trigger's list of actions is dsa-sor.ts's RESTRICTIONS, no more, no less.
    const actions = [...RESTRICTING_ACTIONS, 'no_violation', 'account_warned', 'escalated_to_legal'];
    for (const [k, action] of actions.entries())
      await db.$executeRawUnsafe(
        `INSERT INTO decisions (external_id, case_id, action, policy, actor_type, decided_at)
         VALUES ($1, $2, $3, 'hate_speech', 'vendor_reviewer', '2026-11-30T10:00:00Z')`,
        `act-${k}`,
        f.ids.TX,
        action,
      );
    const queued = await db.$queryRawUnsafe<{ action: string }[]>(
      'SELECT d.action FROM dsa_submissions s JOIN decisions d ON d.id = s.decision_id ORDER BY d.action',
    );
    expect(queued.map((q) => q.action)).toEqual([...RESTRICTING_ACTIONS].sort());
  });

  it("an external id that looks like our generated puid never takes another decision's place (review #2)", async () => {
    const f = facts(db);
    await f.openCase('PU', '2026-11-30T09:00:00Z', { status: 'decided' });
    await f.report('r-PU', 'PU', '2026-11-30T09:00:00Z', { category: 'hate_speech', jurisdiction: 'DE' });
    const insert = (id: number, ext: string | null) =>
      db.$executeRawUnsafe(
        `INSERT INTO decisions (id, external_id, case_id, action, policy, actor_type, decided_at)
         VALUES ($1, $2, $3, 'content_removed', 'hate_speech', 'vendor_reviewer', '2026-11-30T10:00:00Z')`,
        id,
        ext,
        f.ids.PU,
      );
    await insert(42, null); // ours: trustops-decision-42
    await insert(43, 'trustops-decision-42'); // a client's id in our namespace
    await insert(44, 'has space'); // not a valid puid: ours
    await drain(worker());
    expect([...tdb.statements.keys()].sort()).toEqual(['trustops-decision-42', 'trustops-decision-43', 'trustops-decision-44']);
    expect(await statuses()).toEqual({ accepted: 3 });
  });
});

describe('the submission start: decisions decided before it are never sent', () => {
  const ADMIN = { id: 'UADMIN', origin: 'slack' as const };
  const deps = () =>
    ({ db, clock, configuredAdmins: ['UADMIN'], defaultRole: 'viewer', groups: NO_GROUPS, timeZone: 'Europe/Berlin' }) as never;

  it('unset, it is the moment submission is first turned on: the history recorded before is skipped, later decisions are sent', async () => {
    await db.dsaReportSetting.delete({ where: { key: 'submission_start' } });
    // Recorded before submission was configured: two decided in the past, and one imported late, decided after.
    await decisions(3, 'hist', 'content_removed', '2026-11-29T10:00:00Z');
    await decisions(1, 'ahead', 'content_removed', '2026-11-30T12:30:00Z');
    expect(await statuses()).toEqual({ pending: 4 });
    const registry = new Registry();
    const w = worker({ registry });
    await drain(w);
    expect([...tdb.statements.keys()]).toEqual(['ahead-1']);
    expect(await statuses()).toEqual({ accepted: 1, skipped: 3 });
    const start = await db.dsaReportSetting.findUniqueOrThrow({ where: { key: 'submission_start' } });
    expect([start.value, start.updatedBy]).toEqual(['2026-11-30T12:00:00.000Z', 'system']);
    const audit = await db.auditEvent.findMany({ where: { action: 'dsa_submission.start' } });
    expect(audit.map((a) => [a.actor, a.origin])).toEqual([['system', 'system']]);
    // Skipped statements are not owed: the "without undue delay" gauge does not count them.
    expect(await registry.metrics()).toContain('trustops_dsa_oldest_unaccepted_seconds 0');

    // Decisions from then on are queued as they are written; one decided before the start (a late import) is
    // queued skipped at once, never pending.
    clock.advance(60 * 60_000);
    await decisions(1, 'live', 'content_removed', '2026-11-30T12:45:00Z');
    await decisions(1, 'late', 'content_removed', '2026-11-30T11:00:00Z');
    const late = await db.dsaSubmission.findFirstOrThrow({ orderBy: { id: 'desc' } });
    expect(late.status).toBe('skipped');
    await drain(worker()); // a restart: the start stays where it was
    expect([...tdb.statements.keys()].sort()).toEqual(['ahead-1', 'live-1']);
    expect((await db.dsaReportSetting.findUniqueOrThrow({ where: { key: 'submission_start' } })).value).toBe('2026-11-30T12:00:00.000Z');

    const view = await listDsaSubmissions(deps(), ADMIN);
    expect(view.counts).toEqual({ pending: 0, sending: 0, accepted: 2, refused: 0, skipped: 4 });
    expect(view.start).toEqual({ start: new Date('2026-11-30T12:00:00Z'), setBy: 'system', setAt: expect.any(Date) });
  });

  it('an admin moves it back: the skipped decisions from then on are sent, once; forward: the waiting ones before it are skipped; audited, admins only', async () => {
    await setStart('2026-11-30T12:00:00.000Z');
    await decisions(2, 'nov29', 'content_removed', '2026-11-29T10:00:00Z');
    await decisions(2, 'nov28', 'content_removed', '2026-11-28T10:00:00Z');
    await drain(worker());
    expect(tdb.statements.size).toBe(0);
    expect(await statuses()).toEqual({ skipped: 4 });

    await expect(setSubmissionStart(deps(), { id: 'USOMEONE', origin: 'slack' }, '2026-11-29')).rejects.toThrow();
    await expect(setSubmissionStart(deps(), ADMIN, '29.11.2026')).rejects.toThrow(/YYYY-MM-DD/);
    // A date is midnight in the configured zone (Europe/Berlin: 23:00 UTC the day before).
    const moved = await setSubmissionStart(deps(), ADMIN, '2026-11-29');
    expect(moved).toEqual({
      start: new Date('2026-11-28T23:00:00Z'),
      before: new Date('2026-11-30T12:00:00Z'),
      queued: 2,
      skipped: 0,
    });
    await drain(worker());
    expect([...tdb.statements.keys()].sort()).toEqual(['nov29-1', 'nov29-2']);
    expect(await statuses()).toEqual({ accepted: 2, skipped: 2 });

    // Forward past decisions still waiting (the database was down): they are skipped, not sent later.
    await decisions(1, 'down', 'content_removed', '2026-11-30T11:00:00Z');
    tdb.failNext(1, 503);
    await worker().runOnce();
    expect(await statuses()).toEqual({ accepted: 2, skipped: 2, pending: 1 });
    expect(await setSubmissionStart(deps(), ADMIN, '2026-11-30T12:30:00+01:00')).toMatchObject({ queued: 0, skipped: 1 });
    clock.advance(60_000);
    await drain(worker());
    expect([...tdb.statements.keys()].sort()).toEqual(['nov29-1', 'nov29-2']);
    expect(await statuses()).toEqual({ accepted: 2, skipped: 3 });

    const audit = await db.auditEvent.findMany({ where: { action: 'dsa_submission.start' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.actor, (a.after as { value: string }).value])).toEqual([
      ['UADMIN', '2026-11-28T23:00:00.000Z'],
      ['UADMIN', '2026-11-30T11:30:00.000Z'],
    ]);
  });

  it('a row left pending before the start (queued by a transaction that read the old start) is never claimed', async () => {
    await setStart('2026-11-30T00:00:00.000Z');
    await decisions(1, 'race', 'content_removed', '2026-11-29T10:00:00Z');
    // As if the trigger had read no start: pending although decided before it.
    await db.dsaSubmission.updateMany({ data: { status: 'pending' } });
    await drain(worker());
    expect(tdb.calls).toEqual([]);
    expect(await statuses()).toEqual({ skipped: 1 });
  });
});
