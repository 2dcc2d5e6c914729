import { WebClient } from '@slack/web-api';
import { ADMIN, startTestApp, type TestApp } from '../support/app';

// Requests that reach the bot signed but odd: unauditable text, no listener, a clock ahead, a duplicate.
const UNAUDITABLE = 'U0NOAUDIT1';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ admins: [ADMIN, UNAUDITABLE] });
  // A real fault in the real database: this user's Slack interactions cannot be written to the audit trail.
  await t.db.prisma.$executeRawUnsafe(`
    CREATE FUNCTION refuse_audit() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit refused for the test'; END $$ LANGUAGE plpgsql`);
  await t.db.prisma.$executeRawUnsafe(`
    CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events
    FOR EACH ROW WHEN (NEW.actor = '${UNAUDITABLE}' AND NEW.action LIKE 'slack.%') EXECUTE FUNCTION refuse_audit()`);
});
afterAll(async () => {
  await t.stop();
});

type LogEntry = { level: string; msg: string } & Record<string, unknown>;
const logged = (msg: string) => t.logLines.map((l) => JSON.parse(l) as LogEntry).filter((e) => e.msg === msg);
const waitForLog = (msg: string, match: (e: LogEntry) => boolean) =>
  t.emulator.waitUntil(() => logged(msg).find(match), 5000, `the log line "${msg}"`);
const interactionRows = (actor: string, action: string) =>
  t.db.prisma.auditEvent.findMany({ where: { actor, action }, orderBy: { id: 'asc' } });

/** A slash command as Slack sends it, with a trigger_id of our choosing (to deliver it twice). */
function commandForm(text: string, userId: string) {
  const responseUrl = t.emulator.issueResponseUrl({ channelId: 'C0GENERAL', userId });
  const triggerId = t.emulator.issueTriggerId(userId);
  const body = new URLSearchParams({
    token: 'sandbox-verification-token',
    team_id: t.emulator.teamId,
    team_domain: t.emulator.teamDomain,
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: userId,
    user_name: userId.toLowerCase(),
    command: '/trustops',
    text,
    api_app_id: t.emulator.appId,
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: triggerId,
  }).toString();
  return { body, responseUrl, triggerId };
}

describe('an interaction that cannot be audited as sent', () => {
  it('records a command containing NUL, with the NUL replaced, and answers that it cannot be stored', async () => {
    const reply = await t.command('surface add nul_key "a\u0000b"', ADMIN);
    expect(reply.text).toContain('The command contains a NUL character (U+0000), which TrustOps cannot store');
    expect(await t.db.prisma.surface.findUnique({ where: { key: 'nul_key' } })).toBeNull();
    const [row, ...more] = await t.db.prisma.auditEvent.findMany({
      where: { actor: ADMIN, action: 'slack.command', after: { path: ['text'], string_contains: 'nul_key' } },
    });
    expect(more).toEqual([]);
    expect(row?.after).toEqual({ text: 'surface add nul_key "a\uFFFDb"', channel: 'C0GENERAL' });
  });

  it('records a click whose value holds NUL and a lone surrogate', async () => {
    const res = await t.slack.blockAction({ userId: 'U0NULCLK1', actionId: 'triage_open_review', value: 'a\u0000b\uD800c' });
    expect(res.status).toBe(200);
    const rows = await t.emulator.waitUntil(
      async () => {
        const found = await interactionRows('U0NULCLK1', 'slack.action');
        return found.length > 0 ? found : undefined;
      },
      5000,
      'the audit row of the click',
    );
    expect(rows).toHaveLength(1);
    expect(rows?.[0]?.after).toEqual({ value: 'a\uFFFDb\uFFFDc' });
  });

  it('does not run a command it could not audit: the user hears why, an error is logged and counted', async () => {
    const reply = await t.command('surface add unaudited "Unaudited"', UNAUDITABLE);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain('could not record this request in the audit trail, so it did not run');
    expect(await t.db.prisma.surface.findUnique({ where: { key: 'unaudited' } })).toBeNull();
    expect(await t.db.prisma.auditEvent.count({ where: { actor: UNAUDITABLE } })).toBe(0);
    const [entry] = logged('could not audit a Slack interaction; it was not run');
    expect(entry).toMatchObject({ level: 'error', kind: 'command', name: '/trustops' });
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^trustops_audit_failures_total\{kind="command"\} 1$/m);
  });

  it('keeps a modal it could not audit open, with the reason on its input, and records nothing', async () => {
    const client = new WebClient(t.emulator.botToken, { slackApiUrl: t.emulator.apiUrl });
    const opened = await client.views.open({
      trigger_id: t.emulator.issueTriggerId(UNAUDITABLE),
      view: {
        type: 'modal',
        callback_id: 'reject_escalation',
        title: { type: 'plain_text', text: 'Reject' },
        submit: { type: 'plain_text', text: 'Reject' },
        private_metadata: JSON.stringify({ escalationId: 1 }),
        blocks: [
          {
            type: 'input',
            block_id: 'reason',
            label: { type: 'plain_text', text: 'Reason' },
            element: { type: 'plain_text_input', action_id: 'text' },
          },
        ],
      },
    });
    const res = await t.slack.viewSubmission({
      userId: UNAUDITABLE,
      callbackId: 'reject_escalation',
      viewId: opened.view!.id!,
      values: { reason: { text: 'no' } },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response_action: 'errors', errors: { reason: expect.stringContaining('could not record this request') } });
    expect(t.emulator.openModals(UNAUDITABLE).map((v) => v.id)).toEqual([opened.view!.id]);
    expect(await t.db.prisma.escalationVote.count()).toBe(0);
    expect(await t.db.prisma.auditEvent.count({ where: { actor: UNAUDITABLE } })).toBe(0);
  });
});

