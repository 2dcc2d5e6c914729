import type { EscalationSummary, HomeEscalations } from '../../domain/escalations/queries';
import type { Figures } from '../../domain/metrics/figures';
import type { RoleName } from '../../domain/roles/roles';
import { type Block, context, divider, header, mrkdwn, section } from './blocks';
import { decisionButtons, who } from './escalation';
import { duration } from './metrics';
import { escapeMrkdwn, truncate } from './text';
import { slackDate } from './time';

export type HomeView = { type: 'home'; blocks: Block[] };

/** Today's and the last 7 days' totals, in the reporting time zone. */
export type Headline = { today: Figures; week: Figures; timeZone: string };

export type HomeInput = {
  headline?: Headline;
  role: RoleName;
  surfaceCount: number;
  escalations?: HomeEscalations;
  /** The answer to a button clicked in App Home, which has no channel to answer in. */
  notice?: { text: string; ok: boolean };
  reviewUrl: string;
};

function escalationBlocks(e: EscalationSummary, withButtons: boolean, reviewUrl: string): Block[] {
  const state =
    e.status === 'pending'
      ? `${e.approvals} of ${e.requiredApprovals} approval${e.requiredApprovals > 1 ? 's' : ''} · decide by ${slackDate(e.deadlineAt)}`
      : `${e.status}${e.decidedBy ? ` by ${who(e.decidedBy)}` : ''}${e.decidedAt ? ` at ${slackDate(e.decidedAt)}` : ''}`;
  const blocks: Block[] = [
    section(
      `*Escalation ${e.escalationId}* · ${e.severity} · case #${e.caseId} · raised by ${who(e.requestedBy)}\n${escapeMrkdwn(truncate(e.reason, 300))}`,
    ),
    context(state),
  ];
  if (withButtons && e.status === 'pending') blocks.push(decisionButtons(e.escalationId, { reviewUrl, caseId: e.caseId }));
  return blocks;
}

export function homeView(input: HomeInput): HomeView {
  const blocks: Block[] = [];
  if (input.notice) blocks.push(section(`${input.notice.ok ? ':white_check_mark:' : ':warning:'} ${input.notice.text}`));
  blocks.push(
    header('TrustOps'),
    section('Enforcement operations for Trust & Safety: SLA alerts, escalations, copyright disputes and metrics, recorded in one place.'),
    section(`Your role: *${input.role}*. Surfaces tracked: *${input.surfaceCount}*.`),
  );
  if (input.headline) {
    const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)} %`);
    const column = (title: string, f: Figures) =>
      `*${title}*\n${f.reportsReceived.toLocaleString('en')} reports · ${f.decisions.toLocaleString('en')} decisions\n` +
      `action rate ${pct(f.actionRate)} · time to action ${duration(f.timeToAction.medianMs)}\n` +
      `first-action SLA ${pct(f.firstActionSla.rate)} · ${f.escalations.toLocaleString('en')} escalations`;
    blocks.push(
      divider(),
      header('Enforcement at a glance'),
      { type: 'section', fields: [mrkdwn(column('Today', input.headline.today)), mrkdwn(column('Last 7 days', input.headline.week))] },
      context(`In ${escapeMrkdwn(input.headline.timeZone)}. More: \`/trustops metrics last 30d by:surface\``),
    );
  }
  const esc = input.escalations;
  if (esc) {
    blocks.push(divider(), header(esc.mode === 'decide' ? 'Escalations waiting for a decision' : 'Your escalations'));
    if (esc.escalations.length === 0)
      blocks.push(context(esc.mode === 'decide' ? 'Nothing is waiting for you.' : 'You have no open or recent escalations.'));
    for (const e of esc.escalations) blocks.push(...escalationBlocks(e, esc.mode === 'decide', input.reviewUrl));
    if (esc.more > 0) blocks.push(context(`…and ${esc.more} more; the escalation channel has them all.`));
  }
  blocks.push(context('Type `/trustops help` in any channel to see every command.'));
  return { type: 'home', blocks };
}
