import type { QueueOption } from '../../domain/cases/reassign';
import { MAX_REASON } from '../../domain/escalations/escalations';
import { BlockId, CallbackId } from '../ids';
import { type Block, plain, section } from './blocks';
import { truncate } from './text';

/** Where a modal was opened from, so its answer goes back there. */
export type EscalationModalMetadata = { escalationId: number; channelId?: string };

const reasonInput = (label: string, placeholder: string, optional = false): Block => ({
  type: 'input',
  block_id: BlockId.reason,
  label: plain(label),
  optional,
  element: {
    type: 'plain_text_input',
    action_id: 'text',
    multiline: true,
    max_length: MAX_REASON,
    placeholder: plain(placeholder),
  },
});

const modal = (callbackId: string, title: string, submit: string, metadata: EscalationModalMetadata, blocks: Block[]) => ({
  type: 'modal' as const,
  callback_id: callbackId,
  private_metadata: JSON.stringify(metadata),
  title: plain(title),
  submit: plain(submit),
  close: plain('Cancel'),
  blocks,
});

export function rejectModal(input: { caseId: number; metadata: EscalationModalMetadata }) {
  return modal(CallbackId.rejectEscalation, 'Reject escalation', 'Reject', input.metadata, [
    section(`Reject escalation *${input.metadata.escalationId}* on case *#${input.caseId}*. The requester sees your reason.`),
    reasonInput('Reason', 'Why is this rejected?'),
  ]);
}

export function requestInfoModal(input: { caseId: number; requestedBy: string; metadata: EscalationModalMetadata }) {
  return modal(CallbackId.requestInfo, 'Request information', 'Ask', input.metadata, [
    section(
      `Your question goes to the card's thread for escalation *${input.metadata.escalationId}* on case *#${input.caseId}*. It stays pending.`,
    ),
    reasonInput('Question', 'What do you need to know before deciding?'),
  ]);
}

/** Hand the escalation to a person or send the case back to a queue: exactly one of the two. */
export function reassignEscalationModal(input: { caseId: number; queues: readonly QueueOption[]; metadata: EscalationModalMetadata }) {
  return modal(CallbackId.reassignEscalation, 'Reassign escalation', 'Reassign', input.metadata, [
    section(`Reassign escalation *${input.metadata.escalationId}* on case *#${input.caseId}*: pick a person *or* a queue.`),
    {
      type: 'input',
      block_id: BlockId.reassignUser,
      optional: true,
      label: plain('Person'),
      element: { type: 'users_select', action_id: 'user', placeholder: plain('Who should own the case') },
    },
    {
      type: 'input',
      block_id: BlockId.reassignQueue,
      optional: true,
      label: plain('Queue'),
      element: {
        type: 'static_select',
        action_id: 'queue',
        placeholder: plain('Send the case back to a queue'),
        options: input.queues.slice(0, 100).map((q) => ({ text: plain(truncate(`${q.key} — ${q.vendor}`, 75)), value: q.key })),
      },
    },
    reasonInput('Note (optional)', 'Anything the new owner should know', true),
  ]);
}
