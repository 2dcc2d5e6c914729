import type { HomeDisputes } from '../../domain/copyright/dispute-detail';
import type { EscalationSummary, HomeEscalations } from '../../domain/escalations/queries';
import type { Figures } from '../../domain/metrics/figures';
import type { RoleName } from '../../domain/roles/roles';
import { type Block, context, divider, fields, type HomeView, header, homeTab, section } from './blocks';
import { homeDisputeBlocks } from './copyright-disputes';
import { decisionButtons } from './escalation';
import { duration } from './metrics';
import { md, mention, type Text, truncate } from './text';
import { slackDate } from './time';

export type { HomeView };

/** Today's and the last 7 days' totals, in the reporting time zone. */
export type Headline = { today: Figures; week: Figures; timeZone: string };

/** A line at the top of App Home: someone's text (shown as typed) or markup we wrote. */
export type HomeNotice = { text: Text; ok: boolean };

export type HomeInput = {
  headline?: Headline;
  role: RoleName;
  surfaceCount: number;
  escalations?: HomeEscalations;
  /** Open copyright disputes, soonest latest restore date first (analysts and above). */
  disputes?: HomeDisputes;
  /** The answer to a button clicked in App Home, which has no channel to answer in. */
  notice?: HomeNotice;
  reviewUrl: string;
};

function escalationBlocks(e: EscalationSummary, withButtons: boolean, reviewUrl: string): Block[] {
  const state =
    e.status === 'pending'
      ? md`${e.approvals} of ${e.requiredApprovals} approval${e.requiredApprovals > 1 ? 's' : ''} · decide by ${slackDate(e.deadlineAt)}`
      : md`${e.status}${e.decidedBy ? md` by ${mention(e.decidedBy)}` : ''}${e.decidedAt ? md` at ${slackDate(e.decidedAt)}` : ''}`;
  const blocks: Block[] = [
    section(
      md`*Escalation ${e.escalationId}* · ${e.severity} · case #${e.caseId} · raised by ${mention(e.requestedBy)}\n${truncate(e.reason, 300)}`,
    ),
    context(state),
  ];
  if (withButtons && e.status === 'pending') blocks.push(...decisionButtons(e.escalationId, { reviewUrl, caseId: e.caseId }));
  return blocks;
}

export function homeView(input: HomeInput): HomeView {
  const blocks: Block[] = [];
  if (input.notice) blocks.push(section(md`${input.notice.ok ? ':white_check_mark:' : ':warning:'} ${input.notice.text}`));
  blocks.push(
    header('TrustOps'),
    section('Enforcement operations for Trust & Safety: SLA alerts, escalations, copyright disputes and metrics, recorded in one place.'),
    section(md`Your role: *${input.role}*. Surfaces tracked: *${input.surfaceCount}*.`),
  );
  if (input.headline) {
    const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)} %`);
    const n = (x: number) => x.toLocaleString('en');
    const column = (title: string, f: Figures) =>
      md`*${title}*\n${n(f.reportsReceived)} reports · ${n(f.decisions)} decisions\naction rate ${pct(f.actionRate)} · time to action ${duration(f.timeToAction.medianMs)}\nfirst-action SLA ${pct(f.firstActionSla.rate)} · ${n(f.escalations)} escalations`;
    blocks.push(
      divider(),
      header('Enforcement at a glance'),
      fields([column('Today', input.headline.today), column('Last 7 days', input.headline.week)]),
      context(`In ${input.headline.timeZone}. More: \`/trustops metrics last 30d by:surface\``),
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
  if (input.disputes) blocks.push(...homeDisputeBlocks(input.disputes));
  blocks.push(context('Type `/trustops help` in any channel to see every command.'));
  return homeTab(blocks);
}
