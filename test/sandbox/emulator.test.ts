import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySlackRequest } from '@slack/bolt';
import { ErrorCode, WebClient, type WebClientOptions } from '@slack/web-api';
import { SlackEmulator } from '../../src/sandbox/emulator';
import { SignedSlackClient } from '../../src/sandbox/slack-client';
import { silentSlackLogger } from '../support/alerts';

type SlackError = { code: string; data?: { error: string; response_metadata?: { messages?: string[] } } };

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const modal = (title = 'Escalate') => ({
  type: 'modal' as const,
  callback_id: 'escalate',
  title: { type: 'plain_text' as const, text: title },
  submit: { type: 'plain_text' as const, text: 'Send' },
  blocks: [
    {
      type: 'input',
      block_id: 'reason',
      label: { type: 'plain_text', text: 'Reason' },
      element: { type: 'plain_text_input', action_id: 'value' },
    },
    {
      type: 'input',
      block_id: 'severity',
      label: { type: 'plain_text', text: 'Severity' },
      element: {
        type: 'static_select',
        action_id: 'pick',
        options: [
          { text: { type: 'plain_text', text: 'High' }, value: 'high' },
          { text: { type: 'plain_text', text: 'Low' }, value: 'low' },
        ],
      },
    },
  ],
});

async function caught(promise: Promise<unknown>): Promise<SlackError & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as SlackError & Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

const webClient = (token: string | undefined, on: SlackEmulator, extra: WebClientOptions = {}) =>
  new WebClient(token, { slackApiUrl: on.apiUrl, retryConfig: { retries: 0 }, logger: silentSlackLogger, ...extra });

let emulator: SlackEmulator;
let client: WebClient;

beforeAll(async () => {
  emulator = await SlackEmulator.start();
  client = webClient(emulator.botToken, emulator);
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

describe('messages', () => {
  it('posts a message, then shows the edited version after chat.update', async () => {
    const posted = await client.chat.postMessage({ channel: '#trustops-sla', text: 'Case 12 is at risk' });
    expect(posted).toMatchObject({ ok: true, channel: 'C0SLA', message: { text: 'Case 12 is at risk' } });
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);

    const updated = await client.chat.update({
      channel: posted.channel!,
      ts: posted.ts!,
      text: 'Case 12 breached',
      blocks: [section('*Breached*')],
    });
    expect(updated).toMatchObject({ ok: true, channel: 'C0SLA', ts: posted.ts, text: 'Case 12 breached' });

    const [message] = emulator.messages('trustops-sla');
    expect(message).toMatchObject({ ts: posted.ts, user: emulator.botUserId, text: 'Case 12 breached' });
    expect(message?.blocks).toEqual([expect.objectContaining(section('*Breached*'))]);
    expect(message?.edited).toEqual({ user: emulator.botUserId, ts: expect.any(String) });
  });

  it('gives every message a unique, increasing ts', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.chat.postMessage({ channel: 'C0GENERAL', text: `m${i}` })),
    );
    const ts = results.map((r) => r.ts!).sort();
    expect(new Set(ts).size).toBe(20);
    expect(emulator.messages('general').map((m) => m.ts)).toEqual(ts);
  });

  it('answers channel_not_found for a channel that does not exist', async () => {
    const err = await caught(client.chat.postMessage({ channel: 'C0NOPE', text: 'hi' }));
    expect(err.code).toBe(ErrorCode.PlatformError);
    expect(err.data?.error).toBe('channel_not_found');
  });

  it('finds channels added at run time, by name', async () => {
    const added = emulator.addChannel('trustops-qa');
    const posted = await client.chat.postMessage({ channel: 'trustops-qa', text: 'hello' });
    expect(posted.channel).toBe(added.id);
  });

  it('answers message_not_found when updating a message that is not there', async () => {
    const err = await caught(client.chat.update({ channel: 'C0SLA', ts: '1700000000.000001', text: 'x' }));
    expect(err.data?.error).toBe('message_not_found');
  });

  it('rejects a message without text, blocks or attachments', async () => {
    const err = await caught(client.apiCall('chat.postMessage', { channel: 'C0SLA' }));
    expect(err.data?.error).toBe('no_text');
  });

  it('rejects text over 40,000 characters', async () => {
    const err = await caught(client.chat.postMessage({ channel: 'C0SLA', text: 'x'.repeat(40_001) }));
    expect(err.data?.error).toBe('msg_too_long');
  });

  it('deletes a message', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0SLA', text: 'oops' });
    await client.chat.delete({ channel: 'C0SLA', ts: posted.ts! });
    expect(emulator.messages('C0SLA')).toEqual([]);
  });

  it('threads replies under their parent', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0ESCALATIONS', text: 'Escalation #4' });
    await client.chat.postMessage({ channel: 'C0ESCALATIONS', text: 'Approved by Alice', thread_ts: parent.ts! });

    const history = await client.conversations.history({ channel: 'C0ESCALATIONS' });
    expect(history.messages).toHaveLength(1);
    expect(history.messages?.[0]).toMatchObject({ ts: parent.ts, reply_count: 1, thread_ts: parent.ts });

    const replies = await client.conversations.replies({ channel: 'C0ESCALATIONS', ts: parent.ts! });
    expect(replies.messages?.map((m) => m.text)).toEqual(['Escalation #4', 'Approved by Alice']);
  });

  it('posts ephemeral messages only for one user', async () => {
    const res = await client.chat.postEphemeral({ channel: 'C0TRIAGE', user: 'U0BOB', text: 'Only you can see this' });
    expect(res.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(emulator.messages('C0TRIAGE')).toEqual([]);
    expect(emulator.ephemeralMessages({ user: 'U0BOB' })).toEqual([
      expect.objectContaining({ channel: 'C0TRIAGE', text: 'Only you can see this', ts: res.message_ts }),
    ]);
  });
});

