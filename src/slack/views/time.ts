import { type Mrkdwn, md } from './text';

/** A time Slack shows in each reader's own zone; the fallback text is UTC. */
export function slackDate(iso: string, format = '{date_short_pretty} {time}'): Mrkdwn {
  const d = new Date(iso);
  // A date that does not parse is shown as given rather than throwing: a card must still go out.
  if (Number.isNaN(d.getTime())) return md`${iso}`;
  const fallback = `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return md`<!date^${Math.floor(d.getTime() / 1000)}^${format}|${fallback}>`;
}
