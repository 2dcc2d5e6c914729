import fc from 'fast-check';
import type { DisputeCardData, IncompleteNoticeCardData, NoticeCardData } from '../../../src/domain/copyright/cards';
import { validateBlocks } from '../../../src/sandbox/emulator/block-kit';
import type { Block, SlackMessage } from '../../../src/slack/views/blocks';
import { CopyrightActionId, disputeCard, incompleteNoticeCard, noticeCard, senderContactMessage } from '../../../src/slack/views/copyright';

type Button = { action_id: string; text: { text: string }; value?: string; style?: string };

const buttons = (m: SlackMessage): Button[] =>
  m.blocks.filter((b) => b.type === 'actions').flatMap((b) => (b as Block & { elements: Button[] }).elements);
const json = (m: SlackMessage) => JSON.stringify(m.blocks);

function expectValid(m: SlackMessage): void {
  expect(validateBlocks(m.blocks, 'message')).toEqual([]);
  expect(m.text.length).toBeGreaterThan(0);
  expect(m.text.length).toBeLessThanOrEqual(40_000);
}

const sender = { name: 'Rights Co', organization: 'Rights Co LLC', kind: 'agent' as const, email: 'legal@rights.example' };

const incomplete = (over: Partial<IncompleteNoticeCardData> = {}): IncompleteNoticeCardData => ({
  noticeId: 7,
  externalId: 'dmca-7',
  sender,
  work: 'The Song',
  itemCount: 2,
  receivedAt: '2026-12-01T15:00:00.000Z',
  missing: ['signature', 'good_faith'],
  outreach: 'expected',
  infoRequests: [],
  ...over,
});

const items = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ contentRef: `conv:${i + 1}`, surface: 'claude_ai', accountId: `acct-${i % 3}` }));

const notice = (over: Partial<NoticeCardData> = {}): NoticeCardData => ({
  noticeId: 8,
  externalId: 'dmca-8',
  sender,
  work: 'The Song, registration PA-1-234-567',
  items: items(15),
  itemCount: 15,
  accounts: ['acct-0', 'acct-1', 'acct-2'],
  receivedAt: '2026-12-01T15:00:00.000Z',
  sla: { dueAt: '2026-12-02T15:00:00.000Z', state: 'at_risk' },
  status: 'open',
  ...over,
});

const dispute = (over: Partial<DisputeCardData> = {}): DisputeCardData => ({
  counterNoticeId: 9,
  externalId: 'cn-9',
  notice: { externalId: 'dmca-8', claimant: 'Rights Co', senderKind: 'agent' },
  subscriberName: 'Sam User',
  accountId: 'acct-1',
  items: ['conv:2', 'conv:5'],
  itemCount: 2,
  receivedAt: '2026-12-18T17:00:00.000Z',
  missing: [],
  window: { earliest: '2027-01-05', latest: '2027-01-11', timeZone: 'America/New_York' },
  clock: { phase: 'waiting', daysLeft: 14, daysUntilOpen: 10, asOf: '2026-12-18T17:00:00.000Z' },
  claimantNotifyDueAt: '2026-12-21T17:00:00.000Z',
  status: 'pending',
  infoRequests: [],
  ...over,
});

