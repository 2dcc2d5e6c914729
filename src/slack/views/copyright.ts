// The copyright cards: an incomplete notice (what to ask the sender for), a notice to act on, and a
// dispute on the restore clock. Data in, blocks out; content appears only as references, in code
// spans, so Slack neither links nor previews it.

import { weekdayName } from '../../domain/copyright/calendar';
import type {
  CardItem,
  CardSender,
  DisputeCardData,
  IncompleteNoticeCardData,
  NoticeCardData,
  Recorded,
  RejectNoticeReason,
} from '../../domain/copyright/cards';
import { type DisputeAction, disputeActions } from '../../domain/copyright/disputes';
import type { NoticeImportSummary } from '../../domain/copyright/notices-import';
import { COUNTER_NOTICE_ELEMENT_TEXT, NOTICE_ELEMENT_TEXT, type SenderKind } from '../../domain/copyright/schemas';
import { actions, type Block, button, context, fields, header, message, type SlackMessage, section } from './blocks';
import { joinMd, type Mrkdwn, md, mention, type Text, truncate } from './text';
import { slackDate } from './time';

/**
 * Proposed for src/slack/ids.ts (kept here until the listeners are wired). Every button carries a
 * JSON value naming its notice or counter-notice.
 */
export const CopyrightActionId = {
  noticeRequestInfo: 'copyright_notice_request_info',
  takeDown: 'copyright_take_down',
  rejectNotice: 'copyright_reject_notice',
  retractNotice: 'copyright_retract_notice',
  claimantNotified: 'copyright_claimant_notified',
  restore: 'copyright_restore',
  restoreFalsePositive: 'copyright_restore_false_positive',
  suitFiled: 'copyright_suit_filed',
  rejectCounterNotice: 'copyright_reject_counter_notice',
  disputeRequestInfo: 'copyright_dispute_request_info',
  showSenderContact: 'copyright_show_sender_contact',
} as const;

export type NoticeButtonValue = { noticeId: number };
export type DisputeButtonValue = { counterNoticeId: number };

/** The card shows this many items; the rest are counted. */
export const CARD_ITEMS = 10;
const REF_CHARS = 200;

const SENDER_KIND: Record<SenderKind, string> = {
  rights_holder: 'rights holder',
  agent: 'agent',
  automated_agent: 'automated agent',
};

const REJECT_REASON: Record<RejectNoticeReason, string> = {
  invalid: 'invalid notice',
  abusive: 'abusive notice',
  not_copyrightable: 'not copyrightable',
  fair_use: 'fair use',
  other: 'other',
};

/** A reference in a code span: not a link, not a preview. A backtick would end the span early. */
const ref = (s: string): Mrkdwn => md`\`${truncate(s.replace(/`/g, "'"), REF_CHARS)}\``;

const senderLine = (s: CardSender): Mrkdwn =>
  md`${truncate(s.name, 200)}${s.organization ? md` · ${truncate(s.organization, 200)}` : ''} (${SENDER_KIND[s.kind]})`;

const recorded = (r: Recorded): Mrkdwn => md`${mention(r.by)} at ${slackDate(r.at)}`;

/** "Tuesday 2027-01-05": a date on the copyright calendar, the same for every reader. */
const calendarDate = (date: string): string => `${weekdayName(date)} ${date}`;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The first items as references, one a line, then how many more. */
function itemLines(items: readonly CardItem[], total: number): Mrkdwn {
  const shown = items.slice(0, CARD_ITEMS).map((i) => {
    const where = [i.surface, i.accountId ? `account ${i.accountId}` : undefined].filter((x): x is string => !!x);
    return md`• ${ref(i.contentRef)}${where.length ? md` — ${truncate(where.join(', '), 200)}` : ''}`;
  });
  const more = total - shown.length;
  return joinMd(more > 0 ? [...shown, md`…and ${more} more`] : shown, '\n');
}

function listOf(values: readonly string[], max = CARD_ITEMS): Text {
  if (values.length === 0) return '—';
  const shown = values.slice(0, max).map((v) => truncate(v, 100));
  return values.length > max ? md`${joinMd(shown, ', ')} and ${values.length - max} more` : joinMd(shown, ', ');
}

const noticeButtons = (noticeId: number, specs: { text: string; actionId: string; style?: 'primary' | 'danger' }[]) => {
  const value = JSON.stringify({ noticeId } satisfies NoticeButtonValue);
  return actions(
    specs.map((s) => button({ ...s, value })),
    `copyright_notice_actions_${noticeId}`,
  );
};

const CONTENT_NOTE = ':warning: References only: the material itself is never shown here.';

// ---------------------------------------------------------------------------------------------