describe('a signed request that matches no listener', () => {
  it.each([
    ['an unknown action_id', () => t.slack.blockAction({ userId: 'U0ODD0001', actionId: 'no_such_button', value: 'x' })],
    ['an unknown callback_id', () => t.slack.viewSubmission({ userId: 'U0ODD0002', callbackId: 'no_such_modal', values: {} })],
    [
      'a private_metadata that is not JSON',
      () =>
        t.slack.viewSubmission({
          userId: 'U0ODD0003',
          callbackId: 'reject_escalation',
          privateMetadata: '{not json',
          values: { reason: { text: 'no' } },
        }),
    ],
    [
      'a view_submission with no view',
      () => t.slack.raw(`payload=${encodeURIComponent(JSON.stringify({ type: 'view_submission', user: { id: 'U0ODD0004' } }))}`),
    ],
    [
      'a block_actions with no actions',
      () => t.slack.raw(`payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0ODD0005' }, actions: [] }))}`),
    ],
  ])('acknowledges %s with 200 and logs it', async (_name, send) => {
    const before = logged('Slack request acknowledged without a listener').length;
    const res = await send();
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(logged('Slack request acknowledged without a listener')).toHaveLength(before + 1);
    expect(await t.db.prisma.escalationVote.count()).toBe(0);
  });
});

describe('a signed body that is no kind of Slack request', () => {
  it.each([
    ['JSON of no known type', '{"type":"mystery"}', 'application/json'],
    ['an empty form', '', 'application/x-www-form-urlencoded'],
    // Bolt read `null.ssl_check` outside any handler: the process ended.
    ['a payload of null', 'payload=null', 'application/x-www-form-urlencoded'],
    ['JSON null', 'null', 'application/json'],
  ])('answers %s with 400 at once, runs nothing and keeps serving', async (_name, body, contentType) => {
    const before = await t.db.prisma.auditEvent.count();
    const res = await t.slack.raw(body, { 'content-type': contentType });
    expect(res.status).toBe(400);
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    expect(await t.db.prisma.auditEvent.count()).toBe(before);
    expect(logged('Slack request acknowledged without a listener').filter((e) => e.type === 'mystery')).toEqual([]);
  });
});

describe('the signed timestamp', () => {
  it('refuses a request signed more than five minutes in the future, as it does a stale one', async () => {
    const before = await t.db.prisma.auditEvent.count();
    const res = await t.slack.command('help', { userId: 'U0FUTURE1' }, { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 });
    expect(res.status).toBe(401);
    expect(await t.db.prisma.auditEvent.count()).toBe(before);
    expect(t.emulator.responses(res.responseUrl!)).toEqual([]);
  });

  it('accepts a clock a little ahead of ours', async () => {
    const res = await t.slack.command('help', { userId: 'U0FUTURE2' }, { timestamp: Math.floor(Date.now() / 1000) + 4 * 60 });
    expect(res.status).toBe(200);
    await t.slack.waitForResponse(res.responseUrl!, 5000);
  });
});

