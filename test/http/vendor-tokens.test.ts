import { createHash } from 'node:crypto';
import { fixedClock } from '../../src/clock';
import { ADMIN, startTestApp, type TestApp } from '../support/app';

// Vendors file through intake tokens of their own, each good for its own vendor's queues only;
// TRUSTOPS_INTAKE_TOKEN stays the all-queues token.
const clock = fixedClock('2026-11-27T12:00:00Z');
let t: TestApp;
let defaultToken: string;
let defaultTokenId: number;
let acmeCaseId: number;
let acmeDecisionId: number;

const TOKEN_IN_TEXT = /`(tov_[A-Za-z0-9_-]{40,})`/;
const asVendor = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
let seq = 0;
const report = (over: Record<string, unknown> = {}) => ({
  external_id: `vt-${++seq}`,
  surface: 'claude_ai',
  report_type: 'harmful_content',
  content_ref: `https://claude.ai/share/vt-${seq}`,
  received_at: '2026-11-27T11:00:00Z',
  ...over,
});
const audits = (action: string) => t.db.prisma.auditEvent.findMany({ where: { action }, orderBy: { id: 'asc' } });

async function createToken(vendor: string): Promise<{ token: string; id: number; text: string }> {
  const reply = await t.command(`token create ${vendor}`, ADMIN);
  const token = TOKEN_IN_TEXT.exec(reply.text)?.[1];
  if (!token) throw new Error(`no token in: ${reply.text}`);
  const id = Number(/token (\d+)/.exec(reply.text)?.[1]);
  return { token, id, text: `${reply.text}\n${JSON.stringify(reply.blocks)}` };
}

beforeAll(async () => {
  t = await startTestApp({ clock });
  // Vendor "acme" reviews the api surface in its own queue; everything else goes to the default vendor.
  const acme = await t.db.prisma.vendor.create({ data: { key: 'acme', name: 'Acme Review' } });
  const queue = await t.db.prisma.queue.create({ data: { key: 'acme_q', name: 'Acme queue', vendorId: acme.id } });
  const calendar = await t.db.prisma.businessCalendar.findUniqueOrThrow({ where: { key: 'always_open' } });
  await t.db.prisma.slaPolicy.create({
    data: {
      queueId: queue.id,
      priority: 'normal',
      version: 1,
      firstActionMinutes: 60,
      resolutionMinutes: 600,
      atRiskPercent: 75,
      calendarId: calendar.id,
      effectiveFrom: new Date('2000-01-01T00:00:00Z'),
    },
  });
  expect((await t.command('route add queue:acme_q surface:api', ADMIN)).text).toContain('Added routing rule');
  // A case and a decision in acme's queue, filed with the all-queues token.
  const filed = await t.api('/api/v1/reports', report({ surface: 'api' }));
  expect(filed).toMatchObject({ status: 201, json: { queue: 'acme_q' } });
  acmeCaseId = filed.json.case_id;
  const decided = await t.api('/api/v1/decisions', {
    external_id: 'vt-acme-d1',
    case_id: acmeCaseId,
    action: 'no_violation',
    policy: 'violent_threats',
    decided_at: '2026-11-27T11:30:00Z',
  });
  expect(decided.status).toBe(201);
  acmeDecisionId = decided.json.id;
  ({ token: defaultToken, id: defaultTokenId } = await createToken('default'));
});
afterAll(async () => {
  await t.stop();
});

