import type { FailedAlert, FailedAlerts } from '../../domain/alerts/failed';
import { ActionId } from '../ids';
import { type Block, button, context, header, message, type SlackMessage, section } from './blocks';
import { md } from './text';
import { slackDate } from './time';

/** One line per failed alert (what, where, why), with Retry beside it for admins. */
export function failedAlertsMessage(f: FailedAlerts): SlackMessage {
  if (f.total === 0) {
    const text = 'No failed alerts: everything queued was delivered or is still on its way.';
    return message(text, [section(md`:white_check_mark: ${text}`)]);
  }
  const blocks: Block[] = [header(`Failed alerts (${f.total})`), ...f.alerts.map((a) => alertBlock(a, f.canRetry))];
  if (f.total > f.alerts.length) blocks.push(context(md`Showing the newest ${f.alerts.length} of ${f.total}.`));
  blocks.push(
    context(
      f.canRetry
        ? 'Retry queues an alert again: mend the cause first (invite the bot to the channel, fix the channel setting).'
        : 'Admins can queue these again with Retry.',
    ),
  );
  return message(`${f.total} failed alerts; the newest: ${f.alerts.map((a) => `${a.id} (${a.error ?? 'no reason'})`).join(', ')}`, blocks);
}

function alertBlock(a: FailedAlert, canRetry: boolean): Block {
  const about = a.caseId === undefined ? '' : md` · case #${a.caseId}`;
  const block = section(
    md`*Alert ${a.id}* · ${a.kind} to \`${a.channel}\`${about} · queued ${slackDate(a.createdAt.toISOString())} · ${a.attempts} ${a.attempts === 1 ? 'attempt' : 'attempts'}\n${a.error ?? 'no reason recorded'}`,
  );
  const retry = canRetry ? button({ text: 'Retry', actionId: ActionId.alertRetry, value: JSON.stringify({ alertId: a.id }) }) : undefined;
  return retry ? { ...block, accessory: retry } : block;
}
