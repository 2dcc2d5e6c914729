// The copyright modals: reject a notice, restore as a false positive, record a suit, reject a
// counter-notice, ask a question. Data in, view out; what a submission holds is read by
// readCopyrightSubmission so the listener only acks and calls the domain.
import { REJECT_NOTICE_REASONS, type RejectNoticeReason } from '../../domain/copyright/cards';
import { type Block, LIMIT, modal, options, plain, section } from './blocks';
import { md } from './text';

/** Proposed for src/slack/ids.ts, with CopyrightActionId (./copyright). */
export const CopyrightCallbackId = {
  rejectNotice: 'copyright_reject_notice_modal',
  restoreFalsePositive: 'copyright_restore_false_positive_modal',
  suitFiled: 'copyright_suit_filed_modal',
  rejectCounterNotice: 'copyright_reject_counter_notice_modal',
  disputeRequestInfo: 'copyright_dispute_request_info_modal',
} as const;

export const CopyrightBlockId = {
  reason: 'copyright_reason',
  note: 'copyright_note',
  court: 'copyright_court',
  caseNumber: 'copyright_case_number',
  filedOn: 'copyright_filed_on',
} as const;

/** Where the modal was opened from, so the answer and the card edit go back there. */
export type NoticeModalMetadata = { noticeId: number; channelId?: string };
export type DisputeModalMetadata = { counterNoticeId: number; channelId?: string };

export const MAX_COPYRIGHT_REASON = 2000;

const REASON_LABEL: Record<RejectNoticeReason, string> = {
  invalid: 'Invalid notice',
  abusive: 'Abusive notice',
  not_copyrightable: 'Not copyrightable',
  fair_use: 'Fair use',
  other: 'Other',
};

const textInput = (
  blockId: string,
  label: string,
  placeholder: string,
  opts: { optional?: boolean; multiline?: boolean; max?: number } = {},
): Block => ({
  type: 'input',
  block_id: blockId,
  label: plain(label, LIMIT.label),
  optional: opts.optional ?? false,
  element: {
    type: 'plain_text_input',
    action_id: 'text',
    multiline: opts.multiline ?? true,
    max_length: opts.max ?? MAX_COPYRIGHT_REASON,
    placeholder: plain(placeholder, LIMIT.placeholder),
  },
});

export function rejectNoticeModal(input: { externalId: string; metadata: NoticeModalMetadata }) {
  return modal({
    callbackId: CopyrightCallbackId.rejectNotice,
    title: 'Reject notice',
    submit: 'Reject',
    metadata: input.metadata,
    blocks: [
      section(md`Reject copyright notice *${input.externalId}*: nothing is taken down and no strike is recorded.`),
      {
        type: 'input',
        block_id: CopyrightBlockId.reason,
        label: plain('Reason', LIMIT.label),
        element: {
          type: 'static_select',
          action_id: 'choice',
          placeholder: plain('Why is the notice rejected?', LIMIT.placeholder),
          options: options(REJECT_NOTICE_REASONS.map((r) => ({ text: REASON_LABEL[r], value: r }))),
        },
      },
      textInput(CopyrightBlockId.note, 'Note (optional)', 'What the record should say', { optional: true }),
    ],
  });
}

export function restoreFalsePositiveModal(input: { externalId: string; metadata: DisputeModalMetadata }) {
  return modal({
    callbackId: CopyrightCallbackId.restoreFalsePositive,
    title: 'Restore: false positive',
    submit: 'Restore now',
    metadata: input.metadata,
    blocks: [
      section(
        md`Restore what counter-notice *${input.externalId}* disputes *now*, whatever the clock says, because the takedown was a mistake. The takedown is marked reversed and the strike removed.`,
      ),
      textInput(CopyrightBlockId.reason, 'Reason', 'Why was the takedown a mistake?'),
    ],
  });
}

export function suitFiledModal(input: { externalId: string; metadata: DisputeModalMetadata }) {
  return modal({
    callbackId: CopyrightCallbackId.suitFiled,
    title: 'Claimant filed suit',
    submit: 'Hold',
    metadata: input.metadata,
    blocks: [
      section(
        md`The claimant says it filed an action to restrain the activity (§512(g)(2)(C)). Counter-notice *${input.externalId}* is held: the material stays down and the clock stops.`,
      ),
      textInput(CopyrightBlockId.court, 'Court', 'e.g. U.S. District Court, S.D.N.Y.', { multiline: false, max: 200 }),
      textInput(CopyrightBlockId.caseNumber, 'Case number', 'e.g. 1:27-cv-00042', { multiline: false, max: 100 }),
      {
        type: 'input',
        block_id: CopyrightBlockId.filedOn,
        label: plain('Date filed', LIMIT.label),
        element: { type: 'datepicker', action_id: 'date', placeholder: plain('When the action was filed', LIMIT.placeholder) },
      },
    ],
  });
}

