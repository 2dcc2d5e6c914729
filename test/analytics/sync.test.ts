import { Client } from 'pg';
import { TABLES } from '../../src/analytics';
import { openTestAnalytics, type TestAnalytics } from '../support/analytics';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type Facts, facts } from '../support/facts';

// The copy kept in step with Postgres: every read sees what committed before it, whatever the commit order,
// however long another transaction stays open, and whatever changed after insert.

let db: TestDatabase;
let analytics: TestAnalytics;
let f: Facts;
const clients: Client[] = [];

const SLA = { firstActionMinutes: 60, resolutionMinutes: 240 };

async function connect(): Promise<Client> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  clients.push(client);
  return client;
}

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
  for (const c of clients) await c.end().catch(() => {});
  await analytics?.close();
  await db?.drop();
});

type Param = string | number | boolean | Date | null;
const rows = <R extends Record<string, unknown>>(sql: string, params: Param[] = []) => analytics.read((r) => r.query<R>(sql, params));
const one = async <R extends Record<string, unknown>>(sql: string, params: Param[] = []) => (await rows<R>(sql, params))[0];
const decisionIds = async () => (await rows<{ id: number }>('SELECT id FROM decisions ORDER BY id')).map((r) => r.id);

async function insertDecision(
  client: Client | TestDatabase['prisma'],
  caseId: number,
  decidedAt: string,
  action = 'warn',
): Promise<number> {
  const sql = `INSERT INTO decisions (case_id, action, policy, actor_type, automated, decided_at)
               VALUES ($1, $2, 'spam', 'vendor_reviewer', false, $3) RETURNING id`;
  if (client instanceof Client) return (await client.query<{ id: number }>(sql, [caseId, action, decidedAt])).rows[0]!.id;
  const [row] = await client.$queryRawUnsafe<{ id: number }[]>(sql, caseId, action, new Date(decidedAt));
  return row!.id;
}

/** Every row of every table in the copy, in a stable order: what a fresh build must equal. */
async function everything(): Promise<Record<string, unknown[]>> {
  return analytics.read(async (r) => {
    const out: Record<string, unknown[]> = {};
    for (const t of TABLES) out[t.name] = await r.query(`SELECT * FROM ${t.name} ORDER BY ALL`);
    return out;
  });
}

