import { type SeedSummary, seedDemoData } from '../../src/db/seed';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '../support/database';

const ANCHOR = new Date('2026-11-20T00:00:00Z');
// Small enough to be fast, large enough that every kind of row shows up.
const SCALE = 0.1;
const DAY_MS = 86_400_000;

type Count = { n: number };
async function count(prisma: PrismaClient, sql: string): Promise<number> {
  const [row] = await prisma.$queryRawUnsafe<Count[]>(`SELECT count(*)::int AS n FROM (${sql}) x`);
  return row?.n ?? 0;
}

/** Rows per table, straight from the database. */
async function tableCounts(prisma: PrismaClient, tables: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = await count(prisma, `SELECT 1 FROM "${t}"`);
  return out;
}

/** One digest of every generated row that matters, so two seeds can be compared exactly. */
async function fingerprint(prisma: PrismaClient): Promise<string> {
  const [row] = await prisma.$queryRawUnsafe<{ digest: string }[]>(`
    SELECT md5(
      (SELECT string_agg(concat_ws('|', id, case_id, action, policy, actor_type, actor_id, decided_at), ',' ORDER BY id) FROM decisions) ||
      (SELECT string_agg(concat_ws('|', id, surface_id, report_type_id, category, content_ref, jurisdiction, language, received_at, case_id), ',' ORDER BY id) FROM reports) ||
      (SELECT string_agg(concat_ws('|', id, queue_id, sla_policy_id, priority, status, opened_at, first_action_at, resolved_at), ',' ORDER BY id) FROM cases) ||
      (SELECT coalesce(string_agg(concat_ws('|', id, claimant, status, received_at), ',' ORDER BY id), '') FROM copyright_notices)
    ) AS digest`);
  return row?.digest ?? '';
}

/** Weekdays strictly after `from` up to and including `to` (the seed skips weekends only). */
function businessDaysBetween(from: Date, to: Date): number {
  let n = 0;
  for (let t = from.getTime() + DAY_MS; t <= to.getTime(); t += DAY_MS) {
    const dow = new Date(t).getUTCDay();
    if (dow !== 0 && dow !== 6) n++;
  }
  return n;
}

const BULK_TABLES = [
  'reports',
  'cases',
  'decisions',
  'qa_reviews',
  'appeals',
  'escalations',
  'escalation_votes',
  'copyright_notices',
  'counter_notices',
  'copyright_strikes',
  'audit_events',
] as const;

