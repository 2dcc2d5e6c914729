import type { Attainment, SlaSummary } from '../../domain/sla/summary';
import { context, header, type SlackMessage } from './blocks';
import { slackDate } from './time';

/** "92.3 % (12 of 13)", or "—" when nothing was completed: never NaN. */
export function attainmentText(a: Attainment): string {
  const total = a.met + a.missed;
  return total === 0 ? '—' : `${((a.met / total) * 100).toFixed(1)} % (${a.met} of ${total})`;
}

export function slaSummaryMessage(s: SlaSummary): SlackMessage {
  const oldest = s.oldestBreached ? `#${s.oldestBreached.caseId}, opened ${slackDate(s.oldestBreached.openedAt.toISOString())}` : '—';
  const fields = [
    `*At risk*\n${s.atRisk}`,
    `*Breached*\n${s.breached}`,
    `*Oldest breach*\n${oldest}`,
    ' ',
    `*First action, today*\n${attainmentText(s.today.firstAction)}`,
    `*Resolution, today*\n${attainmentText(s.today.resolution)}`,
    `*First action, 7 days*\n${attainmentText(s.last7Days.firstAction)}`,
    `*Resolution, 7 days*\n${attainmentText(s.last7Days.resolution)}`,
  ];
  return {
    text: `SLA for ${s.scope}: ${s.atRisk} at risk, ${s.breached} breached; first-action attainment 7 days ${attainmentText(s.last7Days.firstAction)}`,
    blocks: [
      header(`SLA — ${s.scope}`),
      { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
      context(
        'Attainment = met ÷ (met + missed) over targets completed in the period; open cases are not counted. States are as of the last SLA scan.',
      ),
    ],
  };
}
