import { fixedClock } from '../../src/clock';
import { startTestApp, type TestApp } from '../support/app';

const clock = fixedClock('2026-11-27T12:00:00Z');
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => {
  await t.stop();
});

const report = (externalId: string, contentRef: string) => ({
  external_id: externalId,
  surface: 'claude_ai',
  report_type: 'harmful_content',
  content_ref: contentRef,
  received_at: '2026-11-27T11:00:00Z',
});

describe('reports about one content reference, racing', () => {
  it('when eight different reports about new content arrive at once, one case is opened and all eight join it', async () => {
    const ref = 'https://claude.ai/share/race-new';
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => t.api('/api/v1/reports', report(`race-${i}`, ref))));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(results.map((r) => r.json.case_id)).size).toBe(1);
    expect(await t.db.prisma.case.count({ where: { contentRef: ref } })).toBe(1);
    expect(await t.db.prisma.report.count({ where: { contentRef: ref } })).toBe(8);
    const audits = await t.db.prisma.auditEvent.count({
      where: { action: 'report.receive', entityId: { in: results.map((r) => String(r.json.id)) } },
    });
    expect(audits).toBe(8);
  });

  it('the database itself refuses a second open case about one content reference', async () => {
    const first = await t.api('/api/v1/reports', report('race-db-1', 'https://claude.ai/share/race-db'));
    const c = await t.db.prisma.case.findUniqueOrThrow({ where: { id: first.json.case_id } });
    const { id: _id, ...copy } = c;
    await expect(t.db.prisma.case.create({ data: { ...copy, status: 'in_review' } })).rejects.toMatchObject({ code: 'P2002' });
    // A closed case about the same content is no obstacle: the next report opens a new one.
    await t.db.prisma.case.update({ where: { id: c.id }, data: { status: 'closed' } });
    const next = await t.api('/api/v1/reports', report('race-db-2', 'https://claude.ai/share/race-db'));
    expect(next.status).toBe(201);
    expect(next.json.case_id).not.toBe(c.id);
  });
});
