// A policy's keyword (the template's sub-category) beside its DSA category: set by admins, audited, and
// checked to belong to the policy's category, so keyword rows always add up to their category.
import { recordAudit } from '../../../db/repositories/audit';
import { badInput } from '../../../errors';
import type { Actor, DomainDeps } from '../../deps';
import { requireRole } from '../../roles/roles';
import { KEYWORD_CATEGORY, KEYWORD_OTHER, TEMPLATE_KEYWORDS } from './template';

export const KEYWORD_EXAMPLE = '/trustops dsa keyword hate_speech KEYWORD_HATE_SPEECH';

/** Sets (or with `other`, clears) the keyword of a mapped policy. Admins only. */
export async function setDsaKeyword(
  deps: DomainDeps,
  input: { actor: Actor; policy: string; keyword: string },
): Promise<{ policy: string; category: string; keyword: string | null }> {
  await requireRole(deps, input.actor, 'admin', 'change the DSA category mapping');
  const policy = input.policy.trim().toLowerCase();
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const row = await tx.dsaCategoryMap.findUnique({ where: { policy } });
    if (!row) throw badInput(`\`${policy}\` has no DSA mapping yet: map it first with \`/trustops dsa map\`.`, KEYWORD_EXAMPLE);
    const upper = input.keyword.trim().toUpperCase();
    const full = upper.startsWith('KEYWORD_') ? upper : `KEYWORD_${upper}`;
    const keyword = full === KEYWORD_OTHER ? null : full;
    if (keyword !== null && KEYWORD_CATEGORY.get(keyword) !== row.category) {
      const valid = [...(TEMPLATE_KEYWORDS[row.category as keyof typeof TEMPLATE_KEYWORDS] ?? []), KEYWORD_OTHER];
      throw badInput(
        `\`${input.keyword}\` is not a keyword of ${row.category}. Its keywords: ${valid.map((k) => `\`${k}\``).join(', ')}.`,
        KEYWORD_EXAMPLE,
      );
    }
    await tx.dsaCategoryMap.update({ where: { policy }, data: { keyword, updatedBy: input.actor.id, updatedAt: now } });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'dsa_mapping.keyword',
      entityType: 'dsa_category_map',
      entityId: policy,
      before: { keyword: row.keyword },
      after: { keyword },
      at: now,
    });
    return { policy, category: row.category, keyword };
  });
}
