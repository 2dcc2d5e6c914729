import { ActionId } from '../ids';
import { type Block, context, header, type SlackMessage } from './blocks';
import { escapeMrkdwn, truncate } from './text';
import { slackDate } from './time';

/** What intake stores in the outbox for an urgent report (see domain/intake/reports.ts). */
export type TriageData = {
  caseId: number;
  reportType: string;
  reportTypeName: string;
  surface: string;
  queue: string;
  priority: string;
  firstActionDueAt: string;
  resolutionDueAt: string;
  contentRef: string;
  jurisdiction: string | null;
  mcpServer: { name: string; url: string; issue: string } | null;
};

export const reviewLink = (template: string, caseId: number) => template.replace('{case_id}', encodeURIComponent(String(caseId)));

/** The intake card for an urgent report: facts and links, never the reported content. */
export function triageCard(d: TriageData, opts: { reviewUrl: string }): SlackMessage {
  const fields = [
    `*Case*\n#${d.caseId}`,
    `*Type*\n${escapeMrkdwn(d.reportTypeName)}`,
    `*Surface*\n\`${escapeMrkdwn(d.surface)}\``,
    `*Queue*\n${escapeMrkdwn(d.queue)} · ${escapeMrkdwn(d.priority)}`,
    `*First action due*\n${slackDate(d.firstActionDueAt)}`,
    `*Resolution due*\n${slackDate(d.resolutionDueAt)}`,
  ];
  if (d.jurisdiction) fields.push(`*Jurisdiction*\n${escapeMrkdwn(d.jurisdiction)}`);
  if (d.mcpServer) {
    fields.push(`*MCP server*\n${escapeMrkdwn(truncate(d.mcpServer.name, 200))} (${escapeMrkdwn(d.mcpServer.issue.replace(/_/g, ' '))})`);
    fields.push(`*Server URL*\n\`${escapeMrkdwn(truncate(d.mcpServer.url, 300))}\``);
  }
  const buttons: Block[] = [
    {
      type: 'button',
      text: { type: 'plain_text', text: 'Open in review tool' },
      url: reviewLink(opts.reviewUrl, d.caseId),
      action_id: ActionId.triageOpenReview,
    },
  ];
  if (/^https?:\/\//.test(d.contentRef) && d.contentRef.length <= 3000) {
    buttons.push({
      type: 'button',
      text: { type: 'plain_text', text: 'Open reported content' },
      url: d.contentRef,
      action_id: ActionId.triageOpenContent,
    });
  }
  return {
    text: `Urgent report: ${d.reportTypeName} on ${d.surface}, case #${d.caseId}, first action due ${d.firstActionDueAt}`,
    blocks: [
      header(`Urgent report: ${d.reportTypeName}`),
      { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
      context(':warning: Content warning: the reported material is not shown here. Open it in the review tool when you are ready.'),
      { type: 'actions', elements: buttons },
    ],
  };
}
