import type { EscalationCardData } from '../../domain/escalations/escalations';
import { ActionId } from '../ids';
import { type Block, context, header, type SlackMessage } from './blocks';
import { escapeMrkdwn, truncate } from './text';
import { slackDate } from './time';
import { reviewLink } from './triage';

/** The escalation card: the case, the ask and the clock — never the reported content. */
export function escalationCard(d: EscalationCardData, opts: { reviewUrl: string }): SlackMessage {
  const title = `Escalation ${d.severity}: case #${d.caseId}`;
  const fields = [
    `*Case*\n#${d.caseId}`,
    `*Severity*\n${d.severity} (${d.requiredApprovals} approval${d.requiredApprovals > 1 ? 's' : ''})`,
    `*Queue*\n${escapeMrkdwn(d.queue)} · ${escapeMrkdwn(d.priority)}`,
    `*Vendor*\n${escapeMrkdwn(d.vendor)}`,
    `*Resolution due*\n${slackDate(d.resolutionDueAt)}`,
    `*Decide by*\n${slackDate(d.deadlineAt)}`,
  ];
  const blocks: Block[] = [
    header(`🚨 ${title}`),
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Reason* (raised by <@${escapeMrkdwn(d.requestedBy)}>, ${d.source.replace('_', ' ')})\n${escapeMrkdwn(truncate(d.reason, 2500))}`,
      },
    },
    context(':warning: Content warning: the reported material is not shown here; open the case in the review tool.'),
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open in review tool' },
          url: reviewLink(opts.reviewUrl, d.caseId),
          action_id: ActionId.escalationOpenReview,
        },
      ],
    },
  ];
  return { text: `${title}: ${truncate(d.reason, 200)}`, blocks };
}
