/**
 * What the copyright cards show: plain data the domain hands to src/slack/views/copyright.ts (and
 * stores in the alert outbox, so instants are ISO strings). Content is never here, only references.
 */
import type { SlaState } from '../sla/state';
import type { DisputePhase } from './calendar';
import type { CounterNoticeElement, NoticeElement, Outreach, SenderKind } from './schemas';

export type CardSender = {
  name: string;
  organization?: string;
  kind: SenderKind;
  email?: string;
  address?: string;
  phone?: string;
};

export type CardItem = { contentRef: string; surface?: string; accountId?: string };

/** Someone's click, recorded: a Slack user id (or "api:<token>" / "system") and when. */
export type Recorded = { by: string; at: string };

export type IncompleteNoticeCardData = {
  noticeId: number;
  externalId: string;
  sender: CardSender;
  work?: string;
  itemCount: number;
  receivedAt: string;
  missing: readonly NoticeElement[];
  outreach: Exclude<Outreach, 'none'>;
  /** Every Request info click, oldest first. */
  infoRequests: readonly Recorded[];
};

export const REJECT_NOTICE_REASONS = ['invalid', 'abusive', 'not_copyrightable', 'fair_use', 'other'] as const;
export type RejectNoticeReason = (typeof REJECT_NOTICE_REASONS)[number];

export type NoticeCardData = {
  noticeId: number;
  externalId: string;
  sender: CardSender;
  work: string;
  /** The first items (the card shows at most 10); itemCount says how many there are. */
  items: readonly CardItem[];
  itemCount: number;
  accounts: readonly string[];
  receivedAt: string;
  sla?: { dueAt: string; state: SlaState };
  status: 'open' | 'taken_down' | 'rejected' | 'retracted';
  decided?: Recorded & { reason?: RejectNoticeReason; note?: string };
  /** §512(g)(2)(A): when the affected users were told of the takedown. */
  usersNotifiedAt?: string;
  retracted?: Recorded;
};

export type DisputeStatus = 'pending' | 'restored' | 'restored_late' | 'restored_false_positive' | 'held' | 'rejected' | 'notice_retracted';

export type DisputeCardData = {
  counterNoticeId: number;
  externalId: string;
  notice: { externalId: string; claimant: string; senderKind: SenderKind };
  subscriberName?: string;
  accountId: string;
  items: readonly string[];
  itemCount: number;
  receivedAt: string;
  /** Missing §512(g)(3) elements: an incomplete counter-notice has no restore clock. */
  missing: readonly CounterNoticeElement[];
  /** Local dates on the copyright calendar; absent while the counter-notice is incomplete. */
  window?: { earliest: string; latest: string; timeZone: string };
  /** Where the clock stands at `clock.asOf` (see disputeClock). */
  clock?: { phase: DisputePhase; daysLeft: number; daysUntilOpen: number; asOf: string };
  claimantNotified?: Recorded;
  /** When a missing Claimant notified is due (one business day after receipt). */
  claimantNotifyDueAt?: string;
  status: DisputeStatus;
  decided?: Recorded & { reason?: string };
  suit?: { court: string; caseNumber: string; filedOn: string };
  infoRequests: readonly Recorded[];
};
