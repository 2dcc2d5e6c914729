import { runningClock } from '../../src/clock';
import { utcMinute } from '../../src/domain/time';
import { ADMIN, startTestApp, type TestApp } from '../support/app';
import { waitUntil } from '../support/process';

// The notice cards in the copyright channel: Take down, Reject notice, Request info, Show contact,
// Record retraction; racing clicks; role refusals audited; repeat infringers through the approval flow.
const clock = runningClock('2026-11-27T12:00:00Z');
jest.setTimeout(90_000);
const ANALYST = 'U0ANALYST1';
const ANALYST2 = 'U0ANALYST2';
const APPROVER = 'U0APPROVER1';
const VIEWER = 'U0VIEWER1';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
  for (const id of [ANALYST, ANALYST2, APPROVER, VIEWER, ADMIN]) t.emulator.addUser({ id, name: id.toLowerCase() });
  await t.command(`role <@${ANALYST}> analyst`, ADMIN);
  await t.command(`role <@${ANALYST2}> analyst`, ADMIN);
  await t.command(`role <@${APPROVER}> approver`, ADMIN);
});
afterAll(async () => {
  await t.stop();
});

let seq = 0;
type Card = { slackChannel: string | null; slackTs: string | null };

async function postNotice(over: Record<string, unknown> = {}, accounts: (string | undefined)[] = ['acct_a', 'acct_b']) {
  seq++;
  const res = await t.api('/api/v1/copyright/notices', {
    external_id: `slack-dmca-${seq}`,
    received_at: '2026-11-27T09:00:00Z',
    sender: {
      name: 'Jane Roe',
      organization: 'Lumen Photo Agency',
      email: 'licensing@lumen.example',
      phone: '+1 212 555 0100',
      kind: 'rights_holder',
    },
    work: 'Photograph "Dawn over Galway Bay"',
    items: accounts.map((a, k) => ({
      content_ref: `https://claude.ai/share/slack-${seq}-${k}`,
      surface: 'claude_ai',
      ...(a ? { account_id: a } : {}),
    })),
    signature: '/Jane Roe/',
    good_faith: true,
    accurate_and_authorized: true,
    ...over,
  });
  expect(res.status).toBe(201);
  const card = await cardOf(res.json.id);
  return { noticeId: res.json.id as number, externalId: res.json.external_id as string, items: res.json.items, card };
}

async function cardOf(noticeId: number) {
  t.running.delivery.kick();
  return waitUntil(
    'the notice card to be posted',
    async () => {
      const a = await t.db.prisma.alert.findUnique({ where: { dedupeKey: `copyright:notice:${noticeId}:card` } });
      return a?.status === 'sent' ? a : undefined;
    },
    15_000,
  );
}

const click = (userId: string, actionId: string, card: Card) =>
  t.slack.blockAction({ userId, actionId, channelId: card.slackChannel!, messageTs: card.slackTs! });

async function replyTo(res: { responseUrl?: string }): Promise<string> {
  const [first] = (await t.slack.waitForResponse(res.responseUrl!, 10_000)) as { text: string }[];
  return first?.text ?? '';
}

async function drained() {
  t.running.delivery.kick();
  await waitUntil(
    'the outbox to drain',
    async () => ((await t.db.prisma.alert.count({ where: { status: { in: ['pending', 'sending'] } } })) === 0 ? true : undefined),
    45_000,
  );
}

const cardText = (card: Card) => JSON.stringify(t.emulator.message(card.slackChannel!, card.slackTs!)?.blocks);

