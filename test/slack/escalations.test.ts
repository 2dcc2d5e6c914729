import { runningClock } from '../../src/clock';
import { expireEscalations } from '../../src/domain/escalations/decide';
import { utcMinute } from '../../src/domain/time';
import { ADMIN, startTestApp, type TestApp } from '../support/app';
import { waitUntil } from '../support/process';

// Starts at a chosen instant and runs on, so retries and leases of the delivery worker fall due.
const clock = runningClock('2026-11-27T12:00:00Z');
// Cards and thread replies go out at Slack's pace of one a second per channel.
jest.setTimeout(60_000);
const ANALYST = 'U0ANALYST1';
const APPROVER = 'U0APPROVER1';
const APPROVER2 = 'U0APPROVER2';
const VIEWER = 'U0VIEWER1';
const CHANNEL = 'trustops-escalations';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
  for (const id of [ANALYST, APPROVER, APPROVER2, VIEWER, ADMIN]) t.emulator.addUser({ id, name: id.toLowerCase() });
  await t.command(`role <@${ANALYST}> analyst`, ADMIN);
  await t.command(`role <@${APPROVER}> approver`, ADMIN);
  await t.command(`role <@${APPROVER2}> approver`, ADMIN);
  const vendor = await t.db.prisma.vendor.create({ data: { key: 'acme', name: 'Acme Review' } });
  await t.db.prisma.queue.create({ data: { key: 'acme_l2', name: 'Acme level 2', vendorId: vendor.id } });
});
afterAll(async () => {
  await t.stop();
});

let seq = 0;
async function openCase(): Promise<number> {
  const res = await t.api('/api/v1/reports', {
    external_id: `esc-${++seq}`,
    surface: 'claude_ai',
    report_type: 'harmful_content',
    category: 'violent_threats',
    content_ref: `https://claude.ai/share/esc-${seq}`,
    description: 'SECRET REPORTED TEXT that must never reach a channel',
    received_at: '2026-11-27T10:00:00Z',
  });
  expect(res.status).toBe(201);
  return res.json.case_id as number;
}

/** Raises an escalation by command and waits for its card to be posted. */
async function escalate(severity = 'sev2', reason = 'Vendor unsure whether this is satire') {
  const caseId = await openCase();
  const reply = await t.command(`escalate ${caseId} ${severity} ${reason}`, ANALYST);
  expect(reply.text).toContain(`raised on case #${caseId}`);
  const escalation = await t.db.prisma.escalation.findFirstOrThrow({ where: { caseId } });
  t.running.delivery.kick();
  const card = await waitUntil(
    'the escalation card to be posted',
    async () => {
      const a = await t.db.prisma.alert.findUnique({ where: { dedupeKey: `escalation:${escalation.id}:card` } });
      return a?.status === 'sent' ? a : undefined;
    },
    15_000,
  );
  return { caseId, escalationId: escalation.id, card };
}

const click = (userId: string, actionId: string, card: { slackChannel: string | null; slackTs: string | null }, retryNum?: number) =>
  t.slack.blockAction(
    { userId, actionId, channelId: card.slackChannel!, messageTs: card.slackTs! },
    retryNum ? { retryNum, retryReason: 'http_timeout' } : undefined,
  );

/** A click on a button the card no longer shows, as from a client that has not redrawn it yet. */
const staleClick = (userId: string, actionId: string, card: { slackChannel: string | null }, escalationId: number) =>
  t.slack.blockAction({ userId, actionId, channelId: card.slackChannel!, value: JSON.stringify({ escalationId }) });

/** Clicks a button that opens a modal and waits for that modal. */
async function openModal(
  userId: string,
  actionId: string,
  card: { slackChannel: string | null; slackTs: string | null },
  escalationId: number,
) {
  const before = t.emulator.callsTo('views.open').length;
  await click(userId, actionId, card);
  await waitUntil(
    'the modal',
    async () =>
      t.emulator
        .callsTo('views.open')
        .slice(before)
        .some((c) => JSON.stringify(c.args).includes(`escalation *${escalationId}*`))
        ? true
        : undefined,
    5000,
  );
}