describe('the incomplete-notice card', () => {
  it('lists what to ask the sender for, says §512(c)(3)(B)(ii) expects us to, and offers Request info', () => {
    const card = incompleteNoticeCard(incomplete());
    expectValid(card);
    expect(card.text).toBe('Incomplete copyright notice dmca-7: missing signature, good_faith');
    const body = json(card);
    expect(body).toContain('Missing 2 elements — ask the sender for:');
    expect(body).toContain('*signature* (§512(c)(3)(A)(i))');
    expect(body).toContain('*good faith* (§512(c)(3)(A)(v))');
    expect(body).toContain('§512(c)(3)(B)(ii) expects us to ask for the rest');
    expect(body).toContain('Contact on file: email.');
    expect(buttons(card).map((b) => [b.text.text, b.action_id, b.value])).toEqual([
      ['Request info', CopyrightActionId.noticeRequestInfo, '{"noticeId":7}'],
      ['Show contact', CopyrightActionId.showSenderContact, '{"noticeId":7}'],
    ]);
  });

  it('posts which contacts the sender gave, never the email, telephone or address themselves', () => {
    const full = { ...sender, phone: '+1 555 0100 77', address: '1 Rights Plaza, Suite 9, Springfield' };
    for (const outreach of ['expected', 'possible'] as const) {
      const card = incompleteNoticeCard(incomplete({ sender: full, outreach }));
      expectValid(card);
      const posted = JSON.stringify(card);
      for (const value of [full.email, full.phone, full.address]) expect(posted).not.toContain(value);
      expect(posted).toContain('email, telephone and postal address');
      expect(buttons(card).map((b) => b.action_id)).toContain(CopyrightActionId.showSenderContact);
    }
  });

  it('gives the contact details in the Show contact answer, for the one analyst who asked', () => {
    const answer = senderContactMessage({ externalId: 'dmca-7', sender: { ...sender, phone: '+1 555 0100 77' } });
    expectValid(answer);
    const body = json(answer);
    expect(body).toContain('*Email:* `legal@rights.example`');
    expect(body).toContain('*Telephone:* `+1 555 0100 77`');
    expect(body).not.toContain('Postal address');
    expect(body).toContain('Only you can see this');
    expect(json(senderContactMessage({ externalId: 'dmca-8', sender: { name: 'Bot', kind: 'automated_agent' } }))).toContain(
      'gives no email, address or telephone number',
    );
  });

  it('says there is no one to ask without a contact, and offers no button', () => {
    const card = incompleteNoticeCard(
      incomplete({ sender: { name: 'Bot', kind: 'automated_agent' }, missing: ['contact'], outreach: 'no_contact' }),
    );
    expectValid(card);
    expect(json(card)).toContain('*No one to ask:* the notice gives no email, address or telephone number');
    expect(json(card)).not.toContain('expects us');
    expect(buttons(card)).toEqual([]);
  });

  it('says asking is optional when the work or the material is missing, and shows who asked last', () => {
    const card = incompleteNoticeCard(
      incomplete({
        missing: ['work'],
        outreach: 'possible',
        infoRequests: [
          { by: 'U0ANALYST1', at: '2026-12-01T16:00:00.000Z' },
          { by: 'U0ANALYST2', at: '2026-12-02T16:00:00.000Z' },
        ],
      }),
    );
    expect(json(card)).toContain('*You may ask:*');
    expect(json(card)).toContain('Info requested by <@U0ANALYST2> at <!date^');
    expect(json(card)).toContain('(2 requests)');
  });
});

