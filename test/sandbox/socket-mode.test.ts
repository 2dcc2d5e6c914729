import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { SlackEmulator } from '../../src/sandbox/emulator';
import { SignedSlackClient } from '../../src/sandbox/slack-client';

const quiet = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

// A real Bolt app behind Bolt's own SocketModeReceiver (the receiver TrustOps uses with SLACK_APP_TOKEN),
// pointed at the emulator's API URL: the emulator speaks Socket Mode well enough for Bolt to run on it.
describe('Socket Mode against the emulator, with Bolt’s SocketModeReceiver', () => {
  let emulator: SlackEmulator;
  let app: App;
  let slack: SignedSlackClient;

  beforeAll(async () => {
    emulator = await SlackEmulator.start();
    const receiver = new SocketModeReceiver({
      appToken: emulator.appToken,
      installerOptions: { clientOptions: { slackApiUrl: emulator.apiUrl } },
      logger: quiet,
    });
    app = new App({ token: emulator.botToken, receiver, logger: quiet, clientOptions: { slackApiUrl: emulator.apiUrl } });
    app.command('/trustops', async ({ command, ack }) => {
      await ack({ response_type: 'ephemeral', text: `pong: ${command.text}` });
    });
    app.action('approve', async ({ ack, respond }) => {
      await ack();
      await respond({ replace_original: true, text: 'Approved by the socket' });
    });
    app.view('reject', async ({ ack, view }) => {
      const reason = view.state.values.reason?.text?.value?.trim();
      await ack(reason ? undefined : { response_action: 'errors', errors: { reason: 'A rejection needs a reason.' } });
    });
    app.event('app_home_opened', async ({ event, client }) => {
      await client.views.publish({
        user_id: event.user,
        view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Home' } }] },
      });
    });
    await app.start();
    await emulator.socketMode.waitForConnection();
    slack = new SignedSlackClient({ botUrl: '', signingSecret: '', emulator, transport: 'socket' });
  });
  afterAll(async () => {
    await app.stop();
    // Let the close handshake finish, or Bolt's client waits on its own timer for it.
    await emulator.waitUntil(() => !emulator.socketMode.connected, 5000, 'the app to hang up');
    await emulator.stop();
  });

  it('opens the connection with the app-level token only, and says hello', async () => {
    expect(emulator.callsTo('apps.connections.open')[0]?.response).toMatchObject({
      ok: true,
      url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/socket-mode\//),
    });
    expect(emulator.socketMode.connectionsMade).toBe(1);
    const withBotToken = await fetch(`${emulator.apiUrl}apps.connections.open`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.botToken}` },
    });
    expect(await withBotToken.json()).toEqual({ ok: false, error: 'not_allowed_token_type' });
    const withNone = await fetch(`${emulator.apiUrl}apps.connections.open`, { method: 'POST' });
    expect(await withNone.json()).toEqual({ ok: false, error: 'not_authed' });
  });

  it('delivers a slash command as an envelope; the acknowledgement’s payload is the answer the user sees', async () => {
    const sent = await slack.command('help', { userId: 'U0ALICE' });
    expect(sent.status).toBe(200);
    expect(sent.json).toEqual({ response_type: 'ephemeral', text: 'pong: help' });
    expect(emulator.ephemeralMessages({ user: 'U0ALICE' }).map((m) => m.text)).toContain('pong: help');
  });

  it('delivers a button click; the app answers on the response_url and the message is replaced', async () => {
    const posted = await app.client.chat.postMessage({
      channel: 'general',
      text: 'card',
      blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' } }] }],
    });
    const sent = await slack.blockAction({ userId: 'U0BOB', actionId: 'approve', channelId: 'general', messageTs: posted.ts! });
    expect(sent.status).toBe(200);
    await emulator.waitUntil(
      () => emulator.message('general', posted.ts!)?.text === 'Approved by the socket',
      5000,
      'the replaced message',
    );
  });

  it('delivers a view submission; response_action errors come back in the ack payload', async () => {
    const modal = {
      type: 'modal' as const,
      callback_id: 'reject',
      title: { type: 'plain_text' as const, text: 'Reject' },
      submit: { type: 'plain_text' as const, text: 'Reject' },
      blocks: [
        {
          type: 'input',
          block_id: 'reason',
          label: { type: 'plain_text', text: 'Reason' },
          element: { type: 'plain_text_input', action_id: 'text' },
        },
      ],
    };
    const trigger = emulator.issueTriggerId('U0CAROL');
    await app.client.views.open({ trigger_id: trigger, view: modal });
    const refused = await slack.viewSubmission({ userId: 'U0CAROL', callbackId: 'reject', values: { reason: { text: '  ' } } });
    expect(refused.json).toEqual({ response_action: 'errors', errors: { reason: 'A rejection needs a reason.' } });
    expect(emulator.openModals('U0CAROL')).toHaveLength(1);
    const accepted = await slack.viewSubmission({ userId: 'U0CAROL', callbackId: 'reject', values: { reason: { text: 'Duplicate' } } });
    expect(accepted.status).toBe(200);
    expect(emulator.openModals('U0CAROL')).toHaveLength(0);
  });

  it('delivers events as events_api envelopes', async () => {
    const sent = await slack.event({ type: 'app_home_opened', user: 'U0DAVE', tab: 'home', channel: 'D0DAVE' });
    expect(sent.status).toBe(200);
    await emulator.waitUntil(() => emulator.homeView('U0DAVE'), 5000, 'the published Home tab');
  });

  it('asks the app to reconnect (warning, then refresh_requested); Bolt opens a new connection and keeps answering', async () => {
    const before = emulator.socketMode.connectionsMade;
    emulator.socketMode.requestReconnect();
    await emulator.socketMode.waitForConnection(15_000, before);
    const opened = emulator.callsTo('apps.connections.open').filter((c) => (c.response as { ok: boolean }).ok);
    expect(opened).toHaveLength(2);
    const sent = await slack.command('after reconnect', { userId: 'U0ERIN' });
    expect(sent.json).toMatchObject({ text: 'pong: after reconnect' });
  }, 30_000);

  it('reports an envelope the app never acknowledges as a timeout, as Slack does', async () => {
    const sent = await new SignedSlackClient({ botUrl: '', signingSecret: '', emulator, transport: 'socket' }).command('x', {
      command: '/unknown-to-the-app',
    });
    // Bolt acks nothing for a command it has no listener for.
    expect(sent.status).toBe(504);
    expect(sent.body).toMatch(/did not acknowledge/);
  });
});
