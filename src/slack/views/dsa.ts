import type { DsaMapping } from '../../domain/exports/dsa-mapping';
import { UNMAPPED } from '../../domain/exports/dsa-mapping';
import { context, header, type SlackMessage, section } from './blocks';
import { escapeMrkdwn } from './text';

const short = (v: string) => v.replace(/^STATEMENT_CATEGORY_|^DECISION_GROUND_/, '');

/** `/trustops dsa map`: each policy's DSA statement category and ground, and the rule for the others. */
export function dsaMappingMessage(rows: readonly DsaMapping[]): SlackMessage {
  const lines = rows.map((m) => `• \`${escapeMrkdwn(m.policy)}\` → ${short(m.category)} · ${short(m.ground)}`);
  const fallback = `Any other policy → ${short(UNMAPPED.category)} · ${short(UNMAPPED.ground)}.`;
  return {
    text: `DSA mapping: ${rows.length} policies. ${fallback}`,
    blocks: [
      header('DSA category mapping'),
      section(lines.length ? lines.join('\n').slice(0, 2900) : 'No policy is mapped yet.'),
      context(`${fallback} Change one: \`/trustops dsa map <policy> <category> <illegal|incompatible>\` (admins).`),
    ],
  };
}