describe('Block Kit limits', () => {
  it('accepts 50 blocks and rejects 51 with invalid_blocks, explaining why', async () => {
    const blocks = (n: number) => Array.from({ length: n }, (_, i) => section(`row ${i}`));
    await expect(client.chat.postMessage({ channel: 'C0SLA', text: 'ok', blocks: blocks(50) })).resolves.toMatchObject({ ok: true });

    const err = await caught(client.chat.postMessage({ channel: 'C0SLA', text: 'too many', blocks: blocks(51) }));
    expect(err.data?.error).toBe('invalid_blocks');
    expect(err.data?.response_metadata?.messages).toContain('[ERROR] no more than 50 items allowed [json-pointer:/blocks]');
  });

  it('rejects a section whose text is 3001 characters', async () => {
    const err = await caught(client.chat.postMessage({ channel: 'C0SLA', text: 'long', blocks: [section('x'.repeat(3001))] }));
    expect(err.data?.error).toBe('invalid_blocks');
    expect(err.data?.response_metadata?.messages).toEqual(['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]']);
  });

  it('checks headers, buttons, ids and block types', async () => {
    const button = (action_id: string, text = 'Go', value = 'v') => ({
      type: 'button',
      action_id,
      text: { type: 'plain_text', text },
      value,
    });
    const blocks = [
      { type: 'header', text: { type: 'mrkdwn', text: 'h'.repeat(151) } },
      { type: 'actions', block_id: 'dup', elements: [button('a'), button('a', 'x'.repeat(76), 'y'.repeat(2001))] },
      { type: 'actions', block_id: 'dup', elements: Array.from({ length: 26 }, (_, i) => button(`b${i}`)) },
      { type: 'carousel' },
      { type: 'section', block_id: 'i'.repeat(256), text: { type: 'plain_text', text: 'ok' } },
    ];
    const err = await caught(client.chat.postMessage({ channel: 'C0SLA', text: 'x', blocks }));
    const messages = err.data?.response_metadata?.messages ?? [];
    expect(messages).toEqual(
      expect.arrayContaining([
        '[ERROR] must be a valid enum value [json-pointer:/blocks/0/text/type]',
        '[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]',
        '[ERROR] duplicate action_id: a [json-pointer:/blocks/1/elements/1/action_id]',
        '[ERROR] must be less than 76 characters [json-pointer:/blocks/1/elements/1/text/text]',
        '[ERROR] must be less than 2001 characters [json-pointer:/blocks/1/elements/1/value]',
        '[ERROR] no more than 25 items allowed [json-pointer:/blocks/2/elements]',
        '[ERROR] duplicate block_id: dup [json-pointer:/blocks/2/block_id]',
        '[ERROR] unsupported type: carousel [json-pointer:/blocks/3/type]',
        '[ERROR] must be less than 256 characters [json-pointer:/blocks/4/block_id]',
      ]),
    );
  });

  it('allows the same action_id in different blocks, as Slack does', async () => {
    const claim = (caseId: string) => ({
      type: 'actions',
      block_id: `case:${caseId}`,
      elements: [{ type: 'button', action_id: 'claim', text: { type: 'plain_text', text: 'Claim' }, value: caseId }],
    });
    await expect(client.chat.postMessage({ channel: 'C0TRIAGE', text: 'queue', blocks: [claim('1'), claim('2')] })).resolves.toMatchObject({
      ok: true,
    });
  });
});

