import { fixedClock } from '../../src/clock';
import { enqueueAlerts } from '../../src/domain/alerts/outbox';
import { ADMIN, startTestApp, type TestApp } from '../support/app';
import { waitUntil } from '../support/process';

const clock = fixedClock('2026-11-27T12:00:00Z');
let t: TestApp;
const ANALYST = 'U0ANALYST1';
beforeAll(async () => {
  t = await startTestApp({ clock });
  await t.command(`role <@${ANALYST}> analyst`, ADMIN);
  const vendor = await t.db.prisma.vendor.create({ data: { key: 'acme', name: 'Acme Review' } });
  await t.db.prisma.queue.create({ data: { key: 'acme_general', name: 'Acme general', vendorId: vendor.id } });
});
afterAll(async () => {
  await t.stop();
});

let seq = 0;
/** A case, and a breach card for it posted to the SLA channel. */
async function breachCard() {
  const res = await t.api('/api/v1/reports', {
    external_id: `sla-${++seq}`,
    surface: 'claude_ai',
    report_type: 'harmful_content',
    content_ref: `https://claude.ai/share/sla-${seq}`,
    received_at: '2026-11-26T09:00:00Z',
  });
  const caseId = res.json.case_id as number;
  const message = {
    caseId,
    queue: 'default',
    vendor: 'Default vendor',
    priority: 'normal',
    target: 'first_action',
    state: 'breached',
    openedAt: '2026-11-26T09:00:00.000Z',
    dueAt: res.json.first_action_due_at,
    contentRef: `https://claude.ai/share/sla-${seq}`,
    policyVersion: 1,
  };
  await enqueueAlerts(
    t.db.prisma,
    [
      {
        kind: 'sla_breach',
        dedupeKey: `sla:${caseId}:first_action:breached:trustops-sla`,
        channel: 'trustops-sla',
        message,
        entityType: 'case',
        entityId: String(caseId),
      },
    ],
    clock.now(),
  );
  t.running.delivery.kick();
  const alert = await waitUntil(
    'the breach card to be posted',
    async () => {
      const a = await t.db.prisma.alert.findFirst({ where: { kind: 'sla_breach', dedupeKey: { startsWith: `sla:${caseId}:` } } });
      return a?.status === 'sent' ? a : undefined;
    },
    5000,
  );
  return { caseId, alert };
}

const click = (userId: string, actionId: string, alert: { slackChannel: string | null; slackTs: string | null }) =>
  t.slack.blockAction({ userId, actionId, channelId: alert.slackChannel!, messageTs: alert.slackTs! });

