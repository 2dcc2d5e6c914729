import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import { receiptDate } from '../../../domain/copyright/calendar';
import {
  disputeForAction,
  holdForSuit,
  recordClaimantNotified,
  rejectCounterNotice,
  requestDisputeInfo,
  restoreDispute,
  restoreFalsePositive,
} from '../../../domain/copyright/dispute-actions';
import type { DisputeAction } from '../../../domain/copyright/disputes';
import { loadCopyrightCalendar } from '../../../domain/copyright/holidays';
import type { DomainDeps } from '../../../domain/deps';
import { ZId } from '../../../domain/ids';
import { AppError } from '../../../errors';
import { CopyrightActionId } from '../../views/copyright';
import {
  CopyrightCallbackId,
  type DisputeModalMetadata,
  disputeRequestInfoModal,
  readCopyrightSubmission,
  rejectCounterNoticeModal,
  restoreFalsePositiveModal,
  suitFiledModal,
  type ViewValues,
} from '../../views/copyright-modals';
import { errorMessage, failureText, okMessage } from '../../views/feedback';
import type { Text } from '../../views/text';
import { parseButtonValue } from './values';

const ZButtonValue = z.object({ counterNoticeId: ZId });
const ZMetadata = z.object({ counterNoticeId: ZId, channelId: z.string().optional() });
type Answer = { text: Text; ok: boolean; example?: string };

const failure = (err: unknown): Answer => ({ ...failureText(err), ok: false });

/**
 * The dispute card's buttons and modals. Each click is acked first, then the domain decides (in a
 * transaction that may wait for a racing click); the answer is ephemeral under the card, or in the
 * channel the modal was opened from.
 */
