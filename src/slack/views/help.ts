import { type Block, context, header, type SlackMessage, section } from './blocks';

export type HelpEntry = { usage: string; description: string; example: string };

export function helpMessage(entries: readonly HelpEntry[]): SlackMessage {
  const blocks: Block[] = [header('TrustOps commands')];
  for (const e of entries) blocks.push(section(`*\`${e.usage}\`*\n${e.description}\n_Example:_ \`${e.example}\``));
  blocks.push(context('Replies to commands are only visible to you unless a command says otherwise.'));
  const text = entries.map((e) => `${e.usage} — ${e.description} (e.g. ${e.example})`).join('\n');
  return { text: `TrustOps commands:\n${text}`, blocks };
}
