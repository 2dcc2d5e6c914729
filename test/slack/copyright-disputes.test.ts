import { runningClock } from '../../src/clock';
import { submitNotice } from '../../src/domain/copyright/notices';
import { takeDownNotice } from '../../src/domain/copyright/notices-actions';
import { ADMIN, INTAKE_TOKEN, startTestApp, type TestApp } from '../support/app';
import { waitUntil } from '../support/process';

// Wednesday 2 December 2026, 12:00 UTC (07:00 in New York, the copyright calendar's default zone).
const clock = runningClock('2026-12-02T12:00:00Z');
jest.setTimeout(90_000);
const ANALYST = 'U0CRANALYST';
const ANALYST2 = 'U0CRANALYST2';
const VIEWER = 'U0CRVIEWER';
const COPYRIGHT = 'trustops-copyright';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
  for (const id of [ANALYST, ANALYST2, VIEWER, ADMIN]) t.emulator.addUser({ id, name: id.toLowerCase() });
  await t.command(`role <@${ANALYST}> analyst`, ADMIN);
  await t.command(`role <@${ANALYST2}> analyst`, ADMIN);
});
afterAll(async () => {
  await t.stop();
});

let seq = 0;
const API = { id: 'api:intake', origin: 'api' as const };

/** A complete notice on `refs` (account acct-<n> each unless given), taken down by an analyst. */
async function takenDown(refs: string[], opts: { account?: string; takeDown?: boolean } = {}) {
  const n = ++seq;
  const account = opts.account ?? `acct-${n}`;
  const received = await submitNotice(t.running.deps, API, {
    external_id: `dmca-${n}`,
    received_at: '2026-11-20T15:00:00Z',
    sender: { name: 'Jo Agent', organization: 'Harbor Music', email: 'legal@harbor.example', kind: 'agent' },
    work: 'Song "Harbor Lights" (2024)',
    items: refs.map((r) => ({ content_ref: r, surface: 'claude_ai', account_id: account })),
    signature: '/Jo Agent/',
    good_faith: true,
    accurate_and_authorized: true,
  });
  if (received.status !== 'created') throw new Error(`notice not created: ${JSON.stringify(received)}`);
  if (opts.takeDown !== false)
    await takeDownNotice(t.running.deps, { actor: { id: ANALYST, origin: 'slack' }, noticeId: received.receipt.id });
  return { noticeExternalId: `dmca-${n}`, noticeId: received.receipt.id, account };
}

function counterBody(noticeExternalId: string, account: string, over: Record<string, unknown> = {}) {
  return {
    external_id: `cn-${++seq}`,
    notice_external_id: noticeExternalId,
    received_at: '2026-11-25T20:00:00Z',
    subscriber: { name: 'Sam Subscriber', address: '1 Main St, Springfield', phone: '+1 212 555 0100', account_id: account },
    signature: '/Sam Subscriber/',
    mistake_statement: true,
    consent_to_jurisdiction: true,
    accepts_service: true,
    ...over,
  };
}

const post = (body: unknown) => t.api('/api/v1/copyright/counter-notices', body);

/** Waits for the dispute card of a counter-notice to be posted (or edited) and returns its alert row. */
async function card(counterNoticeId: number, contains?: string) {
  t.running.delivery.kick();
  return waitUntil(
    'the dispute card',
    async () => {
      const a = await t.db.prisma.alert.findUnique({ where: { dedupeKey: `copyright:counter_notice:${counterNoticeId}:card` } });
      if (a?.status !== 'sent' || !a.slackTs) return undefined;
      if (contains && !cardText(a).includes(contains)) {
        t.running.delivery.kick();
        return undefined;
      }
      return a;
    },
    20_000,
  );
}

const cardText = (a: { slackChannel: string | null; slackTs: string | null }) =>
  JSON.stringify(t.emulator.message(a.slackChannel!, a.slackTs!)?.blocks ?? []);

const threadOf = (a: { slackChannel: string | null; slackTs: string | null }) =>
  t.emulator.messages(a.slackChannel!).filter((m) => m.thread_ts === a.slackTs && m.ts !== a.slackTs);

const click = (userId: string, actionId: string, a: { slackChannel: string | null; slackTs: string | null }, retryNum?: number) =>
  t.slack.blockAction(
    { userId, actionId, channelId: a.slackChannel!, messageTs: a.slackTs! },
    retryNum ? { retryNum, retryReason: 'http_timeout' } : undefined,
  );