export function registerCopyrightDisputeActions(app: App, deps: DomainDeps): void {
  const actor = (userId: string) => ({ id: userId, origin: 'slack' as const });

  const answerClick = async (respond: RespondFn, a: Answer) => {
    const message = a.ok ? okMessage(a.text) : errorMessage(a.text, a.example);
    await respond({ response_type: 'ephemeral', replace_original: false, ...message });
  };

  const answerModal = async (userId: string, metadata: DisputeModalMetadata, a: Answer) => {
    if (!metadata.channelId) return;
    const message = a.ok ? okMessage(a.text) : errorMessage(a.text, a.example);
    await app.client.chat.postEphemeral({ channel: metadata.channelId, user: userId, ...message });
  };

  const handle = (
    actionId: string,
    run: (args: { userId: string; counterNoticeId: number; body: BlockAction }) => Promise<Text | undefined>,
  ) =>
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, action, body, respond }) => {
      await ack();
      let answer: Answer | undefined;
      try {
        const { counterNoticeId } = parseButtonValue(
          ZButtonValue,
          action.value,
          'That button does not name a counter-notice: use the buttons on its dispute card.',
        );
        const text = await run({ userId: body.user.id, counterNoticeId, body });
        if (text) answer = { text, ok: true };
      } catch (err) {
        if (!(err instanceof AppError)) deps.log.error('copyright dispute action failed', { actionId, err });
        answer = failure(err);
      }
      if (answer) await answerClick(respond, answer);
    });

  handle(CopyrightActionId.claimantNotified, async ({ userId, counterNoticeId }) => {
    await recordClaimantNotified(deps, { actor: actor(userId), counterNoticeId });
    return `Recorded: the claimant has been sent counter-notice ${counterNoticeId}.`;
  });

  handle(CopyrightActionId.restore, async ({ userId, counterNoticeId }) => {
    const r = await restoreDispute(deps, { actor: actor(userId), counterNoticeId });
    const late = r.outcome === 'restored_late' ? ', after the latest restore date' : '';
    return `Restored ${r.items} item${r.items === 1 ? '' : 's'} of counter-notice ${counterNoticeId}${late}; the takedown is reversed and ${r.strikes} strike${r.strikes === 1 ? '' : 's'} removed.`;
  });

  // The modals open only for those who may act, and only while the dispute is open to the action.
  const modal =
    (action: DisputeAction, build: (i: { externalId: string; metadata: DisputeModalMetadata }) => object) =>
    async ({ userId, counterNoticeId, body }: { userId: string; counterNoticeId: number; body: BlockAction }) => {
      const d = await disputeForAction(deps, { actor: actor(userId), counterNoticeId, action });
      const metadata: DisputeModalMetadata = { counterNoticeId, ...(body.channel?.id ? { channelId: body.channel.id } : {}) };
      await app.client.views.open({ trigger_id: body.trigger_id, view: build({ externalId: d.externalId, metadata }) as never });
      return undefined;
    };

  handle(CopyrightActionId.restoreFalsePositive, modal('restore_false_positive', restoreFalsePositiveModal));
  handle(CopyrightActionId.suitFiled, modal('suit_filed', suitFiledModal));
  handle(CopyrightActionId.rejectCounterNotice, modal('reject', rejectCounterNoticeModal));
  handle(CopyrightActionId.disputeRequestInfo, modal('request_info', disputeRequestInfoModal));

  /** A submission: what was typed is checked on the fields (the modal stays open); the rest answers in the channel. */
  const submission = (callbackId: string, run: (args: { userId: string; counterNoticeId: number; values: ViewValues }) => Promise<Text>) =>
    app.view(callbackId, async ({ ack, view, body }) => {
      const metadata = ZMetadata.parse(JSON.parse(view.private_metadata || '{}'));
      const today = receiptDate(await loadCopyrightCalendar(deps), deps.clock.now());
      const read = readCopyrightSubmission(callbackId, view.state.values as ViewValues, today);
      if ('errors' in read) {
        await ack({ response_action: 'errors', errors: read.errors });
        return;
      }
      let answer: Answer;
      try {
        answer = {
          text: await run({ userId: body.user.id, counterNoticeId: metadata.counterNoticeId, values: view.state.values as ViewValues }),
          ok: true,
        };
      } catch (err) {
        if (!(err instanceof AppError)) deps.log.error('copyright dispute modal failed', { callbackId, err });
        answer = failure(err);
      }
      await ack();
      await answerModal(body.user.id, metadata, answer);
    });

  const typed = (callbackId: string, values: ViewValues) => {
    const read = readCopyrightSubmission(callbackId, values, '9999-12-31');
    return 'data' in read ? read.data : {};
  };

  submission(CopyrightCallbackId.restoreFalsePositive, async ({ userId, counterNoticeId, values }) => {
    const r = await restoreFalsePositive(deps, {
      actor: actor(userId),
      counterNoticeId,
      reason: typed(CopyrightCallbackId.restoreFalsePositive, values).reason,
    });
    return `Restored ${r.items} item${r.items === 1 ? '' : 's'} of counter-notice ${counterNoticeId} as a false positive; the takedown is reversed and ${r.strikes} strike${r.strikes === 1 ? '' : 's'} removed.`;
  });

  submission(CopyrightCallbackId.suitFiled, async ({ userId, counterNoticeId, values }) => {
    const suit = typed(CopyrightCallbackId.suitFiled, values).suit;
    if (!suit) throw new AppError('bad_input', 'Give the court, the case number and the date filed.');
    await holdForSuit(deps, { actor: actor(userId), counterNoticeId, suit });
    return `Counter-notice ${counterNoticeId} is held: the claimant filed suit, the material stays down and the clock is stopped.`;
  });

  submission(CopyrightCallbackId.rejectCounterNotice, async ({ userId, counterNoticeId, values }) => {
    await rejectCounterNotice(deps, {
      actor: actor(userId),
      counterNoticeId,
      reason: typed(CopyrightCallbackId.rejectCounterNotice, values).reason,
    });
    return `Counter-notice ${counterNoticeId} rejected; the material stays down.`;
  });

  submission(CopyrightCallbackId.disputeRequestInfo, async ({ userId, counterNoticeId, values }) => {
    await requestDisputeInfo(deps, {
      actor: actor(userId),
      counterNoticeId,
      question: typed(CopyrightCallbackId.disputeRequestInfo, values).reason,
    });
    return `Your question is on its way to the thread of the dispute card for counter-notice ${counterNoticeId}.`;
  });
}