async function replyTo(res: { responseUrl?: string }): Promise<string> {
  const [first] = (await t.slack.waitForResponse(res.responseUrl!, 5000)) as { text: string }[];
  return first?.text ?? '';
}

/** Waits until the delivery worker has nothing left to send. */
async function drained() {
  t.running.delivery.kick();
  const undelivered = () => t.db.prisma.alert.findMany({ where: { status: { in: ['pending', 'sending'] } } });
  // Up to 45 s: an alert whose delivery was cut short (its lease is 30 s) is taken up again, not lost.
  await waitUntil('the outbox to drain', async () => ((await undelivered()).length === 0 ? true : undefined), 45_000).catch(async (err) => {
    // Say what is still waiting, and why, rather than only that it timed out.
    const left = (await undelivered()).map((a) => ({
      id: a.id,
      kind: a.kind,
      status: a.status,
      due: a.nextAttemptAt,
      error: a.lastError,
      threadOf: a.threadOf,
    }));
    throw new Error(`${(err as Error).message}: ${JSON.stringify(left)} at ${new Date().toISOString()}`);
  });
}

const cardText = (card: { slackChannel: string | null; slackTs: string | null }) =>
  JSON.stringify(t.emulator.message(card.slackChannel!, card.slackTs!)?.blocks);

const threadOf = (card: { slackChannel: string | null; slackTs: string | null }) =>
  t.emulator.messages(card.slackChannel!).filter((m) => m.thread_ts === card.slackTs && m.ts !== card.slackTs);

