import { type Block, context, header, message, type SlackMessage, section } from './blocks';
import { md } from './text';

export type HelpEntry = { usage: string; description: string; example: string };

export function helpMessage(entries: readonly HelpEntry[]): SlackMessage {
  const blocks: Block[] = [header('TrustOps commands')];
  // Usage lines are shown as typed: `<case-id>` is a placeholder, not a link.
  for (const e of entries) blocks.push(section(md`*\`${e.usage}\`*\n${e.description}\n_Example:_ \`${e.example}\``));
  blocks.push(context('Replies to commands are only visible to you unless a command says otherwise.'));
  const text = entries.map((e) => `${e.usage} — ${e.description} (e.g. ${e.example})`).join('\n');
  return message(`TrustOps commands:\n${text}`, blocks);
}