describe('Take down', () => {
  it('refuses a viewer, audited, and records nothing', async () => {
    const { noticeId, card } = await postNotice();
    expect(await replyTo(await click(VIEWER, 'copyright_take_down', card))).toContain('Only analysts can take down copyright notices');
    expect(await t.db.prisma.copyrightNotice.findUniqueOrThrow({ where: { id: noticeId } })).toMatchObject({ status: 'received' });
    expect(
      await t.db.prisma.auditEvent.count({ where: { action: 'access.refused', actor: VIEWER, entityId: 'take down copyright notices' } }),
    ).toBe(1);
  });

  it('once under racing clicks: a content_removed decision per case, one strike per account, users told; the others hear who and when', async () => {
    const { noticeId, externalId, items, card } = await postNotice({}, ['acct_a', 'acct_b', 'acct_a']);
    const clicks = await Promise.all([
      click(ANALYST, 'copyright_take_down', card),
      click(ANALYST2, 'copyright_take_down', card),
      click(ANALYST, 'copyright_take_down', card),
    ]);
    const replies = await Promise.all(clicks.map(replyTo));
    const n = await t.db.prisma.copyrightNotice.findUniqueOrThrow({ where: { id: noticeId } });
    expect(n).toMatchObject({ status: 'taken_down', actionTaken: 'content_removed' });
    expect(n.usersNotifiedAt).not.toBeNull();
    expect(replies.filter((r) => r.startsWith(`Took down notice ${externalId}: 3 items on 3 cases, 2 strikes recorded`))).toHaveLength(1);
    expect(replies.filter((r) => r.includes(`already taken down by <@${n.decidedBy}> at ${utcMinute(n.actionedAt!)}`))).toHaveLength(2);
    const caseIds = items.map((i: { case_id: number }) => i.case_id);
    const decisions = await t.db.prisma.decision.findMany({ where: { caseId: { in: caseIds } } });
    expect(decisions.map((d) => [d.action, d.policy, d.actorId])).toEqual(
      caseIds.map(() => ['content_removed', 'ip_infringement', n.decidedBy]),
    );
    expect((await t.db.prisma.case.findMany({ where: { id: { in: caseIds } } })).map((c) => c.status)).toEqual([
      'decided',
      'decided',
      'decided',
    ]);
    const strikes = await t.db.prisma.copyrightStrike.findMany({ where: { noticeId }, orderBy: { accountId: 'asc' } });
    expect(strikes.map((s) => s.accountId)).toEqual(['acct_a', 'acct_b']);
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'copyright_notice.take_down', entityId: String(noticeId) } })).toBe(1);
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'copyright_notice.users_notified', entityId: String(noticeId) } })).toBe(
      1,
    );
    await drained();
    const json = cardText(card);
    expect(json).toContain(`Taken down* by <@${n.decidedBy}>`);
    expect(json).toContain('Affected users told');
    expect(json).not.toContain('"Take down"');
    expect(json).toContain('"Record retraction"');
  });
});

describe('Take down of two notices about the same content (review #9)', () => {
  it('one content_removed decision on the shared case, the second notice linked to it; each notice strikes its account; a retraction reverses it only when no other notice keeps it down', async () => {
    const shared = (account: string) => ({
      items: [{ content_ref: 'https://claude.ai/share/slack-shared-content', surface: 'claude_ai', account_id: account }],
    });
    const a = await postNotice(shared('acct_shared_1'));
    const b = await postNotice(shared('acct_shared_2'));
    const caseId = a.items[0].case_id as number;
    expect(b.items[0].case_id).toBe(caseId);
    expect(await replyTo(await click(ANALYST, 'copyright_take_down', a.card))).toContain('Took down notice');
    expect(await replyTo(await click(ANALYST2, 'copyright_take_down', b.card))).toContain('Took down notice');
    const removals = await t.db.prisma.decision.findMany({ where: { caseId, action: 'content_removed' } });
    expect(removals).toHaveLength(1);
    const items = await t.db.prisma.copyrightNoticeItem.findMany({ where: { caseId }, orderBy: { noticeId: 'asc' } });
    expect(items.map((i) => [i.noticeId, i.decisionId, i.takenDownAt !== null])).toEqual([
      [a.noticeId, removals[0]!.id, true],
      [b.noticeId, removals[0]!.id, true],
    ]);
    const strikes = await t.db.prisma.copyrightStrike.findMany({ where: { noticeId: { in: [a.noticeId, b.noticeId] } } });
    expect(strikes.map((s) => s.accountId).sort()).toEqual(['acct_shared_1', 'acct_shared_2']);

    // B withdrawn: A still claims the content, so the removal stays in force.
    expect((await t.api(`/api/v1/copyright/notices/${b.externalId}/retraction`, {})).status).toBe(201);
    expect((await t.db.prisma.decision.findUniqueOrThrow({ where: { id: removals[0]!.id } })).reversedAt).toBeNull();
    // A withdrawn too: nothing keeps it down any more.
    expect((await t.api(`/api/v1/copyright/notices/${a.externalId}/retraction`, {})).status).toBe(201);
    expect((await t.db.prisma.decision.findUniqueOrThrow({ where: { id: removals[0]!.id } })).reversedAt).not.toBeNull();
  });
});