describe('auth and faults', () => {
  it('answers invalid_auth for a wrong token, not_authed for none, unknown_method for a made-up method', async () => {
    const wrong = webClient('xoxb-wrong', emulator);
    expect((await caught(wrong.auth.test())).data?.error).toBe('invalid_auth');
    const none = webClient(undefined, emulator);
    expect((await caught(none.auth.test())).data?.error).toBe('not_authed');
    expect((await caught(client.apiCall('chat.postMessag', { channel: 'C0SLA', text: 'x' }))).data?.error).toBe('unknown_method');
  });

  it('accepts the token as a parameter and JSON bodies', async () => {
    const res = await fetch(`${emulator.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.botToken}` },
      body: JSON.stringify({ channel: 'C0SLA', blocks: [section('json')] }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: 'C0SLA' });
    const form = await fetch(`${emulator.apiUrl}auth.test`, {
      method: 'POST',
      body: new URLSearchParams({ token: emulator.botToken }),
    });
    expect(await form.json()).toMatchObject({ ok: true, user_id: emulator.botUserId, team_id: emulator.teamId });
  });

  it('rate-limits with HTTP 429 and Retry-After, which WebClient surfaces when it rejects rate-limited calls', async () => {
    const strict = webClient(emulator.botToken, emulator, { rejectRateLimitedCalls: true });
    emulator.injectRateLimit({ method: 'chat.postMessage', times: 1, retryAfterSeconds: 7 });

    const err = await caught(strict.chat.postMessage({ channel: 'C0SLA', text: 'first' }));
    expect(err.code).toBe(ErrorCode.RateLimitedError);
    expect(err.retryAfter).toBe(7);
    expect(emulator.callsTo('chat.postMessage')).toEqual([
      expect.objectContaining({ status: 429, response: { ok: false, error: 'ratelimited' } }),
    ]);
    // Only the injected number of calls is limited.
    await expect(strict.chat.postMessage({ channel: 'C0SLA', text: 'second' })).resolves.toMatchObject({ ok: true });
  });

  it('injects server errors and platform errors', async () => {
    emulator.injectError({ method: 'chat.postMessage', times: 1, error: 'upstream exploded', status: 500 });
    const http = await caught(client.chat.postMessage({ channel: 'C0SLA', text: 'x' }));
    expect(http).toMatchObject({ code: ErrorCode.HTTPError, statusCode: 500, body: 'upstream exploded' });

    emulator.injectError({ times: 1, error: 'fatal_error' });
    expect((await caught(client.auth.test())).data?.error).toBe('fatal_error');
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
  });

  it('loses an answer after storing the post: the caller sees a network error, the message is there', async () => {
    emulator.injectLostResponse({ method: 'chat.postMessage', every: 2 });
    await expect(client.chat.postMessage({ channel: 'C0SLA', text: 'answered' })).resolves.toMatchObject({ ok: true });
    const err = await caught(client.chat.postMessage({ channel: 'C0SLA', text: 'stored, answer lost' }));
    expect(err.code).toBe(ErrorCode.RequestError);
    expect(emulator.messages('C0SLA').map((m) => m.text)).toEqual(['answered', 'stored, answer lost']);
    expect(emulator.callsTo('chat.postMessage').map((c) => c.status)).toEqual([200, 0]);
  });
});

