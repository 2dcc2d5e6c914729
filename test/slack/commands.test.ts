import { ADMIN, startTestApp, type TestApp } from '../support/app';
import { describeWithReference } from '../support/reference';
import { checkCallsAgainstOpenApi } from '../support/slack-openapi';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

const textOf = (m: { text: string; blocks?: unknown[] }) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;
const auditRows = (action: string) => t.db.prisma.auditEvent.findMany({ where: { action }, orderBy: { id: 'asc' } });

describe('/trustops help', () => {
  it('acknowledges at once and lists every subcommand with a description and an example', async () => {
    const reply = await t.command('help');
    expect(reply.response_type).toBe('ephemeral');
    for (const usage of ['/trustops help', '/trustops surface list | add', '/trustops role &lt;@user&gt;'])
      expect(textOf(reply)).toContain(usage);
    expect(textOf(reply)).toContain('/trustops surface add mcp_apps');
    expect((await t.command('')).text).toContain('TrustOps commands');
  });
});

describe('/trustops surface', () => {
  it('lists the default surfaces', async () => {
    const reply = await t.command('surface list');
    for (const key of ['claude_ai', 'api', 'claude_code', 'mobile', 'mcp_directory']) expect(reply.text).toContain(key);
  });

  it('lets an admin add a surface, and records who did it', async () => {
    const reply = await t.command('surface add mcp_apps "MCP Apps"', ADMIN);
    expect(reply.text).toContain('Added surface `mcp_apps` (MCP Apps)');
    const row = await t.db.prisma.surface.findUnique({ where: { key: 'mcp_apps' } });
    expect(row).toMatchObject({ name: 'MCP Apps', active: true });
    const [audit] = await auditRows('surface.add');
    expect(audit).toMatchObject({
      actor: ADMIN,
      origin: 'slack',
      entityType: 'surface',
      entityId: 'mcp_apps',
      after: { key: 'mcp_apps', name: 'MCP Apps' },
    });
    expect((await t.command('surface list')).text).toContain('mcp_apps');
  });

  it('refuses a viewer, says why, and audits the attempt', async () => {
    const reply = await t.command('surface add sneaky "Sneaky"', 'U0VIEWER9');
    expect(reply.text).toMatch(/Only admins can add surfaces; your role is viewer/);
    expect(await t.db.prisma.surface.findUnique({ where: { key: 'sneaky' } })).toBeNull();
    const refusals = await auditRows('access.refused');
    expect(refusals.at(-1)).toMatchObject({ actor: 'U0VIEWER9', entityId: 'add surfaces' });
  });

  it.each([
    ['surface add Bad-Key "Bad"', /not a valid surface key/],
    ['surface add only_key', /needs a key and a display name/],
    ['surface remove api', /not a surface command/],
  ])('explains the mistake in %s with a correct example', async (text, message) => {
    const reply = await t.command(text, ADMIN);
    expect(reply.text).toMatch(message);
    expect(reply.text).toContain('Try: /trustops surface add mcp_apps "MCP Apps"');
  });

  it('says so when the surface already exists', async () => {
    const reply = await t.command('surface add api "API again"', ADMIN);
    expect(reply.text).toContain('The surface `api` already exists');
    expect(await t.db.prisma.surface.count({ where: { key: 'api' } })).toBe(1);
  });
});

describe('/trustops role', () => {
  it('lets an admin set a role, recording before and after', async () => {
    const reply = await t.command('role <@U0JANE01|jane> approver', ADMIN);
    expect(reply.text).toContain('<@U0JANE01> is now approver (was viewer)');
    expect(await t.db.prisma.roleAssignment.findUnique({ where: { slackId: 'U0JANE01' } })).toMatchObject({
      role: 'approver',
      grantedBy: ADMIN,
    });
    const audit = (await auditRows('role.set')).find((a) => a.entityId === 'U0JANE01');
    expect(audit).toMatchObject({ actor: ADMIN, before: { role: 'viewer' }, after: { role: 'approver' } });
  });

  it('refuses anyone but an admin', async () => {
    const reply = await t.command('role <@U0JANE01> admin', 'U0JANE01');
    expect(reply.text).toContain('Only admins can change roles; your role is approver');
    expect(await t.db.prisma.roleAssignment.findUnique({ where: { slackId: 'U0JANE01' } })).toMatchObject({ role: 'approver' });
  });

  it.each([
    ['role jane approver', /not a user: mention them with @/],
    ['role <@U0JANE01> superuser', /The role must be one of `viewer`, `analyst`, `approver`, `admin`/],
  ])('explains the mistake in %s', async (text, message) => {
    const reply = await t.command(text, ADMIN);
    expect(reply.text).toMatch(message);
    expect(reply.text).toContain('Try: /trustops role @jane approver');
  });

  it('keeps configured admins admins', async () => {
    const reply = await t.command(`role <@${ADMIN}> viewer`, ADMIN);
    expect(reply.text).toContain('is an admin through TRUSTOPS_ADMINS');
  });
});

describe('mistakes and the audit trail', () => {
  it('answers an unknown subcommand with the closest one and its example', async () => {
    const reply = await t.command('surfce list');
    expect(reply.text).toContain('`surfce` is not a TrustOps command. Did you mean `surface`?');
    expect(reply.text).toContain('Try: /trustops surface add');
    const far = await t.command('xyzzy');
    expect(far.text).toContain('`/trustops help` lists them all');
  });

  it('records every command as an audit event', async () => {
    const before = await t.db.prisma.auditEvent.count({ where: { action: 'slack.command' } });
    await t.command('help', 'U0AUDIT01');
    const rows = await t.db.prisma.auditEvent.findMany({ where: { action: 'slack.command', actor: 'U0AUDIT01' } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ origin: 'slack', entityId: '/trustops', after: { text: 'help' } });
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'slack.command' } })).toBe(before + 1);
  });

  it('publishes the App Home when it is opened', async () => {
    await t.slack.event({ type: 'app_home_opened', user: 'U0HOME01', channel: 'D0HOME01', tab: 'home', event_ts: '1.2' });
    const call = await t.emulator.waitFor((c) => c.method === 'views.publish' && c.args.user_id === 'U0HOME01', 5000);
    expect(JSON.stringify(call.args.view)).toContain('Your role: *viewer*');
  });
});

describeWithReference("the Web API calls the bot made, against Slack's OpenAPI spec", () => {
  it('carry every argument the spec requires', () => {
    expect(t.emulator.calls.length).toBeGreaterThan(0);
    expect(checkCallsAgainstOpenApi(t.emulator.calls)).toEqual([]);
  });
});
