import type { QueueOption } from '../../domain/cases/reassign';
import { MAX_REASON } from '../../domain/escalations/escalations';
import { BlockId, CallbackId } from '../ids';
import { type Block, LIMIT, modal, plain, section } from './blocks';
import { queueOptions } from './reassign';
import { md } from './text';

/** Where a modal was opened from, so its answer goes back there. */
export type EscalationModalMetadata = { escalationId: number; channelId?: string };

const reasonInput = (label: string, placeholder: string, optional = false): Block => ({
  type: 'input',
  block_id: BlockId.reason,
  label: plain(label, LIMIT.label),
  optional,
  element: {
    type: 'plain_text_input',
    action_id: 'text',
    multiline: true,
    max_length: MAX_REASON,
    placeholder: plain(placeholder, LIMIT.placeholder),
  },
});

export function rejectModal(input: { caseId: number; metadata: EscalationModalMetadata }) {
  return modal({
    callbackId: CallbackId.rejectEscalation,
    title: 'Reject escalation',
    submit: 'Reject',
    metadata: input.metadata,
    blocks: [
      section(md`Reject escalation *${input.metadata.escalationId}* on case *#${input.caseId}*. The requester sees your reason.`),
      reasonInput('Reason', 'Why is this rejected?'),
    ],
  });
}

export function requestInfoModal(input: { caseId: number; requestedBy: string; metadata: EscalationModalMetadata }) {
  return modal({
    callbackId: CallbackId.requestInfo,
    title: 'Request information',
    submit: 'Ask',
    metadata: input.metadata,
    blocks: [
      section(
        md`Your question goes to the card's thread for escalation *${input.metadata.escalationId}* on case *#${input.caseId}*. It stays pending.`,
      ),
      reasonInput('Question', 'What do you need to know before deciding?'),
    ],
  });
}

/** Hand the escalation to a person or send the case back to a queue: exactly one of the two. */
export function reassignEscalationModal(input: { caseId: number; queues: readonly QueueOption[]; metadata: EscalationModalMetadata }) {
  return modal({
    callbackId: CallbackId.reassignEscalation,
    title: 'Reassign escalation',
    submit: 'Reassign',
    metadata: input.metadata,
    blocks: [
      section(md`Reassign escalation *${input.metadata.escalationId}* on case *#${input.caseId}*: pick a person *or* a queue.`),
      {
        type: 'input',
        block_id: BlockId.reassignUser,
        optional: true,
        label: plain('Person', LIMIT.label),
        element: { type: 'users_select', action_id: 'user', placeholder: plain('Who should own the case', LIMIT.placeholder) },
      },
      {
        type: 'input',
        block_id: BlockId.reassignQueue,
        optional: true,
        label: plain('Queue', LIMIT.label),
        element: {
          type: 'static_select',
          action_id: 'queue',
          placeholder: plain('Send the case back to a queue', LIMIT.placeholder),
          options: queueOptions(input.queues),
        },
      },
      reasonInput('Note (optional)', 'Anything the new owner should know', true),
    ],
  });
}