describe('the analytics copy', () => {
  it('loads the facts with their denormalized columns, as plain JavaScript values', async () => {
    const d = await one('SELECT * FROM decisions WHERE id = $1', [f.ids.d1!]);
    expect(d).toMatchObject({ id: f.ids.d1, action: 'remove', policy: 'spam', automated: false, case_category: 'spam', external_id: null });
    expect(d?.decided_at).toEqual(new Date('2026-11-01T11:00:00Z'));
    expect(d?.case_first_report_at).toEqual(new Date('2026-11-01T09:59:00Z'));
    expect(await one('SELECT first_decision_action, status FROM cases WHERE id = $1', [f.ids.c1!])).toEqual({
      first_decision_action: 'remove',
      status: 'queued',
    });
    expect(await one('SELECT case_first_decision_action, count(*) OVER () AS n FROM reports')).toEqual({
      case_first_decision_action: 'remove',
      n: 1,
    });
    // Sums of integers are HUGEINT in DuckDB: still a number here. A Date binds as a TIMESTAMPTZ.
    expect(
      await one("SELECT sum(id) AS total, count(*) AS n, $1 > TIMESTAMPTZ '2026-01-01' AS later FROM decisions", [
        new Date('2026-06-01T00:00:00Z'),
      ]),
    ).toEqual({ total: f.ids.d1, n: 1, later: true });
  });

  it('sees a decision committed just before the read, and a case whose first decision it becomes', async () => {
    await f.decide('d2', 'c1', '2026-11-01T10:30:00Z', 'warn', 'spam', true);
    expect(await one('SELECT first_decision_action FROM cases WHERE id = $1', [f.ids.c1!])).toEqual({ first_decision_action: 'warn' });
    expect(await one('SELECT case_first_decision_action FROM reports')).toEqual({ case_first_decision_action: 'warn' });
    expect(await one('SELECT count(*) AS n FROM decisions')).toEqual({ n: 2 });
  });

  it('answers a burst of concurrent look-ups, each with what committed before it was asked', async () => {
    const before = await insertDecision(db.prisma, f.ids.c1!, '2026-11-02T09:00:00Z');
    const burst = Array.from({ length: 8 }, () => decisionIds());
    const after = await insertDecision(db.prisma, f.ids.c1!, '2026-11-02T09:05:00Z');
    const late = decisionIds();
    for (const ids of await Promise.all(burst)) expect(ids).toContain(before);
    expect(await late).toEqual(expect.arrayContaining([before, after]));
  });

  it('runs at most two look-ups per DuckDB thread at once; the rest of a burst waits its turn, none is lost', async () => {
    let running = 0;
    let most = 0;
    const burst = Array.from({ length: 24 }, (_, i) =>
      analytics.read(async (r) => {
        running++;
        most = Math.max(most, running);
        const [row] = await r.query<{ n: number }>('SELECT count(*) + $1 AS n FROM range(20000)', [i]);
        running--;
        return row?.n;
      }),
    );
    expect(await Promise.all(burst)).toEqual(Array.from({ length: 24 }, (_, i) => 20000 + i));
    // The test copy runs DuckDB on one thread.
    expect(most).toBe(2);
  });

  it('applies commits that land out of id order: the lower id committing last is not lost', async () => {
    const [a, b] = [await connect(), await connect()];
    await a.query('BEGIN');
    const first = await insertDecision(a, f.ids.c1!, '2026-11-02T10:00:00Z');
    await b.query('BEGIN');
    const second = await insertDecision(b, f.ids.c1!, '2026-11-02T10:01:00Z');
    expect(second).toBeGreaterThan(first);
    await b.query('COMMIT');
    expect(await decisionIds()).toContain(second);
    expect(await decisionIds()).not.toContain(first);
    await a.query('COMMIT');
    expect(await decisionIds()).toEqual(expect.arrayContaining([first, second]));
  });

  it('does not wait for a long open transaction, and picks up its rows once it commits', async () => {
    const importer = await connect();
    await importer.query('BEGIN');
    const held = await insertDecision(importer, f.ids.c1!, '2026-11-03T08:00:00Z');
    // Committed meanwhile by others: seen at once although the import is still open.
    const meanwhile = await insertDecision(db.prisma, f.ids.c1!, '2026-11-03T09:00:00Z');
    expect(await decisionIds()).toContain(meanwhile);
    expect(await decisionIds()).not.toContain(held);
    const later = await insertDecision(db.prisma, f.ids.c1!, '2026-11-03T09:30:00Z');
    expect(await decisionIds()).toEqual(expect.arrayContaining([meanwhile, later]));
    await importer.query('COMMIT');
    expect(await decisionIds()).toContain(held);
  });

  it('counts a late fact with an old timestamp on its own day', async () => {
    await insertDecision(db.prisma, f.ids.c1!, '2019-05-04T12:00:00Z');
    const day = await one<{ n: number }>(
      "SELECT count(*) AS n FROM decisions WHERE decided_at >= $1 AND decided_at < $1 + INTERVAL '1 day'",
      [new Date('2019-05-04T00:00:00Z')],
    );
    expect(day).toEqual({ n: 1 });
    // The late decision is now the case's first: it decides what the case's reports carry.
    expect(await one('SELECT first_decision_action FROM cases WHERE id = $1', [f.ids.c1!])).toEqual({ first_decision_action: 'warn' });
  });

  it('follows updates: case status and SLA outcomes, an appeal outcome', async () => {
    await f.appeal('d1', '2026-11-05T10:00:00Z', 'pending');
    const appeal = await db.prisma.appeal.findFirstOrThrow();
    expect(await one('SELECT outcome, decision_action, case_id FROM appeals')).toEqual({
      outcome: 'pending',
      decision_action: 'remove',
      case_id: f.ids.c1,
    });
    await db.prisma.case.update({
      where: { id: f.ids.c1! },
      data: { status: 'closed', firstActionState: 'breached', resolutionState: 'met' },
    });
    await db.prisma.appeal.update({ where: { id: appeal.id }, data: { outcome: 'upheld', resolvedAt: new Date('2026-11-06T10:00:00Z') } });
    expect(
      await one('SELECT status, first_action_state, resolution_state, first_decision_action FROM cases WHERE id = $1', [f.ids.c1!]),
    ).toEqual({
      status: 'closed',
      first_action_state: 'breached',
      resolution_state: 'met',
      first_decision_action: 'warn',
    });
    expect(await one('SELECT outcome, resolved_at FROM appeals')).toEqual({
      outcome: 'upheld',
      resolved_at: new Date('2026-11-06T10:00:00Z'),
    });
  });

  it("moves every fact of a case reassigned to another vendor's queue", async () => {
    await f.escalate('c1', '2026-11-04T10:00:00Z');
    await f.qa('d1', '2026-11-04T12:00:00Z', 'agree');
    const globex = await db.prisma.queue.findUniqueOrThrow({ where: { key: 'globex_q' } });
    await db.prisma.case.update({ where: { id: f.ids.c1! }, data: { queueId: globex.id } });
    const vendors = await rows<{ t: string; vendor: string }>(
      `SELECT DISTINCT t, v.key AS vendor FROM (
         SELECT 'reports' AS t, case_queue_id AS q FROM reports UNION ALL SELECT 'decisions', case_queue_id FROM decisions
         UNION ALL SELECT 'escalations', case_queue_id FROM escalations UNION ALL SELECT 'appeals', case_queue_id FROM appeals
         UNION ALL SELECT 'qa_reviews', case_queue_id FROM qa_reviews) x
       JOIN queues q ON q.id = x.q JOIN vendors v ON v.id = q.vendor_id ORDER BY t`,
    );
    expect(vendors).toEqual(['appeals', 'decisions', 'escalations', 'qa_reviews', 'reports'].map((t) => ({ t, vendor: 'globex' })));
  });

  it('follows deletes, and a deleted first decision hands the case to the next one', async () => {
    const late = await db.prisma.decision.findFirstOrThrow({ where: { decidedAt: new Date('2019-05-04T12:00:00Z') } });
    await db.prisma.decision.delete({ where: { id: late.id } });
    expect(await decisionIds()).not.toContain(late.id);
    // Next in line: d2 ("warn", 10:30 on 1 November).
    expect(await one('SELECT first_decision_action FROM cases')).toEqual({ first_decision_action: 'warn' });
    await db.prisma.decision.update({ where: { id: f.ids.d2! }, data: { action: 'restrict' } });
    expect(await one('SELECT case_first_decision_action FROM reports')).toEqual({ case_first_decision_action: 'restrict' });
    expect(await one('SELECT case_first_decision_action FROM escalations')).toEqual({ case_first_decision_action: 'restrict' });
  });

  it('empties a truncated table, and takes rows written after the truncate', async () => {
    const client = await connect();
    await client.query('BEGIN');
    await client.query('TRUNCATE qa_reviews');
    await client.query(`INSERT INTO qa_reviews (decision_id, outcome, reviewed_at) VALUES ($1, 'disagree', '2026-11-07T00:00:00Z')`, [
      f.ids.d1,
    ]);
    await client.query('COMMIT');
    expect(await rows('SELECT outcome, decision_policy FROM qa_reviews')).toEqual([{ outcome: 'disagree', decision_policy: 'spam' }]);
  });

  it('follows the small tables: a queue handed to another vendor', async () => {
    const acme = await db.prisma.vendor.findUniqueOrThrow({ where: { key: 'acme' } });
    await db.prisma.queue.update({ where: { key: 'globex_q' }, data: { vendorId: acme.id } });
    expect(await one("SELECT v.key FROM queues q JOIN vendors v ON v.id = q.vendor_id WHERE q.key = 'globex_q'")).toEqual({ key: 'acme' });
  });

  it('follows the first report: its flags reach the decisions of its case, and an earlier report takes its place', async () => {
    await db.prisma.report.update({ where: { externalId: 'r1' }, data: { trustedFlagger: true, jurisdiction: 'DE' } });
    expect(
      await rows('SELECT DISTINCT case_first_report_trusted_flagger AS t, case_first_report_jurisdiction AS j FROM decisions'),
    ).toEqual([{ t: true, j: 'DE' }]);
    await f.report('r0', 'c1', '2026-11-01T09:00:00Z', { language: 'fr', own: true });
    const r0 = await db.prisma.report.findUniqueOrThrow({ where: { externalId: 'r0' } });
    expect(
      await rows(
        `SELECT DISTINCT case_first_report_id AS id, case_first_report_at AS at, case_first_report_language AS lang,
                case_first_report_own_initiative AS own, case_first_report_trusted_flagger AS trusted FROM decisions`,
      ),
    ).toEqual([{ id: r0.id, at: new Date('2026-11-01T09:00:00Z'), lang: 'fr', own: true, trusted: false }]);
  });

  it('holds after all these changes exactly what a fresh build from Postgres holds', async () => {
    const caughtUp = await everything();
    expect(caughtUp.decisions?.length).toBeGreaterThan(5);
    await analytics.rebuild();
    expect(await everything()).toEqual(caughtUp);
  });

  it("recomputes a case's first-report columns, and its facts', when only the case's first report is set by hand", async () => {
    // An admin fix: the case now starts at r1 (trusted, DE), dated earlier; no report or decision changes with it.
    const r1 = await db.prisma.report.findUniqueOrThrow({ where: { externalId: 'r1' } });
    await db.prisma.$executeRawUnsafe(
      `UPDATE cases SET first_report_id = $1, first_report_at = '2026-11-01T08:00:00Z' WHERE id = $2`,
      r1.id,
      f.ids.c1!,
    );
    const caughtUp = await everything();
    expect(caughtUp.decisions).toEqual(
      expect.arrayContaining([expect.objectContaining({ case_first_report_id: r1.id, case_first_report_trusted_flagger: true })]),
    );
    await analytics.rebuild();
    expect(await everything()).toEqual(caughtUp);
  });
});