describe('outages on the emulator’s clock', () => {
  let now = Date.parse('2026-12-02T09:00:00Z');
  let away: SlackEmulator;
  let awayClient: WebClient;
  beforeAll(async () => {
    away = await SlackEmulator.start({ now: () => now });
    awayClient = webClient(away.botToken, away);
  });
  afterAll(async () => {
    await away.stop();
  });

  it('drops every connection during a refusing outage, and answers again once its window has passed', async () => {
    away.injectOutage({ until: now + 60_000, mode: 'refuse' });
    expect((await caught(awayClient.chat.postMessage({ channel: 'C0SLA', text: 'during' }))).code).toBe(ErrorCode.RequestError);
    expect((await caught(awayClient.auth.test())).code).toBe(ErrorCode.RequestError);
    now += 60_000;
    await expect(awayClient.chat.postMessage({ channel: 'C0SLA', text: 'after' })).resolves.toMatchObject({ ok: true });
    expect(away.messages('C0SLA').map((m) => m.text)).toEqual(['after']);
    expect(away.calls.map((c) => [c.method, c.status])).toEqual([
      ['chat.postMessage', 0],
      ['auth.test', 0],
      ['chat.postMessage', 200],
    ]);
  });

  it('answers an HTTP status such as 503 during an erroring outage, from its start', async () => {
    away.reset();
    away.injectOutage({ from: now + 10_000, until: now + 20_000, mode: 'error', status: 503 });
    await expect(awayClient.auth.test()).resolves.toMatchObject({ ok: true });
    now += 10_000;
    expect(await caught(awayClient.chat.postMessage({ channel: 'C0SLA', text: 'x' }))).toMatchObject({
      code: ErrorCode.HTTPError,
      statusCode: 503,
    });
    expect(away.messages('C0SLA')).toEqual([]);
  });
});

describe('files upload v2', () => {
  it('uploads through filesUploadV2 and shares the file in the channel', async () => {
    const res = await client.filesUploadV2({
      channel_id: 'C0COPYRIGHT',
      content: 'DMCA notice body',
      filename: 'notice-17.txt',
      initial_comment: 'Notice 17 attached',
    });
    expect(res.ok).toBe(true);

    const [message] = emulator.messages('trustops-copyright');
    expect(message?.text).toBe('Notice 17 attached');
    expect(message?.files).toEqual([expect.objectContaining({ name: 'notice-17.txt', mimetype: 'text/plain' })]);
    const [file] = (message?.files ?? []) as { id: string }[];
    expect(file).toBeDefined();
    expect(emulator.file(file!.id)?.bytes?.toString('utf8')).toBe('DMCA notice body');
    expect(emulator.callsTo('files.getUploadURLExternal')[0]?.args).toMatchObject({ filename: 'notice-17.txt', length: '16' });
  });

  it('refuses to complete an upload whose bytes never arrived', async () => {
    const url = await client.files.getUploadURLExternal({ filename: 'a.csv', length: 3 });
    expect(url.upload_url?.startsWith(emulator.baseUrl)).toBe(true);
    const err = await caught(client.files.completeUploadExternal({ files: [{ id: url.file_id! }], channel_id: 'C0SLA' }));
    expect(err.data?.error).toBe('file_not_found');
  });
});

