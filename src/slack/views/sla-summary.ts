import type { Attainment, SlaSummary } from '../../domain/sla/summary';
import { context, fields, header, message, type SlackMessage } from './blocks';
import { md } from './text';
import { slackDate } from './time';

/** "92.3 % (12 of 13)", or "—" when nothing was completed: never NaN. */
export function attainmentText(a: Attainment): string {
  const total = a.met + a.missed;
  return total === 0 ? '—' : `${((a.met / total) * 100).toFixed(1)} % (${a.met} of ${total})`;
}

export function slaSummaryMessage(s: SlaSummary): SlackMessage {
  const oldest = s.oldestBreached ? md`#${s.oldestBreached.caseId}, opened ${slackDate(s.oldestBreached.openedAt.toISOString())}` : '—';
  return message(
    `SLA for ${s.scope}: ${s.atRisk} at risk, ${s.breached} breached; first-action attainment 7 days ${attainmentText(s.last7Days.firstAction)}`,
    [
      header(`SLA — ${s.scope}`),
      fields([
        md`*At risk*\n${s.atRisk}`,
        md`*Breached*\n${s.breached}`,
        md`*Oldest breach*\n${oldest}`,
        ' ',
        md`*First action, today*\n${attainmentText(s.today.firstAction)}`,
        md`*Resolution, today*\n${attainmentText(s.today.resolution)}`,
        md`*First action, 7 days*\n${attainmentText(s.last7Days.firstAction)}`,
        md`*Resolution, 7 days*\n${attainmentText(s.last7Days.resolution)}`,
      ]),
      context(
        'Attainment = met ÷ (met + missed) over targets completed in the period; open cases are not counted. States are as of the last SLA scan.',
      ),
    ],
  );
}
