import type { NewToken, TokenSummary } from '../../domain/tokens/tokens';
import { type Block, context, header, message, type SlackMessage, section } from './blocks';
import { joinMd, md, mention } from './text';
import { slackDate } from './time';

const PER_SECTION = 20;
const SHOWN = 60;

/** The one time a token is shown: the answer is ephemeral, and only its hash is kept. */
export function tokenCreatedMessage(t: NewToken): SlackMessage {
  const text = md`Intake token ${t.id} for vendor \`${t.vendor}\`: \`${t.token}\``;
  return message(text, [
    section(md`:key: ${text}`),
    context(
      md`This is the only time it is shown: store it now. It files for the queues of \`${t.vendor}\` only; \`/trustops token revoke ${t.id}\` ends it.`,
    ),
  ]);
}

/** Tokens without secrets (none are kept), newest first. */
export function tokenListMessage(tokens: readonly TokenSummary[]): SlackMessage {
  const line = (t: TokenSummary) =>
    md`• ${t.id} · \`${t.vendor}\` · created by ${mention(t.createdBy)} ${slackDate(t.createdAt.toISOString())}${t.revokedAt ? md` · _revoked_ ${slackDate(t.revokedAt.toISOString())}` : ' · active'}`;
  const shown = tokens.slice(0, SHOWN);
  const blocks: Block[] = [header(`Intake tokens (${tokens.length})`)];
  for (let i = 0; i < shown.length; i += PER_SECTION) blocks.push(section(joinMd(shown.slice(i, i + PER_SECTION).map(line), '\n')));
  if (shown.length === 0) blocks.push(section(md`_none yet_`));
  if (tokens.length > shown.length) blocks.push(context(`…and ${tokens.length - shown.length} older.`));
  blocks.push(context('`/trustops token create <vendor>` makes one; `/trustops token revoke <id>` ends one.'));
  const active = tokens.filter((t) => !t.revokedAt).length;
  return message(`${tokens.length} intake tokens, ${active} active: ${shown.map((t) => `${t.id} (${t.vendor})`).join(', ')}`, blocks);
}