/** An incomplete notice: which elements are missing and whether (and whom) to ask. */
export function incompleteNoticeCard(d: IncompleteNoticeCardData): SlackMessage {
  const title = `Incomplete copyright notice ${truncate(d.externalId, 80)}`;
  // The channel sees only which kinds of contact exist; the details are behind Show contact.
  const kinds = contactKinds(d.sender);
  const outreach: Mrkdwn =
    d.outreach === 'expected'
      ? md`*Reach out:* the notice identifies the work and the material and says how to reach the sender, so §512(c)(3)(B)(ii) expects us to ask for the rest. Contact on file: ${kinds}.`
      : d.outreach === 'possible'
        ? md`*You may ask:* the sender can be reached (${kinds} on file), though without the work and the material identified the notice does not oblige us to.`
        : md`*No one to ask:* the notice gives no email, address or telephone number. It stays recorded as incomplete.`;
  const missing = d.missing.map((e) => md`• *${e.replace(/_/g, ' ')}* (${NOTICE_ELEMENT_TEXT[e].statute}): ${NOTICE_ELEMENT_TEXT[e].ask}`);
  const lastRequest = d.infoRequests.at(-1);
  const blocks: Block[] = [
    header(`⚠️ ${title}`),
    fields([
      md`*Sender*\n${senderLine(d.sender)}`,
      md`*Received*\n${slackDate(d.receivedAt)}`,
      md`*Work*\n${d.work ? truncate(d.work, 300) : '—'}`,
      md`*Items*\n${d.itemCount}`,
    ]),
    section(md`*Missing ${plural(d.missing.length, 'element')} — ask the sender for:*\n${joinMd(missing, '\n')}`),
    section(outreach),
  ];
  if (lastRequest) {
    const times = d.infoRequests.length > 1 ? ` (${d.infoRequests.length} requests)` : '';
    blocks.push(context(md`Info requested by ${recorded(lastRequest)}${times}`));
  }
  if (d.outreach !== 'no_contact') {
    blocks.push(
      ...noticeButtons(d.noticeId, [
        { text: 'Request info', actionId: CopyrightActionId.noticeRequestInfo },
        // For the wiring session: the listener must check requireRole(…, 'analyst') first, then
        // answer with senderContactMessage *ephemerally* (response_type 'ephemeral' or
        // chat.postEphemeral), never in the channel: every member of it sees the card.
        { text: 'Show contact', actionId: CopyrightActionId.showSenderContact },
      ]),
    );
  }
  return message(md`${title}: missing ${joinMd(d.missing, ', ')}`, blocks);
}

const CONTACT_KINDS = [
  ['email', 'email'],
  ['phone', 'telephone'],
  ['address', 'postal address'],
] as const;

