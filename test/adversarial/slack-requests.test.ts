// Requests to /slack/events that Slack would never send, or that nothing listens to, against the real
// Bolt HTTP receiver: bodies that are not JSON objects, payloads of unknown types or missing parts, events
// nobody handles, and signatures that are wrong, stale or from the future. The one right answer: 401 for
// a request that is not verifiably Slack's, 400 for a body that is no kind of Slack request (not an
// object, or of no type Slack sends), otherwise 200 at once (never Bolt's 404 after 3 seconds, never a
// 5xx, never a hang); nothing stored, nothing posted live.

import { changed, healthStatus, liveMarkupSince, mark, postSigned, rowCounts } from '../support/adversarial-checks';
import { ADMIN, startTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const USER = { id: ADMIN, username: 'admin', name: 'admin', team_id: 'T0TRUSTOPS' };
const TEAM = { id: 'T0TRUSTOPS', domain: 'trustops' };

type Row = { name: string; body: string; contentType?: string; timestamp?: number; headers?: Record<string, string>; status: number };

const form = (name: string, fields: Record<string, string>, status: number): Row => ({
  name,
  body: new URLSearchParams(fields).toString(),
  status,
});
const payload = (name: string, p: unknown, status: number): Row =>
  form(name, { payload: typeof p === 'string' ? p : JSON.stringify(p) }, status);
const json = (name: string, body: unknown, status: number, more: Partial<Row> = {}): Row => ({
  name,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  contentType: JSON_TYPE,
  status,
  ...more,
});
const event = (name: string, e: unknown, more: Partial<Row> = {}): Row =>
  json(
    name,
    { type: 'event_callback', team_id: 'T0TRUSTOPS', api_app_id: 'A0TRUSTOPS', event_id: `Ev${name.length}`, event: e },
    200,
    more,
  );

const now = () => Math.floor(Date.now() / 1000);
const command = { command: '/trustops', text: 'help', user_id: ADMIN, channel_id: 'C0GENERAL', team_id: 'T0TRUSTOPS' };

const rows: Row[] = [
  // Bodies that are no kind of Slack request.
  form('a payload that is not JSON', { payload: '{' }, 400),
  payload('a payload of null', 'null', 400),
  payload('a payload that is an array', '[]', 400),
  payload('a payload that is a string', '"x"', 400),
  payload('a payload that is a number', '42', 400),
  payload('a payload of true', 'true', 400),
  json('a JSON body that is not JSON', '{"type":', 400),
  json('a JSON body of null', 'null', 400),
  json('a JSON body that is an array', '[]', 400),
  json('a JSON body that is a string', '"x"', 400),
  { name: 'text/plain', body: 'hello', contentType: 'text/plain', status: 400 },
  form('a form body with no payload', { foo: 'bar' }, 400),
  { name: 'an empty form body', body: '', status: 400 },
  payload('a payload of an unknown type', { type: 'evil', user: USER, team: TEAM }, 400),
  payload('block_actions with no user or actions', { type: 'block_actions' }, 400),
  form('a command with no command field', { text: '<!channel>', user_id: ADMIN, channel_id: 'C0GENERAL' }, 400),
  json('a JSON body with no type', {}, 400),
  json('an event_callback with no event', { type: 'event_callback', team_id: 'T0TRUSTOPS' }, 400),

  // Slack requests nothing listens to, or missing the parts a listener reads: acknowledged at once.
  payload('block_actions with no actions', { type: 'block_actions', user: USER, team: TEAM, actions: [] }, 200),
  payload('block_actions with a null action', { type: 'block_actions', user: USER, team: TEAM, actions: [null] }, 200),
  payload('a view_submission with no view', { type: 'view_submission', user: USER, team: TEAM }, 200),
  payload(
    'a view_submission whose view has no state',
    {
      type: 'view_submission',
      user: USER,
      team: TEAM,
      view: { id: 'V0EVIL', callback_id: 'reject_escalation', private_metadata: '{"escalationId":1}' },
    },
    200,
  ),
  payload(
    'a view_closed of an unknown callback',
    { type: 'view_closed', user: USER, team: TEAM, view: { id: 'V0EVIL', callback_id: 'evil' } },
    200,
  ),
  payload(
    'a global shortcut nothing listens to',
    { type: 'shortcut', callback_id: 'evil', user: USER, team: TEAM, trigger_id: '1.2.3' },
    200,
  ),
  payload(
    'a message shortcut nothing listens to',
    { type: 'message_action', callback_id: 'evil', user: USER, team: TEAM, channel: { id: 'C0GENERAL' }, message: { text: '<!channel>' } },
    200,
  ),
  payload(
    'an options request nothing listens to',
    { type: 'block_suggestion', action_id: 'evil', block_id: 'b', value: 'x', user: USER, team: TEAM },
    200,
  ),
  payload(
    'a legacy interactive_message',
    { type: 'interactive_message', callback_id: 'evil', user: USER, team: TEAM, actions: [{ name: 'x' }] },
    200,
  ),
  payload(
    'a legacy dialog_submission',
    { type: 'dialog_submission', callback_id: 'evil', user: USER, team: TEAM, submission: { a: '<!here>' } },
    200,
  ),
  form('a command nothing listens to', { ...command, command: '/evil', text: '<!channel>' }, 200),
  json('url_verification with a hostile challenge', { type: 'url_verification', challenge: '<!channel>' }, 200),
  form('an ssl_check', { ssl_check: '1', token: 'x' }, 200),
  event('an event of a type nothing listens to', { type: 'evil_event', user: 'U0EVIL1' }),
  event('a message event with hostile text', {
    type: 'message',
    user: 'U0EVIL1',
    text: '<!channel> <https://evil.example|click me>',
    channel: 'C0GENERAL',
  }),
  event('a message event of 10,000 ampersands', { type: 'message', user: 'U0EVIL1', text: '&'.repeat(10_000), channel: 'C0GENERAL' }),
  event('app_home_opened by a user Slack does not know', { type: 'app_home_opened', user: 'U0EVIL1', tab: 'home' }),
  event('app_home_opened with a hostile user id', { type: 'app_home_opened', user: '<!channel>', tab: 'home' }),
  event('app_home_opened with no user', { type: 'app_home_opened', tab: 'home' }),
  event(
    'an Events API retry of app_home_opened',
    { type: 'app_home_opened', user: ADMIN, tab: 'home' },
    {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    },
  ),
  json('an event_callback with a null event', { type: 'event_callback', team_id: 'T0TRUSTOPS', event: null }, 200),

  // Requests that are not verifiably from Slack.
  { ...form('a command signed 10 minutes in the future', command, 401), timestamp: now() + 600 },
  { ...form('a command signed 6 minutes in the future', command, 401), timestamp: now() + 360 },
  { ...form('a command signed 10 minutes ago', command, 401), timestamp: now() - 600 },
  { ...form('a command with a wrong signature', command, 401), headers: { 'x-slack-signature': `v0=${'0'.repeat(64)}` } },
  { ...form('a command with a signature of another scheme', command, 401), headers: { 'x-slack-signature': 'v1=abc' } },
  { ...form('a command with a timestamp that is not a number', command, 401), headers: { 'x-slack-request-timestamp': 'abc' } },
  { ...form('a command with no signature', command, 401), headers: { 'x-slack-signature': '' } },
];

describe(`${rows.length} requests Slack would never send`, () => {
  it.each(rows)('$name', async (row) => {
    const m = mark(t);
    const before = await rowCounts(t);
    const res = await postSigned(t, row.body, { contentType: row.contentType ?? FORM, timestamp: row.timestamp, headers: row.headers });
    // The audit of a Slack interaction is expected; anything else is not.
    const { audit: _audit, ...stored } = changed(before, await rowCounts(t));

    expect({
      status: res.status,
      stored,
      liveMarkup: liveMarkupSince(t, m),
      health: await healthStatus(t),
    }).toEqual({ status: row.status, stored: {}, liveMarkup: [], health: 200 });
  });
});