describe('the notice card', () => {
  it('shows sender, work, the first 10 items as references and "and N more", accounts, received-at and the SLA clock', () => {
    const card = noticeCard(notice());
    expectValid(card);
    const body = json(card);
    expect(body).toContain('Rights Co · Rights Co LLC (agent)');
    expect(body).toContain('registration PA-1-234-567');
    expect(body).toContain('*15 items*');
    expect(body).toContain('• `conv:10` — claude_ai, account acct-0');
    expect(body).not.toContain('`conv:11`');
    expect(body).toContain('…and 5 more');
    expect(body).toContain('acct-0, acct-1, acct-2');
    expect(body).toContain('(at risk)');
    expect(body).toContain('References only');
    expect(buttons(card).map((b) => [b.text.text, b.action_id, b.style, b.value])).toEqual([
      ['Take down', 'copyright_take_down', 'primary', '{"noticeId":8}'],
      ['Reject notice', 'copyright_reject_notice', 'danger', '{"noticeId":8}'],
    ]);
  });

  it('keeps a link-like or backticked reference inside its code span, never a live link', () => {
    const card = noticeCard(notice({ items: [{ contentRef: 'https://claude.ai/share/x`<!channel>`' }], itemCount: 1 }));
    expect(json(card)).toContain("`https://claude.ai/share/x'&lt;!channel&gt;'`");
  });

  it('after Take down shows who and when, that users were told, and offers only Record retraction', () => {
    const card = noticeCard(
      notice({
        status: 'taken_down',
        decided: { by: 'U0ANALYST1', at: '2026-12-02T10:00:00.000Z' },
        usersNotifiedAt: '2026-12-02T10:00:01.000Z',
      }),
    );
    expectValid(card);
    expect(json(card)).toMatch(/✅ \*Taken down\* by <@U0ANALYST1> at <!date\^\d+\^[^>]+>\. Affected users told at <!date/);
    expect(buttons(card).map((b) => b.action_id)).toEqual([CopyrightActionId.retractNotice]);
  });

  it('after Reject notice shows the reason and no buttons; a retraction says the material is back', () => {
    const rejected = noticeCard(
      notice({ status: 'rejected', decided: { by: 'U0ANALYST1', at: '2026-12-02T10:00:00.000Z', reason: 'fair_use', note: 'commentary' } }),
    );
    expect(json(rejected)).toContain('⛔ *Rejected* (fair use) by <@U0ANALYST1>');
    expect(json(rejected)).toContain('\\n>commentary');
    expect(buttons(rejected)).toEqual([]);
    const retracted = noticeCard(notice({ status: 'retracted', retracted: { by: 'api:rights-co', at: '2026-12-03T10:00:00.000Z' } }));
    expect(json(retracted)).toContain('*Retracted* — recorded by api:rights-co');
    expect(buttons(retracted)).toEqual([]);
  });

  it('fits Block Kit with 1,000 items of 2,000-character references', () => {
    const long = Array.from({ length: 1000 }, (_, i) => ({
      contentRef: `https://x.example/${'a'.repeat(1980)}${i}`,
      surface: 's'.repeat(64),
    }));
    const card = noticeCard(notice({ items: long, itemCount: 1000, accounts: long.map((_, i) => `acct-${i}`) }));
    expectValid(card);
    expect(json(card)).toContain('…and 990 more');
    expect(json(card)).toContain('acct-9 and 990 more'); // the accounts too
  });
});

