// Adversarial slash commands against the real app (signed requests to the Bolt HTTP receiver, the Slack
// emulator, a real Postgres). Every input, accepted or refused, must: be acknowledged (no 5xx), get a
// clear answer (never "Something went wrong"), be audited once, post no live mention or link made of
// the user's text, store nothing when refused, and leave /healthz answering.

import {
  AMP_FLOOD,
  auditCount,
  CARD_SAMPLE,
  changed,
  eventually,
  HOSTILE,
  healthStatus,
  lastAlertId,
  liveMarkupSince,
  mark,
  rowCounts,
  settledAlerts,
  show,
} from '../support/adversarial-checks';
import { ADMIN, startTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

/** A user with no role: a viewer by default. */
const VIEWER = 'U0BOB';

type Row = {
  name: string;
  /** The command text; `case` is the id of a fresh case opened for this input. */
  text: (c: { case: number }) => string;
  user?: string;
  /** Tables that gain rows when the input is accepted; a refused input changes none. */
  stores?: Record<string, number>;
};

const cmd = (text: string, more: Omit<Row, 'name' | 'text'> = {}): Row => ({ name: show(text), text: () => text, ...more });
const onCase = (name: string, text: (c: { case: number }) => string, more: Omit<Row, 'name' | 'text'> = {}): Row => ({
  name,
  text,
  ...more,
});

const ESCALATED = { escalations: 1, alerts: 1 };
let n = 0;
const key = (prefix: string) => `${prefix}_${++n}`;

const rows: Row[] = [
  // Unknown subcommands, each hostile string as the subcommand itself.
  ...HOSTILE.map(([name, value]) => ({ name: `unknown subcommand: ${name}`, text: () => value })),
  cmd('x'.repeat(10_000)),
  cmd(AMP_FLOOD(3000)),
  cmd('\u0000'),
  cmd('help \u0000'),
  cmd('\u0000 help'),
  cmd('\uD800 lone surrogate'),
  cmd('__proto__'),
  cmd('constructor'),
  cmd('toString'),
  cmd('expor'),
  cmd('   '),
  cmd('\u202Eetalpmet'),

  // surface / type: hostile display names are accepted and shown inert; hostile keys and verbs refused.
  ...HOSTILE.map(([name, value]) => ({
    ...cmd(`surface add ${key('evil_s')} "${value}"`, { stores: { surfaces: 1 } }),
    name: `surface add with a display name of ${name}`,
  })),
  ...HOSTILE.map(([name, value]) => ({
    ...cmd(`type add ${key('evil_t')} "${value}" urgent`, { stores: { types: 1 } }),
    name: `type add with a display name of ${name}`,
  })),
  ...HOSTILE.map(([name, value]) => ({ ...cmd(`surface add "${value}" "Name"`), name: `surface add with a key of ${name}` })),
  cmd(`surface add ${key('evil_s')} "${AMP_FLOOD(80)}"`, { stores: { surfaces: 1 } }),
  cmd(`surface add ${key('evil_s')} "${'x'.repeat(81)}"`),
  cmd(`surface add ${key('evil_s')} "a\u0000b"`),
  cmd(`type add ${key('evil_t')} "a\u0000b" urgent`),
  cmd('surface add __proto__ "Proto"', { stores: { surfaces: 1 } }),
  cmd('surface add claude_ai "Duplicate"'),
  cmd('surface add'),
  cmd('surface <!channel>'),
  cmd('type <@U0EVIL1>'),
  cmd('type add <https://evil.example|x> "Name"'),
  cmd(`surface add ${key('evil_s')} "<!channel>"`, { user: VIEWER }),
  cmd(`type add ${key('evil_t')} "<!here>"`, { user: VIEWER }),

  // route
  cmd('route remove 999999999999'),
  cmd('route remove 2147483648'),
  cmd('route remove 99999999999999999999999'),
  cmd('route remove -1'),
  cmd('route remove 0'),
  cmd('route remove 1e400'),
  cmd('route remove 1e3'),
  cmd('route remove 0x10'),
  cmd('route remove 1.5'),
  cmd('route remove Infinity'),
  cmd('route remove NaN'),
  cmd('route remove <!channel>'),
  cmd('route remove 1', { user: VIEWER }),
  cmd('route add queue:<!channel>'),
  cmd('route add queue:default priority:<@U0EVIL1>'),
  cmd('route add queue:default surface:<https://evil.example|x>'),
  cmd('route add queue:default type:<!here>'),
  cmd('route add queue:default jurisdiction:<!channel>'),
  cmd('route add queue:default jurisdiction:XX'),
  cmd('route add queue:default language:en_US'),
  cmd('route add queue:default language:a\u0000b'),
  cmd('route add <!here>'),
  cmd('route add queue:'),
  cmd('route add queue:default position:1e400'),
  cmd('route add queue:default position:99999999999'),
  cmd('route add queue:default position:-5'),
  cmd("route add queue:default';DROP_TABLE_routing_rules;--"),
  cmd('route <!channel>'),

  // case: only ids of up to 9 digits exist; everything else is a clear refusal.
  ...HOSTILE.map(([name, value]) => ({ ...cmd(`case ${value}`), name: `case ${name}` })),
  cmd('case -1'),
  cmd('case 1e400'),
  cmd('case 999999999'),
  cmd('case 9999999999'),
  cmd('case 0'),
  cmd('case #0'),
  cmd('case 1 2'),
  cmd('case ١٢'),
  cmd('case 0x1'),
  cmd('case 1.0'),
  cmd('case \u0000'),

  // escalate: hostile reasons are accepted, and the card in the escalation channel shows them inert.
  ...CARD_SAMPLE.map(([name, value]) =>
    onCase(`escalate with a reason of ${name}`, (c) => `escalate ${c.case} sev3 ${value}`, { stores: ESCALATED }),
  ),
  onCase('escalate with a reason of 2,000 ampersands', (c) => `escalate ${c.case} sev3 ${AMP_FLOOD(2000)}`, { stores: ESCALATED }),
  onCase('escalate with a reason of 2,000 "<"', (c) => `escalate ${c.case} sev3 ${'<'.repeat(2000)}`, { stores: ESCALATED }),
  onCase('escalate with a reason of 200 @channel mentions', (c) => `escalate ${c.case} sev3 ${'<!channel>'.repeat(200)}`, {
    stores: ESCALATED,
  }),
  onCase('escalate with a reason of 2,001 characters', (c) => `escalate ${c.case} sev3 ${'x'.repeat(2001)}`),
  onCase('escalate with a NUL in the reason', (c) => `escalate ${c.case} sev3 a\u0000b`),
  onCase('escalate with an unknown severity', (c) => `escalate ${c.case} sev9 reason`),
  onCase('escalate with an @here severity', (c) => `escalate ${c.case} <!here> reason`),
  onCase('escalate as a viewer', (c) => `escalate ${c.case} sev1 <!channel>`, { user: VIEWER }),
  cmd('escalate'),
  cmd('escalate <!channel>'),
  cmd('escalate 1e400 sev1 reason'),
  cmd('escalate -1 sev1 reason'),
  cmd('escalate 999999999 sev1 reason'),
  cmd('escalate 99999999999 sev2 reason'),

  // role
  cmd('role <!channel> admin'),
  cmd('role <@U0EVIL1> superuser'),
  cmd('role <!subteam^S0EVIL|@evil> root'),
  cmd('role <@U0BOB> admin extra'),
  cmd('role <https://evil.example|x> admin'),
  cmd('role'),
  cmd('role @bob admin'),
  cmd('role <@U0BOB|bob> a\u0000b'),
  cmd('role <@U0BOB> admin', { user: VIEWER }),
  cmd('role <@U0EVIL1> admin', { user: VIEWER }),

  // token, alerts
  cmd('token create <!channel>'),
  cmd('token create <@U0EVIL1>'),
  cmd(`token create ${'x'.repeat(10_000)}`),
  cmd('token create a\u0000b'),
  cmd('token create default extra'),
  cmd('token create default', { user: VIEWER }),
  cmd('token revoke 999999999999'),
  cmd('token revoke -1'),
  cmd('token revoke 1e400'),
  cmd('token revoke <!here>'),
  cmd('token revoke 1', { user: VIEWER }),
  cmd('token <https://evil.example|x>'),
  cmd('alerts <!channel>'),
  cmd('alerts failed <@U0EVIL1>'),
  cmd('alerts failed', { user: VIEWER }),

  // sla, metrics, export, dsa: read-only or refused; the hostile text is echoed inert if at all.
  ...HOSTILE.map(([name, value]) => ({ ...cmd(`sla "${value}"`), name: `sla for ${name}` })),
  ...HOSTILE.map(([name, value]) => ({ ...cmd(`metrics ${value}`), name: `metrics for ${name}` })),
  cmd(`sla ${'x'.repeat(10_000)}`),
  cmd('sla a b'),
  cmd('metrics 2026-13'),
  cmd('metrics 2026-10-31..2026-10-01'),
  cmd('metrics 0000-01'),
  cmd('metrics 9999'),
  cmd('metrics 1e400'),
  cmd('metrics 1900..2026'),
  cmd('metrics 2026 tz:../../etc/passwd'),
  cmd('metrics 2026 by:<https://evil.example|x>'),
  cmd('metrics 2026 surface:<@U0EVIL1>'),
  cmd('metrics 2026 policy:a\u0000b'),
  cmd('export <!channel>'),
  cmd('export decisions <!here>'),
  cmd('export dsa 2026-H3'),
  cmd('export metrics 0000'),
  cmd('export metrics 2026 tz:<!here>'),
  cmd('dsa map <!channel> X illegal'),
  cmd('dsa map hate_speech <@U0EVIL1> illegal'),
  cmd('dsa <!here>'),
  cmd('dsa map a b c d'),
  cmd('dsa map hate_speech STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH illegal', { user: VIEWER }),
];

/** A case of its own, opened through the intake API (escalating needs a case without a pending escalation). */
async function newCase(): Promise<number> {
  const id = `adv-cmd-${++n}`;
  const res = await t.api('/api/v1/reports', {
    external_id: id,
    surface: 'claude_ai',
    report_type: 'harmful_content',
    content_ref: `https://claude.ai/share/${id}`,
    received_at: new Date(Date.now() - 60_000).toISOString(),
  });
  if (res.status !== 201) throw new Error(`could not open a case: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.case_id as number;
}

const GENERIC = /Something went wrong/i;

describe(`${rows.length} adversarial slash commands`, () => {
  it.each(rows)('$name', async (row) => {
    const text = row.text({ case: row.name.startsWith('escalate with') || row.name.startsWith('escalate as') ? await newCase() : 0 });
    const m = mark(t);
    const alertsFrom = await lastAlertId(t);
    const before = await rowCounts(t);
    const audited = await auditCount(t, 'slack.command');

    const sent = await t.slack.command(text, { userId: row.user ?? ADMIN });
    const answers = await t.slack.waitForResponse(sent.responseUrl!, 5000).catch(() => []);
    const answer = (answers[0] as { text?: string } | undefined)?.text;
    const delivered = await settledAlerts(t, alertsFrom).catch((err: Error) => [err.message]);
    const commandAudits = await eventually(
      async () => (await auditCount(t, 'slack.command')) - audited || undefined,
      'the command audit row',
      2000,
    ).catch(() => 0);
    const { audit: _audit, ...tables } = changed(before, await rowCounts(t));

    // One object, so a failure shows everything that went wrong with this input at once.
    expect({
      status: sent.status,
      answered: answer !== undefined,
      genericError: GENERIC.test(answer ?? ''),
      liveMarkup: liveMarkupSince(t, m),
      stored: tables,
      undelivered: delivered.filter((d) => d !== 'sent'),
      commandAudits,
      health: await healthStatus(t),
    }).toEqual({
      status: 200,
      answered: true,
      genericError: false,
      liveMarkup: [],
      stored: row.stores ?? {},
      undelivered: [],
      commandAudits: 1,
      health: 200,
    });
  });
});

// Regression (issue 15, item 7): the role check comes before any look-up that would tell whether a case exists.
it('a viewer gets the same answer for an existing case and a missing one', async () => {
  const existing = await newCase();
  const answerTo = async (text: string) => {
    const sent = await t.slack.command(text, { userId: VIEWER });
    const [body] = await t.slack.waitForResponse(sent.responseUrl!, 5000);
    return (body as { text: string }).text.replace(/#?\d+/g, '#N');
  };
  const forExisting = await answerTo(`case ${existing}`);
  expect(await answerTo('case 999999998')).toBe(forExisting);
});
