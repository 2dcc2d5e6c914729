import type { OutboundAlert } from '../../domain/alerts/port';
import type { DisputeCardData, IncompleteNoticeCardData, NoticeCardData } from '../../domain/copyright/cards';
import {
  DISPUTE_CARD_KIND,
  DISPUTE_OVERDUE_KIND,
  DISPUTE_THREAD_KIND,
  type DisputeOverdueNotice,
  type DisputeThreadNote,
} from '../../domain/copyright/dispute-card';
import { INCOMPLETE_NOTICE_CARD_KIND, NOTICE_CARD_KIND } from '../../domain/copyright/notices';
import { NOTICE_IMPORT_KIND, type NoticeImportSummary } from '../../domain/copyright/notices-import';
import { DIGEST_KIND, OVERVIEW_KIND, type OverviewDigestData, type VendorDigestData } from '../../domain/digests/send';
import type { ExpiredNotice, OutcomeDm, ThreadNote } from '../../domain/escalations/decide';
import type { EscalationCardData } from '../../domain/escalations/escalations';
import type { SlackMessage } from './blocks';
import { disputeCard, incompleteNoticeCard, noticeCard, noticeImportCard } from './copyright';
import { disputeOverdueMessage, disputeThreadMessage } from './copyright-disputes';
import { overviewDigestAlert, vendorDigestAlert } from './digest';
import { escalationCard, escalationExpiredNotice, escalationOutcomeDm, escalationThreadNote } from './escalation';
import { type SlaAlertData, type SlaRollupData, slaAlertCard, slaRollupCard } from './sla';
import { type TriageData, triageCard } from './triage';

/** Renders an outbox alert by its kind; an unknown kind is a programming error, reported as a permanent failure. */
export function renderAlert(alert: OutboundAlert, opts: { reviewUrl: string }): SlackMessage {
  switch (alert.kind) {
    case 'triage':
      return triageCard(alert.message as TriageData, opts);
    case 'sla_at_risk':
    case 'sla_breach':
      return slaAlertCard(alert.message as SlaAlertData, { ...opts, alertId: alert.id });
    case 'sla_renotify':
      return slaAlertCard(alert.message as SlaAlertData, { ...opts, alertId: alert.id, renotify: true });
    case 'escalation':
      return escalationCard(alert.message as EscalationCardData, opts);
    case 'escalation_thread':
      return escalationThreadNote(alert.message as ThreadNote);
    case 'escalation_dm':
      return escalationOutcomeDm(alert.message as OutcomeDm);
    case 'escalation_expired':
      return escalationExpiredNotice(alert.message as ExpiredNotice);
    case 'sla_rollup':
      return slaRollupCard(alert.message as SlaRollupData);
    case DIGEST_KIND:
      return vendorDigestAlert(alert.message as VendorDigestData);
    case OVERVIEW_KIND:
      return overviewDigestAlert(alert.message as OverviewDigestData);
    case DISPUTE_CARD_KIND:
      return disputeCard(alert.message as DisputeCardData);
    case DISPUTE_THREAD_KIND:
      return disputeThreadMessage(alert.message as DisputeThreadNote);
    case DISPUTE_OVERDUE_KIND:
      return disputeOverdueMessage(alert.message as DisputeOverdueNotice);
    case NOTICE_CARD_KIND:
      return noticeCard(alert.message as NoticeCardData);
    case INCOMPLETE_NOTICE_CARD_KIND:
      return incompleteNoticeCard(alert.message as IncompleteNoticeCardData);
    case NOTICE_IMPORT_KIND:
      return noticeImportCard(alert.message as NoticeImportSummary);
    default:
      throw new Error(`no view for alert kind ${alert.kind}`);
  }
}
