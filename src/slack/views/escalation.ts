import type { ExpiredNotice, OutcomeDm, ThreadNote } from '../../domain/escalations/decide';
import type { EscalationCardData } from '../../domain/escalations/escalations';
import { ActionId } from '../ids';
import { actions, type Block, button, context, fields, header, message, type SlackMessage, section } from './blocks';
import { joinMd, type Mrkdwn, md, mention, type Text, truncate } from './text';
import { slackDate } from './time';
import { reviewLink } from './triage';

/** The value every escalation button carries. */
export type EscalationButtonValue = { escalationId: number };

const STATUS_ICON: Record<string, string> = { approved: '✅', rejected: '⛔', reassigned: '↪️', expired: '⌛', pending: '🚨' };

/** "queue:trust_l2" → "queue `trust_l2`"; a user id → a mention. */
const target = (to: string): Mrkdwn => (to.startsWith('queue:') ? md`queue \`${to.slice(6)}\`` : mention(to));

const list = (xs: readonly string[] | undefined): Text => (xs?.length ? joinMd(xs, ', ') : '—');

/** A reason as a block quote: each of its lines quoted, none of its text acted on. */
const quoted = (reason: string): Mrkdwn => joinMd(reason.split('\n'), md`\n>`);

const openReview = (reviewUrl: string, caseId: number) =>
  button({ text: 'Open in review tool', actionId: ActionId.escalationOpenReview, url: reviewLink(reviewUrl, caseId) });

/** The buttons an approver decides with; the same on the card and in App Home. */
export function decisionButtons(escalationId: number, opts: { reviewUrl: string; caseId: number }): Block[] {
  const value = JSON.stringify({ escalationId } satisfies EscalationButtonValue);
  return actions(
    [
      button({ text: 'Approve', style: 'primary', actionId: ActionId.escalationApprove, value }),
      button({ text: 'Reject', style: 'danger', actionId: ActionId.escalationReject, value }),
      button({ text: 'Reassign', actionId: ActionId.escalationReassign, value }),
      button({ text: 'Request info', actionId: ActionId.escalationRequestInfo, value }),
      openReview(opts.reviewUrl, opts.caseId),
    ],
    `escalation_actions_${escalationId}`,
  );
}

/** One line saying how an escalation ended, or how far its votes have got. */
export function escalationStatusLine(d: EscalationCardData): Mrkdwn {
  const approvals = (d.votes ?? []).filter((v) => v.vote === 'approve');
  const icon = STATUS_ICON[d.status ?? 'pending'] ?? '';
  switch (d.status ?? 'pending') {
    case 'pending': {
      const votes = joinMd(
        approvals.map((v) => md`${mention(v.userId)} (${slackDate(v.at)})`),
        ', ',
      );
      return md`*Votes:* ${approvals.length} of ${d.requiredApprovals} approval${d.requiredApprovals > 1 ? 's' : ''}${approvals.length ? md` — ${votes}` : ''}`;
    }
    case 'expired':
      return md`${icon} *Expired* at ${slackDate(d.decidedAt ?? d.deadlineAt)} without a decision`;
    case 'reassigned':
      return md`${icon} *Reassigned* to ${target(d.reassignedTo ?? '')} by ${mention(d.decidedBy ?? '')} at ${slackDate(d.decidedAt ?? '')}`;
    default: {
      const also = approvals.filter((v) => v.userId !== d.decidedBy).map((v) => mention(v.userId));
      const by = joinMd([mention(d.decidedBy ?? ''), ...(d.status === 'approved' ? also : [])], ' and ');
      return md`${icon} *${d.status === 'approved' ? 'Approved' : 'Rejected'}* by ${by} at ${slackDate(d.decidedAt ?? '')}`;
    }
  }
}