describe('a delivery that arrives twice', () => {
  it('runs a slash command delivered twice with the same trigger_id once: one export uploaded', async () => {
    const uploadsBefore = t.emulator.callsTo('files.completeUploadExternal').length;
    const { body, responseUrl, triggerId } = commandForm('export metrics 2026-11-01..2026-11-30', ADMIN);
    const [first, second] = await Promise.all([t.slack.raw(body), t.slack.raw(body)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    await waitForLog('duplicate Slack delivery ignored', (e) => e.key === `trigger:${triggerId}`);
    const [answer] = (await t.slack.waitForResponse(responseUrl, 10_000)) as { text: string }[];
    expect(answer?.text).toContain('Uploaded trustops-metrics-2026-11-01_2026-11-30.csv');
    expect(t.emulator.callsTo('files.completeUploadExternal')).toHaveLength(uploadsBefore + 1);
    expect(t.emulator.responses(responseUrl).filter((r) => !String((r.body as { text?: string }).text).startsWith('⏳'))).toHaveLength(1);
    const rows = await t.db.prisma.auditEvent.findMany({
      where: { actor: ADMIN, action: 'slack.command', after: { path: ['text'], equals: 'export metrics 2026-11-01..2026-11-30' } },
    });
    expect(rows).toHaveLength(1);
  });

  it('runs a command delivered to two replicas at once on one of them only', async () => {
    const replica = await startTestApp({ db: t.db, admins: [ADMIN, UNAUDITABLE] });
    try {
      const uploads = () =>
        t.emulator.callsTo('files.completeUploadExternal').length + replica.emulator.callsTo('files.completeUploadExternal').length;
      const before = uploads();
      const { body, responseUrl, triggerId } = commandForm('export metrics 2026-10-01..2026-10-31', ADMIN);
      const [a, b] = await Promise.all([t.slack.raw(body), replica.slack.raw(body)]);
      expect([a.status, b.status]).toEqual([200, 200]);
      const duplicate = (e: LogEntry) => e.msg === 'duplicate Slack delivery ignored' && e.key === `trigger:${triggerId}`;
      await t.emulator.waitUntil(
        () => [...t.logLines, ...replica.logLines].map((l) => JSON.parse(l) as LogEntry).find(duplicate),
        5000,
        'one replica to see the duplicate',
      );
      const [answer] = (await t.slack.waitForResponse(responseUrl, 10_000)) as { text: string }[];
      expect(answer?.text).toContain('Uploaded trustops-metrics-2026-10-01_2026-10-31.csv');
      expect(uploads()).toBe(before + 1);
    } finally {
      await replica.stop();
    }
  });

  it('answers an Events API retry with 200 without publishing App Home again', async () => {
    const eventId = 'Ev0RETRY0001';
    const body = JSON.stringify({
      token: 'sandbox-verification-token',
      team_id: t.emulator.teamId,
      api_app_id: t.emulator.appId,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user: 'U0RETRY01', channel: 'D0RETRY01', tab: 'home', event_ts: '1.2' },
      authorizations: [{ enterprise_id: null, team_id: t.emulator.teamId, user_id: t.emulator.botUserId, is_bot: true }],
    });
    const json = { 'content-type': 'application/json' };
    expect((await t.slack.raw(body, json)).status).toBe(200);
    await t.emulator.waitFor((c) => c.method === 'views.publish' && c.args.user_id === 'U0RETRY01', 5000);
    const retry = await t.slack.raw(body, json, { retryNum: 1, retryReason: 'http_timeout' });
    expect(retry.status).toBe(200);
    await waitForLog('duplicate Slack delivery ignored', (e) => e.key === `event:${eventId}` && e.retryNum === 1);
    expect(t.emulator.callsTo('views.publish').filter((c) => c.args.user_id === 'U0RETRY01')).toHaveLength(1);
    expect(await interactionRows('U0RETRY01', 'slack.event')).toHaveLength(1);
  });
});

describe('ids typed into commands', () => {
  it.each(['999999999999', '2147483648', '0', '-3', '3.5'])('answers `route remove %s` with what an id is and an example', async (id) => {
    const reply = await t.command(`route remove ${id}`, ADMIN);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain(`\`${id}\` is not a routing rule id: \`route remove\` needs the rule id from \`/trustops route list\`.`);
    expect(reply.text).toContain('Try: /trustops route remove 3');
  });

  it('answers a rule position past the largest one with what a position is', async () => {
    const before = await t.db.prisma.routingRule.count();
    const reply = await t.command('route add queue:default position:99999999999', ADMIN);
    expect(reply.text).toContain('`position:` must be a whole number, at most 2147483647.');
    expect(await t.db.prisma.routingRule.count()).toBe(before);
  });

  it('answers a case id past the largest one with what an id is, not an error on our side', async () => {
    const reply = await t.command('case 2147483648', ADMIN);
    expect(reply.text).toContain('`2147483648` is not a case id');
    expect(reply.text).not.toContain('Something went wrong');
  });
});