describe('/trustops escalate', () => {
  it.each([
    ['escalate', '`escalate` needs a case id, a severity and a reason.'],
    ['escalate abc sev2 reason', '`abc` is not a case id.'],
    ['escalate 999999 sev2 reason', 'There is no case 999999.'],
    ['escalate 1 sev9 reason', '`sev9` is not a severity: use one of `sev1`, `sev2`, `sev3`, `sev4`.'],
    ['escalate 1 sev2', 'An escalation needs a reason.'],
    [`escalate 1 sev2 ${'x'.repeat(2001)}`, 'The reason is 2,001 characters; keep it to 2,000.'],
  ])('%s ⇒ says what is wrong and shows an example', async (text, message) => {
    await openCase();
    const reply = await t.command(text.slice(0, 3000), ANALYST);
    expect(reply.text).toContain(message);
    expect(reply.text).toContain('Try: /trustops escalate 1234 sev2');
    expect(reply.response_type).toBe('ephemeral');
  });

  it('refuses a closed case', async () => {
    const caseId = await openCase();
    await t.db.prisma.case.update({ where: { id: caseId }, data: { status: 'closed' } });
    const reply = await t.command(`escalate ${caseId} sev2 please`, ANALYST);
    expect(reply.text).toContain(`Case #${caseId} is closed; only open cases can be escalated.`);
  });

  it('refuses a viewer', async () => {
    const caseId = await openCase();
    const reply = await t.command(`escalate ${caseId} sev2 please`, VIEWER);
    expect(reply.text).toContain('Only analysts can escalate cases; your role is viewer');
    expect(await t.db.prisma.escalation.count({ where: { caseId } })).toBe(0);
  });

  it('posts a card with the case, the clock and the ask, four buttons, a content warning and never the content', async () => {
    const { caseId, card } = await escalate('sev1', 'Credible threat? *bold* <!channel>');
    const json = cardText(card);
    for (const s of [
      `Escalation sev1: case #${caseId}`,
      'claude_ai',
      'harmful_content',
      'violent_threats',
      'Default vendor',
      'SLA clock',
      `<@${ANALYST}>`,
      '0 of 2 approvals',
      'Content warning',
    ])
      expect(json).toContain(s);
    for (const label of ['Approve', 'Reject', 'Reassign', 'Request info', 'Open in review tool']) expect(json).toContain(`"${label}"`);
    expect(json).toContain(`/cases/${caseId}`);
    expect(json).not.toContain('SECRET REPORTED TEXT');
    expect(json).not.toContain('<!channel>');
    expect((await t.db.prisma.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('escalated');
  });
});

describe('deciding', () => {
  it('refuses anyone but approvers and admins, and audits the attempt', async () => {
    const { escalationId, card } = await escalate();
    for (const user of [VIEWER, ANALYST]) {
      const res = await click(user, 'escalation_approve', card);
      expect(await replyTo(res)).toContain('Only approvers can decide escalations');
    }
    expect(await t.db.prisma.escalationVote.count({ where: { escalationId } })).toBe(0);
    expect(
      await t.db.prisma.auditEvent.count({ where: { action: 'access.refused', entityId: 'decide escalations' } }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('approves once under two approvers racing, a double click and a Slack retry; later clicks hear who decided', async () => {
    const { caseId, escalationId, card } = await escalate();
    const clicks = await Promise.all([
      click(APPROVER, 'escalation_approve', card),
      click(APPROVER, 'escalation_approve', card),
      click(APPROVER2, 'escalation_approve', card),
      click(APPROVER2, 'escalation_approve', card, 1),
      click(ADMIN, 'escalation_approve', card),
    ]);
    expect(clicks.map((c) => c.status)).toEqual([200, 200, 200, 200, 200]);
    const replies = await Promise.all(clicks.map(replyTo));
    const e = await t.db.prisma.escalation.findUniqueOrThrow({ where: { id: escalationId }, include: { votes: true } });
    expect(e.status).toBe('approved');
    expect(e.votes).toHaveLength(1);
    expect(replies.filter((r) => r === `Approved escalation ${escalationId}.`)).toHaveLength(1);
    expect(replies.filter((r) => r.includes(`Already approved by <@${e.decidedBy}> at ${utcMinute(e.decidedAt!)}.`))).toHaveLength(4);
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'escalation.approve', entityId: String(escalationId) } })).toBe(1);

    await drained();
    expect(cardText(card)).toContain(`Approved* by <@${e.decidedBy}>`);
    expect(cardText(card)).not.toContain('"Approve"');
    const thread = threadOf(card);
    expect(thread).toHaveLength(1);
    expect(thread[0]?.text).toContain(`Approved by <@${e.decidedBy}>`);
    const dms = t.emulator.messages(ANALYST).filter((m) => m.text?.includes(`escalation ${escalationId} `));
    expect(dms).toHaveLength(1);
    expect(dms[0]?.text).toContain(`Your escalation ${escalationId} on case #${caseId} was approved by <@${e.decidedBy}>`);
    expect((await t.db.prisma.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('queued');
    // A click from a client still showing the old card gets the same answer.
    expect(await replyTo(await staleClick(APPROVER2, 'escalation_approve', card, escalationId))).toContain(
      `Already approved by <@${e.decidedBy}>`,
    );
  });

  it('sev1 needs two distinct approvers: the same person twice counts once, and the card shows the votes', async () => {
    const { escalationId, card } = await escalate('sev1');
    expect(await replyTo(await click(APPROVER, 'escalation_approve', card))).toContain('is recorded (1 of 2)');
    expect(await replyTo(await click(APPROVER, 'escalation_approve', card))).toContain('You already voted (approve)');
    await drained();
    expect(cardText(card)).toContain(`1 of 2 approvals — <@${APPROVER}>`);
    expect(threadOf(card)[0]?.text).toContain('1 more approval needed');
    expect(await replyTo(await click(APPROVER2, 'escalation_approve', card))).toBe(`Approved escalation ${escalationId}.`);
    const e = await t.db.prisma.escalation.findUniqueOrThrow({ where: { id: escalationId }, include: { votes: true } });
    expect(e.status).toBe('approved');
    expect(e.votes.map((v) => v.userId).sort()).toEqual([APPROVER, APPROVER2]);
    await drained();
    expect(cardText(card)).toContain(`Approved* by <@${APPROVER2}> and <@${APPROVER}>`);
  });

  it('Reject asks for a reason in a modal; one reject ends it, even after an approval', async () => {
    const { caseId, escalationId, card } = await escalate('sev1');
    await replyTo(await click(APPROVER, 'escalation_approve', card));
    await openModal(APPROVER2, 'escalation_reject', card, escalationId);
    const empty = await t.slack.viewSubmission({ userId: APPROVER2, callbackId: 'reject_escalation', values: { reason: { text: '   ' } } });
    expect(empty.json).toMatchObject({ response_action: 'errors', errors: { reason: 'A rejection needs a reason.' } });
    const done = await t.slack.viewSubmission({
      userId: APPROVER2,
      callbackId: 'reject_escalation',
      values: { reason: { text: 'Satire, clearly labelled.' } },
    });
    expect(done.status).toBe(200);
    const e = await t.db.prisma.escalation.findUniqueOrThrow({ where: { id: escalationId } });
    expect(e).toMatchObject({ status: 'rejected', decidedBy: APPROVER2, outcomeReason: 'Satire, clearly labelled.' });
    await drained();
    expect(cardText(card)).toContain(`Rejected* by <@${APPROVER2}>`);
    expect(cardText(card)).toContain('Satire, clearly labelled.');
    expect(
      threadOf(card)
        .map((m) => m.text)
        .join('\n'),
    ).toContain('Rejected by');
    expect(t.emulator.ephemeralMessages({ user: APPROVER2 }).some((m) => m.text === `Rejected escalation ${escalationId}.`)).toBe(true);
    expect(t.emulator.messages(ANALYST).some((m) => m.text?.includes(`escalation ${escalationId} on case #${caseId} was rejected`))).toBe(
      true,
    );
  });

  it('Reassign hands the case to a queue or to a person, exactly one of the two', async () => {
    const toQueue = await escalate();
    await openModal(APPROVER, 'escalation_reassign', toQueue.card, toQueue.escalationId);
    const neither = await t.slack.viewSubmission({ userId: APPROVER, callbackId: 'reassign_escalation', values: {} });
    expect(neither.json).toMatchObject({ response_action: 'errors', errors: { reassign_user: 'Pick a person or a queue.' } });
    const both = await t.slack.viewSubmission({
      userId: APPROVER,
      callbackId: 'reassign_escalation',
      values: { reassign_user: { user: APPROVER2 }, reassign_queue: { queue: 'acme_l2' } },
    });
    expect(both.json).toMatchObject({ errors: { reassign_queue: 'Pick a person or a queue, not both.' } });
    await t.slack.viewSubmission({ userId: APPROVER, callbackId: 'reassign_escalation', values: { reassign_queue: { queue: 'acme_l2' } } });
    const movedCase = await t.db.prisma.case.findUniqueOrThrow({ where: { id: toQueue.caseId }, include: { queue: true } });
    expect(movedCase).toMatchObject({ status: 'queued', queue: { key: 'acme_l2' } });
    expect(await t.db.prisma.escalation.findUniqueOrThrow({ where: { id: toQueue.escalationId } })).toMatchObject({
      status: 'reassigned',
      reassignedTo: 'queue:acme_l2',
    });

    const toPerson = await escalate();
    await openModal(APPROVER, 'escalation_reassign', toPerson.card, toPerson.escalationId);
    await t.slack.viewSubmission({ userId: APPROVER, callbackId: 'reassign_escalation', values: { reassign_user: { user: APPROVER2 } } });
    expect(await t.db.prisma.case.findUniqueOrThrow({ where: { id: toPerson.caseId } })).toMatchObject({
      status: 'in_review',
      assignee: APPROVER2,
    });
    await drained();
    expect(cardText(toPerson.card)).toContain(`Reassigned* to <@${APPROVER2}>`);
    const handed = t.emulator.messages(APPROVER2).filter((m) => m.text?.includes(`handed you case #${toPerson.caseId}`));
    expect(handed).toHaveLength(1);
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'escalation.reassign', entityId: String(toPerson.escalationId) } })).toBe(
      1,
    );
  });

  it('Request info asks the requester in the thread and leaves the escalation pending', async () => {
    const { escalationId, card } = await escalate();
    await openModal(APPROVER, 'escalation_request_info', card, escalationId);
    await t.slack.viewSubmission({
      userId: APPROVER,
      callbackId: 'request_escalation_info',
      values: { reason: { text: 'Which jurisdiction is the reporter in?' } },
    });
    await drained();
    const thread = threadOf(card);
    expect(thread).toHaveLength(1);
    expect(thread[0]?.text).toContain(`<@${ANALYST}> <@${APPROVER}> asks for more information`);
    expect(thread[0]?.text).toContain('Which jurisdiction is the reporter in?');
    expect((await t.db.prisma.escalation.findUniqueOrThrow({ where: { id: escalationId } })).status).toBe('pending');
  });
});

