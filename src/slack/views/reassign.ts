import type { QueueOption } from '../../domain/cases/reassign';
import { BlockId, CallbackId } from '../ids';
import { plain } from './blocks';
import { truncate } from './text';

export type ReassignMetadata = { caseId: number; channelId?: string };

/** The Reassign modal: a queue picker for one case. */
export function reassignModal(input: {
  caseId: number;
  currentQueue?: string;
  queues: readonly QueueOption[];
  metadata: ReassignMetadata;
}) {
  return {
    type: 'modal' as const,
    callback_id: CallbackId.reassignCase,
    private_metadata: JSON.stringify(input.metadata),
    title: plain('Reassign case'),
    submit: plain('Reassign'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `Move case *#${input.caseId}* to another queue. Its SLA clock and due times stay as they are.` },
      },
      {
        type: 'input',
        block_id: BlockId.reassignQueue,
        label: plain('Queue'),
        element: {
          type: 'static_select',
          action_id: 'queue',
          placeholder: plain('Choose a queue'),
          options: input.queues.slice(0, 100).map((q) => ({ text: plain(truncate(`${q.key} — ${q.vendor}`, 75)), value: q.key })),
        },
      },
    ],
  };
}
