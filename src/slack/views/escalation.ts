import type { ExpiredNotice, OutcomeDm, ThreadNote } from '../../domain/escalations/decide';
import type { EscalationCardData } from '../../domain/escalations/escalations';
import { ActionId } from '../ids';
import { type Block, context, header, type SlackMessage, section } from './blocks';
import { escapeMrkdwn, truncate } from './text';
import { slackDate } from './time';
import { reviewLink } from './triage';

/** The value every escalation button carries. */
export type EscalationButtonValue = { escalationId: number };

const STATUS_ICON: Record<string, string> = { approved: '✅', rejected: '⛔', reassigned: '↪️', expired: '⌛', pending: '🚨' };

/** "<@U123>" for Slack users; API callers and the system by name. */
export const who = (id: string) => (/^[UW][A-Z0-9]+$/.test(id) ? `<@${id}>` : escapeMrkdwn(id));

/** "queue:trust_l2" → "queue `trust_l2`"; a user id → a mention. */
const target = (to: string) => (to.startsWith('queue:') ? `queue \`${escapeMrkdwn(to.slice(6))}\`` : who(to));

const list = (xs: readonly string[] | undefined) => (xs?.length ? xs.map(escapeMrkdwn).join(', ') : '—');

/** The buttons an approver decides with; the same on the card and in App Home. */
export function decisionButtons(escalationId: number, opts: { reviewUrl: string; caseId: number }): Block {
  const value = JSON.stringify({ escalationId } satisfies EscalationButtonValue);
  return {
    type: 'actions',
    block_id: `escalation_actions_${escalationId}`,
    elements: [
      { type: 'button', text: { type: 'plain_text', text: 'Approve' }, style: 'primary', action_id: ActionId.escalationApprove, value },
      { type: 'button', text: { type: 'plain_text', text: 'Reject' }, style: 'danger', action_id: ActionId.escalationReject, value },
      { type: 'button', text: { type: 'plain_text', text: 'Reassign' }, action_id: ActionId.escalationReassign, value },
      { type: 'button', text: { type: 'plain_text', text: 'Request info' }, action_id: ActionId.escalationRequestInfo, value },
      {
        type: 'button',
        text: { type: 'plain_text', text: 'Open in review tool' },
        url: reviewLink(opts.reviewUrl, opts.caseId),
        action_id: ActionId.escalationOpenReview,
      },
    ],
  };
}

/** One line saying how an escalation ended, or how far its votes have got. */
export function escalationStatusLine(d: EscalationCardData): string {
  const approvals = (d.votes ?? []).filter((v) => v.vote === 'approve');
  const icon = STATUS_ICON[d.status ?? 'pending'] ?? '';
  switch (d.status ?? 'pending') {
    case 'pending': {
      const votes = approvals.map((v) => `${who(v.userId)} (${slackDate(v.at)})`).join(', ');
      return `*Votes:* ${approvals.length} of ${d.requiredApprovals} approval${d.requiredApprovals > 1 ? 's' : ''}${votes ? ` — ${votes}` : ''}`;
    }
    case 'expired':
      return `${icon} *Expired* at ${slackDate(d.decidedAt ?? d.deadlineAt)} without a decision`;
    case 'reassigned':
      return `${icon} *Reassigned* to ${target(d.reassignedTo ?? '')} by ${who(d.decidedBy ?? '')} at ${slackDate(d.decidedAt ?? '')}`;
    default: {
      const also = approvals.filter((v) => v.userId !== d.decidedBy).map((v) => who(v.userId));
      const by = [who(d.decidedBy ?? ''), ...(d.status === 'approved' ? also : [])].join(' and ');
      return `${icon} *${d.status === 'approved' ? 'Approved' : 'Rejected'}* by ${by} at ${slackDate(d.decidedAt ?? '')}`;
    }
  }
}

