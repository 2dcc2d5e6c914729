import type { Surface } from '../../domain/surfaces/surfaces';
import { context, header, message, type SlackMessage, section } from './blocks';
import { joinMd, md } from './text';

export function surfaceListMessage(surfaces: readonly Surface[]): SlackMessage {
  const lines = surfaces.map((s) => md`• \`${s.key}\` — ${s.name}${s.active ? '' : ' _(inactive)_'}`);
  return message(`${surfaces.length} surfaces: ${surfaces.map((s) => s.key).join(', ')}`, [
    header(`Surfaces (${surfaces.length})`),
    section(lines.length ? joinMd(lines, '\n') : md`_none yet_`),
    context('Admins add one with `/trustops surface add <key> "<name>"`.'),
  ]);
}
