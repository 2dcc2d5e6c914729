import type { CaseDetail } from '../../domain/cases/detail';
import { ActionId } from '../ids';
import { actions, type Block, button, context, fields, header, message, type SlackMessage, section } from './blocks';
import { joinMd, type Mrkdwn, md, mention, truncate } from './text';
import { slackDate } from './time';

// Slack allows 50 blocks a message; a page keeps well under that, and under a readable length.
const PAGE_BLOCKS = 20;
const PAGE_CHARS = 12_000;
const LINES_PER_SECTION = 10;

export type CasePageValue = { caseId: number; page: number };

/** Titled lines, in sections of a few lines each, so a long list can break across pages. */
function group(title: string, lines: Mrkdwn[], empty: string): Block[] {
  if (lines.length === 0) return [section(md`*${title}*\n${empty}`)];
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i += LINES_PER_SECTION) {
    const head = i === 0 ? md`*${title}* (${lines.length})\n` : md`*${title}* (continued)\n`;
    blocks.push(section(md`${head}${joinMd(lines.slice(i, i + LINES_PER_SECTION), '\n')}`));
  }
  return blocks;
}

function caseBlocks(d: CaseDetail): Block[] {
  return [
    fields([
      md`*Status*\n${d.status}${d.assignee ? md` (with ${mention(d.assignee)})` : ''}`,
      md`*Queue · vendor*\n${d.queue} (${d.priority}) · ${d.vendor}`,
      md`*Opened*\n${slackDate(d.openedAt)}`,
      md`*SLA*\nfirst action ${slackDate(d.firstActionDueAt)} (${d.firstActionState})\nresolution ${slackDate(d.resolutionDueAt)} (${d.resolutionState})`,
    ]),
    context(':warning: Reported content and reporter contact are never shown in Slack; open the case in the review tool.'),
    ...group(
      'Reports',
      d.reports.map(
        (r) =>
          md`• ${slackDate(r.receivedAt)} \`${truncate(r.externalId, 80)}\` ${r.surface} · ${r.type}${r.category ? ` · ${r.category}` : ''}`,
      ),
      'None.',
    ),
    ...group(
      'Decisions',
      d.decisions.map(
        (x) =>
          md`• ${slackDate(x.decidedAt)} *${x.action}* under ${x.policy} (${x.automated ? 'automated' : x.actorType.replace('_', ' ')})${x.appeals ? ` · ${x.appeals} appeal${x.appeals > 1 ? 's' : ''}` : ''}${x.qaReviews ? ` · ${x.qaReviews} QA` : ''}`,
      ),
      'None yet.',
    ),
    ...group(
      'Escalations',
      d.escalations.map(
        (e) =>
          md`• ${e.id} ${e.severity} *${e.status}* — raised ${slackDate(e.createdAt)} by ${mention(e.requestedBy)}${e.decidedBy ? md`, decided by ${mention(e.decidedBy)}` : ''} · ${e.votes} vote${e.votes === 1 ? '' : 's'}`,
      ),
      'None.',
    ),
    ...group(
      'Audit timeline',
      d.timeline.map((t) => md`• ${slackDate(t.at)} ${mention(t.actor)} \`${t.action}\` ${t.entity}${t.summary ? ` — ${t.summary}` : ''}`),
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
    const pageButton = (text: string, to: number) =>
      button({
        text,
        actionId: `${ActionId.casePage}_${to < n ? 'prev' : 'next'}`,
        value: JSON.stringify({ caseId: d.caseId, page: to } satisfies CasePageValue),
      });
    blocks.push(
      context(`Page ${n} of ${pages.length}`),
      ...actions([n > 1 ? pageButton('◀ Previous', n - 1) : undefined, n < pages.length ? pageButton('Next ▶', n + 1) : undefined]),
    );
  }
  return message(
    md`Case #${d.caseId}: ${d.status}, ${d.reports.length} reports, ${d.decisions.length} decisions, ${d.escalations.length} escalations`,
    blocks,
  );
}