async function replyTo(res: { responseUrl?: string }): Promise<string> {
  const [first] = (await t.slack.waitForResponse(res.responseUrl!, 10_000)) as { text: string }[];
  return first?.text ?? '';
}

/** A complete, pending dispute on a fresh taken-down notice, its card posted. */
async function dispute(
  over: Record<string, unknown> = {},
  refs = [`https://claude.ai/share/cr-${seq + 1}-a`, `https://claude.ai/share/cr-${seq + 1}-b`],
) {
  const n = await takenDown(refs);
  const res = await post(counterBody(n.noticeExternalId, n.account, over));
  expect(res.status).toBe(201);
  const alert = await card(res.json.id);
  return { ...n, id: res.json.id as number, receipt: res.json, card: alert, refs };
}

describe('POST /api/v1/copyright/counter-notices', () => {
  it('records a complete counter-notice with its restore window and posts one dispute card; a replay answers the same', async () => {
    clock.set('2026-12-02T12:00:00Z');
    const n = await takenDown(['https://claude.ai/share/song-1', 'https://claude.ai/share/song-2']);
    const body = counterBody(n.noticeExternalId, n.account);
    const res = await post(body);
    expect(res.status).toBe(201);
    // Received Wednesday 25 Nov 2026 (New York); Thursday 26 is Thanksgiving, Friday 27 counts:
    // 27, 30 Nov, 1, 2, 3, 4, 7, 8, 9, 10 Dec ⇒ earliest 10 Dec; 11, 14, 15, 16 ⇒ latest 16 Dec.
    expect(res.json).toMatchObject({
      status: 'pending',
      missing: [],
      items: ['https://claude.ai/share/song-1', 'https://claude.ai/share/song-2'],
      restore_window: {
        earliest: '2026-12-10',
        latest: '2026-12-16',
        time_zone: 'America/New_York',
        opens_at: '2026-12-10T05:00:00.000Z',
        closes_at: '2026-12-17T05:00:00.000Z',
      },
    });
    const a = await card(res.json.id);
    expect(a.channel).toBe(COPYRIGHT);
    const json = cardText(a);
    for (const s of [
      `Counter-notice ${body.external_id} on notice ${n.noticeExternalId}`,
      'Harbor Music',
      n.account,
      'Thursday 2026-12-10',
      'Wednesday 2026-12-16',
      'song-1',
      'Not yet',
      '"Claimant notified"',
      '"Restore"',
      '"Restore now — false positive"',
      '"Claimant filed suit"',
      '"Reject counter-notice"',
      '"Request info"',
    ])
      expect(json).toContain(s);

    const again = await post(body);
    expect(again.status).toBe(200);
    expect(again.json).toEqual(res.json);
    const changed = await post({ ...body, signature: '/Someone Else/' });
    expect(changed.status).toBe(409);
    expect(changed.json.message).toContain(`external_id ${body.external_id} was already received with a different body`);
    expect(await t.db.prisma.counterNotice.count({ where: { externalId: body.external_id } })).toBe(1);
    expect(
      await t.db.prisma.alert.count({ where: { entityType: 'counter_notice', entityId: String(res.json.id), kind: 'copyright_dispute' } }),
    ).toBe(1);
    // The counter-notice is a complaint against each disputed takedown (the DSA counts it).
    const appeals = await t.db.prisma.appeal.findMany({ where: { externalId: { startsWith: `counter-notice:${res.json.id}:` } } });
    expect(appeals).toHaveLength(2);
    expect(appeals.every((x) => x.outcome === 'pending')).toBe(true);
  });

  it.each([
    // Independence Day 2026 is a Saturday, observed Friday 3 July: 6, 7, 8, 9, 10, 13, 14, 15, 16, 17 ⇒ 17; 20–23 ⇒ 23.
    ['Independence Day on a weekend', '2026-07-02T16:00:00Z', '2026-07-17', '2026-07-23'],
    // 04:30 UTC on 2 Dec is 23:30 on Tuesday 1 Dec in New York: receipt is the 1st ⇒ 2, 3, 4, 7, …, 15 ⇒ 15; 16, 17, 18, 21 ⇒ 21.
    ['a receipt late at night, local time', '2026-12-02T04:30:00Z', '2026-12-15', '2026-12-21'],
  ])('counts the window on the copyright calendar: %s', async (_name, receivedAt, earliest, latest) => {
    clock.set('2026-12-02T12:00:00Z');
    const n = await takenDown([`https://claude.ai/share/w-${seq}`]);
    const res = await post(counterBody(n.noticeExternalId, n.account, { received_at: receivedAt }));
    expect(res.status).toBe(201);
    expect(res.json.restore_window).toMatchObject({ earliest, latest });
  });

  it('crosses the year boundary, and an admin-closed day moves the window', async () => {
    clock.set('2026-12-23T22:00:00Z');
    const n = await takenDown([`https://claude.ai/share/yb-${seq}`]);
    // Wed 23 Dec: 24, (25 Christmas), 28, 29, 30, 31, (1 Jan), 4, 5, 6, 7, 8 ⇒ 8 Jan 2027; 11, 12, 13, 14 ⇒ 14 Jan.
    const res = await post(counterBody(n.noticeExternalId, n.account, { received_at: '2026-12-23T21:00:00Z' }));
    expect(res.json.restore_window).toMatchObject({ earliest: '2027-01-08', latest: '2027-01-14' });
    await card(res.json.id);

    const refused = await t.command('copyright holiday add 2026-12-24 "Office closed"', ANALYST);
    expect(refused.text).toContain('Only admins can change the copyright calendar');
    const added = await t.command('copyright holiday add 2026-12-24 "Office closed"', ADMIN);
    expect(added.text).toContain('Thursday 2026-12-24 is now closed on the copyright calendar');
    expect(added.text).toContain('1 open dispute had its restore window moved');
    const row = await t.db.prisma.counterNotice.findUniqueOrThrow({ where: { id: res.json.id } });
    // With 24 Dec closed: 28, 29, 30, 31, 4, 5, 6, 7, 8, 11 ⇒ 11 Jan; 12, 13, 14, 15 ⇒ 15 Jan.
    expect(row.earliestRestoreOn?.toISOString().slice(0, 10)).toBe('2027-01-11');
    expect(row.latestRestoreOn?.toISOString().slice(0, 10)).toBe('2027-01-15');
    const a = await card(res.json.id, 'Friday 2027-01-15');
    await waitUntil(
      'the thread note',
      async () => (threadOf(a).some((m) => JSON.stringify(m).includes('restore window moved')) ? true : undefined),
      15_000,
    );

    const listed = await t.command('copyright holiday list', VIEWER);
    expect(JSON.stringify(listed)).toContain('Office closed');
    expect(JSON.stringify(listed)).toContain('Christmas Day');
    const weekend = await t.command('copyright holiday add 2026-12-26', ADMIN);
    expect(weekend.text).toContain('already closed (Saturday); nothing changed');
    const federal = await t.command('copyright holiday remove 2026-12-25', ADMIN);
    expect(federal.text).toContain('which no admin added');
    const removed = await t.command('copyright holiday remove 2026-12-24', ADMIN);
    expect(removed.text).toContain('is a business day again');
    const back = await t.db.prisma.counterNotice.findUniqueOrThrow({ where: { id: res.json.id } });
    expect(back.latestRestoreOn?.toISOString().slice(0, 10)).toBe('2027-01-14');
    expect(await t.db.prisma.copyrightHoliday.count()).toBe(0);
    await t.db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'copyright.holiday.add', actor: ADMIN } });
  });

  it('records an incomplete counter-notice with every missing element named, no clock, and a card without the clock buttons', async () => {
    clock.set('2026-12-02T12:00:00Z');
    const n = await takenDown([`https://claude.ai/share/inc-${seq}`]);
    const res = await post(
      counterBody(n.noticeExternalId, n.account, {
        subscriber: { name: 'Sam', account_id: n.account },
        signature: '',
        mistake_statement: false,
        consent_to_jurisdiction: undefined,
        accepts_service: false,
      }),
    );
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ status: 'incomplete', restore_window: null });
    expect(res.json.missing).toEqual([
      'signature',
      'mistake_statement',
      'subscriber_address',
      'subscriber_phone',
      'consent_to_jurisdiction',
      'accepts_service',
    ]);
    const a = await card(res.json.id);
    const json = cardText(a);
    expect(json).toContain('Incomplete — missing 6 elements');
    expect(json).toContain('No restore clock until the counter-notice is complete');
    for (const label of ['"Restore now — false positive"', '"Reject counter-notice"', '"Request info"']) expect(json).toContain(label);
    for (const label of ['"Restore"', '"Claimant notified"', '"Claimant filed suit"']) expect(json).not.toContain(label);
    const res2 = await click(ANALYST, 'copyright_restore', a).catch((e: Error) => e);
    expect(res2).toBeInstanceOf(Error); // the card offers no Restore button
  });

  it('lets a corrected counter-notice replace an incomplete one for the same items; a complete one still blocks', async () => {
    clock.set('2026-12-02T12:00:00Z');
    const n = await takenDown([`https://claude.ai/share/fix-${seq}`]);
    const incomplete = await post(counterBody(n.noticeExternalId, n.account, { signature: '' }));
    expect(incomplete.json).toMatchObject({ status: 'incomplete', missing: ['signature'] });
    // An incomplete counter-notice is not yet a complaint.
    expect(await t.db.prisma.appeal.count({ where: { externalId: { startsWith: `counter-notice:${incomplete.json.id}:` } } })).toBe(0);
    const fixed = await post(counterBody(n.noticeExternalId, n.account));
    expect(fixed.status).toBe(201);
    expect(fixed.json.status).toBe('pending');
    const old = await t.db.prisma.counterNotice.findUniqueOrThrow({ where: { id: incomplete.json.id } });
    expect(old).toMatchObject({
      status: 'rejected',
      outcome: 'rejected',
      rejectionReason: `superseded by counter-notice ${fixed.json.external_id}`,
    });
    expect(await t.db.prisma.appeal.count({ where: { externalId: { startsWith: `counter-notice:${fixed.json.id}:` } } })).toBe(1);
    const again = await post(counterBody(n.noticeExternalId, n.account));
    expect(again.status).toBe(409);
    expect(again.json.message).toContain(`already disputed by pending counter-notice ${fixed.json.external_id}`);
    await card(incomplete.json.id, 'superseded by counter-notice');
  });

  it('answers bad input: every field error, an unknown notice, a notice that took nothing down, items it did not take down', async () => {
    clock.set('2026-12-02T12:00:00Z');
    const malformed = await t.api('/api/v1/copyright/counter-notices', '{"external_id": ');
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toBe('invalid_json');
    const wrong = await post({
      external_id: 7,
      notice_external_id: '',
      received_at: 'yesterday',
      subscriber: { account_id: 3 },
      mistake_statement: 'yes',
    });
    expect(wrong.status).toBe(400);
    const paths = (wrong.json.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(
      expect.arrayContaining(['external_id', 'mistake_statement', 'notice_external_id', 'received_at', 'subscriber.account_id']),
    );
    const unknown = await post(counterBody('no-such-notice', 'acct-x'));
    expect(unknown.status).toBe(404);
    expect(unknown.json.errors).toEqual([{ path: 'notice_external_id', message: 'no copyright notice no-such-notice' }]);

    const open = await takenDown([`https://claude.ai/share/open-${seq}`], { takeDown: false });
    const nothing = await post(counterBody(open.noticeExternalId, open.account));
    expect(nothing.status).toBe(409);
    expect(nothing.json.message).toContain(`notice ${open.noticeExternalId} took nothing down`);

    const n = await takenDown(['https://claude.ai/share/down-1']);
    const notDown = await post(
      counterBody(n.noticeExternalId, n.account, { items: ['https://claude.ai/share/down-1', 'https://claude.ai/share/other-9'] }),
    );
    expect(notDown.status).toBe(409);
    expect(notDown.json.items).toEqual(['https://claude.ai/share/other-9']);
    expect(notDown.json.message).toContain('did not take down https://claude.ai/share/other-9');

    const noToken = await t.api('/api/v1/copyright/counter-notices', counterBody(n.noticeExternalId, n.account), {
      'content-type': 'application/json',
    });
    expect(noToken.status).toBe(401);
    expect(await t.db.prisma.counterNotice.count({ where: { noticeId: { in: [open.noticeId, n.noticeId] } } })).toBe(0);
  });

  it('imports counter-notices from CSV, one row per item, every bad row named, a re-import changing nothing', async () => {
    clock.set('2026-12-02T12:00:00Z');
    const a = await takenDown(['https://claude.ai/share/csv-a1', 'https://claude.ai/share/csv-a2']);
    const b = await takenDown(['https://claude.ai/share/csv-b1']);
    const header =
      'external_id,notice_external_id,received_at,subscriber_account_id,subscriber_name,subscriber_address,subscriber_phone,signature,mistake_statement,consent_to_jurisdiction,accepts_service,content_ref';
    const common = (id: string, notice: string, account: string) =>
      `${id},${notice},2026-11-25T20:00:00Z,${account},Sam,1 Main St,+1 212 555 0100,/Sam/,yes,yes,yes`;
    const csv = [
      header,
      `${common('csv-cn-1', a.noticeExternalId, a.account)},https://claude.ai/share/csv-a1`,
      `${common('csv-cn-1', a.noticeExternalId, a.account)},https://claude.ai/share/csv-a2`,
      `${common('csv-cn-2', b.noticeExternalId, b.account)},https://claude.ai/share/not-down`,
      `${common('csv-cn-3', 'missing-notice', 'x')},`,
    ].join('\n');
    const send = () =>
      fetch(`${t.baseUrl}/api/v1/imports/counter-notices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'text/csv' },
        body: csv,
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as { errors: unknown[] } & Record<string, unknown> }));
    const first = await send();
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ kind: 'counter-notices', imported: 1, replayed: 0, failed: 2 });
    expect(first.json.errors).toEqual([
      expect.objectContaining({
        line: 4,
        column: 'content_ref',
        message: expect.stringContaining('did not take down https://claude.ai/share/not-down'),
      }),
      expect.objectContaining({ line: 5, column: 'notice_external_id', message: 'no copyright notice missing-notice' }),
    ]);
    const row = await t.db.prisma.counterNotice.findUniqueOrThrow({ where: { externalId: 'csv-cn-1' } });
    expect(row.items).toEqual(['https://claude.ai/share/csv-a1', 'https://claude.ai/share/csv-a2']);
    expect(row.earliestRestoreOn?.toISOString().slice(0, 10)).toBe('2026-12-10');
    const again = await send();
    expect(again.json).toMatchObject({ imported: 0, replayed: 1, failed: 2 });
    expect(await t.db.prisma.counterNotice.count({ where: { externalId: 'csv-cn-1' } })).toBe(1);
    // The same counter-notice through the JSON API is the same submission: a replay.
    const json = await post({
      external_id: 'csv-cn-1',
      notice_external_id: a.noticeExternalId,
      received_at: '2026-11-25T20:00:00Z',
      subscriber: { name: 'Sam', address: '1 Main St', phone: '+1 212 555 0100', account_id: a.account },
      items: ['https://claude.ai/share/csv-a1', 'https://claude.ai/share/csv-a2'],
      signature: '/Sam/',
      mistake_statement: true,
      consent_to_jurisdiction: true,
      accepts_service: true,
    });
    expect(json.status).toBe(200);
  });
});

describe('the dispute card', () => {
  it('refuses viewers, and audits the attempt', async () => {
    clock.set('2026-12-02T12:00:00Z');
    const d = await dispute();
    const res = await click(VIEWER, 'copyright_claimant_notified', d.card);
    expect(await replyTo(res)).toContain('Only analysts can act on copyright disputes');
    expect(
      await t.db.prisma.auditEvent.count({ where: { action: 'access.refused', actor: VIEWER, entityId: 'act on copyright disputes' } }),
    ).toBeGreaterThanOrEqual(1);
    expect((await t.db.prisma.counterNotice.findUniqueOrThrow({ where: { id: d.id } })).claimantNotifiedAt).toBeNull();
  });

  it('records Claimant notified once; the card says so, a second click hears who and when', async () => {
    clock.set('2026-12-02T12:00:00Z');
    const d = await dispute();
    const res = await click(ANALYST, 'copyright_claimant_notified', d.card);
    expect(await replyTo(res)).toContain(`Recorded: the claimant has been sent counter-notice ${d.id}`);
    const a = await card(d.id, `<@${ANALYST}>`);
    expect(cardText(a)).not.toContain('"Claimant notified"');
    const again = await t.slack.blockAction({
      userId: ANALYST2,
      actionId: 'copyright_claimant_notified',
      channelId: a.slackChannel!,
      value: JSON.stringify({ counterNoticeId: d.id }),
    });
    expect(await replyTo(again)).toContain(`already recorded as notified by <@${ANALYST}>`);
    await waitUntil(
      'the thread note',
      async () => (threadOf(a).some((m) => JSON.stringify(m).includes('Claimant notified')) ? true : undefined),
      15_000,
    );
  });

  it('refuses Restore before the earliest date, giving the date and pointing to the false-positive button', async () => {
    clock.set('2026-12-02T12:00:00Z');
    const d = await dispute();
    const res = await click(ANALYST, 'copyright_restore', d.card);
    const text = await replyTo(res);
    expect(text).toContain('Restore is allowed from Thursday 2026-12-10');
    expect(text).toContain('Restore now — false positive');
    expect((await t.db.prisma.counterNotice.findUniqueOrThrow({ where: { id: d.id } })).outcome).toBeNull();
  });

  it('restores once under racing clicks: items back, takedown reversed (no new decision), strike removed, complaint overturned', async () => {
    clock.set('2026-12-02T12:00:00Z');
    const d = await dispute();
    const decisionsBefore = await t.db.prisma.decision.count();
    clock.set('2026-12-11T15:00:00Z'); // inside the window (10–16 Dec)
    const clicks = await Promise.all([
      click(ANALYST, 'copyright_restore', d.card),
      click(ANALYST, 'copyright_restore', d.card),
      click(ANALYST2, 'copyright_restore', d.card),
      click(ANALYST2, 'copyright_restore', d.card, 1),
      click(ADMIN, 'copyright_restore', d.card),
    ]);
    const answers = await Promise.all(clicks.map(replyTo));
    expect(answers.filter((a) => a.startsWith('Restored 2 items'))).toHaveLength(1);
    const row = await t.db.prisma.counterNotice.findUniqueOrThrow({ where: { id: d.id } });
    expect(row).toMatchObject({ status: 'restored', outcome: 'restored_in_window' });
    const winner = row.decidedBy!;
    const others = answers.filter((a) => !a.startsWith('Restored 2 items'));
    expect(others).toHaveLength(4);
    for (const a of others) expect(a).toContain(`already restored by <@${winner}> at 2026-12-11`);

    const items = await t.db.prisma.copyrightNoticeItem.findMany({ where: { noticeId: d.noticeId } });
    expect(items.every((i) => i.restoredAt !== null && i.restoredBy === winner)).toBe(true);
    const decisions = await t.db.prisma.decision.findMany({ where: { id: { in: items.map((i) => i.decisionId!) } } });
    expect(decisions).toHaveLength(2);
    expect(decisions.every((x) => x.reversedAt !== null && x.reversedBy === winner && x.action === 'content_removed')).toBe(true);
    expect(await t.db.prisma.decision.count()).toBe(decisionsBefore);
    const strike = await t.db.prisma.copyrightStrike.findFirstOrThrow({ where: { noticeId: d.noticeId, accountId: d.account } });
    expect(strike).toMatchObject({ removedReason: 'restored', removedBy: winner });
    const appeals = await t.db.prisma.appeal.findMany({ where: { externalId: { startsWith: `counter-notice:${d.id}:` } } });
    expect(appeals.map((x) => x.outcome)).toEqual(['overturned', 'overturned']);
    const a = await card(d.id, 'Restored');
    expect(cardText(a)).not.toContain('"Restore"');
    await waitUntil(
      'the thread note',
      async () => (threadOf(a).some((m) => JSON.stringify(m).includes('Restored in the window')) ? true : undefined),
      15_000,
    );
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'counter_notice.restore', entityId: String(d.id) } })).toBe(1);
  });

  it('restores now as a false positive only with a reason', async () => {
    clock.set('2026-12-02T12:00:00Z');
    const d = await dispute();
    await click(ANALYST, 'copyright_restore_false_positive', d.card);
    await waitUntil(
      'the modal',
      async () =>
        t.emulator.openModals(ANALYST).some((v) => v.callback_id === 'copyright_restore_false_positive_modal') ? true : undefined,
      10_000,
    );
    const empty = await t.slack.viewSubmission({
      userId: ANALYST,
      callbackId: 'copyright_restore_false_positive_modal',
      values: { copyright_reason: { text: '  ' } },
    });
    expect(empty.json).toMatchObject({ response_action: 'errors', errors: { copyright_reason: 'Give a reason.' } });
    const ok = await t.slack.viewSubmission({
      userId: ANALYST,
      callbackId: 'copyright_restore_false_positive_modal',
      values: { copyright_reason: { text: 'The clip is the subscriber’s own recording' } },
    });
    expect(ok.status).toBe(200);
    await waitUntil(
      'the restore',
      async () => {
        const row = await t.db.prisma.counterNotice.findUniqueOrThrow({ where: { id: d.id } });
        return row.outcome === 'restored_false_positive' ? row : undefined;
      },
      10_000,
    );
    const row = await t.db.prisma.counterNotice.findUniqueOrThrow({ where: { id: d.id } });
    expect(row.restoreReason).toBe('The clip is the subscriber’s own recording');
    const a = await card(d.id, 'Restored now as a false positive');
    expect(cardText(a)).toContain('subscriber’s own recording');
  });

  it('holds for a suit: material stays down, clock stops; the date filed cannot be in the future', async () => {
    clock.set('2026-12-02T12:00:00Z');
    const d = await dispute();
    await click(ANALYST, 'copyright_suit_filed', d.card);
    await waitUntil(
      'the modal',
      async () => (t.emulator.openModals(ANALYST).some((v) => v.callback_id === 'copyright_suit_filed_modal') ? true : undefined),
      10_000,
    );
    const future = await t.slack.viewSubmission({
      userId: ANALYST,
      callbackId: 'copyright_suit_filed_modal',
      values: {
        copyright_court: { text: 'S.D.N.Y.' },
        copyright_case_number: { text: '1:26-cv-00042' },
        copyright_filed_on: { date: { type: 'datepicker', selected_date: '2026-12-09' } },
      },
    });
    expect(future.json).toMatchObject({
      response_action: 'errors',
      errors: { copyright_filed_on: 'The date filed cannot be after today (2026-12-02).' },
    });
    await t.slack.viewSubmission({
      userId: ANALYST,
      callbackId: 'copyright_suit_filed_modal',
      values: {
        copyright_court: { text: 'S.D.N.Y.' },
        copyright_case_number: { text: '1:26-cv-00042' },
        copyright_filed_on: { date: { type: 'datepicker', selected_date: '2026-12-01' } },
      },
    });
    const row = await waitUntil(
      'the hold',
      async () => {
        const r = await t.db.prisma.counterNotice.findUniqueOrThrow({ where: { id: d.id } });
        return r.outcome === 'held' ? r : undefined;
      },
      10_000,
    );
    expect(row).toMatchObject({ status: 'held', suitCourt: 'S.D.N.Y.', suitCaseNumber: '1:26-cv-00042' });
    const items = await t.db.prisma.copyrightNoticeItem.findMany({ where: { noticeId: d.noticeId } });
    expect(items.every((i) => i.restoredAt === null)).toBe(true);
    const a = await card(d.id, 'Held');
    expect(cardText(a)).toContain('1:26-cv-00042');
    expect(cardText(a)).not.toContain('"Restore"');
    // Handed to a court: the complaint is closed without a decision on its merits.
    const appeals = await t.db.prisma.appeal.findMany({ where: { externalId: { startsWith: `counter-notice:${d.id}:` } } });
    expect(appeals.map((x) => x.outcome)).toEqual(['closed', 'closed']);
  });

  it('rejects a counter-notice with a reason, and asks for information in the thread', async () => {
    clock.set('2026-12-02T12:00:00Z');
    const d = await dispute();
    await click(ANALYST, 'copyright_dispute_request_info', d.card);
    await waitUntil(
      'the modal',
      async () => (t.emulator.openModals(ANALYST).some((v) => v.callback_id === 'copyright_dispute_request_info_modal') ? true : undefined),
      10_000,
    );
    await t.slack.viewSubmission({
      userId: ANALYST,
      callbackId: 'copyright_dispute_request_info_modal',
      values: { copyright_reason: { text: 'Is the upload <!channel> the subscriber’s own?' } },
    });
    const a = await card(d.id, 'Info requested by');
    await waitUntil(
      'the question in the thread',
      async () => (threadOf(a).some((m) => JSON.stringify(m).includes('asks for more information')) ? true : undefined),
      15_000,
    );
    expect(JSON.stringify(threadOf(a))).not.toContain('<!channel>');
    expect(await t.db.prisma.copyrightInfoRequest.count({ where: { counterNoticeId: d.id, requestedBy: ANALYST } })).toBe(1);

    await click(ANALYST2, 'copyright_reject_counter_notice', a);
    await waitUntil(
      'the modal',
      async () =>
        t.emulator.openModals(ANALYST2).some((v) => v.callback_id === 'copyright_reject_counter_notice_modal') ? true : undefined,
      10_000,
    );
    await t.slack.viewSubmission({
      userId: ANALYST2,
      callbackId: 'copyright_reject_counter_notice_modal',
      values: { copyright_reason: { text: 'Signed by someone other than the subscriber' } },
    });
    const row = await waitUntil(
      'the rejection',
      async () => {
        const r = await t.db.prisma.counterNotice.findUniqueOrThrow({ where: { id: d.id } });
        return r.outcome === 'rejected' ? r : undefined;
      },
      10_000,
    );
    expect(row).toMatchObject({ status: 'rejected', decidedBy: ANALYST2, rejectionReason: 'Signed by someone other than the subscriber' });
    const appeals = await t.db.prisma.appeal.findMany({ where: { externalId: { startsWith: `counter-notice:${d.id}:` } } });
    expect(appeals.every((x) => x.outcome === 'upheld')).toBe(true);
    const late = await t.slack.blockAction({
      userId: ANALYST,
      actionId: 'copyright_restore_false_positive',
      channelId: a.slackChannel!,
      value: JSON.stringify({ counterNoticeId: d.id }),
    });
    expect(await replyTo(late)).toContain(`already rejected by <@${ANALYST2}>`);
  });

  it('shows analysts the open disputes in App Home, soonest latest date first', async () => {
    clock.set('2026-12-02T12:00:00Z');
    const late = await dispute({ received_at: '2026-12-01T15:00:00Z' });
    const soon = await dispute({ received_at: '2026-11-20T15:00:00Z' });
    const before = t.emulator.callsTo('views.publish').length;
    await t.slack.event({ type: 'app_home_opened', user: ANALYST, channel: 'D0CRANALYST', tab: 'home' });
    const call = await t.emulator.waitFor((c) => c.method === 'views.publish' && c.args.user_id === ANALYST, 10_000);
    const json = JSON.stringify(t.emulator.callsTo('views.publish').slice(before).at(-1)?.args ?? call.args);
    expect(json).toContain('Open copyright disputes');
    const i = json.indexOf(`(id ${soon.id})`);
    const j = json.indexOf(`(id ${late.id})`);
    expect(i).toBeGreaterThan(-1);
    expect(j).toBeGreaterThan(i);
    await t.slack.event({ type: 'app_home_opened', user: VIEWER, channel: 'D0CRVIEWER', tab: 'home' });
    const viewer = await t.emulator.waitFor((c) => c.method === 'views.publish' && c.args.user_id === VIEWER, 10_000);
    expect(JSON.stringify(viewer.args)).not.toContain('Open copyright disputes');
  });
});

describe('/trustops copyright dispute <id>', () => {
  it('shows one dispute with its timeline, to analysts only; bad ids say what is wrong', async () => {
    clock.set('2026-12-02T12:00:00Z');
    const d = await dispute();
    await click(ANALYST, 'copyright_claimant_notified', d.card);
    await waitUntil(
      'claimant notified',
      async () => ((await t.db.prisma.counterNotice.findUniqueOrThrow({ where: { id: d.id } })).claimantNotifiedAt ? true : undefined),
      10_000,
    );
    const reply = await t.command(`copyright dispute ${d.id}`, ANALYST);
    expect(reply.response_type).toBe('ephemeral');
    const json = JSON.stringify(reply.blocks);
    for (const s of [
      'Timeline',
      'Counter-notice received',
      'Claimant notified',
      'Thursday 2026-12-10',
      'Wednesday 2026-12-16',
      `<@${ANALYST}>`,
    ])
      expect(json).toContain(s);
    expect(json).not.toContain('"type":"actions"');
    expect((await t.command(`copyright dispute ${d.id}`, VIEWER)).text).toContain('Only analysts can see copyright disputes');
    expect((await t.command('copyright dispute abc', ANALYST)).text).toContain('`abc` is not a counter-notice id.');
    expect((await t.command('copyright dispute 999999', ANALYST)).text).toContain('There is no counter-notice 999999.');
  });
});
