import type { App, BlockAction, ButtonAction, RespondFn, ViewOutput } from '@slack/bolt';
import { z } from 'zod';
import { listQueues } from '../../../domain/cases/reassign';
import type { DomainDeps } from '../../../domain/deps';
import { type ReassignTarget, reassignEscalation, requestEscalationInfo, voteOnEscalation } from '../../../domain/escalations/decide';
import { pendingEscalation } from '../../../domain/escalations/queries';
import { ZId } from '../../../domain/ids';
import { requireRole } from '../../../domain/roles/roles';
import { AppError } from '../../../errors';
import type { HomePublisher } from '../../home';
import { ActionId, BlockId, CallbackId } from '../../ids';
import { createLimiter } from '../../limiter';
import { type EscalationModalMetadata, reassignEscalationModal, rejectModal, requestInfoModal } from '../../views/escalation-modals';
import { errorMessage, failureText, okMessage } from '../../views/feedback';
import { md, mention, type Text } from '../../views/text';
import { parseButtonValue } from './values';

const ZButtonValue = z.object({ escalationId: ZId });
const ZMetadata = z.object({ escalationId: ZId, channelId: z.string().optional() });

type Values = ViewOutput['state']['values'];
type Answer = { text: Text; ok: boolean; example?: string };

const failure = (err: unknown): Answer => ({ ...failureText(err), ok: false });

// Decisions in flight at once in this process; a burst of clicks waits its turn (the pool has 10 connections).
const DECISIONS_AT_ONCE = 4;