describe('Reject notice', () => {
  it('asks for a reason in a modal; records it, decides the cases no violation, no strike; the card says so', async () => {
    const { noticeId, externalId, items, card } = await postNotice();
    const before = t.emulator.callsTo('views.open').length;
    await click(ANALYST, 'copyright_reject_notice', card);
    await waitUntil('the modal', async () => (t.emulator.callsTo('views.open').length > before ? true : undefined), 5000);
    const empty = await t.slack.viewSubmission({ userId: ANALYST, callbackId: 'copyright_reject_notice_modal', values: {} });
    expect(empty.json).toMatchObject({ response_action: 'errors', errors: { copyright_reason: 'Pick a reason.' } });
    const other = await t.slack.viewSubmission({
      userId: ANALYST,
      callbackId: 'copyright_reject_notice_modal',
      values: { copyright_reason: { choice: { type: 'static_select', selected_option: { value: 'other' } } } },
    });
    expect(other.json).toMatchObject({ response_action: 'errors', errors: { copyright_note: 'Say why, for the reason "Other".' } });
    const done = await t.slack.viewSubmission({
      userId: ANALYST,
      callbackId: 'copyright_reject_notice_modal',
      values: {
        copyright_reason: { choice: { type: 'static_select', selected_option: { value: 'fair_use' } } },
        copyright_note: { text: 'Commentary quoting a short excerpt.' },
      },
    });
    expect(done.status).toBe(200);
    const n = await t.db.prisma.copyrightNotice.findUniqueOrThrow({ where: { id: noticeId } });
    expect(n).toMatchObject({
      status: 'rejected',
      rejectReason: 'fair_use',
      rejectNote: 'Commentary quoting a short excerpt.',
      decidedBy: ANALYST,
    });
    expect(await t.db.prisma.copyrightStrike.count({ where: { noticeId } })).toBe(0);
    const caseIds = items.map((i: { case_id: number }) => i.case_id);
    expect((await t.db.prisma.decision.findMany({ where: { caseId: { in: caseIds } } })).map((d) => d.action)).toEqual([
      'no_violation',
      'no_violation',
    ]);
    await drained();
    expect(cardText(card)).toContain(`Rejected* (fair use) by <@${ANALYST}>`);
    // Take down after the rejection: told who decided.
    expect(
      await replyTo(
        await t.slack.blockAction({
          userId: ANALYST2,
          actionId: 'copyright_take_down',
          channelId: card.slackChannel!,
          value: JSON.stringify({ noticeId }),
        }),
      ),
    ).toContain(`Notice ${externalId} was already rejected by <@${ANALYST}>`);
  });
});

describe('incomplete notices', () => {
  it('Request info records who asked and when, and the card says so; Show contact answers the analyst alone', async () => {
    const { noticeId, card } = await postNotice({ signature: '', good_faith: false });
    expect(await replyTo(await click(VIEWER, 'copyright_notice_request_info', card))).toContain('Only analysts can');
    expect(await replyTo(await click(ANALYST, 'copyright_notice_request_info', card))).toContain('signature, good faith');
    const requests = await t.db.prisma.copyrightInfoRequest.findMany({ where: { noticeId } });
    expect(requests.map((r) => r.requestedBy)).toEqual([ANALYST]);
    await drained();
    expect(cardText(card)).toContain(`Info requested by <@${ANALYST}>`);

    expect(await replyTo(await click(VIEWER, 'copyright_show_sender_contact', card))).toContain('Only analysts can');
    const shown = await replyTo(await click(ANALYST, 'copyright_show_sender_contact', card));
    expect(shown).toContain('Contact for the sender of notice');
    // The contact went only to the analyst, ephemerally: never into the channel.
    expect(JSON.stringify(t.emulator.messages(card.slackChannel!))).not.toContain('licensing@lumen.example');
  });
});

