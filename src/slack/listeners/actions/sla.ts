import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { reassignCase, reassignChoices } from '../../../domain/cases/reassign';
import type { DomainDeps } from '../../../domain/deps';
import { raiseEscalation } from '../../../domain/escalations/escalations';
import { ZId } from '../../../domain/ids';
import { acknowledgeSlaAlert } from '../../../domain/sla/acknowledge';
import { AppError, userFacingMessage } from '../../../errors';
import { ActionId, BlockId, CallbackId } from '../../ids';
import { failureMessage, okMessage } from '../../views/feedback';
import { type ReassignMetadata, reassignModal } from '../../views/reassign';
import { parseButtonValue } from './values';

const ZButtonValue = z.object({ alertId: ZId, caseId: ZId, target: z.enum(['first_action', 'resolution']) });
const ZReassignMetadata = z.object({ caseId: ZId, channelId: z.string().optional() });

export function registerSlaActions(app: App, deps: DomainDeps): void {
  const actor = (userId: string) => ({ id: userId, origin: 'slack' as const });

  // Every SLA button answers the clicker with an ephemeral note; the card itself is edited through the outbox.
  const handle = (
    actionId: string,
    run: (args: { userId: string; value: z.infer<typeof ZButtonValue>; body: BlockAction }) => Promise<string | undefined>,
  ) =>
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, action, body, respond }) => {
      await ack();
      try {
        const value = parseButtonValue(ZButtonValue, action.value, 'That button does not name an SLA alert: use the buttons on its card.');
        const text = await run({ userId: body.user.id, value, body });
        if (text) await respond({ response_type: 'ephemeral', replace_original: false, ...okMessage(text) });
      } catch (err) {
        if (!(err instanceof AppError)) deps.log.error('SLA action failed', { actionId, err });
        await respond({ response_type: 'ephemeral', replace_original: false, ...failureMessage(err) });
      }
    });

  handle(ActionId.slaAcknowledge, async ({ userId, value }) => {
    const done = await acknowledgeSlaAlert(deps, { actor: actor(userId), alertId: value.alertId });
    return `Acknowledged the ${done.target.replace('_', ' ')} alert on case #${done.caseId}.`;
  });

  handle(ActionId.slaEscalate, async ({ userId, value }) => {
    const target = value.target.replace('_', ' ');
    const raised = await raiseEscalation(deps, {
      actor: actor(userId),
      caseId: value.caseId,
      severity: 'sev2',
      reason: `SLA breach: ${target} target on case #${value.caseId}, escalated from the SLA alert.`,
      source: 'sla_breach',
    });
    return raised.created
      ? `Escalated case #${value.caseId} (escalation ${raised.escalationId}); the card is on its way to the escalation channel.`
      : `Case #${value.caseId} already has a pending escalation (${raised.escalationId}).`;
  });

  handle(ActionId.slaReassign, async ({ value, body, userId }) => {
    // Only those who may reassign get the modal; others get the refusal straight away.
    const choices = await reassignChoices(deps, { actor: actor(userId), caseId: value.caseId });
    const metadata: ReassignMetadata = { caseId: choices.caseId, channelId: body.channel?.id };
    await app.client.views.open({ trigger_id: body.trigger_id, view: reassignModal({ ...choices, metadata }) });
    return undefined;
  });

  app.view(CallbackId.reassignCase, async ({ ack, view, body, client }) => {
    const metadata = ZReassignMetadata.parse(JSON.parse(view.private_metadata || '{}'));
    const queue = view.state.values[BlockId.reassignQueue]?.queue?.selected_option?.value;
    if (!queue) {
      await ack({ response_action: 'errors', errors: { [BlockId.reassignQueue]: 'Choose a queue.' } });
      return;
    }
    try {
      const moved = await reassignCase(deps, { actor: actor(body.user.id), caseId: metadata.caseId, queue });
      await ack();
      if (metadata.channelId) {
        await client.chat.postEphemeral({
          channel: metadata.channelId,
          user: body.user.id,
          ...okMessage(`Case #${metadata.caseId} moved from ${moved.from} to ${moved.to}.`),
        });
      }
    } catch (err) {
      if (!(err instanceof AppError)) deps.log.error('reassign failed', { err });
      await ack({ response_action: 'errors', errors: { [BlockId.reassignQueue]: userFacingMessage(err).text.slice(0, 150) } });
    }
  });
}
