import { WebClient } from '@slack/web-api';
import { runningClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { ADMIN, startTestApp, type TestApp } from '../support/app';
import { checkCallsAgainstOpenApi, slackOpenApi } from '../support/slack-openapi';

// Least privilege (SPEC §2): viewers get aggregate figures; case details, timelines and
// decision-level exports need analyst; a Slack user group can hold a role.
const clock = runningClock('2026-11-27T12:00:00Z');
const VIEWER = 'U0VIEWER5';
const ANALYST = 'U0ANALYST5';
const MEMBER = 'U0MEMBER5';
const OUTSIDER = 'U0OUTSIDER5';
const GROUP = 'S0REVIEWERS';
let t: TestApp;
let caseId: number;

const textOf = (m: { text: string; blocks?: unknown[] }) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;
const refusals = (actor: string) => t.db.prisma.auditEvent.findMany({ where: { action: 'access.refused', actor }, orderBy: { id: 'asc' } });
const uploads = () => t.emulator.callsTo('files.completeUploadExternal').length + t.emulator.callsTo('files.getUploadURLExternal').length;

beforeAll(async () => {
  t = await startTestApp({ clock });
  await t.command(`role <@${ANALYST}> analyst`, ADMIN);
  const res = await t.api('/api/v1/reports', {
    external_id: 'roles-1',
    surface: 'claude_ai',
    report_type: 'harmful_content',
    content_ref: 'https://claude.ai/share/roles-1',
    received_at: '2026-11-27T10:00:00Z',
  });
  expect(res.status).toBe(201);
  caseId = res.json.case_id;
  const decided = await t.api('/api/v1/decisions', {
    external_id: 'roles-d1',
    case_id: caseId,
    action: 'content_removed',
    policy: 'violent_threats',
    decided_at: '2026-11-27T11:00:00Z',
  });
  expect(decided.status).toBe(201);
});
afterAll(async () => {
  await t.stop();
});

describe('decision-level exports need analyst', () => {
  it('a user with no role asking for `export decisions last 90d` is refused, audited, and nothing is uploaded', async () => {
    const before = uploads();
    const reply = await t.command('export decisions last 90d', VIEWER);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain('Only analysts can export decision-level records; your role is viewer.');
    expect(reply.text).toContain(`<@${ADMIN}>`);
    expect(uploads()).toBe(before);
    expect((await refusals(VIEWER)).at(-1)).toMatchObject({ entityType: 'permission', after: { role: 'viewer', required: 'analyst' } });
  });

  it('an analyst gets the decision export', async () => {
    const reply = await t.command('export decisions last 90d', ANALYST);
    expect(reply.text).toMatch(/Uploaded .*trustops-decisions-/);
  });

  it('a viewer still gets aggregate exports and figures', async () => {
    expect((await t.command('export metrics last 7d', VIEWER)).text).toMatch(/Uploaded .*trustops-metrics-/);
    expect((await t.command('metrics last 7d', VIEWER)).text).not.toContain('Only');
    expect((await t.command('sla', VIEWER)).text).not.toContain('Only');
  });
});

describe('case details need analyst, and the check comes before the look-up', () => {
  it('a viewer gets the same refusal for a case that exists and for one that does not', async () => {
    const real = await t.command(`case ${caseId}`, VIEWER);
    const missing = await t.command('case 999999', VIEWER);
    expect(real.text).toContain('Only analysts can see case details; your role is viewer.');
    expect(missing.text).toBe(real.text);
    expect(textOf(real)).not.toContain('roles-1');
  });

  it('the page buttons of a case check the role too', async () => {
    const click = await t.slack.blockAction({ userId: VIEWER, actionId: 'case_page_next', value: JSON.stringify({ caseId, page: 2 }) });
    const [answer] = (await t.slack.waitForResponse(click.responseUrl!, 5000)) as { text: string; replace_original: boolean }[];
    expect(answer?.text).toContain('Only analysts can see case details');
    expect(answer?.replace_original).toBe(false);
  });

  it('the Reassign button of an SLA card refuses a viewer the same way whether the case exists or not', async () => {
    const answers: string[] = [];
    for (const id of [caseId, 999999]) {
      const value = JSON.stringify({ alertId: 1, caseId: id, target: 'first_action' });
      const click = await t.slack.blockAction({ userId: VIEWER, actionId: 'sla_reassign', value });
      const [answer] = (await t.slack.waitForResponse(click.responseUrl!, 5000)) as { text: string }[];
      answers.push(answer?.text ?? '');
    }
    expect(answers[0]).toContain('Only analysts can reassign cases');
    expect(answers[1]).toBe(answers[0]);
    expect(t.emulator.openModals(VIEWER)).toEqual([]);
  });

  it('an analyst sees the case', async () => {
    const reply = await t.command(`case ${caseId}`, ANALYST);
    expect(textOf(reply)).toContain(`Case #${caseId}`);
    expect(textOf(reply)).toContain('roles-1');
  });
});

describe('a Slack user group can hold a role', () => {
  it("usergroups.users.list in the emulator answers with Slack's shape and errors", async () => {
    t.emulator.setUserGroup('S0SHAPE', ['U0A', 'U0B']);
    const client = new WebClient(t.emulator.botToken, { slackApiUrl: t.emulator.apiUrl, retryConfig: { retries: 0 } });
    expect(await client.usergroups.users.list({ usergroup: 'S0SHAPE' })).toMatchObject({ ok: true, users: ['U0A', 'U0B'] });
    await expect(client.usergroups.users.list({ usergroup: 'S0NOPE' })).rejects.toMatchObject({ data: { error: 'no_such_subteam' } });
  });

  it('a member of a group holding analyst can run `case`; someone outside it cannot', async () => {
    t.emulator.setUserGroup(GROUP, [MEMBER]);
    const set = await t.command(`role <!subteam^${GROUP}|@reviewers> analyst`, ADMIN);
    expect(set.text).toContain(`<!subteam^${GROUP}> is now analyst`);
    expect(await t.db.prisma.groupRole.findUnique({ where: { groupId: GROUP } })).toMatchObject({ role: 'analyst', grantedBy: ADMIN });

    expect(textOf(await t.command(`case ${caseId}`, MEMBER))).toContain(`Case #${caseId}`);
    expect((await t.command(`case ${caseId}`, OUTSIDER)).text).toContain('Only analysts can see case details');
    const calls = t.emulator.callsTo('usergroups.users.list');
    expect(calls.map((c) => c.args.usergroup)).toContain(GROUP);
    if (slackOpenApi.available) expect(checkCallsAgainstOpenApi(calls)).toEqual([]);
  });

  it('reads members once per TTL, and a member who left loses the role when it runs out', async () => {
    t.emulator.setUserGroup(GROUP, [MEMBER]);
    clock.advance(10 * 60_000);
    const calls = () => t.emulator.callsTo('usergroups.users.list').filter((c) => c.args.usergroup === GROUP).length;
    const start = calls();
    await t.command(`case ${caseId}`, MEMBER);
    await t.command(`case ${caseId}`, MEMBER);
    expect(calls()).toBe(start + 1);

    t.emulator.setUserGroup(GROUP, []);
    expect(textOf(await t.command(`case ${caseId}`, MEMBER))).toContain(`Case #${caseId}`);
    clock.advance(10 * 60_000);
    expect((await t.command(`case ${caseId}`, MEMBER)).text).toContain('Only analysts can see case details');
  });

  it('the highest of the own role and the groups’ roles wins', async () => {
    t.emulator.setUserGroup('S0APPROVERS', [ANALYST]);
    await t.command('role <!subteam^S0APPROVERS|@approvers> approver', ADMIN);
    const home = await t.slack.event({ type: 'app_home_opened', user: ANALYST, tab: 'home' });
    expect(home.status).toBe(200);
    const view = await t.emulator.waitFor((c) => c.method === 'views.publish' && c.args.user_id === ANALYST, 5000);
    expect(JSON.stringify(view.args.view)).toContain('Your role: *approver*');
  });

  it('a group Slack does not know is refused and nothing is stored', async () => {
    const reply = await t.command('role <!subteam^S0NOSUCH|@ghosts> analyst', ADMIN);
    expect(reply.text).toContain('There is no user group');
    expect(await t.db.prisma.groupRole.findUnique({ where: { groupId: 'S0NOSUCH' } })).toBeNull();
  });

  it('only admins give roles to groups', async () => {
    const reply = await t.command(`role <!subteam^${GROUP}|@reviewers> admin`, ANALYST);
    expect(reply.text).toContain('Only admins can change roles');
    expect(await t.db.prisma.groupRole.findUnique({ where: { groupId: GROUP } })).toMatchObject({ role: 'analyst' });
  });
});

describe('App Home shows case-level rows to analysts only', () => {
  it("a viewer's App Home has the figures but no escalation rows", async () => {
    const res = await t.slack.event({ type: 'app_home_opened', user: VIEWER, tab: 'home' });
    expect(res.status).toBe(200);
    const view = await t.emulator.waitFor((c) => c.method === 'views.publish' && c.args.user_id === VIEWER, 5000);
    const json = JSON.stringify(view.args.view);
    expect(json).toContain('Enforcement at a glance');
    expect(json).not.toContain('Your escalations');
  });
});

describe('TRUSTOPS_DEFAULT_ROLE', () => {
  it('is viewer unless set, and only viewer or none', () => {
    expect(loadConfig({}).TRUSTOPS_DEFAULT_ROLE).toBe('viewer');
    expect(loadConfig({ TRUSTOPS_DEFAULT_ROLE: 'none' }).TRUSTOPS_DEFAULT_ROLE).toBe('none');
    expect(() => loadConfig({ TRUSTOPS_DEFAULT_ROLE: 'admin' })).toThrow(/^TRUSTOPS_DEFAULT_ROLE: .*\(got "admin"\)/);
  });
});

describe('TRUSTOPS_DEFAULT_ROLE=none', () => {
  let none: TestApp;
  beforeAll(async () => {
    none = await startTestApp({ clock, env: { TRUSTOPS_DEFAULT_ROLE: 'none' } });
  });
  afterAll(async () => {
    await none.stop();
  });

  it('a user with no role is refused `metrics last 7d`, told who can grant access, and the refusal is audited', async () => {
    const reply = await none.command('metrics last 7d', 'U0NOBODY1');
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain('you have no TrustOps role');
    expect(reply.text).toContain(`Admins who can grant access: <@${ADMIN}>`);
    expect(reply.text).not.toContain('Reports received');
    const [audit] = await none.db.prisma.auditEvent.findMany({ where: { action: 'access.refused', actor: 'U0NOBODY1' } });
    expect(audit).toMatchObject({ after: { role: 'none', required: 'viewer' } });
  });

  it('`help` still works', async () => {
    const reply = await none.command('help', 'U0NOBODY1');
    expect(reply.text).toContain('TrustOps commands');
  });

  it('the metrics buttons are refused too', async () => {
    const click = await none.slack.blockAction({
      userId: 'U0NOBODY1',
      actionId: 'metrics_page_next',
      value: JSON.stringify({ q: 'last 7d', page: 2 }),
    });
    const [answer] = (await none.slack.waitForResponse(click.responseUrl!, 5000)) as { text: string }[];
    expect(answer?.text).toContain('you have no TrustOps role');
  });

  it('App Home shows no figures to someone with no role', async () => {
    await none.slack.event({ type: 'app_home_opened', user: 'U0NOBODY1', tab: 'home' });
    const view = await none.emulator.waitFor((c) => c.method === 'views.publish' && c.args.user_id === 'U0NOBODY1', 5000);
    const json = JSON.stringify(view.args.view);
    expect(json).toContain('Your role: *none*');
    expect(json).not.toContain('Enforcement at a glance');
  });

  it('someone given a role is let in', async () => {
    await none.command('role <@U0GIVEN1> viewer', ADMIN);
    const reply = await none.command('metrics last 7d', 'U0GIVEN1');
    expect(reply.text).not.toContain('no TrustOps role');
    expect(reply.text).toContain('Enforcement metrics, last 7 days');
  });
});