describe('the SLA breach card', () => {
  it('shows the case, the clock, a content warning and the three buttons', async () => {
    const { caseId, alert } = await breachCard();
    const posted = t.emulator.message(alert.slackChannel!, alert.slackTs!);
    const json = JSON.stringify(posted?.blocks);
    expect(json).toContain(`SLA breached: first action on case #${caseId}`);
    expect(json).toContain('Content warning');
    for (const label of ['Acknowledge', 'Escalate', 'Reassign', 'Open in review tool']) expect(json).toContain(label);
  });

  it('Acknowledge records who and when, once when two people click at the same time, and edits the card in place', async () => {
    const { caseId, alert } = await breachCard();
    const clicks = await Promise.all([click(ANALYST, 'sla_acknowledge', alert), click(ADMIN, 'sla_acknowledge', alert)]);
    expect(clicks.map((c) => c.status)).toEqual([200, 200]);
    const replies = await Promise.all(
      clicks.map(async (c) => ((await t.slack.waitForResponse(c.responseUrl!, 5000)) as { text: string }[])[0]?.text ?? ''),
    );
    const row = await t.db.prisma.alert.findUniqueOrThrow({ where: { id: alert.id } });
    const winner = row.acknowledgedBy!;
    expect([ANALYST, ADMIN]).toContain(winner);
    expect(replies.filter((r) => r.includes(`Acknowledged the first action alert on case #${caseId}`))).toHaveLength(1);
    expect(replies.filter((r) => r.includes(`Already acknowledged by <@${winner}>`))).toHaveLength(1);
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'sla.acknowledge', entityId: String(caseId) } })).toBe(1);

    await t.emulator.waitFor((c) => c.method === 'chat.update' && c.args.ts === alert.slackTs, 5000);
    const edited = t.emulator.message(alert.slackChannel!, alert.slackTs!);
    expect(JSON.stringify(edited?.blocks)).toContain(`Acknowledged by <@${winner}>`);
    expect(JSON.stringify(edited?.blocks)).not.toContain('"Acknowledge"');
  });

  it('refuses a viewer and audits the attempt', async () => {
    const { alert } = await breachCard();
    const res = await click('U0VIEWER7', 'sla_acknowledge', alert);
    const [reply] = (await t.slack.waitForResponse(res.responseUrl!, 5000)) as { text: string }[];
    expect(reply?.text).toContain('Only analysts can acknowledge SLA alerts; your role is viewer');
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'access.refused', actor: 'U0VIEWER7' } })).toBe(1);
    expect((await t.db.prisma.alert.findUniqueOrThrow({ where: { id: alert.id } })).acknowledgedBy).toBeNull();
  });

  it('Escalate opens one escalation however often it is clicked, and posts its card', async () => {
    const { caseId, alert } = await breachCard();
    const clicks = await Promise.all([click(ANALYST, 'sla_escalate', alert), click(ANALYST, 'sla_escalate', alert)]);
    expect(clicks.map((c) => c.status)).toEqual([200, 200]);
    await waitUntil(
      'both answers',
      async () => (clicks.every((c) => t.emulator.responses(c.responseUrl!).length) ? true : undefined),
      5000,
    );
    expect(await t.db.prisma.escalation.count({ where: { caseId } })).toBe(1);
    expect(await t.db.prisma.case.findUniqueOrThrow({ where: { id: caseId } })).toMatchObject({ status: 'escalated' });
    const card = await t.emulator.waitFor(
      (c) =>
        c.method === 'chat.postMessage' && c.args.channel === 'trustops-escalations' && JSON.stringify(c.args).includes(`case #${caseId}`),
      5000,
    );
    expect(JSON.stringify(card.args)).toContain('Content warning');
  });

  it('Reassign opens a queue picker and moves the case, keeping its due times', async () => {
    const { caseId, alert } = await breachCard();
    const before = await t.db.prisma.case.findUniqueOrThrow({ where: { id: caseId } });
    const res = await click(ANALYST, 'sla_reassign', alert);
    expect(res.status).toBe(200);
    const opened = await t.emulator.waitFor((c) => c.method === 'views.open', 5000);
    expect(JSON.stringify(opened.args.view)).toContain('acme_general');
    const submitted = await t.slack.viewSubmission({
      userId: ANALYST,
      callbackId: 'reassign_case',
      values: { reassign_queue: { queue: 'acme_general' } },
    });
    expect(submitted.status).toBe(200);
    const after = await t.db.prisma.case.findUniqueOrThrow({ where: { id: caseId }, include: { queue: true } });
    expect(after.queue.key).toBe('acme_general');
    expect(after.firstActionDueAt).toEqual(before.firstActionDueAt);
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'case.reassign', entityId: String(caseId) } })).toBe(1);
  });
});

describe('/trustops sla', () => {
  it('counts at-risk and breached cases, names the oldest, and shows attainment without NaN', async () => {
    const reply = await t.command('sla');
    expect(reply.text).toMatch(/^SLA for all queues: \d+ at risk, \d+ breached/);
    expect(JSON.stringify(reply.blocks)).not.toContain('NaN');
    const scoped = await t.command('sla acme');
    expect(scoped.text).toContain('SLA for vendor acme: 0 at risk, 0 breached; first-action attainment 7 days —');
  });

  it('explains an unknown vendor or queue with the known ones', async () => {
    const reply = await t.command('sla nowhere');
    expect(reply.text).toContain('`nowhere` is neither a vendor nor a queue. Vendors: acme, default');
    expect(reply.text).toContain('Try: /trustops sla acme_review');
  });
});