/** The escalation card: the case, the ask, the clock and the votes — never the reported content. */
export function escalationCard(d: EscalationCardData, opts: { reviewUrl: string }): SlackMessage {
  const status = d.status ?? 'pending';
  const title = `Escalation ${d.severity}: case #${d.caseId}`;
  const blocks: Block[] = [
    header(`${STATUS_ICON[status]} ${title}`),
    fields([
      md`*Case*\n#${d.caseId}`,
      md`*Severity*\n${d.severity} (${d.requiredApprovals} approval${d.requiredApprovals > 1 ? 's' : ''})`,
      md`*Surface · type*\n${list(d.surfaces)} · ${list(d.reportTypes)}`,
      md`*Policy*\n${list(d.policies)}`,
      md`*Queue · vendor*\n${d.queue} (${d.priority}) · ${d.vendor}`,
      md`*SLA clock*\nfirst action ${slackDate(d.firstActionDueAt ?? d.resolutionDueAt)}${d.firstActionState ? ` (${d.firstActionState})` : ''}\nresolution ${slackDate(d.resolutionDueAt)}${d.resolutionState ? ` (${d.resolutionState})` : ''}`,
      md`*Decide by*\n${slackDate(d.deadlineAt)}`,
      md`*Requested by*\n${mention(d.requestedBy)} (${d.source.replace('_', ' ')})`,
    ]),
    section(md`*Reason*\n${d.reason}`),
    section(escalationStatusLine(d)),
  ];
  if (status !== 'pending' && d.outcomeReason) blocks.push(section(md`*Outcome reason*\n${d.outcomeReason}`));
  blocks.push(context(':warning: Content warning: the reported material is not shown here; open the case in the review tool.'));
  if (status === 'pending') blocks.push(...decisionButtons(d.escalationId, { reviewUrl: opts.reviewUrl, caseId: d.caseId }));
  else blocks.push(...actions([openReview(opts.reviewUrl, d.caseId)]));
  const state = status === 'pending' ? truncate(d.reason, 200) : status;
  return message(md`${title}: ${state}`, blocks);
}

/** A reply in the card's thread: a vote, the outcome, or a question for the requester. */
export function escalationThreadNote(n: ThreadNote): SlackMessage {
  const reason = (quote: boolean): Text => (n.reason ? (quote ? md`\n>${quoted(n.reason)}` : md` ${n.reason}`) : '');
  const body = (quote: boolean): Mrkdwn => {
    switch (n.event) {
      case 'vote': {
        const left = (n.required ?? 0) - (n.approvals ?? 0);
        return md`${mention(n.actor)} approved (${n.approvals ?? 0} of ${n.required ?? 0}); ${left} more approval${left > 1 ? 's' : ''} needed from someone else.`;
      }
      case 'info_requested': {
        const mentions = joinMd(
          (n.mentions ?? []).map((id) => mention(id)),
          ' ',
        );
        return md`${n.mentions?.length ? md`${mentions} ` : ''}${mention(n.actor)} asks for more information:${reason(quote)}`;
      }
      case 'reassigned':
        return md`↪️ Reassigned to ${target(n.reassignedTo ?? '')} by ${mention(n.actor)}.${reason(quote)}`;
      default:
        return md`${STATUS_ICON[n.event] ?? ''} ${n.event === 'approved' ? 'Approved' : 'Rejected'} by ${mention(n.actor)}.${reason(quote)}`;
    }
  };
  return message(body(false), [section(body(true))]);
}

/** The requester's direct message when their escalation ends. */
export function escalationOutcomeDm(d: OutcomeDm): SlackMessage {
  const details = context(md`Details: \`/trustops case ${d.caseId}\``);
  if (d.to === 'assignee') {
    const text = md`↪️ ${mention(d.by)} handed you case #${d.caseId} (escalation ${d.escalationId}); it is in review with you now.`;
    return message(text, [section(text), ...(d.reason ? [section(md`*Note*\n${d.reason}`)] : []), details]);
  }
  const verb = d.status === 'reassigned' ? md`was reassigned to ${target(d.reassignedTo ?? '')}` : md`was ${d.status}`;
  const by = d.status === 'expired' ? ' without a decision' : md` by ${mention(d.by)}`;
  const text = md`${STATUS_ICON[d.status] ?? ''} Your escalation ${d.escalationId} on case #${d.caseId} ${verb}${by}.`;
  return message(text, [section(text), ...(d.reason ? [section(md`*Reason*\n${d.reason}`)] : []), details]);
}

/** The one re-notification of an escalation that expired undecided, to the approvers. */
export function escalationExpiredNotice(d: ExpiredNotice): SlackMessage {
  const mentions = d.approvers.length
    ? joinMd(
        d.approvers.map((id) => mention(id)),
        ' ',
      )
    : 'Approvers';
  const text = md`⌛ Escalation ${d.escalationId} (${d.severity}) on case #${d.caseId} expired at ${slackDate(d.deadlineAt)} without a decision.`;
  return message(text, [
    section(md`${mentions}: ${text}`),
    context(`Raise it again if it still needs a decision: \`/trustops escalate ${d.caseId} ${d.severity} <reason>\``),
  ]);
}