describe('Record retraction', () => {
  it('restores what the notice took down: decisions reversed, strikes removed, the card edited', async () => {
    const { noticeId, externalId, card } = await postNotice({}, ['acct_r']);
    await replyTo(await click(ANALYST, 'copyright_take_down', card));
    await drained();
    expect(await replyTo(await click(VIEWER, 'copyright_retract_notice', card))).toContain('Only analysts can');
    expect(await replyTo(await click(ANALYST2, 'copyright_retract_notice', card))).toBe(
      `Recorded the retraction of notice ${externalId}: 1 item restored, 1 strike removed.`,
    );
    const items = await t.db.prisma.copyrightNoticeItem.findMany({ where: { noticeId } });
    expect(items.every((i) => i.restoredAt !== null)).toBe(true);
    const decision = await t.db.prisma.decision.findUniqueOrThrow({ where: { id: items[0]!.decisionId! } });
    expect(decision).toMatchObject({ reversedBy: ANALYST2 });
    expect(decision.reversedAt).not.toBeNull();
    expect(await t.db.prisma.decision.count({ where: { caseId: items[0]!.caseId! } })).toBe(1);
    expect(await t.db.prisma.copyrightStrike.findFirstOrThrow({ where: { noticeId } })).toMatchObject({ removedReason: 'retracted' });
    await drained();
    expect(cardText(card)).toContain('Retracted');
    expect(cardText(card)).not.toContain('"Record retraction"');
    // A click from a client still showing the old card is told it was already recorded.
    const stale = await t.slack.blockAction({
      userId: ANALYST,
      actionId: 'copyright_retract_notice',
      channelId: card.slackChannel!,
      value: JSON.stringify({ noticeId }),
    });
    expect(await replyTo(stale)).toContain(`Notice ${externalId} was already retracted (recorded by <@${ANALYST2}>`);
  });
});

describe('repeat infringers', () => {
  it('policy is data (admins); reaching it raises a sev2 termination escalation; approval records account_banned; retracted strikes do not count', async () => {
    expect((await t.command('copyright policy strikes:2 window:30', ANALYST)).text).toContain(
      'Only admins can change the repeat-infringer policy',
    );
    expect((await t.command('copyright policy strikes:0', ADMIN)).text).toContain('strikes: at least 1');
    expect((await t.command('copyright policy strikes:2 window:30', ADMIN)).text).toContain('2 strikes within 30 days (was 3 in 365)');
    expect((await t.command('copyright policy', VIEWER)).text).toContain('Only analysts can see the repeat-infringer policy');
    expect((await t.command('copyright policy', ANALYST)).text).toContain('2 strikes within 30 days');

    // A retracted strike does not count toward the threshold.
    const first = await postNotice({}, ['acct_repeat']);
    await replyTo(await click(ANALYST, 'copyright_take_down', first.card));
    expect((await t.api(`/api/v1/copyright/notices/${first.externalId}/retraction`, {})).status).toBe(201);
    const second = await postNotice({}, ['acct_repeat']);
    expect(await replyTo(await click(ANALYST, 'copyright_take_down', second.card))).not.toContain('Repeat infringer');
    expect(await t.db.prisma.copyrightTermination.count({ where: { accountId: 'acct_repeat' } })).toBe(0);

    const third = await postNotice({}, ['acct_repeat']);
    expect(await replyTo(await click(ANALYST, 'copyright_take_down', third.card))).toContain(
      'Repeat infringer: termination escalated for acct_repeat (2 strikes)',
    );
    const termination = await t.db.prisma.copyrightTermination.findFirstOrThrow({ where: { accountId: 'acct_repeat' } });
    const escalation = await t.db.prisma.escalation.findUniqueOrThrow({ where: { id: termination.escalationId } });
    expect(escalation).toMatchObject({ severity: 'sev2', status: 'pending', caseId: third.items[0].case_id });
    expect(escalation.reason).toContain('Terminate account acct_repeat: 2 strikes');

    t.running.delivery.kick();
    const escCard = await waitUntil(
      'the escalation card',
      async () => {
        const a = await t.db.prisma.alert.findUnique({ where: { dedupeKey: `escalation:${escalation.id}:card` } });
        return a?.status === 'sent' ? a : undefined;
      },
      15_000,
    );
    expect(await replyTo(await click(APPROVER, 'escalation_approve', escCard))).toBe(`Approved escalation ${escalation.id}.`);
    const ban = await t.db.prisma.decision.findFirstOrThrow({ where: { caseId: escalation.caseId, action: 'account_banned' } });
    expect(ban).toMatchObject({ policy: 'ip_infringement', actorId: APPROVER });
    expect(ban.reason).toContain('Repeat infringer: 2 copyright strikes within 30 days');
    expect(await t.db.prisma.copyrightTermination.findUniqueOrThrow({ where: { id: termination.id } })).toMatchObject({
      decisionId: ban.id,
    });
    await t.command('copyright policy strikes:3 window:365', ADMIN);
  });
});
