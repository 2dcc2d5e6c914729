import type { DsaMapping } from '../../domain/exports/dsa-mapping';
import { UNMAPPED } from '../../domain/exports/dsa-mapping';
import { context, header, message, type SlackMessage, section } from './blocks';
import { joinMd, md } from './text';

const short = (v: string) => v.replace(/^STATEMENT_CATEGORY_|^DECISION_GROUND_/, '');

/** `/trustops dsa map`: each policy's DSA statement category and ground, and the rule for the others. */
export function dsaMappingMessage(rows: readonly DsaMapping[]): SlackMessage {
  const lines = rows.map((m) => md`• \`${m.policy}\` → ${short(m.category)} · ${short(m.ground)} · ${m.keyword ?? 'KEYWORD_OTHER'}`);
  const fallback = `Any other policy → ${short(UNMAPPED.category)} · ${short(UNMAPPED.ground)}.`;
  return message(`DSA mapping: ${rows.length} policies. ${fallback}`, [
    header('DSA category mapping'),
    section(lines.length ? joinMd(lines, '\n') : 'No policy is mapped yet.'),
    context(`${fallback} Change one: \`/trustops dsa map <policy> <category> <illegal|incompatible>\` (admins).`),
  ]);
}