describe('demo data seed', () => {
  let viaPrisma: TestDatabase;
  let viaPg: TestDatabase;
  let summary: SeedSummary;
  let pgSummary: SeedSummary;
  const progress: [number, number][] = [];

  beforeAll(async () => {
    [viaPrisma, viaPg] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    summary = await seedDemoData(viaPrisma.prisma, { scale: SCALE, now: ANCHOR });
    // The same seed through the fast path: a dedicated pg connection.
    pgSummary = await seedDemoData(viaPg.prisma, {
      scale: SCALE,
      now: ANCHOR,
      databaseUrl: viaPg.url,
      onProgress: (d, t) => progress.push([d, t]),
    });
  }, 120_000);

  afterAll(async () => {
    await viaPrisma?.drop();
    await viaPg?.drop();
  });

  it('writes the reference data: six surfaces, three vendors in three time zones with calendars, queues and versioned policies', async () => {
    const { prisma } = viaPrisma;
    const surfaces = await prisma.surface.findMany();
    expect(surfaces.length).toBeGreaterThanOrEqual(6);
    expect(surfaces.map((s) => s.key)).toEqual(
      expect.arrayContaining(['claude_ai', 'api', 'claude_code', 'mobile', 'mcp_directory', 'console']),
    );

    const vendors = await prisma.vendor.findMany({
      where: { key: { in: ['acme_review', 'dublin_moderation', 'manila_trust'] } },
      include: { queues: true },
    });
    expect(vendors).toHaveLength(3);
    expect(new Set(vendors.map((v) => v.timezone)).size).toBe(3);
    expect(vendors.filter((v) => v.slackChannel).length).toBe(2);
    for (const v of vendors) expect(v.queues.length).toBeGreaterThanOrEqual(2);

    const calendars = await prisma.businessCalendar.findMany({ where: { alwaysOpen: false }, include: { holidays: true } });
    expect(calendars).toHaveLength(3);
    for (const c of calendars) {
      expect(Object.keys(c.hours as object).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6']);
      expect(c.holidays.length).toBeGreaterThan(0);
    }
    // Thanksgiving 2026 falls in the 90 days before the anchor.
    expect(calendars.find((c) => c.timezone === 'America/New_York')?.holidays.map((h) => h.date)).toContain('2026-11-26');

    const priorities = await prisma.slaPolicy.findMany({ distinct: ['priority'], select: { priority: true } });
    expect(priorities.map((p) => p.priority).sort()).toEqual(['high', 'normal', 'urgent']);
    // A policy revised mid-window: older cases keep version 1, newer ones get version 2.
    const revised = await prisma.slaPolicy.findFirstOrThrow({ where: { version: 2, queue: { key: 'acme_general' } } });
    const v1 = await prisma.slaPolicy.findFirstOrThrow({ where: { version: 1, queueId: revised.queueId, priority: revised.priority } });
    expect(await prisma.case.count({ where: { slaPolicyId: v1.id } })).toBeGreaterThan(0);
    expect(await prisma.case.count({ where: { slaPolicyId: revised.id } })).toBeGreaterThan(0);

    expect(await prisma.routingRule.count({ where: { reportType: 'mcp_server' } })).toBeGreaterThan(0);
    expect(
      await prisma.routingRule.count({ where: { jurisdiction: 'DE', queue: { vendor: { key: 'dublin_moderation' } } } }),
    ).toBeGreaterThan(0);
    const roles = await prisma.roleAssignment.findMany({ orderBy: { slackId: 'asc' } });
    expect(roles.map((r) => [r.slackId, r.role])).toEqual([
      ['U0DEMOADMIN', 'admin'],
      ['U0DEMOANALYST', 'analyst'],
      ['U0DEMOAPPROVER', 'approver'],
    ]);
  });

  it('writes 90 days of reports, cases and decisions of every kind', async () => {
    const { prisma } = viaPrisma;
    const reports = await prisma.report.count();
    // ~125 reports a day at scale 1.
    expect(reports).toBeGreaterThan(90 * 100 * SCALE);
    expect(reports).toBeLessThan(90 * 150 * SCALE);
    const oldest = await prisma.report.findFirstOrThrow({ orderBy: { receivedAt: 'asc' } });
    const newest = await prisma.report.findFirstOrThrow({ orderBy: { receivedAt: 'desc' } });
    expect(oldest.receivedAt.getTime()).toBeGreaterThanOrEqual(ANCHOR.getTime() - 90 * DAY_MS);
    expect(newest.receivedAt.getTime()).toBeLessThan(ANCHOR.getTime());

    const types = await prisma.report.groupBy({ by: ['reportTypeId'], _count: true });
    expect(types.length).toBe(7);
    const mcp = await prisma.report.findFirstOrThrow({ where: { reportType: { key: 'mcp_server' } } });
    expect(mcp.details).toEqual({ name: expect.any(String), url: expect.stringMatching(/^https:\/\//), issue: expect.any(String) });
    expect(await prisma.report.count({ where: { ownInitiative: true } })).toBeGreaterThan(0);
    expect(await prisma.report.count({ where: { trustedFlagger: true } })).toBeGreaterThan(0);
    // Some reports joined a case another report had opened.
    expect(await count(prisma, 'SELECT case_id FROM reports GROUP BY case_id HAVING count(*) > 1')).toBeGreaterThan(0);

    const statuses = (await prisma.case.groupBy({ by: ['status'], _count: true })).map((s) => s.status);
    expect(statuses).toEqual(expect.arrayContaining(['closed', 'queued', 'in_review']));
    expect(await prisma.case.count({ where: { resolvedAt: { not: null }, resolutionState: 'breached' } })).toBeGreaterThan(0);

    const actions = await prisma.decision.groupBy({ by: ['action'], _count: true });
    expect(actions.length).toBeGreaterThanOrEqual(5);
    const decisions = await prisma.decision.count();
    const automated = await prisma.decision.count({ where: { actorType: 'automated', automated: true } });
    expect(automated / decisions).toBeGreaterThan(0.15);
    expect(automated / decisions).toBeLessThan(0.4);
    expect(await prisma.decision.count({ where: { actorType: 'vendor_reviewer' } })).toBeGreaterThan(0);
    expect(await prisma.decision.count({ where: { actorType: 'internal_analyst' } })).toBeGreaterThan(0);
  });

  it('writes QA reviews, appeals, escalations with votes, notices, counter-notices and strikes', async () => {
    const { prisma } = viaPrisma;
    expect(await prisma.qaReview.count()).toBeGreaterThan(0);
    expect(await prisma.qaReview.count({ where: { outcome: 'disagree', errorSeverity: { not: null } } })).toBeGreaterThan(0);
    expect(await prisma.appeal.count()).toBeGreaterThan(0);
    expect(await prisma.escalation.count()).toBeGreaterThan(0);
    expect(await prisma.escalationVote.count()).toBeGreaterThan(0);
    const decided = await prisma.escalation.findMany({ where: { status: 'approved' }, include: { votes: true } });
    for (const e of decided) expect(e.votes.length).toBe(e.requiredApprovals);

    expect(await prisma.copyrightNotice.count({ where: { status: 'taken_down' } })).toBeGreaterThan(0);
    const incomplete = await prisma.copyrightNotice.findMany({ where: { status: 'incomplete' } });
    expect(incomplete.length).toBeGreaterThan(0);
    for (const n of incomplete) expect(n.missingElements.length).toBeGreaterThan(0);

    const counters = await prisma.counterNotice.findMany();
    expect(counters.length).toBeGreaterThan(0);
    for (const c of counters) {
      expect(businessDaysBetween(c.receivedAt, c.earliestRestoreAt!)).toBe(10);
      expect(businessDaysBetween(c.receivedAt, c.latestRestoreAt!)).toBe(14);
    }
    expect(await prisma.copyrightStrike.count()).toBeGreaterThan(0);
    expect(await prisma.auditEvent.count()).toBeGreaterThan(0);
  });

  it('stores only references to the reported content, never the content', async () => {
    const { prisma } = viaPrisma;
    const reference = `'^(https://[^[:space:]]+|[a-z][a-z_-]*:[A-Za-z0-9_]+)$'`;
    expect(await count(prisma, `SELECT 1 FROM reports WHERE content_ref !~ ${reference} OR length(content_ref) > 120`)).toBe(0);
    expect(await count(prisma, `SELECT 1 FROM cases WHERE content_ref !~ ${reference} OR length(content_ref) > 120`)).toBe(0);
    expect(await count(prisma, 'SELECT 1 FROM reports WHERE description IS NOT NULL')).toBe(0);
  });

  it('reports the rows it wrote, per table', async () => {
    const actual = await tableCounts(viaPrisma.prisma, BULK_TABLES);
    for (const t of BULK_TABLES) expect([t, summary.counts[t]]).toEqual([t, actual[t]]);
    expect(summary.skipped).toBe(false);
    expect(summary.counts.vendors).toBe(3);
  });

  it('is deterministic: the same anchor and scale give the same rows, through Prisma or a pg connection', async () => {
    expect(pgSummary.counts).toEqual(summary.counts);
    const first = (db: TestDatabase) => db.prisma.decision.findFirstOrThrow({ orderBy: { id: 'asc' }, omit: { createdAt: true } });
    expect(await first(viaPg)).toEqual(await first(viaPrisma));
    expect(await fingerprint(viaPg.prisma)).toBe(await fingerprint(viaPrisma.prisma));
  });

  it('reports progress up to the total', () => {
    expect(progress.length).toBeGreaterThan(1);
    const last = progress[progress.length - 1];
    expect(last?.[0]).toBe(last?.[1]);
    expect(last?.[1]).toBe(pgSummary.counts.reports);
  });

  it('writes nothing the second time, so sandbox mode can call it on every start', async () => {
    const before = await tableCounts(viaPrisma.prisma, BULK_TABLES);
    const again = await seedDemoData(viaPrisma.prisma, { scale: SCALE, now: ANCHOR });
    expect(again.skipped).toBe(true);
    expect(Object.values(again.counts).every((n) => n === 0)).toBe(true);
    expect(await tableCounts(viaPrisma.prisma, BULK_TABLES)).toEqual(before);
  });

  it('leaves the id sequences past the seeded rows, so intake can insert right away', async () => {
    const { prisma } = viaPg;
    const surface = await prisma.surface.findFirstOrThrow({ where: { key: 'console' } });
    const type = await prisma.reportType.findFirstOrThrow({ where: { key: 'other' } });
    const created = await prisma.report.create({
      data: {
        externalId: 'after-seed-1',
        bodyHash: 'x',
        surfaceId: surface.id,
        reportTypeId: type.id,
        contentRef: 'https://claude.ai/share/after',
        receivedAt: ANCHOR,
      },
    });
    expect(created.id).toBe(pgSummary.counts.reports + 1);
    const event = await prisma.auditEvent.create({ data: { actor: 'test', action: 'test', entityType: 'test', origin: 'cli' } });
    expect(Number(event.id)).toBe(pgSummary.counts.audit_events + 1);
  });
});
