import { runningClock } from '../../src/clock';
import { ADMIN, startTestApp, type TestApp } from '../support/app';
import { waitUntil } from '../support/process';

// Through the real app: text from people, admins and vendors reaches Slack shown, never acted on,
// in the message's notification `text` as in its blocks, and every card fits Block Kit's limits.

const clock = runningClock('2026-11-27T12:00:00Z');
jest.setTimeout(60_000);
const ANALYST = 'U0ANALYST1';
const HOSTILE = '<!channel> <!here> <@U0ADMIN01> <https://evil.example|click me>';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
  for (const id of [ANALYST, ADMIN]) t.emulator.addUser({ id, name: id.toLowerCase() });
  await t.command(`role <@${ANALYST}> analyst`, ADMIN);
});
afterAll(async () => {
  await t.stop();
});

let seq = 0;
async function fileReport(reportType: string): Promise<number> {
  const res = await t.api('/api/v1/reports', {
    external_id: `hostile-${++seq}`,
    surface: 'claude_ai',
    report_type: reportType,
    content_ref: `msg_${seq}`,
    received_at: '2026-11-27T10:00:00Z',
  });
  expect(res.status).toBe(201);
  return res.json.case_id as number;
}

/** Waits for the outbox to finish with an alert, and returns the message Slack stored for it. */
async function posted(dedupeKey: string) {
  t.running.delivery.kick();
  const alert = await waitUntil(
    `alert ${dedupeKey} to be sent or to fail`,
    async () => {
      const a = await t.db.prisma.alert.findUnique({ where: { dedupeKey } });
      return a && (a.status === 'sent' || a.status === 'failed') ? a : undefined;
    },
    20_000,
  );
  // A refused card (invalid_blocks) ends `failed` and never appears: say why.
  expect({ status: alert.status, error: alert.lastError }).toEqual({ status: 'sent', error: null });
  const message = t.emulator.message(alert.slackChannel!, alert.slackTs!);
  if (!message) throw new Error('the sent alert is not in the channel');
  return message;
}

/** Every mrkdwn string Slack parses in a message: its `text` and the mrkdwn text objects of its blocks. */
function parsed(message: { text?: string; blocks?: unknown[] }): string[] {
  const out = [message.text ?? ''];
  JSON.stringify(message.blocks ?? [], (_k, v) => {
    if (v && typeof v === 'object' && v.type === 'mrkdwn' && typeof v.text === 'string') out.push(v.text);
    return v;
  });
  return out;
}

describe('text that reaches Slack is inert and always fits', () => {
  it("an escalation whose reason is '<!channel> & …' of 2,000 characters posts a card Slack accepts, its notification text escaped", async () => {
    const caseId = await fileReport('harmful_content');
    const reason = `<!channel> ${'&'.repeat(2000 - 11)}`;
    const reply = await t.command(`escalate ${caseId} sev2 ${reason}`, ANALYST);
    expect(reply.text).toContain(`raised on case #${caseId}`);
    const escalation = await t.db.prisma.escalation.findFirstOrThrow({ where: { caseId } });
    expect(escalation.reason).toBe(reason);

    const card = await posted(`escalation:${escalation.id}:card`);
    expect(card.text).toContain('&lt;!channel&gt; &amp;&amp;');
    const texts = parsed(card);
    expect(texts.join('\n')).not.toContain('<!channel>');
    // The reason, escaped to five times its length, is cut to a section's 3,000 characters at an entity boundary.
    const reasonText = texts.find((s) => s.startsWith('*Reason*'))!;
    expect(reasonText.length).toBeLessThanOrEqual(3000);
    expect(reasonText).toMatch(/^\*Reason\*\n&lt;!channel&gt; (&amp;)+…$/);
  });

  it("a report type an admin names '<!channel> <!here> <@…> <https://…|click me>': the triage card's notification shows the name and pings no one", async () => {
    const added = await t.command(`type add hostile_type "${HOSTILE}" urgent`, ADMIN);
    expect(added.text).toContain('&lt;!channel&gt; &lt;!here&gt; &lt;@U0ADMIN01&gt; &lt;https://evil.example|click me&gt;');
    const caseId = await fileReport('hostile_type');
    const card = await posted(`triage:case:${caseId}`);
    expect(card.text).toContain(
      'Urgent report: &lt;!channel&gt; &lt;!here&gt; &lt;@U0ADMIN01&gt; &lt;https://evil.example|click me&gt; on claude_ai',
    );
    for (const text of parsed(card)) expect(text).not.toMatch(/<!channel|<!here|<@U0ADMIN01|<https:/);
    // plain_text (the header) is not parsed by Slack: the name stands there as typed.
    expect(JSON.stringify(card.blocks)).toContain(`"text":"Urgent report: ${HOSTILE}"`);
  });

  it.each([
    ['role <!channel> admin', '`&lt;!channel&gt;`'],
    ['surface <!here>', '`surface &lt;!here&gt;`'],
    ['<https://evil.example|click>', '`&lt;https://evil.example|click&gt;`'],
  ])('a command echoed back in an error is shown as typed: %s', async (command, shown) => {
    const reply = await t.command(command, ADMIN);
    expect(reply.text).toContain(shown);
    for (const text of parsed(reply)) expect(text).not.toMatch(/<!channel|<!here|<https:/);
  });
});
