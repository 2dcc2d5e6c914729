import type { Surface } from '../../domain/surfaces/surfaces';
import { context, header, type SlackMessage, section } from './blocks';
import { escapeMrkdwn } from './text';

export function surfaceListMessage(surfaces: readonly Surface[]): SlackMessage {
  const lines = surfaces.map((s) => `• \`${s.key}\` — ${escapeMrkdwn(s.name)}${s.active ? '' : ' _(inactive)_'}`);
  return {
    text: `${surfaces.length} surfaces: ${surfaces.map((s) => s.key).join(', ')}`,
    blocks: [
      header(`Surfaces (${surfaces.length})`),
      section(lines.join('\n') || '_none yet_'),
      context('Admins add one with `/trustops surface add <key> "<name>"`.'),
    ],
  };
}