describe('the dispute card', () => {
  it('shows the notice and counter-notice, account, items, received-at, the window by local date and the clock', () => {
    const card = disputeCard(dispute());
    expectValid(card);
    expect(card.text).toBe('Counter-notice cn-9 on notice dmca-8: restore 2027-01-05 – 2027-01-11');
    const body = json(card);
    expect(body).toContain('Rights Co (agent)');
    expect(body).toContain('acct-1 · Sam User');
    expect(body).toContain('*Earliest restore*\\nTuesday 2027-01-05');
    expect(body).toContain('*Latest restore*\\nMonday 2027-01-11');
    expect(body).toContain('Restore allowed in 10 business days; 14 business days left');
    expect(body).toContain('*Claimant notified*\\nNot yet — due by <!date^');
    expect(body).toContain('• `conv:2`');
    expect(buttons(card).map((b) => [b.text.text, b.action_id])).toEqual([
      ['Claimant notified', 'copyright_claimant_notified'],
      ['Restore', 'copyright_restore'],
      ['Restore now — false positive', 'copyright_restore_false_positive'],
      ['Claimant filed suit', 'copyright_suit_filed'],
      ['Reject counter-notice', 'copyright_reject_counter_notice'],
      ['Request info', 'copyright_dispute_request_info'],
    ]);
    expect(new Set(buttons(card).map((b) => b.value))).toEqual(new Set(['{"counterNoticeId":9}']));
  });

  it('records Claimant notified on the card and drops its button; says when the window is open or overdue', () => {
    const open = disputeCard(
      dispute({
        claimantNotified: { by: 'U0ANALYST1', at: '2026-12-21T15:00:00.000Z' },
        clock: { phase: 'open', daysLeft: 4, daysUntilOpen: 0, asOf: '2027-01-05T14:00:00.000Z' },
      }),
    );
    expect(json(open)).toContain('*Claimant notified*\\n✅ <@U0ANALYST1> at <!date^');
    expect(json(open)).toContain('*Window open:* restore by the end of Monday 2027-01-11; 4 business days left');
    expect(buttons(open).map((b) => b.action_id)).not.toContain(CopyrightActionId.claimantNotified);
    const overdue = disputeCard(dispute({ clock: { phase: 'overdue', daysLeft: -2, daysUntilOpen: 0, asOf: '2027-01-13T14:00:00.000Z' } }));
    expect(json(overdue)).toContain('*Overdue:* the latest restore date (Monday 2027-01-11) has passed by 2 business days');
  });

  it('shows an incomplete counter-notice without a clock, with what is missing and only the buttons that need no clock', () => {
    const card = disputeCard(dispute({ missing: ['mistake_statement', 'subscriber_phone'], window: undefined, clock: undefined }));
    expectValid(card);
    expect(card.text).toMatch(/: incomplete$/);
    expect(json(card)).toContain('*Incomplete — missing 2 elements:*');
    expect(json(card)).toContain('*mistake statement* (§512(g)(3)(C))');
    expect(json(card)).toContain('No restore clock until the counter-notice is complete.');
    expect(json(card)).not.toContain('Earliest restore');
    expect(buttons(card).map((b) => b.action_id)).toEqual([
      CopyrightActionId.restoreFalsePositive,
      CopyrightActionId.rejectCounterNotice,
      CopyrightActionId.disputeRequestInfo,
    ]);
  });

  it('shows the decision with who and when, the suit or the reason, and no buttons', () => {
    const held = disputeCard(
      dispute({
        status: 'held',
        decided: { by: 'U0ANALYST1', at: '2027-01-04T15:00:00.000Z' },
        suit: { court: 'S.D.N.Y.', caseNumber: '1:27-cv-00042', filedOn: '2027-01-03' },
      }),
    );
    expectValid(held);
    expect(json(held)).toContain('⏸️ *Held*: the claimant filed suit');
    expect(json(held)).toContain('S.D.N.Y., case 1:27-cv-00042, filed 2027-01-03');
    expect(buttons(held)).toEqual([]);
    const fp = disputeCard(
      dispute({
        status: 'restored_false_positive',
        decided: { by: 'U0ANALYST1', at: '2026-12-19T15:00:00.000Z', reason: 'our own licence' },
      }),
    );
    expect(json(fp)).toContain('*Restored now as a false positive* — by <@U0ANALYST1>');
    expect(json(fp)).toContain('our own licence');
    expect(fp.text).toMatch(/restored false positive$/);
    expect(buttons(fp)).toEqual([]);
  });
});

// The project's hostile-text check (test/slack/views-hostile.test.ts), applied to these cards.
const KNOWN_USERS = ['U0ANALYST1', 'U0ANALYST2'];
const OURS = new RegExp(`<!date\\^\\d+\\^[^|<>]*\\|[^<>]*>|<@(?:${KNOWN_USERS.join('|')})>`, 'g');
const FRAGMENTS = [
  '<!channel>',
  '<!here>',
  '<@UEVIL0001>',
  '<https://evil.example|click>',
  '<!date^1^{date}|x>',
  '&',
  '&amp;',
  '<',
  '>',
  '`',
  '*',
  '\n',
  '😀',
  'x',
];
const hostile = fc.oneof(
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 30 }).map((a) => a.join('')),
  fc
    .tuple(fc.constantFrom(...FRAGMENTS), fc.integer({ min: 1, max: 10_000 }))
    .map(([f, n]) => f.repeat(Math.ceil(n / f.length)).slice(0, n)),
);
const nonEmpty = hostile.map((s) => s || 'x');
const actor = fc.oneof(
  fc.constantFrom(...KNOWN_USERS),
  hostile.map((s) => `api:${s}`),
);
const iso = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
const recordedBy = fc.record({ by: actor, at: iso });
const hostileSender = fc.record({
  name: nonEmpty,
  organization: fc.option(hostile, { nil: undefined }),
  kind: fc.constantFrom('rights_holder' as const, 'agent' as const, 'automated_agent' as const),
  email: fc.option(hostile, { nil: undefined }),
  phone: fc.option(hostile, { nil: undefined }),
  address: fc.option(hostile, { nil: undefined }),
});