describe('expiry', () => {
  it('expires past the deadline, updates the card, re-notifies the approvers once and restores the case', async () => {
    const { caseId, escalationId, card } = await escalate('sev1');
    // The clock stays moved on: alerts queued meanwhile must stay due.
    clock.advance(59 * 60_000);
    expect((await expireEscalations(t.running.deps)).expired).toBe(0);
    clock.advance(60_000);
    expect((await expireEscalations(t.running.deps)).expired).toBeGreaterThanOrEqual(1);
    expect((await expireEscalations(t.running.deps)).expired).toBe(0);
    const expired = await t.db.prisma.escalation.findUniqueOrThrow({ where: { id: escalationId } });
    expect(expired).toMatchObject({ status: 'expired' });
    expect((await t.db.prisma.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('queued');
    await drained();
    expect(cardText(card)).toContain('Expired');
    const notices = t.emulator
      .messages(CHANNEL)
      .filter((m) => m.text?.includes(`Escalation ${escalationId} (sev1) on case #${caseId} expired`));
    expect(notices).toHaveLength(1);
    const blocks = JSON.stringify(notices[0]?.blocks);
    for (const approver of [ADMIN, APPROVER, APPROVER2]) expect(blocks).toContain(`<@${approver}>`);
    expect(await replyTo(await staleClick(APPROVER, 'escalation_approve', card, escalationId))).toContain(
      `This escalation expired at ${utcMinute(expired.decidedAt!)}`,
    );
  });
});

describe('App Home', () => {
  it('lists pending escalations with their buttons for approvers, answers clicks there, and refreshes on change', async () => {
    const { escalationId } = await escalate();
    await t.slack.event({ type: 'app_home_opened', user: APPROVER2, channel: 'D0APPROVER2', tab: 'home' });
    await t.slack.event({ type: 'app_home_opened', user: APPROVER, channel: 'D0APPROVER1', tab: 'home' });
    const home = await waitUntil(
      'the approver home',
      async () => {
        const v = t.emulator.homeView(APPROVER);
        return v && JSON.stringify(v.blocks).includes(`Escalation ${escalationId}*`) ? v : undefined;
      },
      5000,
    );
    expect(JSON.stringify(home.blocks)).toContain('Escalations waiting for a decision');
    await t.slack.blockAction({
      userId: APPROVER,
      actionId: 'escalation_approve',
      view: home.id,
      blockId: `escalation_actions_${escalationId}`,
    });
    await waitUntil(
      'the notice in App Home',
      async () =>
        JSON.stringify(t.emulator.homeView(APPROVER)?.blocks).includes(`Approved escalation ${escalationId}.`) ? true : undefined,
      5000,
    );
    // Another approver's home drops it once the change is published.
    await waitUntil(
      'the other approver home to refresh',
      async () => {
        const v = t.emulator.homeView(APPROVER2);
        return v && !JSON.stringify(v.blocks).includes(`Escalation ${escalationId}*`) ? true : undefined;
      },
      5000,
    );
  });

  it('shows others their own escalations, without buttons', async () => {
    const { escalationId } = await escalate();
    await t.slack.event({ type: 'app_home_opened', user: ANALYST, channel: 'D0ANALYST1', tab: 'home' });
    const home = await waitUntil(
      'the analyst home',
      async () => {
        const v = t.emulator.homeView(ANALYST);
        return v && JSON.stringify(v.blocks).includes(`Escalation ${escalationId}*`) ? v : undefined;
      },
      5000,
    );
    expect(JSON.stringify(home.blocks)).toContain('Your escalations');
    expect(JSON.stringify(home.blocks)).not.toContain('escalation_approve');
  });
});

describe('/trustops case', () => {
  it('shows reports, decisions, escalations and the audit timeline, never the content', async () => {
    const { caseId, escalationId } = await escalate();
    const reply = await t.command(`case #${caseId}`, ANALYST);
    const json = JSON.stringify(reply.blocks);
    for (const s of [
      `Case #${caseId}`,
      'esc-',
      'claude_ai',
      'Decisions',
      `${escalationId} sev2 *pending*`,
      'escalation.raise',
      'report.receive',
    ])
      expect(json).toContain(s);
    expect(json).not.toContain('SECRET REPORTED TEXT');
    expect(json).not.toContain('https://claude.ai/share');
  });

  it('paginates a long record within Slack limits', async () => {
    const caseId = await openCase();
    await t.db.prisma.auditEvent.createMany({
      data: Array.from({ length: 400 }, (_, i) => ({
        actor: ADMIN,
        origin: 'slack',
        action: 'case.note',
        entityType: 'case',
        entityId: String(caseId),
        after: { n: i },
      })),
    });
    const first = await t.command(`case ${caseId}`, ANALYST);
    expect(first.blocks!.length).toBeLessThanOrEqual(50);
    const pages = /Page 1 of (\d+)/.exec(JSON.stringify(first.blocks));
    expect(Number(pages?.[1])).toBeGreaterThan(1);
    const next = await t.slack.blockAction({ userId: ANALYST, actionId: 'case_page_next', value: JSON.stringify({ caseId, page: 2 }) });
    const [second] = (await t.slack.waitForResponse(next.responseUrl!, 5000)) as { blocks: unknown[]; replace_original: boolean }[];
    expect(second?.replace_original).toBe(true);
    expect(JSON.stringify(second?.blocks)).toContain(`Page 2 of ${pages?.[1]}`);
    expect(JSON.stringify(second?.blocks)).toContain('Audit timeline* (continued)');
    expect(second!.blocks.length).toBeLessThanOrEqual(50);
  });

  it.each([
    ['case', '`case` needs a case id.'],
    ['case twelve', '`twelve` is not a case id.'],
    ['case 999999', 'There is no case 999999.'],
  ])('%s ⇒ a clear error with an example', async (text, message) => {
    const reply = await t.command(text, ANALYST);
    expect(reply.text).toContain(message);
    expect(reply.text).toContain('Try: /trustops case 1234');
  });
});

describe('POST /api/v1/escalations', () => {
  it('raises from a vendor, replays the same body, refuses a different one', async () => {
    const caseId = await openCase();
    const body = {
      external_id: 'vendor-esc-1',
      case_id: caseId,
      severity: 'sev3',
      reason: 'Needs legal review',
      requested_by: 'acme-rev-42',
    };
    const [a, b] = await Promise.all([t.api('/api/v1/escalations', body), t.api('/api/v1/escalations', body)]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.json.id).toBe(b.json.id);
    expect(a.json).toMatchObject({ case_id: caseId, status: 'pending', severity: 'sev3' });
    const e = await t.db.prisma.escalation.findUniqueOrThrow({ where: { id: a.json.id } });
    expect(e).toMatchObject({ source: 'vendor', requestedBy: 'vendor:acme-rev-42' });
    const changed = await t.api('/api/v1/escalations', { ...body, reason: 'Something else' });
    expect(changed.status).toBe(409);
    expect(changed.json.message).toContain('external_id vendor-esc-1 was already received with a different body');
  });

  it('names every field error, and an unknown case', async () => {
    const bad = await t.api('/api/v1/escalations', { external_id: '', case_id: 'x', severity: 'sev7', reason: 'y'.repeat(2001) });
    expect(bad.status).toBe(400);
    const paths = (bad.json.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['case_id', 'external_id', 'reason', 'severity']);
    const missing = await t.api('/api/v1/escalations', { external_id: 'vendor-esc-404', case_id: 987654, severity: 'sev2', reason: 'why' });
    expect(missing.status).toBe(404);
    expect(missing.json.errors[0]).toMatchObject({ path: 'case_id', message: 'no case 987654' });
  });
});
