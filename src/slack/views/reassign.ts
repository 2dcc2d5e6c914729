import type { QueueOption } from '../../domain/cases/reassign';
import { BlockId, CallbackId } from '../ids';
import { LIMIT, modal, options, plain, section } from './blocks';
import { md } from './text';

export type ReassignMetadata = { caseId: number; channelId?: string };

/** The Reassign modal: a queue picker for one case. */
export function reassignModal(input: {
  caseId: number;
  currentQueue?: string;
  queues: readonly QueueOption[];
  metadata: ReassignMetadata;
}) {
  return modal({
    callbackId: CallbackId.reassignCase,
    title: 'Reassign case',
    submit: 'Reassign',
    metadata: input.metadata,
    blocks: [
      section(md`Move case *#${input.caseId}* to another queue. Its SLA clock and due times stay as they are.`),
      {
        type: 'input',
        block_id: BlockId.reassignQueue,
        label: plain('Queue', LIMIT.label),
        element: {
          type: 'static_select',
          action_id: 'queue',
          placeholder: plain('Choose a queue', LIMIT.placeholder),
          options: queueOptions(input.queues),
        },
      },
    ],
  });
}

/** "acme_l2 — Acme Review": one option per queue (Slack shows at most 100). */
export const queueOptions = (queues: readonly QueueOption[]) =>
  options(queues.map((q) => ({ text: `${q.key} — ${q.vendor}`, value: q.key })));