export function rejectCounterNoticeModal(input: { externalId: string; metadata: DisputeModalMetadata }) {
  return modal({
    callbackId: CopyrightCallbackId.rejectCounterNotice,
    title: 'Reject counter-notice',
    submit: 'Reject',
    metadata: input.metadata,
    blocks: [
      section(md`Reject counter-notice *${input.externalId}*: the material stays down and the clock stops.`),
      textInput(CopyrightBlockId.reason, 'Reason', 'Why is the counter-notice rejected?'),
    ],
  });
}

export function disputeRequestInfoModal(input: { externalId: string; metadata: DisputeModalMetadata }) {
  return modal({
    callbackId: CopyrightCallbackId.disputeRequestInfo,
    title: 'Request information',
    submit: 'Ask',
    metadata: input.metadata,
    blocks: [
      section(md`Your question goes to the thread of the dispute card for counter-notice *${input.externalId}*. The clock keeps running.`),
      textInput(CopyrightBlockId.reason, 'Question', 'What do you need to know?'),
    ],
  });
}

// ---------------------------------------------------------------------------------------------
// Reading a submission

/** `view.state.values` as Slack sends it: block id → action id → the element's state. */
export type ViewValues = Record<
  string,
  Record<string, { value?: string | null; selected_option?: { value: string } | null; selected_date?: string | null }>
>;

export type CopyrightSubmission = {
  reason?: string;
  rejectReason?: RejectNoticeReason;
  note?: string;
  suit?: { court: string; caseNumber: string; filedOn: string };
};

/**
 * What a copyright modal holds, or the errors Slack shows under each input (response_action
 * "errors"). A date filed after `today` (the copyright calendar's local date) is refused.
 */
export function readCopyrightSubmission(
  callbackId: string,
  values: ViewValues,
  today: string,
): { data: CopyrightSubmission } | { errors: Record<string, string> } {
  const text = (blockId: string) => values[blockId]?.text?.value?.trim() || undefined;
  const errors: Record<string, string> = {};
  const need = (blockId: string, v: string | undefined, what: string) => {
    if (!v) errors[blockId] = `Give ${what}.`;
    return v;
  };
  const data: CopyrightSubmission = {};
  switch (callbackId) {
    case CopyrightCallbackId.rejectNotice: {
      const choice = values[CopyrightBlockId.reason]?.choice?.selected_option?.value;
      if ((REJECT_NOTICE_REASONS as readonly string[]).includes(choice ?? '')) data.rejectReason = choice as RejectNoticeReason;
      else errors[CopyrightBlockId.reason] = 'Pick a reason.';
      const note = text(CopyrightBlockId.note);
      if (note) data.note = note;
      if (data.rejectReason === 'other' && !note) errors[CopyrightBlockId.note] = 'Say why, for the reason "Other".';
      break;
    }
    case CopyrightCallbackId.suitFiled: {
      const court = need(CopyrightBlockId.court, text(CopyrightBlockId.court), 'the court');
      const caseNumber = need(CopyrightBlockId.caseNumber, text(CopyrightBlockId.caseNumber), 'the case number');
      const filedOn = values[CopyrightBlockId.filedOn]?.date?.selected_date ?? undefined;
      if (!filedOn || !/^\d{4}-\d{2}-\d{2}$/.test(filedOn)) errors[CopyrightBlockId.filedOn] = 'Pick the date the action was filed.';
      else if (filedOn > today) errors[CopyrightBlockId.filedOn] = `The date filed cannot be after today (${today}).`;
      if (court && caseNumber && filedOn) data.suit = { court, caseNumber, filedOn };
      break;
    }
    case CopyrightCallbackId.restoreFalsePositive:
    case CopyrightCallbackId.rejectCounterNotice:
    case CopyrightCallbackId.disputeRequestInfo: {
      const what = callbackId === CopyrightCallbackId.disputeRequestInfo ? 'your question' : 'a reason';
      data.reason = need(CopyrightBlockId.reason, text(CopyrightBlockId.reason), what);
      break;
    }
    default:
      throw new Error(`not a copyright modal: ${callbackId}`);
  }
  return Object.keys(errors).length ? { errors } : { data };
}