describe('/trustops token', () => {
  it('shows a new token once, ephemerally, and stores only its hash', async () => {
    const { token, id, text } = await createToken('acme');
    expect(text).toContain('only time it is shown');
    const row = await t.db.prisma.intakeToken.findUniqueOrThrow({ where: { id }, include: { vendor: true } });
    expect(row.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(token);
    const [audit] = (await audits('token.create')).filter((a) => a.entityId === String(id));
    expect(audit).toMatchObject({ actor: ADMIN, entityType: 'intake_token', after: { vendor: 'acme' } });
    const trail = await t.db.prisma.auditEvent.findMany({ select: { entityId: true, before: true, after: true } });
    expect(JSON.stringify(trail)).not.toContain(token);
    expect(t.logLines.join('\n')).not.toContain(token);
  });

  it('lists tokens without their secrets', async () => {
    const reply = await t.command('token list', ADMIN);
    expect(reply.text).toContain(`${defaultTokenId}`);
    expect(reply.text).toContain('default');
    expect(reply.text).not.toContain(defaultToken);
    expect(reply.text).not.toMatch(/tov_/);
  });

  it('is for admins only', async () => {
    const before = await t.db.prisma.intakeToken.count();
    expect((await t.command('token create acme', 'U0VIEWER7')).text).toContain('Only admins can manage intake tokens');
    expect((await t.command('token list', 'U0VIEWER7')).text).toContain('Only admins can manage intake tokens');
    expect(await t.db.prisma.intakeToken.count()).toBe(before);
  });

  it('names the mistake: an unknown vendor, a bad id', async () => {
    expect((await t.command('token create nosuch', ADMIN)).text).toContain('There is no vendor `nosuch`');
    expect((await t.command('token revoke abc', ADMIN)).text).toContain('needs the token id');
    expect((await t.command('token revoke 999999', ADMIN)).text).toContain('There is no intake token 999999');
  });
});

describe('a vendor token files only for its own queues', () => {
  it('files a report routed to its own queue (201)', async () => {
    const res = await t.api('/api/v1/reports', report(), asVendor(defaultToken));
    expect(res.status).toBe(201);
    expect(res.json.queue).toBe('default');
    const [audit] = (await audits('report.receive')).filter((a) => a.entityId === String(res.json.id));
    expect(audit?.actor).toBe(`api:token:${defaultTokenId}`);
  });

  it('is refused (403) for a report routed to another vendor’s queue, naming neither, and nothing is stored', async () => {
    const body = report({ surface: 'api' });
    const cases = await t.db.prisma.case.count();
    const res = await t.api('/api/v1/reports', body, asVendor(defaultToken));
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ error: 'forbidden' });
    expect(res.json.message).toContain("routes to another vendor's queue");
    expect(res.json.message).not.toMatch(/acme/);
    expect(await t.db.prisma.report.count({ where: { externalId: body.external_id } })).toBe(0);
    expect(await t.db.prisma.case.count()).toBe(cases);
    expect((await audits('token.refused')).at(-1)).toMatchObject({
      actor: `api:token:${defaultTokenId}`,
      origin: 'api',
      entityType: 'intake_token',
      entityId: String(defaultTokenId),
    });
  });

  // A vendor must not learn which case ids exist, or whose they are: another vendor's case reads as no case.
  it('answers a decision on another vendor’s case exactly as one on a case that does not exist (404), storing nothing', async () => {
    const decision = (external_id: string, case_id: number) => ({
      external_id,
      case_id,
      action: 'content_removed',
      policy: 'violent_threats',
      decided_at: '2026-11-27T11:45:00Z',
    });
    const theirs = await t.api('/api/v1/decisions', decision('vt-cross-d', acmeCaseId), asVendor(defaultToken));
    const missing = await t.api('/api/v1/decisions', decision('vt-missing-d', 2_000_000_000), asVendor(defaultToken));
    expect(theirs.status).toBe(404);
    expect(theirs.json).toEqual({ error: 'not_found', errors: [{ path: 'case_id', message: `no case ${acmeCaseId}` }] });
    expect(missing.json).toEqual({ error: 'not_found', errors: [{ path: 'case_id', message: 'no case 2000000000' }] });
    expect(await t.db.prisma.decision.count({ where: { externalId: 'vt-cross-d' } })).toBe(0);
    // The audit keeps the real reason; only the last refusal is this one (a missing case is no refusal).
    expect((await audits('token.refused')).at(-1)).toMatchObject({
      actor: `api:token:${defaultTokenId}`,
      after: expect.objectContaining({ path: '/api/v1/decisions', reason: expect.stringContaining(`case ${acmeCaseId} in queue acme_q`) }),
    });
  });

  it.each([
    ['/api/v1/qa-reviews', { external_id: 'vt-cross-qa', outcome: 'agree', reviewed_at: '2026-11-27T11:50:00Z' }],
    ['/api/v1/appeals', { external_id: 'vt-cross-ap', filed_at: '2026-11-27T11:50:00Z' }],
  ])('answers %s on another vendor’s decision as on a missing one (404)', async (path, body) => {
    const res = await t.api(path, { ...body, decision_id: acmeDecisionId }, asVendor(defaultToken));
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: 'not_found', errors: [{ path: 'decision_id', message: `no decision ${acmeDecisionId}` }] });
    expect(await t.db.prisma.qaReview.count({ where: { externalId: 'vt-cross-qa' } })).toBe(0);
    expect(await t.db.prisma.appeal.count({ where: { externalId: 'vt-cross-ap' } })).toBe(0);
  });

  it('answers an escalation on another vendor’s case as on a missing one (404)', async () => {
    const res = await t.api(
      '/api/v1/escalations',
      { external_id: 'vt-cross-esc', case_id: acmeCaseId, severity: 'sev3', reason: 'please look' },
      asVendor(defaultToken),
    );
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: 'not_found', errors: [{ path: 'case_id', message: `no case ${acmeCaseId}` }] });
    expect(await t.db.prisma.escalation.count({ where: { externalId: 'vt-cross-esc' } })).toBe(0);
  });

  it('is refused CSV imports, which are for the all-queues token', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/imports/reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${defaultToken}`, 'content-type': 'text/csv' },
      body: 'external_id,surface,report_type,content_ref\nvt-csv-1,api,harmful_content,x\n',
    });
    expect(res.status).toBe(403);
    expect(await t.db.prisma.report.count({ where: { externalId: 'vt-csv-1' } })).toBe(0);
  });

  it('the all-queues token still files for any queue', async () => {
    const res = await t.api('/api/v1/reports', report({ surface: 'api' }));
    expect(res.status).toBe(201);
    expect(res.json.queue).toBe('acme_q');
  });
});

describe('revoking a token', () => {
  it('answers 401 to it from then on, and audits the revocation and the refused use', async () => {
    const { token, id } = await createToken('default');
    expect((await t.api('/api/v1/reports', report(), asVendor(token))).status).toBe(201);
    const reply = await t.command(`token revoke ${id}`, ADMIN);
    expect(reply.text).toContain(`Revoked intake token ${id}`);
    const body = report();
    const res = await t.api('/api/v1/reports', body, asVendor(token));
    expect(res.status).toBe(401);
    expect(res.json.message).toContain('revoked');
    expect(await t.db.prisma.report.count({ where: { externalId: body.external_id } })).toBe(0);
    expect((await audits('token.revoke')).at(-1)).toMatchObject({ actor: ADMIN, entityId: String(id) });
    expect((await audits('token.refused')).at(-1)).toMatchObject({ entityId: String(id), after: { reason: 'revoked' } });
    expect((await t.command(`token revoke ${id}`, ADMIN)).text).toContain('already revoked');
  });

  it('vendor tokens work with no TRUSTOPS_INTAKE_TOKEN configured, while other requests get 503', async () => {
    const closed = await startTestApp({ clock, db: t.db, env: { TRUSTOPS_INTAKE_TOKEN: '' } });
    try {
      expect((await closed.api('/api/v1/reports', report(), asVendor(defaultToken))).status).toBe(201);
      expect((await closed.api('/api/v1/reports', report())).status).toBe(503);
    } finally {
      await closed.stop();
    }
  });

  it('an unknown token is 401', async () => {
    const res = await t.api('/api/v1/reports', report(), asVendor(`tov_${'x'.repeat(43)}`));
    expect(res.status).toBe(401);
  });
});
