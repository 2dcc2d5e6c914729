/**
 * The notice cards' data, read afresh from the database after every change, and the edit of the
 * posted card: the outbox row keeps its Slack ts, so the delivery worker edits the same message.
 */
import type { Tx } from '../../db/client';
import { AppError } from '../../errors';
import { enqueueAlerts, type NewAlert } from '../alerts/outbox';
import type { SlaState } from '../sla/state';
import type { CardSender, IncompleteNoticeCardData, NoticeCardData, RejectNoticeReason } from './cards';
import { checkNotice, type NoticeElement, type SenderKind } from './schemas';

/** The card shows this many items (Block Kit's limits); the rest are counted. */
export const CARD_ITEM_LIMIT = 10;

export const noticeCardKey = (noticeId: number) => `copyright:notice:${noticeId}:card`;

type NoticeRow = {
  id: number;
  externalId: string;
  senderName: string | null;
  claimant: string;
  senderOrganization: string | null;
  senderEmail: string | null;
  senderAddress: string | null;
  senderPhone: string | null;
  senderKind: SenderKind;
  work: string | null;
  itemCount: number;
  missingElements: string[];
  status: string;
  receivedAt: Date;
  actionedAt: Date | null;
  decidedBy: string | null;
  rejectReason: string | null;
  rejectNote: string | null;
  usersNotifiedAt: Date | null;
  retractedAt: Date | null;
  retractedBy: string | null;
};

export function senderOfRow(n: NoticeRow): CardSender {
  return {
    name: n.senderName ?? n.claimant,
    kind: n.senderKind,
    ...(n.senderOrganization ? { organization: n.senderOrganization } : {}),
    ...(n.senderEmail ? { email: n.senderEmail } : {}),
    ...(n.senderAddress ? { address: n.senderAddress } : {}),
    ...(n.senderPhone ? { phone: n.senderPhone } : {}),
  };
}

export type NoticeCard = { kind: 'complete'; data: NoticeCardData } | { kind: 'incomplete'; data: IncompleteNoticeCardData };

/** What the notice's card shows now. */
export async function noticeCardData(tx: Tx, noticeId: number): Promise<NoticeCard> {
  const n = await tx.copyrightNotice.findUnique({ where: { id: noticeId } });
  if (!n) throw new AppError('not_found', `There is no copyright notice ${noticeId}.`);
  const sender = senderOfRow(n);
  const missing = n.missingElements as NoticeElement[];
  const incomplete = missing.length > 0;
  if (incomplete) {
    const requests = await tx.copyrightInfoRequest.findMany({ where: { noticeId }, orderBy: { id: 'asc' } });
    const check = checkNotice({
      work: n.work ?? undefined,
      items: n.itemCount > 0 ? [{ content_ref: 'x', surface: 'x' }] : [],
      signature: n.signature ?? undefined,
      good_faith: n.goodFaith,
      accurate_and_authorized: n.accurateAndAuthorized,
      sender: { email: n.senderEmail ?? undefined, address: n.senderAddress ?? undefined, phone: n.senderPhone ?? undefined },
    });
    return {
      kind: 'incomplete',
      data: {
        noticeId: n.id,
        externalId: n.externalId,
        sender,
        ...(n.work ? { work: n.work } : {}),
        itemCount: n.itemCount,
        receivedAt: n.receivedAt.toISOString(),
        missing,
        outreach: (check.outreach === 'none' ? 'possible' : check.outreach) as IncompleteNoticeCardData['outreach'],
        infoRequests: requests.map((r) => ({ by: r.requestedBy, at: r.requestedAt.toISOString() })),
      },
    };
  }
  const [items, accounts, sla] = await Promise.all([
    tx.copyrightNoticeItem.findMany({ where: { noticeId }, orderBy: { position: 'asc' }, take: CARD_ITEM_LIMIT }),
    tx.$queryRawUnsafe<{ account_id: string }[]>(
      'SELECT DISTINCT account_id FROM copyright_notice_items WHERE notice_id = $1 AND account_id IS NOT NULL ORDER BY 1',
      noticeId,
    ),
    tx.$queryRawUnsafe<{ due: Date; state: string }[]>(
      `SELECT c.first_action_due_at AS due, c.first_action_state AS state
         FROM copyright_notice_items i JOIN cases c ON c.id = i.case_id
        WHERE i.notice_id = $1 ORDER BY c.first_action_due_at LIMIT 1`,
      noticeId,
    ),
  ]);
  const status: NoticeCardData['status'] =
    n.status === 'taken_down' ? 'taken_down' : n.status === 'rejected' ? 'rejected' : n.status === 'retracted' ? 'retracted' : 'open';
  const decided =
    n.decidedBy && n.actionedAt
      ? {
          by: n.decidedBy,
          at: n.actionedAt.toISOString(),
          ...(n.rejectReason ? { reason: n.rejectReason as RejectNoticeReason } : {}),
          ...(n.rejectNote ? { note: n.rejectNote } : {}),
        }
      : undefined;
  return {
    kind: 'complete',
    data: {
      noticeId: n.id,
      externalId: n.externalId,
      sender,
      work: n.work ?? '',
      items: items.map((i) => ({ contentRef: i.contentRef, surface: i.surface, ...(i.accountId ? { accountId: i.accountId } : {}) })),
      itemCount: n.itemCount,
      accounts: accounts.map((a) => a.account_id),
      receivedAt: n.receivedAt.toISOString(),
      ...(sla[0] ? { sla: { dueAt: sla[0].due.toISOString(), state: sla[0].state as SlaState } } : {}),
      status,
      ...(decided ? { decided } : {}),
      ...(n.usersNotifiedAt ? { usersNotifiedAt: n.usersNotifiedAt.toISOString() } : {}),
      ...(n.retractedAt && n.retractedBy ? { retracted: { by: n.retractedBy, at: n.retractedAt.toISOString() } } : {}),
    },
  };
}

/**
 * Re-renders the card and queues the edit (a posted card is edited in place; one not yet posted goes
 * out with the new data), plus any extra messages of the change.
 */
export async function updateNoticeCard(tx: Tx, noticeId: number, now: Date, extra: readonly NewAlert[] = []): Promise<NoticeCard> {
  const card = await noticeCardData(tx, noticeId);
  await tx.$executeRawUnsafe(
    `UPDATE alerts SET message = $2::jsonb,
            status = CASE WHEN slack_ts IS NOT NULL AND status <> 'failed' THEN 'pending'::"AlertStatus" ELSE status END,
            next_attempt_at = CASE WHEN slack_ts IS NOT NULL THEN $3::timestamptz ELSE next_attempt_at END
      WHERE dedupe_key = $1`,
    noticeCardKey(noticeId),
    JSON.stringify(card.data),
    now.toISOString(),
  );
  await enqueueAlerts(tx, extra, now);
  return card;
}