/** "email and telephone": which contacts the sender gave, never their values. */
function contactKinds(sender: CardSender): string {
  const kinds = CONTACT_KINDS.filter(([key]) => !!sender[key]).map(([, name]) => name);
  return kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)}` : (kinds[0] ?? 'none');
}

/**
 * The answer to Show contact on an incomplete notice: the sender's contact details, for one
 * analyst only. Post it ephemerally after the role check (see the button in incompleteNoticeCard).
 */
export function senderContactMessage(d: Pick<IncompleteNoticeCardData, 'externalId' | 'sender'>): SlackMessage {
  const lines = CONTACT_KINDS.flatMap(([key, name]) => {
    const value = d.sender[key];
    return value ? [md`*${name[0]!.toUpperCase()}${name.slice(1)}:* ${ref(value)}`] : [];
  });
  const title = md`Contact for the sender of notice ${truncate(d.externalId, 80)} (${senderLine(d.sender)})`;
  const body = lines.length ? joinMd(lines, '\n') : md`The notice gives no email, address or telephone number.`;
  return message(md`Contact for the sender of notice ${truncate(d.externalId, 80)}`, [
    section(md`${title}\n${body}`),
    context(md`Only you can see this. Use it to ask the sender for what the notice is missing.`),
  ]);
}

function noticeStatusLine(d: NoticeCardData): Mrkdwn | undefined {
  if (d.status === 'retracted' && d.retracted)
    return md`↩️ *Retracted* — recorded by ${recorded(d.retracted)}; the material is restored and its strikes removed.`;
  if (!d.decided) return undefined;
  if (d.status === 'taken_down') {
    const told = d.usersNotifiedAt ? md` Affected users told at ${slackDate(d.usersNotifiedAt)}.` : '';
    return md`✅ *Taken down* by ${recorded(d.decided)}.${told}`;
  }
  const reason = d.decided.reason ? REJECT_REASON[d.decided.reason] : 'no reason given';
  return md`⛔ *Rejected* (${reason}) by ${recorded(d.decided)}${d.decided.note ? md`\n>${truncate(d.decided.note, 1000).replace(/\n/g, ' ')}` : ''}`;
}

/** A complete notice: who claims what, on which items and accounts, and the buttons to act on it. */
export function noticeCard(d: NoticeCardData): SlackMessage {
  const title = `Copyright notice ${truncate(d.externalId, 80)}`;
  const sla = d.sla ? md`due ${slackDate(d.sla.dueAt)} (${d.sla.state.replace('_', ' ')})` : '—';
  const blocks: Block[] = [
    header(`${d.status === 'open' ? '📄' : d.status === 'taken_down' ? '✅' : d.status === 'rejected' ? '⛔' : '↩️'} ${title}`),
    fields([
      md`*Sender*\n${senderLine(d.sender)}`,
      md`*Received*\n${slackDate(d.receivedAt)}`,
      md`*Accounts*\n${listOf(d.accounts)}`,
      md`*SLA clock*\n${sla}`,
    ]),
    section(md`*Work*\n${truncate(d.work, 1000)}`),
    section(md`*${plural(d.itemCount, 'item')}*\n${itemLines(d.items, d.itemCount)}`),
  ];
  const status = noticeStatusLine(d);
  if (status) blocks.push(section(status));
  blocks.push(context(CONTENT_NOTE));
  if (d.status === 'open') {
    blocks.push(
      ...noticeButtons(d.noticeId, [
        { text: 'Take down', actionId: CopyrightActionId.takeDown, style: 'primary' },
        { text: 'Reject notice', actionId: CopyrightActionId.rejectNotice, style: 'danger' },
      ]),
    );
  } else if (d.status === 'taken_down') {
    blocks.push(...noticeButtons(d.noticeId, [{ text: 'Record retraction', actionId: CopyrightActionId.retractNotice }]));
  }
  const state = d.status === 'open' ? plural(d.itemCount, 'item') : d.status.replace('_', ' ');
  return message(md`${title} from ${truncate(d.sender.name, 200)}: ${state}`, blocks);
}

// ---------------------------------------------------------------------------------------------

type Decided = Exclude<DisputeCardData['status'], 'pending'>;
const DECIDED_ICON: Record<Decided, string> = {
  restored: '♻️',
  restored_late: '♻️',
  restored_false_positive: '♻️',
  held: '⏸️',
  rejected: '⛔',
  notice_retracted: '↩️',
};
const DECIDED: Record<Decided, Mrkdwn> = {
  restored: md`*Restored* in the window`,
  restored_late: md`*Restored* after the latest date`,
  restored_false_positive: md`*Restored now as a false positive*`,
  held: md`*Held*: the claimant filed suit; the material stays down and the clock is stopped`,
  rejected: md`*Counter-notice rejected*`,
  notice_retracted: md`*Closed: the notice was retracted*; everything it took down is restored`,
};

const DISPUTE_BUTTON: Record<DisputeAction, { text: string; actionId: string; style?: 'primary' | 'danger' }> = {
  claimant_notified: { text: 'Claimant notified', actionId: CopyrightActionId.claimantNotified },
  restore: { text: 'Restore', actionId: CopyrightActionId.restore, style: 'primary' },
  restore_false_positive: { text: 'Restore now — false positive', actionId: CopyrightActionId.restoreFalsePositive },
  suit_filed: { text: 'Claimant filed suit', actionId: CopyrightActionId.suitFiled },
  reject: { text: 'Reject counter-notice', actionId: CopyrightActionId.rejectCounterNotice, style: 'danger' },
  request_info: { text: 'Request info', actionId: CopyrightActionId.disputeRequestInfo },
};

function clockLine(d: DisputeCardData): Mrkdwn {
  if (!d.window) return md`No restore clock until the counter-notice is complete.`;
  const c = d.clock;
  if (!c || d.status !== 'pending') return md`Window ${calendarDate(d.window.earliest)} – ${calendarDate(d.window.latest)}`;
  const asOf = md` (as of ${slackDate(c.asOf)})`;
  if (c.phase === 'waiting')
    return md`⏳ Restore allowed in ${plural(c.daysUntilOpen, 'business day')}; ${plural(c.daysLeft, 'business day')} left to the latest date${asOf}`;
  if (c.phase === 'open')
    return md`🟢 *Window open:* restore by the end of ${calendarDate(d.window.latest)}; ${plural(c.daysLeft, 'business day')} left${asOf}`;
  return md`🔴 *Overdue:* the latest restore date (${calendarDate(d.window.latest)}) has passed by ${plural(-c.daysLeft, 'business day')}${asOf}`;
}

/** A counter-notice on its restore clock: the window, the claimant notice, the outcome buttons. */
export function disputeCard(d: DisputeCardData): SlackMessage {
  const title = `Counter-notice ${truncate(d.externalId, 60)} on notice ${truncate(d.notice.externalId, 60)}`;
  const notified = d.claimantNotified
    ? md`✅ ${recorded(d.claimantNotified)}`
    : d.claimantNotifyDueAt
      ? md`Not yet — due by ${slackDate(d.claimantNotifyDueAt)}`
      : md`Not yet`;
  const facts: Mrkdwn[] = [
    md`*Claimant*\n${truncate(d.notice.claimant, 200)} (${SENDER_KIND[d.notice.senderKind]})`,
    md`*Account*\n${truncate(d.accountId, 200)}${d.subscriberName ? md` · ${truncate(d.subscriberName, 200)}` : ''}`,
    md`*Received*\n${slackDate(d.receivedAt)}`,
    md`*Claimant notified*\n${notified}`,
  ];
  if (d.window) {
    facts.push(md`*Earliest restore*\n${calendarDate(d.window.earliest)}`);
    facts.push(md`*Latest restore*\n${calendarDate(d.window.latest)}`);
  }
  const pending = d.status === 'pending';
  const blocks: Block[] = [
    header(`${d.status === 'pending' ? '⚖️' : DECIDED_ICON[d.status]} ${title}`),
    fields(facts),
    section(
      md`*${plural(d.itemCount, 'item')} disputed*\n${itemLines(
        d.items.map((contentRef) => ({ contentRef })),
        d.itemCount,
      )}`,
    ),
  ];
  if (d.missing.length) {
    const missing = d.missing.map(
      (e) => md`• *${e.replace(/_/g, ' ')}* (${COUNTER_NOTICE_ELEMENT_TEXT[e].statute}): ${COUNTER_NOTICE_ELEMENT_TEXT[e].ask}`,
    );
    blocks.push(section(md`*Incomplete — missing ${plural(d.missing.length, 'element')}:*\n${joinMd(missing, '\n')}`));
  }
  blocks.push(section(clockLine(d)));
  if (d.status !== 'pending' && d.decided) {
    const suit =
      d.status === 'held' && d.suit
        ? md`\n${truncate(d.suit.court, 200)}, case ${truncate(d.suit.caseNumber, 100)}, filed ${d.suit.filedOn}`
        : '';
    const reason = d.decided.reason ? md`\n>${truncate(d.decided.reason, 1000).replace(/\n/g, ' ')}` : '';
    blocks.push(section(md`${DECIDED_ICON[d.status]} ${DECIDED[d.status]} — by ${recorded(d.decided)}${suit}${reason}`));
  }
  const lastRequest = d.infoRequests.at(-1);
  if (lastRequest) blocks.push(context(md`Info requested by ${recorded(lastRequest)}`));
  blocks.push(context(CONTENT_NOTE));
  const value = JSON.stringify({ counterNoticeId: d.counterNoticeId } satisfies DisputeButtonValue);
  const offered = disputeActions({
    status: d.status,
    complete: d.missing.length === 0,
    ...(d.claimantNotified ? { claimantNotifiedAt: new Date(d.claimantNotified.at) } : {}),
  });
  blocks.push(
    ...actions(
      offered.map((a) => button({ ...DISPUTE_BUTTON[a], value })),
      `copyright_dispute_actions_${d.counterNoticeId}`,
    ),
  );
  const state = pending ? (d.window ? `restore ${d.window.earliest} – ${d.window.latest}` : 'incomplete') : d.status.replace(/_/g, ' ');
  return message(md`${title}: ${state}`, blocks);
}

/** One card per CSV import of notices: the counts, and the incomplete ones by name (up to a limit). */
export function noticeImportCard(d: NoticeImportSummary): SlackMessage {
  const title = `Copyright notices imported: ${d.imported.toLocaleString('en')}`;
  const blocks: Block[] = [
    header(`📥 ${title}`),
    section(
      md`${mention(d.by)} imported ${plural(d.imported, 'notice')} at ${slackDate(d.at)} (${plural(d.rows, 'row')}): ${d.complete.toLocaleString('en')} complete, on the copyright queue (a case per item), ${d.incomplete.toLocaleString('en')} incomplete; ${d.replayed.toLocaleString('en')} already recorded, ${d.failed.toLocaleString('en')} failed.`,
    ),
  ];
  if (d.incomplete > 0) {
    const lines = d.incompleteNotices.map(
      (n) => md`• ${ref(n.externalId)} — missing ${truncate(n.missing.join(', ').replace(/_/g, ' '), 300)}`,
    );
    const more = d.incomplete - lines.length;
    blocks.push(section(md`*Incomplete*\n${joinMd(more > 0 ? [...lines, md`…and ${more} more`] : lines, '\n')}`));
  }
  blocks.push(
    context(
      "Imported notices get no card each (the API's do): an analyst acts on one with `/trustops copyright notice <external_id>`. Figures: `/trustops copyright`.",
    ),
  );
  return message(title, blocks);
}