export function registerEscalationActions(app: App, deps: DomainDeps, home: HomePublisher): void {
  const actor = (userId: string) => ({ id: userId, origin: 'slack' as const });
  const inLine = createLimiter(DECISIONS_AT_ONCE);

  /** Answers a click where it came from: ephemeral under the card, or a notice at the top of App Home. */
  const answerClick = async (body: BlockAction, respond: RespondFn, a: Answer) => {
    if (body.response_url) {
      const message = a.ok ? okMessage(a.text) : errorMessage(a.text, a.example);
      await respond({ response_type: 'ephemeral', replace_original: false, ...message });
    } else {
      await home.publish(body.user.id, { text: a.text, ok: a.ok });
    }
  };

  /** Answers a modal's outcome: ephemeral in the channel it was opened from, else in App Home. */
  const answerModal = async (userId: string, metadata: EscalationModalMetadata, a: Answer) => {
    if (metadata.channelId) {
      const message = a.ok ? okMessage(a.text) : errorMessage(a.text, a.example);
      await app.client.chat.postEphemeral({ channel: metadata.channelId, user: userId, ...message });
    } else {
      await home.publish(userId, { text: a.text, ok: a.ok });
    }
  };

  const handle = (
    actionId: string,
    run: (args: { userId: string; escalationId: number; body: BlockAction }) => Promise<string | undefined>,
  ) =>
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, action, body, respond }) => {
      // Ack first, always: the decision itself runs in a transaction that may wait for a racing click.
      await ack();
      let answer: Answer | undefined;
      try {
        const { escalationId } = parseButtonValue(
          ZButtonValue,
          action.value,
          'That button does not name an escalation: use the buttons on its card.',
        );
        const text = await run({ userId: body.user.id, escalationId, body });
        if (text) answer = { text, ok: true };
      } catch (err) {
        if (!(err instanceof AppError)) deps.log.error('escalation action failed', { actionId, err });
        answer = failure(err);
      }
      if (answer) await answerClick(body, respond, answer);
    });

  // Votes wait in line; the modal buttons below do not, since a trigger_id is only good for 3 seconds.
  handle(ActionId.escalationApprove, async ({ userId, escalationId }) => {
    const r = await inLine(() => voteOnEscalation(deps, { actor: actor(userId), escalationId, vote: 'approve' }));
    if (r.status === 'approved') return `Approved escalation ${escalationId}.`;
    const left = r.required - r.approvals;
    return `Your approval of escalation ${escalationId} is recorded (${r.approvals} of ${r.required}); ${left} more from someone else will decide it.`;
  });

  // The modals open only for those who may decide, and only while the escalation is pending.
  const openModal = async (
    userId: string,
    escalationId: number,
    body: BlockAction,
    build: (e: { caseId: number; requestedBy: string }, metadata: EscalationModalMetadata) => Promise<object>,
  ) => {
    await requireRole(deps, actor(userId), 'approver', 'decide escalations');
    const e = await pendingEscalation(deps, escalationId);
    const metadata: EscalationModalMetadata = { escalationId, ...(body.channel?.id ? { channelId: body.channel.id } : {}) };
    await app.client.views.open({ trigger_id: body.trigger_id, view: (await build(e, metadata)) as never });
    return undefined;
  };

  handle(ActionId.escalationReject, ({ userId, escalationId, body }) =>
    openModal(userId, escalationId, body, async (e, metadata) => rejectModal({ caseId: e.caseId, metadata })),
  );
  handle(ActionId.escalationRequestInfo, ({ userId, escalationId, body }) =>
    openModal(userId, escalationId, body, async (e, metadata) =>
      requestInfoModal({ caseId: e.caseId, requestedBy: e.requestedBy, metadata }),
    ),
  );
  handle(ActionId.escalationReassign, ({ userId, escalationId, body }) =>
    openModal(userId, escalationId, body, async (e, metadata) =>
      reassignEscalationModal({ caseId: e.caseId, queues: await listQueues(deps), metadata }),
    ),
  );

  /**
   * A modal's submission: a mistake in what was typed is shown on the field (the modal stays open);
   * anything else closes it and answers where it was opened from.
   */
  const submission = (
    callbackId: string,
    run: (args: { userId: string; metadata: EscalationModalMetadata; values: Values }) => Promise<string>,
  ) =>
    app.view(callbackId, async ({ ack, view, body }) => {
      const metadata = ZMetadata.parse(JSON.parse(view.private_metadata || '{}'));
      let answer: Answer;
      try {
        answer = { text: await run({ userId: body.user.id, metadata, values: view.state.values }), ok: true };
      } catch (err) {
        if (err instanceof AppError && err.code === 'bad_input') {
          await ack({ response_action: 'errors', errors: { [BlockId.reason]: err.message.slice(0, 150) } });
          return;
        }
        if (!(err instanceof AppError)) deps.log.error('escalation modal failed', { callbackId, err });
        answer = failure(err);
      }
      await ack();
      await answerModal(body.user.id, metadata, answer);
    });

  const text = (values: Values) => values[BlockId.reason]?.text?.value ?? undefined;

  submission(CallbackId.rejectEscalation, async ({ userId, metadata, values }) => {
    await voteOnEscalation(deps, { actor: actor(userId), escalationId: metadata.escalationId, vote: 'reject', reason: text(values) });
    return `Rejected escalation ${metadata.escalationId}.`;
  });

  submission(CallbackId.requestInfo, async ({ userId, metadata, values }) => {
    await requestEscalationInfo(deps, { actor: actor(userId), escalationId: metadata.escalationId, question: text(values) ?? '' });
    return `Your question is on its way to the thread of escalation ${metadata.escalationId}.`;
  });

  app.view(CallbackId.reassignEscalation, async ({ ack, view, body }) => {
    const metadata = ZMetadata.parse(JSON.parse(view.private_metadata || '{}'));
    const user = view.state.values[BlockId.reassignUser]?.user?.selected_user ?? undefined;
    const queue = view.state.values[BlockId.reassignQueue]?.queue?.selected_option?.value ?? undefined;
    if (!user === !queue) {
      const message = user ? 'Pick a person or a queue, not both.' : 'Pick a person or a queue.';
      await ack({ response_action: 'errors', errors: { [BlockId.reassignUser]: message, [BlockId.reassignQueue]: message } });
      return;
    }
    const to: ReassignTarget = user ? { user } : { queue: queue as string };
    let answer: Answer;
    try {
      const done = await reassignEscalation(deps, {
        actor: actor(body.user.id),
        escalationId: metadata.escalationId,
        to,
        reason: text(view.state.values),
      });
      answer = {
        text: md`Escalation ${done.escalationId} reassigned; case #${done.caseId} now goes to ${user ? mention(user) : md`queue \`${queue ?? ''}\``}.`,
        ok: true,
      };
    } catch (err) {
      if (!(err instanceof AppError)) deps.log.error('escalation reassign failed', { err });
      answer = failure(err);
    }
    await ack();
    await answerModal(body.user.id, metadata, answer);
  });
}
