import { startTestApp, type TestApp } from '../support/app';
import { waitUntil } from '../support/process';
import { describeWithReference } from '../support/reference';
import { checkCallsAgainstOpenApi } from '../support/slack-openapi';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

let seq = 0;
const mcpReport = (over: Record<string, unknown> = {}) => ({
  external_id: `triage-${++seq}`,
  surface: 'mcp_directory',
  report_type: 'mcp_server',
  content_ref: `https://mcp.example.com/servers/${seq}`,
  description: 'RAW REPORTED TEXT that must never reach a channel',
  mcp_server: { name: 'Evil <!channel> & <https://x.test|click> tools', url: 'https://evil.example.com/mcp', issue: 'data_exfiltration' },
  ...over,
});

const triagePosts = () => t.emulator.callsTo('chat.postMessage').filter((c) => c.args.channel === 'trustops-triage');

describe('triage cards for urgent report types', () => {
  it('posts one card through the outbox: facts and links, a content warning, escaped text, never the content', async () => {
    const res = await t.api('/api/v1/reports', mcpReport());
    expect(res.status).toBe(201);
    const call = await t.emulator.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === 'trustops-triage', 5000);
    const posted = JSON.stringify(call.args);
    expect(posted).toContain(`#${res.json.case_id}`);
    expect(posted).toContain('Third-party MCP server');
    expect(posted).toContain('Content warning');
    expect(posted).toContain('Evil &lt;!channel&gt; &amp; &lt;https://x.test|click&gt; tools');
    expect(posted).not.toContain('<!channel>');
    expect(posted).not.toContain('RAW REPORTED TEXT');
    const alert = await t.db.prisma.alert.findFirstOrThrow({ where: { dedupeKey: `triage:case:${res.json.case_id}` } });
    const sent = await waitUntil(
      'the alert to be marked sent',
      async () => {
        const a = await t.db.prisma.alert.findUnique({ where: { id: alert.id } });
        return a?.status === 'sent' ? a : undefined;
      },
      5000,
    );
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, slackTs: (call.response as { ts: string }).ts });
  });

  it('does not post again when another report joins the same case, nor for a non-urgent type', async () => {
    const first = await t.api('/api/v1/reports', mcpReport({ content_ref: 'https://mcp.example.com/servers/shared' }));
    await t.emulator.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes(`#${first.json.case_id}`), 5000);
    const before = triagePosts().length;
    await t.api('/api/v1/reports', mcpReport({ content_ref: 'https://mcp.example.com/servers/shared' }));
    await t.api('/api/v1/reports', { external_id: `plain-${++seq}`, surface: 'api', report_type: 'other', content_ref: 'msg_123' });
    await t.running.delivery.runOnce();
    expect(triagePosts().length).toBe(before);
    expect(await t.db.prisma.alert.count({ where: { kind: 'triage', entityId: String(first.json.case_id) } })).toBe(1);
  });

  it('waits out a rate limit and still posts exactly once', async () => {
    t.emulator.injectRateLimit({ method: 'chat.postMessage', times: 1, retryAfterSeconds: 1 });
    const res = await t.api('/api/v1/reports', mcpReport());
    await t.emulator.waitFor(
      (c) => c.method === 'chat.postMessage' && c.status === 200 && JSON.stringify(c.args).includes(`#${res.json.case_id}`),
      8000,
    );
    const posts = triagePosts().filter((c) => c.status === 200 && JSON.stringify(c.args).includes(`#${res.json.case_id}`));
    expect(posts).toHaveLength(1);
    expect(t.emulator.calls.some((c) => c.status === 429)).toBe(true);
  });

  it('marks an alert failed with the reason when Slack refuses it for good', async () => {
    t.emulator.injectError({ method: 'chat.postMessage', times: 1, error: 'channel_not_found' });
    const res = await t.api('/api/v1/reports', mcpReport());
    const id = String(res.json.case_id);
    const failed = await waitUntil(
      'the alert to be marked failed',
      async () => {
        const a = await t.db.prisma.alert.findFirst({ where: { entityId: id, kind: 'triage' } });
        return a?.status === 'failed' ? a : undefined;
      },
      5000,
    );
    expect(failed).toMatchObject({ lastError: 'channel_not_found', attempts: 1 });
  });
});

describe('the triage card’s link buttons', () => {
  it('acknowledge the click Slack sends when one is opened', async () => {
    const res = await t.api('/api/v1/reports', mcpReport());
    const call = await t.emulator.waitFor(
      (c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes(`#${res.json.case_id}`),
      5000,
    );
    const { channel, ts } = call.response as { channel: string; ts: string };
    const click = await t.slack.blockAction({ userId: 'U0VIEWER1', actionId: 'triage_open_review', channelId: channel, messageTs: ts });
    expect(click.status).toBe(200);
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'slack.action', entityId: 'triage_open_review' } })).toBe(1);
  });
});

describeWithReference("the triage calls, against Slack's OpenAPI spec", () => {
  it('carry every argument the spec requires', () => {
    expect(t.emulator.callsTo('chat.postMessage').length).toBeGreaterThan(0);
    expect(checkCallsAgainstOpenApi(t.emulator.calls)).toEqual([]);
  });
});
