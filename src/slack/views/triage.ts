import { ActionId } from '../ids';
import { actions, button, context, fields, header, message, type SlackMessage } from './blocks';
import { type Mrkdwn, md, truncate } from './text';
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
  const facts: Mrkdwn[] = [
    md`*Case*\n#${d.caseId}`,
    md`*Type*\n${d.reportTypeName}`,
    md`*Surface*\n\`${d.surface}\``,
    md`*Queue*\n${d.queue} · ${d.priority}`,
    md`*First action due*\n${slackDate(d.firstActionDueAt)}`,
    md`*Resolution due*\n${slackDate(d.resolutionDueAt)}`,
  ];
  if (d.jurisdiction) facts.push(md`*Jurisdiction*\n${d.jurisdiction}`);
  if (d.mcpServer) {
    facts.push(md`*MCP server*\n${truncate(d.mcpServer.name, 200)} (${d.mcpServer.issue.replace(/_/g, ' ')})`);
    facts.push(md`*Server URL*\n\`${truncate(d.mcpServer.url, 300)}\``);
  }
  const buttons = [
    button({ text: 'Open in review tool', actionId: ActionId.triageOpenReview, url: reviewLink(opts.reviewUrl, d.caseId) }),
    // Only a web link becomes a button; anything else (an id, a javascript: URL) is not offered.
    /^https?:\/\//.test(d.contentRef)
      ? button({ text: 'Open reported content', actionId: ActionId.triageOpenContent, url: d.contentRef })
      : undefined,
  ];
  return message(md`Urgent report: ${d.reportTypeName} on ${d.surface}, case #${d.caseId}, first action due ${d.firstActionDueAt}`, [
    header(`Urgent report: ${d.reportTypeName}`),
    fields(facts),
    context(':warning: Content warning: the reported material is not shown here. Open it in the review tool when you are ready.'),
    ...actions(buttons),
  ]);
}