function parsedTexts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) parsedTexts(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
    for (const v of Object.values(o)) parsedTexts(v, out);
  }
  return out;
}

function expectInert(m: SlackMessage): void {
  expectValid(m);
  for (const t of [m.text, ...parsedTexts(m.blocks)]) {
    if (t.replace(OURS, '').includes('<')) throw new Error(`live markup from user text in ${JSON.stringify(t.slice(0, 300))}`);
    if (/&(?!amp;|lt;|gt;)/.test(t)) throw new Error(`bare & in ${JSON.stringify(t.slice(0, 300))}`);
  }
}

describe('hostile text on the copyright cards', () => {
  const RUNS = { numRuns: 40 };

  it('is shown as typed and fits, on the incomplete-notice card', () => {
    fc.assert(
      fc.property(hostileSender, hostile, nonEmpty, fc.array(recordedBy, { maxLength: 3 }), (s, work, externalId, requests) => {
        expectInert(incompleteNoticeCard(incomplete({ sender: s, work, externalId, infoRequests: requests })));
      }),
      RUNS,
    );
  });

  it('is shown as typed and fits, in the Show contact answer', () => {
    fc.assert(
      fc.property(hostileSender, nonEmpty, (s, externalId) => {
        expectInert(senderContactMessage({ sender: s, externalId }));
      }),
      RUNS,
    );
  });

  it('is shown as typed and fits, on the notice card', () => {
    const item = fc.record({
      contentRef: nonEmpty,
      surface: fc.option(hostile, { nil: undefined }),
      accountId: fc.option(hostile, { nil: undefined }),
    });
    fc.assert(
      fc.property(
        hostileSender,
        hostile,
        fc.array(item, { maxLength: 15 }),
        fc.array(hostile, { maxLength: 15 }),
        recordedBy,
        hostile,
        fc.constantFrom('open' as const, 'taken_down' as const, 'rejected' as const, 'retracted' as const),
        (s, work, its, accounts, by, note, status) => {
          expectInert(
            noticeCard(
              notice({
                sender: s,
                work,
                items: its,
                itemCount: its.length + 3,
                accounts,
                status,
                decided: { ...by, reason: 'other', note },
                retracted: by,
              }),
            ),
          );
        },
      ),
      RUNS,
    );
  });

  it('is shown as typed and fits, on the dispute card', () => {
    fc.assert(
      fc.property(
        nonEmpty,
        nonEmpty,
        hostile,
        fc.array(nonEmpty, { maxLength: 15 }),
        recordedBy,
        fc.record({ court: hostile, caseNumber: hostile, filedOn: hostile }),
        fc.constantFrom('pending' as const, 'held' as const, 'rejected' as const, 'restored_false_positive' as const),
        (externalId, claimant, subscriberName, refs, by, suit, status) => {
          expectInert(
            disputeCard(
              dispute({
                externalId,
                notice: { externalId, claimant, senderKind: 'rights_holder' },
                subscriberName,
                accountId: claimant,
                items: refs,
                itemCount: refs.length,
                status,
                decided: { ...by, reason: subscriberName },
                claimantNotified: by,
                suit,
                infoRequests: [by],
              }),
            ),
          );
        },
      ),
      RUNS,
    );
  });
});
