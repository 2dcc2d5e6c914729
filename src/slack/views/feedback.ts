import { context, type SlackMessage, section } from './blocks';

/** The ephemeral answer to a mistake or a refusal: what went wrong, then a correct example. */
export function errorMessage(text: string, example?: string): SlackMessage {
  const blocks = [section(`:warning: ${text}`)];
  if (example) blocks.push(context(`Try: \`${example}\``));
  return { text: example ? `${text} Try: ${example}` : text, blocks };
}

export function okMessage(text: string): SlackMessage {
  return { text, blocks: [section(`:white_check_mark: ${text}`)] };
}