describe('views', () => {
  it('opens a modal with a trigger_id it issued, and refuses unknown or reused ones', async () => {
    const trigger = emulator.issueTriggerId('U0ALICE');
    const opened = await client.views.open({ trigger_id: trigger, view: modal() });
    expect(opened.view).toMatchObject({ id: expect.stringMatching(/^V/), type: 'modal', callback_id: 'escalate' });
    expect(emulator.openModals('U0ALICE').map((v) => v.id)).toEqual([opened.view?.id]);

    expect((await caught(client.views.open({ trigger_id: '123.456.abc', view: modal() }))).data?.error).toBe('invalid_trigger_id');
    expect((await caught(client.views.open({ trigger_id: trigger, view: modal() }))).data?.error).toBe('exchanged_trigger_id');
  });

  it('refuses a trigger_id older than 3 seconds', async () => {
    let now = Date.now();
    const timed = await SlackEmulator.start({ now: () => now });
    try {
      const c = webClient(timed.botToken, timed);
      const trigger = timed.issueTriggerId('U0ALICE');
      now += 3001;
      expect((await caught(c.views.open({ trigger_id: trigger, view: modal() }))).data?.error).toBe('expired_trigger_id');
    } finally {
      await timed.stop();
    }
  });

  it('rejects a modal title over 24 characters with invalid_arguments', async () => {
    const err = await caught(client.views.open({ trigger_id: emulator.issueTriggerId('U0ALICE'), view: modal('x'.repeat(25)) }));
    expect(err.data?.error).toBe('invalid_arguments');
    expect(err.data?.response_metadata?.messages).toEqual(['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]']);
  });

  it('updates a view with its hash and keeps one Home tab view per user', async () => {
    const opened = await client.views.open({ trigger_id: emulator.issueTriggerId('U0BOB'), view: modal() });
    const updated = await client.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view: modal('Step 2') });
    expect(updated.view?.title).toMatchObject({ text: 'Step 2' });
    const stale = await caught(client.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view: modal() }));
    expect(stale.data?.error).toBe('hash_conflict');

    const home = { type: 'home' as const, blocks: [section('Your queue')] };
    const first = await client.views.publish({ user_id: 'U0BOB', view: home });
    const second = await client.views.publish({ user_id: 'U0BOB', view: home });
    expect(second.view?.id).toBe(first.view?.id);
    expect(emulator.homeView('U0BOB')?.blocks).toHaveLength(1);
  });
});

describe('directory', () => {
  it('knows a few users, and opens DMs with them', async () => {
    const info = await client.users.info({ user: 'U0ALICE' });
    expect(info.user).toMatchObject({ id: 'U0ALICE', name: 'alice', tz: 'Europe/Paris', is_admin: true });
    expect((await caught(client.users.info({ user: 'U0NOBODY' }))).data?.error).toBe('user_not_found');

    const dm = await client.conversations.open({ users: 'U0BOB' });
    const posted = await client.chat.postMessage({ channel: 'U0BOB', text: 'Your case was closed' });
    expect(posted.channel).toBe(dm.channel?.id);
    expect(emulator.messages(dm.channel!.id!)).toHaveLength(1);
  });

  it('lists and describes channels', async () => {
    const list = await client.conversations.list({ limit: 3 });
    expect(list.channels).toHaveLength(3);
    const next = await client.conversations.list({ limit: 100, cursor: list.response_metadata?.next_cursor });
    const names = [...(list.channels ?? []), ...(next.channels ?? [])].map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining(['general', 'trustops-sla', 'trustops-escalations', 'trustops-copyright', 'trustops-triage', 'vendor-ops']),
    );
    const info = await client.conversations.info({ channel: 'C0VENDOROPS' });
    expect(info.channel).toMatchObject({ id: 'C0VENDOROPS', name: 'vendor-ops', is_channel: true });
  });
});

