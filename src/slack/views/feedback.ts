import { userFacingMessage } from '../../errors';
import { context, message, type SlackMessage, section } from './blocks';
import { md, type Text, textWithMentions } from './text';

/** The ephemeral answer to a mistake or a refusal: what went wrong, then a correct example. */
export function errorMessage(text: Text, example?: string): SlackMessage {
  const blocks = [section(md`:warning: ${text}`)];
  if (example) blocks.push(context(md`Try: \`${example}\``));
  return message(example ? md`${text} Try: ${example}` : text, blocks);
}

/** What a person sees of a failure: its message, which may echo their words, shown as typed. */
export function failureText(err: unknown): { text: Text; example?: string } {
  const { text, example, mentions } = userFacingMessage(err);
  return { text: textWithMentions(text, mentions ?? []), example };
}

/** The answer to a command or click that failed. */
export function failureMessage(err: unknown): SlackMessage {
  const { text, example } = failureText(err);
  return errorMessage(text, example);
}

export function okMessage(text: Text): SlackMessage {
  return message(text, [section(md`:white_check_mark: ${text}`)]);
}
