import { WebClient } from '@slack/web-api';
import { SlackEmulator } from '../../src/sandbox/emulator';
import { silentSlackLogger } from '../support/alerts';
import { describeWithReference } from '../support/reference';
import { checkCallsAgainstOpenApi, requiredArgs } from '../support/slack-openapi';

describeWithReference("Web API calls checked against Slack's OpenAPI spec", () => {
  let emulator: SlackEmulator;
  let client: WebClient;

  beforeAll(async () => {
    emulator = await SlackEmulator.start();
    client = new WebClient(emulator.botToken, { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 }, logger: silentSlackLogger });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  it('reads the required arguments from the spec', () => {
    expect(requiredArgs('chat.postMessage')).toEqual(['channel']);
    expect(requiredArgs('chat.update')?.sort()).toEqual(['channel', 'ts']);
    expect(requiredArgs('views.open')?.sort()).toEqual(['trigger_id', 'view']);
    expect(requiredArgs('no.such')).toBeUndefined();
  });

  it('finds nothing wrong with the calls a bot typically makes', async () => {
    await client.auth.test();
    const posted = await client.chat.postMessage({ channel: 'C0SLA', text: 'Case 7 at risk' });
    await client.chat.postMessage({ channel: 'C0SLA', text: 'details', thread_ts: posted.ts! });
    await client.chat.update({ channel: 'C0SLA', ts: posted.ts!, text: 'Case 7 breached' });
    await client.chat.postEphemeral({ channel: 'C0SLA', user: 'U0ALICE', text: 'psst' });
    await client.users.info({ user: 'U0ALICE' });
    await client.conversations.open({ users: 'U0BOB' });
    await client.conversations.history({ channel: 'C0SLA' });
    await client.conversations.replies({ channel: 'C0SLA', ts: posted.ts! });
    await client.views.open({
      trigger_id: emulator.issueTriggerId('U0ALICE'),
      view: { type: 'modal', title: { type: 'plain_text', text: 'Hi' }, blocks: [] },
    });
    await client.views.publish({ user_id: 'U0ALICE', view: { type: 'home', blocks: [] } });
    await client.filesUploadV2({ channel_id: 'C0COPYRIGHT', content: 'a,b\n1,2\n', filename: 'report.csv' });

    expect(emulator.calls.every((c) => c.status === 200 && (c.response as { ok: boolean }).ok)).toBe(true);
    expect(checkCallsAgainstOpenApi(emulator.calls)).toEqual([]);
  });

  it('reports a chat.postMessage without a channel, and a method Slack does not have', async () => {
    await client.apiCall('chat.postMessage', { text: 'where does this go?' }).catch(() => undefined);
    await client.apiCall('chat.postMesage', { channel: 'C0SLA', text: 'typo' }).catch(() => undefined);

    expect(checkCallsAgainstOpenApi(emulator.calls)).toEqual([
      'call #1 chat.postMessage: missing required argument "channel"',
      "call #2 chat.postMesage: not a method in Slack's OpenAPI spec",
    ]);
  });
});