/** The escalation card: the case, the ask, the clock and the votes — never the reported content. */
export function escalationCard(d: EscalationCardData, opts: { reviewUrl: string }): SlackMessage {
  const status = d.status ?? 'pending';
  const title = `Escalation ${d.severity}: case #${d.caseId}`;
  const fields = [
    `*Case*\n#${d.caseId}`,
    `*Severity*\n${d.severity} (${d.requiredApprovals} approval${d.requiredApprovals > 1 ? 's' : ''})`,
    `*Surface · type*\n${list(d.surfaces)} · ${list(d.reportTypes)}`,
    `*Policy*\n${list(d.policies)}`,
    `*Queue · vendor*\n${escapeMrkdwn(d.queue)} (${escapeMrkdwn(d.priority)}) · ${escapeMrkdwn(d.vendor)}`,
    `*SLA clock*\nfirst action ${slackDate(d.firstActionDueAt ?? d.resolutionDueAt)}${d.firstActionState ? ` (${d.firstActionState})` : ''}\nresolution ${slackDate(d.resolutionDueAt)}${d.resolutionState ? ` (${d.resolutionState})` : ''}`,
    `*Decide by*\n${slackDate(d.deadlineAt)}`,
    `*Requested by*\n${who(d.requestedBy)} (${d.source.replace('_', ' ')})`,
  ];
  const blocks: Block[] = [
    header(`${STATUS_ICON[status]} ${title}`),
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
    section(`*Reason*\n${escapeMrkdwn(truncate(d.reason, 2500))}`),
    section(escalationStatusLine(d)),
  ];
  if (status !== 'pending' && d.outcomeReason) blocks.push(section(`*Outcome reason*\n${escapeMrkdwn(truncate(d.outcomeReason, 2500))}`));
  blocks.push(context(':warning: Content warning: the reported material is not shown here; open the case in the review tool.'));
  if (status === 'pending') blocks.push(decisionButtons(d.escalationId, { reviewUrl: opts.reviewUrl, caseId: d.caseId }));
  else
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open in review tool' },
          url: reviewLink(opts.reviewUrl, d.caseId),
          action_id: ActionId.escalationOpenReview,
        },
      ],
    });
  const state = status === 'pending' ? truncate(d.reason, 200) : status;
  return { text: `${title}: ${state}`, blocks };
}

/** A reply in the card's thread: a vote, the outcome, or a question for the requester. */
export function escalationThreadNote(n: ThreadNote): SlackMessage {
  const reason = n.reason ? `\n>${escapeMrkdwn(truncate(n.reason, 2500)).replace(/\n/g, '\n>')}` : '';
  let text: string;
  switch (n.event) {
    case 'vote': {
      const left = (n.required ?? 0) - (n.approvals ?? 0);
      text = `${who(n.actor)} approved (${n.approvals} of ${n.required}); ${left} more approval${left > 1 ? 's' : ''} needed from someone else.`;
      break;
    }
    case 'info_requested':
      text = `${(n.mentions ?? []).map(who).join(' ')} ${who(n.actor)} asks for more information:${reason}`.trim();
      break;
    case 'reassigned':
      text = `↪️ Reassigned to ${target(n.reassignedTo ?? '')} by ${who(n.actor)}.${reason}`;
      break;
    default:
      text = `${STATUS_ICON[n.event]} ${n.event === 'approved' ? 'Approved' : 'Rejected'} by ${who(n.actor)}.${reason}`;
  }
  return { text: text.replace(/\n>/g, ' '), blocks: [section(text)] };
}

/** The requester's direct message when their escalation ends. */
export function escalationOutcomeDm(d: OutcomeDm): SlackMessage {
  if (d.to === 'assignee') {
    const text = `↪️ ${who(d.by)} handed you case #${d.caseId} (escalation ${d.escalationId}); it is in review with you now.`;
    const blocks = [section(text)];
    if (d.reason) blocks.push(section(`*Note*\n${escapeMrkdwn(truncate(d.reason, 2500))}`));
    blocks.push(context(`Details: \`/trustops case ${d.caseId}\``));
    return { text, blocks };
  }
  const verb = d.status === 'reassigned' ? `was reassigned to ${target(d.reassignedTo ?? '')}` : `was ${d.status}`;
  const by = d.status === 'expired' ? ' without a decision' : ` by ${who(d.by)}`;
  const text = `${STATUS_ICON[d.status]} Your escalation ${d.escalationId} on case #${d.caseId} ${verb}${by}.`;
  const blocks = [section(text)];
  if (d.reason) blocks.push(section(`*Reason*\n${escapeMrkdwn(truncate(d.reason, 2500))}`));
  blocks.push(context(`Details: \`/trustops case ${d.caseId}\``));
  return { text, blocks };
}

/** The one re-notification of an escalation that expired undecided, to the approvers. */
export function escalationExpiredNotice(d: ExpiredNotice): SlackMessage {
  const mentions = d.approvers.length ? d.approvers.map(who).join(' ') : 'Approvers';
  const text = `⌛ Escalation ${d.escalationId} (${d.severity}) on case #${d.caseId} expired at ${slackDate(d.deadlineAt)} without a decision.`;
  return {
    text,
    blocks: [
      section(`${mentions}: ${text}`),
      context(`Raise it again if it still needs a decision: \`/trustops escalate ${d.caseId} ${d.severity} <reason>\``),
    ],
  };
}
