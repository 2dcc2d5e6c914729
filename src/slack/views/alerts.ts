import type { OutboundAlert } from '../notifier';
import type { SlackMessage } from './blocks';
import { type TriageData, triageCard } from './triage';

/** Renders an outbox alert by its kind; an unknown kind is a programming error, reported as a permanent failure. */
export function renderAlert(alert: OutboundAlert, opts: { reviewUrl: string }): SlackMessage {
  switch (alert.kind) {
    case 'triage':
      return triageCard(alert.message as TriageData, opts);
    default:
      throw new Error(`no view for alert kind ${alert.kind}`);
  }
}
