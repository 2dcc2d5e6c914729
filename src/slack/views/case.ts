import type { CaseDetail } from '../../domain/cases/detail';
import { ActionId } from '../ids';
import { type Block, context, header, type SlackMessage, section } from './blocks';
import { who } from './escalation';
import { escapeMrkdwn, truncate } from './text';
import { slackDate } from './time';

// Slack allows 50 blocks a message; a page keeps well under that, and under a readable length.
const PAGE_BLOCKS = 20;
const PAGE_CHARS = 12_000;
const LINES_PER_SECTION = 10;

export type CasePageValue = { caseId: number; page: number };

/** Titled lines, in sections of a few lines each, so a long list can break across pages. */
function group(title: string, lines: string[], empty: string): Block[] {
  if (lines.length === 0) return [section(`*${title}*\n${empty}`)];
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i += LINES_PER_SECTION) {
    const head = i === 0 ? `*${title}* (${lines.length})\n` : `*${title}* (continued)\n`;
    blocks.push(section(head + lines.slice(i, i + LINES_PER_SECTION).join('\n')));
  }
  return blocks;
}

function caseBlocks(d: CaseDetail): Block[] {
  const fields = [
    `*Status*\n${d.status}${d.assignee ? ` (with ${who(d.assignee)})` : ''}`,
    `*Queue · vendor*\n${escapeMrkdwn(d.queue)} (${escapeMrkdwn(d.priority)}) · ${escapeMrkdwn(d.vendor)}`,
    `*Opened*\n${slackDate(d.openedAt)}`,
    `*SLA*\nfirst action ${slackDate(d.firstActionDueAt)} (${d.firstActionState})\nresolution ${slackDate(d.resolutionDueAt)} (${d.resolutionState})`,
  ];
  return [
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
    context(':warning: Reported content and reporter contact are never shown in Slack; open the case in the review tool.'),
    ...group(
      'Reports',
      d.reports.map(
        (r) =>
          `• ${slackDate(r.receivedAt)} \`${escapeMrkdwn(truncate(r.externalId, 80))}\` ${escapeMrkdwn(r.surface)} · ${escapeMrkdwn(r.type)}${r.category ? ` · ${escapeMrkdwn(r.category)}` : ''}`,
      ),
      'None.',
    ),
    ...group(
      'Decisions',
      d.decisions.map(
        (x) =>
          `• ${slackDate(x.decidedAt)} *${escapeMrkdwn(x.action)}* under ${escapeMrkdwn(x.policy)} (${x.automated ? 'automated' : x.actorType.replace('_', ' ')})${x.appeals ? ` · ${x.appeals} appeal${x.appeals > 1 ? 's' : ''}` : ''}${x.qaReviews ? ` · ${x.qaReviews} QA` : ''}`,
      ),
      'None yet.',
    ),
    ...group(
      'Escalations',
      d.escalations.map(
        (e) =>
          `• ${e.id} ${e.severity} *${e.status}* — raised ${slackDate(e.createdAt)} by ${who(e.requestedBy)}${e.decidedBy ? `, decided by ${who(e.decidedBy)}` : ''} · ${e.votes} vote${e.votes === 1 ? '' : 's'}`,
      ),
      'None.',
    ),
    ...group(
      'Audit timeline',
      d.timeline.map(
        (t) =>
          `• ${slackDate(t.at)} ${who(t.actor)} \`${escapeMrkdwn(t.action)}\` ${escapeMrkdwn(t.entity)}${t.summary ? ` — ${escapeMrkdwn(t.summary)}` : ''}`,
      ),
      'Nothing recorded.',
    ),
  ];
}

/** Splits blocks into pages by count and by length. */
function paginate(blocks: Block[]): Block[][] {
  const pages: Block[][] = [[]];
  let chars = 0;
  for (const b of blocks) {
    const size = JSON.stringify(b).length;
    const page = pages[pages.length - 1] as Block[];
    if (page.length > 0 && (page.length >= PAGE_BLOCKS || chars + size > PAGE_CHARS)) {
      pages.push([b]);
      chars = size;
    } else {
      page.push(b);
      chars += size;
    }
  }
  return pages;
}

/** `/trustops case <id>`: one page of the case's record, with Previous / Next buttons. */
export function caseMessage(d: CaseDetail, page = 1): SlackMessage {
  const pages = paginate(caseBlocks(d));
  const n = Math.min(Math.max(1, page), pages.length);
  const blocks: Block[] = [header(`Case #${d.caseId}`), ...(pages[n - 1] ?? [])];
  if (pages.length > 1) {
    const button = (text: string, to: number) => ({
      type: 'button',
      text: { type: 'plain_text', text },
      action_id: `${ActionId.casePage}_${to < n ? 'prev' : 'next'}`,
      value: JSON.stringify({ caseId: d.caseId, page: to } satisfies CasePageValue),
    });
    const elements = [...(n > 1 ? [button('◀ Previous', n - 1)] : []), ...(n < pages.length ? [button('Next ▶', n + 1)] : [])];
    blocks.push(context(`Page ${n} of ${pages.length}`), { type: 'actions', elements });
  }
  return {
    text: `Case #${d.caseId}: ${d.status}, ${d.reports.length} reports, ${d.decisions.length} decisions, ${d.escalations.length} escalations`,
    blocks,
  };
}