describe('sandbox state and waiting', () => {
  it('serves channels with their messages at /sandbox/state, and redirects / there', async () => {
    await client.chat.postMessage({ channel: 'C0TRIAGE', text: 'New report' });
    const state = (await (await fetch(`${emulator.baseUrl}/sandbox/state`)).json()) as {
      channels: { id: string; messages: { text: string }[] }[];
    };
    expect(state.channels.find((c) => c.id === 'C0TRIAGE')?.messages.map((m) => m.text)).toEqual(['New report']);
    const root = await fetch(`${emulator.baseUrl}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/sandbox/state');
  });

  it('waits for a call, and says what it saw when it times out', async () => {
    setTimeout(() => void client.chat.postMessage({ channel: 'C0SLA', text: 'later' }), 30);
    const call = await emulator.waitFor((c) => c.method === 'chat.postMessage', 1000);
    expect(call.args).toMatchObject({ channel: 'C0SLA', text: 'later' });
    await expect(emulator.waitFor((c) => c.method === 'views.open', 50)).rejects.toThrow(/chat.postMessage → ok/);
  });
});

/** A stand-in for the bot: records what it receives and answers with a canned body. */
async function startFakeBot(answer: (req: { body: string }) => string = () => '') {
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    received.push({ headers: req.headers, body });
    const out = answer({ body });
    res.writeHead(200, out ? { 'content-type': 'application/json' } : {}).end(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  return { url, received, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('SignedSlackClient', () => {
  const signingSecret = 'test-signing-secret';
  let bot: Awaited<ReturnType<typeof startFakeBot>>;
  let reply = '';
  let slack: SignedSlackClient;

  beforeAll(async () => {
    bot = await startFakeBot(() => reply);
    slack = new SignedSlackClient({ botUrl: bot.url, signingSecret, emulator });
  });
  afterAll(() => bot.stop());
  beforeEach(() => {
    bot.received.length = 0;
    reply = '';
  });

  const verify = (i: number, secret = signingSecret) => {
    const r = bot.received[i]!;
    verifySlackRequest({
      signingSecret: secret,
      body: r.body,
      headers: {
        'x-slack-signature': String(r.headers['x-slack-signature']),
        'x-slack-request-timestamp': Number(r.headers['x-slack-request-timestamp']),
      },
    });
  };

  it('signs every kind of request so that Bolt verifies it', async () => {
    await slack.command('help');
    await slack.blockAction({ userId: 'U0ALICE', actionId: 'claim', value: '12' });
    await slack.viewSubmission({ userId: 'U0ALICE', callbackId: 'escalate', values: { reason: { value: 'spam' } } });
    await slack.event({ type: 'app_home_opened', user: 'U0ALICE', tab: 'home' });
    await slack.urlVerification('abc');
    await slack.raw('payload=%7Bnot-json');
    for (let i = 0; i < 6; i++) expect(() => verify(i)).not.toThrow();
  });

  it('can send a wrong signature, an old timestamp and retry headers', async () => {
    await slack.command('help', {}, { signingSecret: 'other-secret' });
    expect(() => verify(0)).toThrow(/signature mismatch/);
    await slack.event(
      { type: 'app_mention', text: 'hi' },
      { timestamp: Math.floor(Date.now() / 1000) - 600, retryNum: 1, retryReason: 'http_timeout' },
    );
    expect(() => verify(1)).toThrow(/stale/);
    expect(bot.received[1]?.headers).toMatchObject({ 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
  });

  it('sends slash commands with Slack’s fields, a usable trigger_id and a response_url', async () => {
    const sent = await slack.command('escalate 42', { userId: 'U0BOB', channelId: 'trustops-triage' });
    const form = Object.fromEntries(new URLSearchParams(bot.received[0]!.body));
    expect(form).toMatchObject({
      team_id: emulator.teamId,
      channel_id: 'C0TRIAGE',
      channel_name: 'trustops-triage',
      user_id: 'U0BOB',
      user_name: 'bob',
      command: '/trustops',
      text: 'escalate 42',
      api_app_id: emulator.appId,
      response_url: sent.responseUrl,
      trigger_id: sent.triggerId,
    });
    expect(form.token).toEqual(expect.any(String));
    expect(bot.received[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');

    await expect(client.views.open({ trigger_id: sent.triggerId!, view: modal() })).resolves.toMatchObject({ ok: true });

    const posted = await fetch(sent.responseUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'in_channel', text: 'Escalated case 42' }),
    });
    expect(posted.status).toBe(200);
    expect(await slack.waitForResponse(sent.responseUrl!)).toEqual([{ response_type: 'in_channel', text: 'Escalated case 42' }]);
    expect(emulator.messages('C0TRIAGE').map((m) => m.text)).toEqual(['Escalated case 42']);
  });

  it('shows an ack body to the user as an ephemeral message', async () => {
    reply = JSON.stringify({ text: 'Usage: /trustops help' });
    await slack.command('nonsense', { userId: 'U0CAROL' });
    expect(emulator.ephemeralMessages({ user: 'U0CAROL' }).map((m) => m.text)).toEqual(['Usage: /trustops help']);
  });

  it('clicks a button on a posted message with the message, block_id and value Slack would send', async () => {
    const posted = await client.chat.postMessage({
      channel: 'C0ESCALATIONS',
      text: 'Approve?',
      blocks: [
        section('Escalation 9'),
        {
          type: 'actions',
          elements: [
            { type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' }, value: 'esc-9', style: 'primary' },
          ],
        },
      ],
    });
    // Like a real click, only elements that are on the message can be used.
    await expect(slack.blockAction({ userId: 'U0DAVE', actionId: 'nope', messageTs: posted.ts! })).rejects.toThrow(/no element/);
    const sent = await slack.blockAction({ userId: 'U0DAVE', actionId: 'approve', messageTs: posted.ts! });
    const payload = JSON.parse(new URLSearchParams(bot.received[0]!.body).get('payload')!);
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0DAVE', username: 'dave', team_id: emulator.teamId },
      container: { type: 'message', message_ts: posted.ts, channel_id: 'C0ESCALATIONS' },
      channel: { id: 'C0ESCALATIONS', name: 'trustops-escalations' },
      message: { ts: posted.ts, text: 'Approve?' },
      response_url: sent.responseUrl,
      trigger_id: sent.triggerId,
      actions: [{ action_id: 'approve', value: 'esc-9', type: 'button', block_id: expect.any(String), action_ts: expect.any(String) }],
    });
    const actionsBlock = emulator.messages('C0ESCALATIONS')[0]?.blocks?.[1] as { block_id: string };
    expect(payload.actions[0].block_id).toBe(actionsBlock.block_id);

    // The bot answers through the response_url, replacing the original message.
    const res = await fetch(sent.responseUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replace_original: true, text: 'Approved by Dave' }),
    });
    expect(res.status).toBe(200);
    expect(emulator.messages('C0ESCALATIONS').map((m) => m.text)).toEqual(['Approved by Dave']);
  });

  it('replaces a slash command’s earlier answer when the next one through the same response_url says replace_original', async () => {
    const sent = await slack.command('metrics last 7d', { userId: 'U0ERIN' });
    const post = (body: object) =>
      fetch(sent.responseUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answers = () => emulator.ephemeralMessages({ user: 'U0ERIN' }).map((m) => m.text);
    const before = answers().length;
    expect((await post({ response_type: 'ephemeral', replace_original: true, text: '⏳ Working on it…' })).status).toBe(200);
    expect(answers().slice(before)).toEqual(['⏳ Working on it…']);
    expect((await post({ response_type: 'ephemeral', replace_original: true, text: 'The figures' })).status).toBe(200);
    expect(answers().slice(before)).toEqual(['The figures']);
    // Without replace_original, a further answer is a new message.
    await post({ response_type: 'ephemeral', text: 'One more thing' });
    expect(answers().slice(before)).toEqual(['The figures', 'One more thing']);
  });

  it('rejects response_url bodies that break Block Kit limits', async () => {
    const sent = await slack.command('help');
    const res = await fetch(sent.responseUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(emulator.responses(sent.responseUrl!)).toEqual([expect.objectContaining({ status: 400 })]);
  });

  it('submits a modal with state values in Slack’s shape, then closes it', async () => {
    const opened = await client.views.open({
      trigger_id: emulator.issueTriggerId('U0ALICE'),
      view: { ...modal(), private_metadata: 'case=42' },
    });
    await slack.viewSubmission({
      userId: 'U0ALICE',
      callbackId: 'escalate',
      values: { reason: { value: 'Repeated spam' }, severity: { pick: 'high' } },
    });
    const payload = JSON.parse(new URLSearchParams(bot.received[0]!.body).get('payload')!);
    expect(payload).toMatchObject({
      type: 'view_submission',
      user: { id: 'U0ALICE' },
      view: {
        id: opened.view?.id,
        callback_id: 'escalate',
        private_metadata: 'case=42',
        state: {
          values: {
            reason: { value: { type: 'plain_text_input', value: 'Repeated spam' } },
            severity: { pick: { type: 'static_select', selected_option: { value: 'high', text: { type: 'plain_text', text: 'High' } } } },
          },
        },
      },
    });
    expect(emulator.openModals('U0ALICE')).toEqual([]);
  });

  it('keeps the modal open when the bot answers with errors', async () => {
    await client.views.open({ trigger_id: emulator.issueTriggerId('U0ERIN'), view: modal() });
    reply = JSON.stringify({ response_action: 'errors', errors: { reason: 'Required' } });
    await slack.viewSubmission({ userId: 'U0ERIN', callbackId: 'escalate', values: { reason: { value: '' } } });
    expect(emulator.openModals('U0ERIN')).toHaveLength(1);
  });

  it('wraps events in an event_callback', async () => {
    await slack.event({ type: 'member_joined_channel', user: 'U0BOB', channel: 'C0TRIAGE' });
    expect(JSON.parse(bot.received[0]!.body)).toMatchObject({
      type: 'event_callback',
      team_id: emulator.teamId,
      api_app_id: emulator.appId,
      event: { type: 'member_joined_channel', user: 'U0BOB', event_ts: expect.any(String) },
      event_id: expect.stringMatching(/^Ev/),
      authorizations: [{ user_id: emulator.botUserId, is_bot: true }],
    });
    expect(bot.received[0]?.headers['content-type']).toBe('application/json');
  });
});

describe('users.info', () => {
  it('gives each user the UTC offset of their zone at the emulator’s instant, summer time included', async () => {
    const at = { now: Date.parse('2026-07-01T12:00:00Z') };
    const summer = await SlackEmulator.start({ now: () => at.now });
    const api = new WebClient(summer.botToken, { slackApiUrl: summer.apiUrl });
    const offset = async (user: string) => ((await api.users.info({ user })).user as { tz_offset: number }).tz_offset;
    expect([await offset('U0ALICE'), await offset('U0BOB'), await offset('U0DAVE')]).toEqual([7200, -14400, 19800]);
    at.now = Date.parse('2026-12-01T12:00:00Z');
    expect([await offset('U0ALICE'), await offset('U0BOB')]).toEqual([3600, -18000]);
    await summer.stop();
  });
});
