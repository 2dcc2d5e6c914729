// Adversarial Slack interactions against the real app: button clicks with unknown action ids or bogus
// values, modal submissions with broken private_metadata, and hostile text typed into the escalation
// modals (requests Slack would never send are in slack-requests.test.ts). Every input must: be answered without a 5xx (and
// without Bolt's 3-second 404 for requests nothing listens to), store nothing when refused, post no
// live mention or link made of the user's text, and leave /healthz answering.

import {
  AMP_FLOOD,
  CARD_SAMPLE,
  changed,
  eventually,
  healthStatus,
  lastAlertId,
  liveMarkupSince,
  type Mark,
  mark,
  rowCounts,
  settledAlerts,
  show,
  textsSince,
} from '../support/adversarial-checks';
import { ADMIN, startTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

const VIEWER = 'U0BOB';
const GENERIC = /Something went wrong/i;

type Sent = { status: number };
type Row = {
  name: string;
  send: (e: { escalationId: number }) => Promise<Sent>;
  /** The status Slack must get: 200 for anything well-formed (even if nothing listens), 400 for garbage. */
  status: 200 | 400;
  /** A clear answer is posted to the user (ephemeral, response_url or App Home). */
  answers?: boolean;
  /** Slack interaction audit rows (`slack.*`) the request leaves; garbage is not attributable to anyone. */
  audits?: number;
  /** Needs a pending escalation of its own. */
  pending?: boolean;
  /** Tables that gain rows when accepted. */
  stores?: Record<string, number>;
};

const click = (actionId: string, value: string | undefined, userId = ADMIN) =>
  t.slack.blockAction({ userId, actionId, value, channelId: 'C0ESCALATIONS' });

const submit = (callbackId: string, privateMetadata: string, values: Record<string, Record<string, unknown>> = {}) =>
  t.slack.viewSubmission({ userId: ADMIN, callbackId, privateMetadata, values });

const BOGUS_VALUES: [name: string, value: string | undefined][] = [
  ['no value', undefined],
  ['an empty value', ''],
  ['a value that is not JSON', 'not json'],
  ['a JSON null', 'null'],
  ['a JSON array', '[]'],
  ['an empty object', '{}'],
  ['an id as a string', '{"escalationId":"1"}'],
  ['a negative id', '{"escalationId":-1}'],
  ['an id of 1e400', '{"escalationId":1e400}'],
  ['an id past int4', '{"escalationId":2147483648}'],
  ['a fractional id', '{"escalationId":1.5}'],
  ['a __proto__ key', '{"__proto__":{"escalationId":1}}'],
  ['an @channel mention', '<!channel>'],
  ['10,000 characters', 'x'.repeat(10_000)],
];

// Each of these needs an escalation card of its own, and a channel takes one post a second: a sample.
const MODAL_TEXT = [
  ...CARD_SAMPLE.filter(([name]) => /@channel|a user mention|disguised/.test(name)),
  ['2,000 ampersands', AMP_FLOOD(2000)],
] as const;

const rows: Row[] = [
  // Buttons: nothing listens to these action ids; Slack still needs its ack at once.
  ...['evil_action', '<!channel>', 'x'.repeat(10_000), '__proto__', 'constructor', 'escalation_approve_extra'].map(
    (id): Row => ({ name: `a click on unknown action id ${show(id)}`, send: () => click(id, '1'), status: 200, audits: 1 }),
  ),
  // Buttons whose value was tampered with: a clear answer, nothing recorded.
  ...BOGUS_VALUES.map(
    ([name, value]): Row => ({
      name: `approve with ${name}`,
      send: () => click('escalation_approve', value),
      status: 200,
      answers: true,
      audits: 1,
    }),
  ),
  ...BOGUS_VALUES.slice(2, 6).flatMap(([name, value]): Row[] =>
    [
      'escalation_reject',
      'escalation_request_info',
      'escalation_reassign',
      'sla_acknowledge',
      'sla_reassign',
      'case_page_next',
      'metrics_page_next',
      'metrics_export',
      'metrics_post',
      'alert_retry',
    ].map((id): Row => ({ name: `${id} with ${name}`, send: () => click(id, value), status: 200, answers: true, audits: 1 })),
  ),
  {
    name: 'alert_retry on an alert that does not exist',
    send: () => click('alert_retry', '{"alertId":999999}'),
    status: 200,
    answers: true,
    audits: 1,
  },
  ...['escalation_approve', 'escalation_reject', 'escalation_request_info', 'escalation_reassign'].map(
    (id): Row => ({
      name: `${id} on an escalation that does not exist`,
      send: () => click(id, '{"escalationId":999999}'),
      status: 200,
      answers: true,
      audits: 1,
    }),
  ),
  {
    name: 'approve as a viewer on an escalation that does not exist',
    send: () => click('escalation_approve', '{"escalationId":999999}', VIEWER),
    status: 200,
    answers: true,
    audits: 1,
  },
  {
    name: 'a link button with a hostile value',
    send: () => click('triage_open_review', '<!channel>'),
    status: 200,
    audits: 1,
  },

  // Modal submissions with private_metadata that the bot never wrote.
  ...(
    [
      ['not JSON', '{'],
      ['an @channel mention', '<!channel>'],
      ['empty', ''],
      ['a JSON null', 'null'],
      ['a JSON array', '[]'],
      ['an id as a string', '{"escalationId":"1"}'],
      ['an escalation that does not exist', '{"escalationId":999999}'],
      ['a __proto__ key', '{"__proto__":{"polluted":true},"escalationId":1}'],
      ['3,000 characters', 'x'.repeat(3000)],
    ] as const
  ).flatMap(([name, metadata]): Row[] =>
    ['reject_escalation', 'request_escalation_info', 'reassign_escalation', 'reassign_case'].map(
      (callbackId): Row => ({
        name: `${callbackId} submitted with private_metadata ${name}`,
        send: () => submit(callbackId, metadata, { reason: { text: 'because' } }),
        status: 200,
        audits: 1,
      }),
    ),
  ),
  ...['evil_callback', '<!channel>', '__proto__'].map(
    (id): Row => ({ name: `a submission of unknown callback id ${show(id)}`, send: () => submit(id, '{}'), status: 200, audits: 1 }),
  ),

  // Hostile text typed into the modals of a real pending escalation: accepted, shown inert.
  ...MODAL_TEXT.map(
    ([name, value]): Row => ({
      name: `a rejection whose reason is ${name}`,
      send: ({ escalationId }) =>
        submit('reject_escalation', JSON.stringify({ escalationId, channelId: 'C0ESCALATIONS' }), { reason: { text: value } }),
      status: 200,
      audits: 1,
      pending: true,
      answers: true,
      stores: { votes: 1, alerts: 1 },
    }),
  ),
  ...MODAL_TEXT.map(
    ([name, value]): Row => ({
      name: `a request for information whose question is ${name}`,
      send: ({ escalationId }) =>
        submit('request_escalation_info', JSON.stringify({ escalationId, channelId: 'C0ESCALATIONS' }), { reason: { text: value } }),
      status: 200,
      audits: 1,
      pending: true,
      answers: true,
      stores: { alerts: 1 },
    }),
  ),

  {
    name: 'a payload with a NUL in the action value',
    send: () => click('escalation_approve', '{"escalationId":1}\u0000'),
    status: 200,
    answers: true,
    audits: 1,
  },
];

let seq = 0;
/** A pending escalation on a case of its own, raised through the API; resolves once its card is posted. */
async function pendingEscalation(): Promise<number> {
  const id = `adv-int-${++seq}`;
  const report = await t.api('/api/v1/reports', {
    external_id: id,
    surface: 'claude_ai',
    report_type: 'harmful_content',
    content_ref: `https://claude.ai/share/${id}`,
    received_at: new Date(Date.now() - 60_000).toISOString(),
  });
  const from = await lastAlertId(t);
  const escalation = await t.api('/api/v1/escalations', {
    external_id: id,
    case_id: report.json.case_id,
    severity: 'sev3',
    reason: 'please look',
  });
  if (escalation.status !== 201) throw new Error(`could not raise an escalation: ${escalation.status} ${JSON.stringify(escalation.json)}`);
  await settledAlerts(t, from);
  return escalation.json.id as number;
}

const slackAudits = () => t.db.prisma.auditEvent.count({ where: { action: { startsWith: 'slack.' } } });

/** Waits for what the request should leave behind: an answer, its audit row(s), and a drained outbox. */
async function settle(row: Row, m: Mark, auditsBefore: number, alertsFrom: number) {
  const answered = row.answers
    ? await eventually(async () => textsSince(t, m).find((x) => !x.startsWith('⏳')), 'an answer', 3000).catch(() => undefined)
    : undefined;
  if (row.audits)
    await eventually(async () => (await slackAudits()) - auditsBefore >= row.audits! || undefined, 'the audit row', 2000).catch(() => 0);
  const delivered = await settledAlerts(t, alertsFrom).catch((err: Error) => [err.message]);
  return { answered, delivered };
}

describe(`${rows.length} adversarial interactions`, () => {
  it.each(rows)('$name', async (row) => {
    const escalationId = row.pending ? await pendingEscalation() : 0;
    const m = mark(t);
    const alertsFrom = await lastAlertId(t);
    const before = await rowCounts(t);
    const auditsBefore = await slackAudits();

    const sent = await row.send({ escalationId });
    const { answered, delivered } = await settle(row, m, auditsBefore, alertsFrom);
    const { audit: _audit, ...tables } = changed(before, await rowCounts(t));

    expect({
      status: sent.status,
      ...(row.answers ? { answered: answered !== undefined, genericError: GENERIC.test(answered ?? '') } : {}),
      ...(row.audits !== undefined ? { audits: (await slackAudits()) - auditsBefore } : {}),
      liveMarkup: liveMarkupSince(t, m),
      stored: tables,
      undelivered: delivered.filter((d) => d !== 'sent'),
      prototypePolluted: 'polluted' in Object.prototype || 'escalationId' in Object.prototype,
      health: await healthStatus(t),
    }).toEqual({
      status: row.status,
      ...(row.answers ? { answered: true, genericError: false } : {}),
      ...(row.audits !== undefined ? { audits: row.audits } : {}),
      liveMarkup: [],
      stored: row.stores ?? {},
      undelivered: [],
      prototypePolluted: false,
      health: 200,
    });
  });
});
