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

let seq = 0;
const report = (over: Record<string, unknown> = {}) => ({
  external_id: `r-${++seq}`,
  surface: 'claude_ai',
  report_type: 'harmful_content',
  content_ref: `https://claude.ai/share/${seq}`,
  received_at: '2026-11-27T11:00:00Z',
  ...over,
});

describe('POST /api/v1/reports', () => {
  it('records a report, opens a routed case with SLA due times, and answers 201', async () => {
    const res = await t.api('/api/v1/reports', report({ jurisdiction: 'de', language: 'de-AT', category: 'hate_speech' }));
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.any(Number),
      case_id: expect.any(Number),
      queue: 'default',
      priority: 'normal',
      first_action_due_at: '2026-11-28T11:00:00.000Z',
      resolution_due_at: '2026-11-30T11:00:00.000Z',
    });
    const row = await t.db.prisma.report.findUnique({ where: { id: res.json.id }, include: { case: true } });
    expect(row).toMatchObject({ jurisdiction: 'DE', language: 'de-at', category: 'hate_speech', case: { status: 'queued' } });
  });

  it('is idempotent: the same body again answers 200 with the same receipt; a different body is 409', async () => {
    const body = report();
    const first = await t.api('/api/v1/reports', body);
    const again = await t.api('/api/v1/reports', { ...body });
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);
    const changed = await t.api('/api/v1/reports', { ...body, category: 'spam' });
    expect(changed.status).toBe(409);
    expect(changed.json.message).toContain('already received with a different body');
    expect(await t.db.prisma.report.count({ where: { externalId: body.external_id } })).toBe(1);
  });

  it('joins the open case about the same content instead of opening another', async () => {
    const a = await t.api('/api/v1/reports', report({ content_ref: 'https://claude.ai/share/same' }));
    const b = await t.api('/api/v1/reports', report({ content_ref: 'https://claude.ai/share/same', surface: 'mobile' }));
    expect(b.status).toBe(201);
    expect(b.json.case_id).toBe(a.json.case_id);
  });

  it('never duplicates under parallel copies of one report', async () => {
    const body = report({ content_ref: 'https://claude.ai/share/parallel' });
    const results = await Promise.all(Array.from({ length: 8 }, () => t.api('/api/v1/reports', body)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.json.case_id)).size).toBe(1);
    expect(await t.db.prisma.report.count({ where: { externalId: body.external_id } })).toBe(1);
    expect(await t.db.prisma.case.count({ where: { contentRef: body.content_ref } })).toBe(1);
  });

  it('answers 401 without the bearer token and 413 over 1 MB', async () => {
    expect((await t.api('/api/v1/reports', report(), { 'content-type': 'application/json' })).status).toBe(401);
    expect((await t.api('/api/v1/reports', report(), { authorization: 'Bearer wrong', 'content-type': 'application/json' })).status).toBe(
      401,
    );
    const big = await t.api('/api/v1/reports', report({ description: 'x'.repeat(1_100_000) }));
    expect(big.status).toBe(413);
  });

  it('lists every field error at once', async () => {
    const res = await t.api('/api/v1/reports', {
      external_id: '',
      surface: 'moon',
      report_type: 'gossip',
      content_ref: 'this is the raw reported text, not a link',
      received_at: '2026-11-27 11:00:00',
      jurisdiction: 'XX',
      description: 'y'.repeat(10_000),
      extra: 1,
    });
    expect(res.status).toBe(400);
    const paths = res.json.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['(body)', 'content_ref', 'description', 'external_id', 'jurisdiction', 'received_at', 'report_type', 'surface']);
    const surface = res.json.errors.find((e: { path: string }) => e.path === 'surface');
    expect(surface.message).toBe('unknown surface; known: api, claude_ai, claude_code, mcp_directory, mobile');
  });
});
