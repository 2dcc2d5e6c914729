// The messages around a dispute card: replies in its thread, the overdue alert, the one-dispute view
// with its timeline, the copyright calendar's closed days and the App Home section. Data in, blocks out.

import { weekdayName } from '../../domain/copyright/calendar';
import type { DisputeOverdueNotice, DisputeThreadNote } from '../../domain/copyright/dispute-card';
import type { DisputeDetail, HomeDisputes, OpenDispute } from '../../domain/copyright/dispute-detail';
import type { CalendarListing, ClosedDayChange } from '../../domain/copyright/holidays';
import { type Block, context, divider, header, message, type SlackMessage, section } from './blocks';
import { disputeCard } from './copyright';
import { joinMd, type Mrkdwn, md, mention, truncate } from './text';
import { slackDate } from './time';

const day = (date: string) => `${weekdayName(date)} ${date}`;
const quoted = (text: string): Mrkdwn => joinMd(truncate(text, 2000).split('\n'), md`\n>`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A reply in the dispute card's thread. */
export function disputeThreadMessage(n: DisputeThreadNote): SlackMessage {
  const by = n.actor ? md` by ${mention(n.actor)}` : '';
  const reason = n.reason ? md`\n>${quoted(n.reason)}` : '';
  let body: Mrkdwn;
  switch (n.event) {
    case 'claimant_notified':
      body = md`📨 Claimant notified — recorded${by}. The counter-notice has been sent to the claimant (§512(g)(2)(B)).`;
      break;
    case 'restored':
      body = md`♻️ Restored in the window${by}. The takedown is reversed and the strike removed.`;
      break;
    case 'restored_late':
      body = md`♻️ Restored${by}, after the latest restore date. The takedown is reversed and the strike removed.`;
      break;
    case 'restored_false_positive':
      body = md`♻️ Restored now as a false positive${by}. The takedown is reversed and the strike removed.${reason}`;
      break;
    case 'held':
      body = n.suit
        ? md`⏸️ Held${by}: the claimant filed suit — ${truncate(n.suit.court, 200)}, case ${truncate(n.suit.caseNumber, 100)}, filed ${n.suit.filedOn}. The material stays down; the clock is stopped.`
        : md`⏸️ Held${by}: the claimant filed suit. The material stays down; the clock is stopped.`;
      break;
    case 'rejected':
      body = md`⛔ Counter-notice rejected${by}. The material stays down.${reason}`;
      break;
    case 'notice_retracted':
      body = md`↩️ The notice was retracted${by}: everything it took down is restored and its strikes removed. This dispute is closed.`;
      break;
    case 'superseded':
      body = md`⛔ Closed${by}: ${n.reason ?? 'superseded by a later counter-notice'}.`;
      break;
    case 'info_requested':
      body = md`❓${n.actor ? md` ${mention(n.actor)}` : ''} asks for more information:${reason}`;
      break;
    case 'window_moved':
      body = n.window
        ? md`📅 The restore window moved: now ${day(n.window.earliest)} – ${day(n.window.latest)} (${n.reason ?? 'the calendar changed'}).`
        : md`📅 The restore window moved.`;
      break;
    case 'claimant_notify_due':
      body = md`⏰ *Claimant not yet notified.* The claimant must be sent the counter-notice promptly (§512(g)(2)(B)); it was due${
        n.dueAt ? md` by ${slackDate(n.dueAt)}` : ''
      }. Send it, then click *Claimant notified*.`;
      break;
    case 'window_open':
      body = n.window
        ? md`🟢 *The restore window is open* (${day(n.window.earliest)}). Restore by the end of ${day(n.window.latest)} unless the claimant reports a suit.`
        : md`🟢 *The restore window is open.*`;
      break;
  }
  return message(body, [section(body)]);
}

/** The overdue alert: the latest restore date passed with no restore, hold or rejection. */
export function disputeOverdueMessage(n: DisputeOverdueNotice): SlackMessage {
  const text = md`🔴 *Restore overdue:* counter-notice ${truncate(n.externalId, 80)} (id ${n.counterNoticeId}) on notice ${truncate(n.noticeExternalId, 80)} from ${truncate(n.claimant, 200)} — the latest restore date, ${day(n.latest)} (${n.timeZone}), has passed with no restore, hold or rejection.`;
  return message(text, [
    section(text),
    section(
      md`Account ${truncate(n.accountId, 200)} · ${plural(n.itemCount, 'item')} still down. Act on the dispute card, or see \`/trustops copyright dispute ${n.counterNoticeId}\`.`,
    ),
  ]);
}

const ACTION_WORDS: Record<string, string> = {
  'counter_notice.receive': 'Counter-notice received',
  'counter_notice.claimant_notified': 'Claimant notified',
  'counter_notice.request_info': 'Information requested',
  'counter_notice.restore': 'Restored',
  'counter_notice.hold': 'Held: claimant filed suit',
  'counter_notice.reject': 'Counter-notice rejected',
  'counter_notice.notice_retracted': 'Closed: the notice was retracted',
  'counter_notice.reminder.claimant_notify_due': 'Reminder: claimant not yet notified',
  'counter_notice.reminder.window_open': 'Reminder: restore window open',
  'counter_notice.reminder.restore_overdue': 'Overdue alert sent',
};

/** `/trustops copyright dispute <id>`: the card as it stands, then its timeline. */
export function disputeDetailMessage(d: DisputeDetail): SlackMessage {
  const card = disputeCard(d.card);
  // The answer is read, not acted on: the card's buttons stay on the card.
  const blocks: Block[] = card.blocks.filter((b) => b.type !== 'actions');
  blocks.push(divider(), header('Timeline'));
  const lines = d.timeline.map((e) => {
    const who = e.actor === 'system' ? md`TrustOps` : e.actor.startsWith('api:') ? md`${e.actor}` : mention(e.actor);
    const what = ACTION_WORDS[e.action] ?? e.action;
    const reason = typeof e.details.reason === 'string' ? md` — “${truncate(e.details.reason, 200)}”` : '';
    const question = typeof e.details.question === 'string' ? md` — “${truncate(e.details.question, 200)}”` : '';
    return md`• ${slackDate(e.at)} · *${what}* · ${who}${reason}${question}`;
  });
  const chunks: Mrkdwn[][] = [];
  for (let i = 0; i < lines.length; i += 15) chunks.push(lines.slice(i, i + 15));
  for (const chunk of chunks.slice(0, 10)) blocks.push(section(joinMd(chunk, '\n')));
  if (lines.length === 0) blocks.push(context('Nothing recorded yet.'));
  if (d.cardLink) blocks.push(context(md`The card is in <#${d.cardLink.channel}>.`));
  return message(md`Counter-notice ${truncate(d.card.externalId, 80)}: ${d.card.status.replace(/_/g, ' ')}`, blocks.slice(0, 50));
}

/** `holiday list`: the days admins closed, then the federal holidays ahead. */
export function closedDaysMessage(l: CalendarListing): SlackMessage {
  const closed = l.closed.length
    ? joinMd(
        l.closed.map((c) => md`• ${day(c.date)} — ${truncate(c.name, 100)}`),
        '\n',
      )
    : md`None. Add one with \`/trustops copyright holiday add 2026-12-24 "Office closed"\`.`;
  const federal = joinMd(
    l.federal.map((c) => md`• ${day(c.date)} — ${c.name}`),
    '\n',
  );
  return message(md`Copyright calendar (${l.timeZone})`, [
    header(`Copyright calendar (${l.timeZone})`),
    section(md`*Closed by admins*\n${closed}`),
    section(md`*US federal holidays as observed, next 12 months*\n${federal}`),
    context('Business days are Monday to Friday except these; restore windows count them (10th to 14th business day after receipt).'),
  ]);
}

/** The answer to `holiday add|remove`. */
export function closedDayChangeText(c: ClosedDayChange, verb: 'add' | 'remove'): Mrkdwn {
  if (!c.changed) return md`${day(c.date)} is already closed (${c.alreadyClosedBy ?? 'closed'}); nothing changed.`;
  const moved = c.disputesMoved
    ? md` ${plural(c.disputesMoved, 'open dispute')} had ${c.disputesMoved === 1 ? 'its' : 'their'} restore window moved; the cards say so.`
    : '';
  return verb === 'add'
    ? md`${day(c.date)} is now closed on the copyright calendar (“${truncate(c.name, 100)}”).${moved}`
    : md`${day(c.date)} (“${truncate(c.name, 100)}”) is a business day again.${moved}`;
}

function homeDisputeLine(d: OpenDispute): Mrkdwn {
  const clock = d.latest
    ? d.phase === 'overdue'
      ? md`🔴 overdue since ${day(d.latest)}`
      : md`${d.phase === 'open' ? '🟢 window open' : '⏳ waiting'} · latest ${day(d.latest)} · ${plural(d.daysLeft ?? 0, 'business day')} left`
    : md`⚠️ incomplete (missing ${d.missing.join(', ').replace(/_/g, ' ')}): no clock`;
  return md`*Counter-notice ${truncate(d.externalId, 60)}* (id ${d.counterNoticeId}) · ${truncate(d.claimant, 100)} · account ${truncate(d.accountId, 100)} · ${plural(d.itemCount, 'item')}\n${clock}${
    d.latest && !d.claimantNotified ? md` · claimant not yet notified` : ''
  }`;
}

/** App Home: open disputes, soonest latest date first. */
export function homeDisputeBlocks(h: HomeDisputes): Block[] {
  const blocks: Block[] = [divider(), header('Open copyright disputes')];
  if (h.disputes.length === 0) blocks.push(context('No open disputes.'));
  for (const d of h.disputes) blocks.push(section(homeDisputeLine(d)));
  if (h.more > 0) blocks.push(context(`…and ${h.more} more; the copyright channel has them all.`));
  return blocks;
}
