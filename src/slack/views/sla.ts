import { ActionId } from '../ids';
import { actions, type Block, button, context, fields, header, message, type SlackMessage, section } from './blocks';
import { md, mention } from './text';
import { slackDate } from './time';
import { reviewLink } from './triage';

/** What the SLA scan stores for a case × target crossing a threshold (see domain/sla/scan.ts). */
export type SlaAlertData = {
  caseId: number;
  queue: string;
  vendor: string;
  priority: string;
  target: 'first_action' | 'resolution';
  state: 'at_risk' | 'breached';
  openedAt: string;
  dueAt: string;
  contentRef: string;
  policyVersion?: number;
  /** Set once the case completes the target: the card is then edited in place. */
  outcome?: 'met' | 'missed';
  completedAt?: string;
  /** Business minutes past the due time; overrunWallMinutes is the same in plain minutes. */
  overrunMinutes?: number;
  overrunWallMinutes?: number;
  acknowledgedBy?: string | null;
  acknowledgedAt?: string | null;
  /** Set on the one re-notification of an unacknowledged breach. */
  firstPostedAt?: string;
};

export type SlaRollupData = {
  queue: string;
  vendor: string;
  target: 'first_action' | 'resolution';
  state: 'at_risk' | 'breached';
  count: number;
  oldestCaseId: number;
  oldestOpenedAt: string;
  worstOverrunMinutes: number;
  caseIds: number[];
};

const TARGET = { first_action: 'first action', resolution: 'resolution' } as const;

/** "1 h 5 min" rather than "65 min". */
export function minutesText(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** The value every SLA card button carries: which alert, case and target it acts on. */
export type SlaButtonValue = { alertId: number; caseId: number; target: 'first_action' | 'resolution' };

export function slaAlertCard(d: SlaAlertData, opts: { reviewUrl: string; alertId: number; renotify?: boolean }): SlackMessage {
  const what = TARGET[d.target];
  const title = opts.renotify
    ? `Still unacknowledged: ${what} SLA breached on case #${d.caseId}`
    : d.state === 'breached'
      ? `SLA breached: ${what} on case #${d.caseId}`
      : `At risk: ${what} on case #${d.caseId}`;
  const blocks: Block[] = [
    header(`${d.state === 'breached' ? '🔴' : '🟠'} ${title}`),
    fields([
      md`*Case*\n#${d.caseId}`,
      md`*Queue*\n${d.queue} · ${d.priority}`,
      md`*Vendor*\n${d.vendor}`,
      md`*Target*\n${what}`,
      md`*Due*\n${slackDate(d.dueAt)}`,
      md`*Opened*\n${slackDate(d.openedAt)}`,
    ]),
  ];
  if (d.outcome) {
    // People read wall-clock lateness; a target missed at closing time may be 0 business minutes over.
    const over = d.overrunWallMinutes ?? d.overrunMinutes ?? 0;
    const late = d.outcome === 'missed' ? `${minutesText(Math.max(over, 1))} late` : 'on time';
    const verb = d.target === 'resolution' ? 'Resolved' : 'First action taken';
    blocks.push(
      section(md`${d.outcome === 'met' ? ':white_check_mark:' : ':x:'} *${verb} ${late}* (${slackDate(d.completedAt ?? d.dueAt)})`),
    );
  }
  if (opts.renotify && d.firstPostedAt) blocks.push(context(md`First alerted ${slackDate(d.firstPostedAt)} and not acknowledged since.`));
  if (d.acknowledgedBy)
    blocks.push(
      context(md`:eyes: Acknowledged by ${mention(d.acknowledgedBy)}${d.acknowledgedAt ? md` ${slackDate(d.acknowledgedAt)}` : ''}`),
    );
  blocks.push(context(':warning: Content warning: the reported material is not shown here; open the case in the review tool.'));
  const value = JSON.stringify({ alertId: opts.alertId, caseId: d.caseId, target: d.target } satisfies SlaButtonValue);
  // Once the target is met or missed there is nothing left to act on: only the link stays.
  const buttons = d.outcome
    ? []
    : [
        ...(d.acknowledgedBy ? [] : [button({ text: 'Acknowledge', actionId: ActionId.slaAcknowledge, value, style: 'primary' })]),
        button({ text: 'Escalate', actionId: ActionId.slaEscalate, value, style: 'danger' }),
        button({ text: 'Reassign', actionId: ActionId.slaReassign, value }),
      ];
  buttons.push(button({ text: 'Open in review tool', actionId: ActionId.slaOpenReview, url: reviewLink(opts.reviewUrl, d.caseId) }));
  blocks.push(...actions(buttons));
  const status = d.outcome ? ` — ${d.outcome}` : '';
  return message(md`${title} (due ${d.dueAt})${status}`, blocks);
}

export function slaRollupCard(d: SlaRollupData): SlackMessage {
  const what = TARGET[d.target];
  const verb = d.state === 'breached' ? 'breached' : 'are at risk on';
  const title = `${d.count} cases in ${d.queue} ${verb} ${what}`;
  const shown = d.caseIds
    .slice(0, 20)
    .map((id) => `#${id}`)
    .join(', ');
  return message(md`${title}; oldest #${d.oldestCaseId}`, [
    header(`🚨 ${title}`),
    fields([
      md`*Queue*\n${d.queue}`,
      md`*Vendor*\n${d.vendor}`,
      md`*Oldest*\n#${d.oldestCaseId}, opened ${slackDate(d.oldestOpenedAt)}`,
      md`*Worst overrun*\n${minutesText(d.worstOverrunMinutes)}`,
    ]),
    section(md`*Cases*: ${shown}${d.count > 20 ? ` and ${d.count - 20} more` : ''}`),
    context(md`One roll-up instead of ${d.count} messages. \`/trustops sla ${d.queue}\` lists the queue's open breaches.`),
  ]);
}
