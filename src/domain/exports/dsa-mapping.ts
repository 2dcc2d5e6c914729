import { recordAudit } from '../../db/repositories/audit';
import { badInput } from '../../errors';
import type { Actor, DomainDeps } from '../deps';
import { requireRole } from '../roles/roles';
import { DECISION_GROUNDS, type DecisionGround, SOR_LIMITS, STATEMENT_CATEGORIES, type StatementCategory } from './dsa-enums';

/** How one TrustOps policy is reported under the DSA (a row of dsa_category_map, or the fallback). */
export type DsaMapping = {
  policy: string;
  category: StatementCategory;
  ground: DecisionGround;
  /** The transparency-report template's keyword (sub-category) within the category; null ⇒ KEYWORD_OTHER. */
  keyword: string | null;
  /** The legal provision (illegal content) or terms-of-service clause (incompatible content); null ⇒ a generic text. */
  groundText: string | null;
  explanation: string | null;
  updatedBy: string;
  updatedAt: Date | null;
};

/**
 * The rule for a policy with no row. A decision taken under a policy nobody mapped was still taken under
 * TrustOps' terms, so it is reported as incompatible content in the category the DSA keeps for that,
 * "Other violation of provider's terms and conditions". Claiming illegality would need a legal ground
 * nobody recorded, and STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE no longer exists in API v2.
 */
export const UNMAPPED: Omit<DsaMapping, 'policy' | 'keyword' | 'updatedBy' | 'updatedAt'> = {
  category: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
  ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
  groundText: null,
  explanation: null,
};

/**
 * A notice that names no policy category is what the DSA calls a notice whose "type of alleged illegal
 * content [is] not specified by the notifier": used for notices only, never for decisions (which always
 * carry a policy).
 */
export const UNSPECIFIED_NOTICE_CATEGORY: StatementCategory = 'STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE';

const EXAMPLE = '/trustops dsa map hate_speech ILLEGAL_OR_HARMFUL_SPEECH incompatible';
const POLICY_KEY = /^[a-z0-9_]{1,100}$/;

export async function listDsaMappings(deps: Pick<DomainDeps, 'db'>): Promise<DsaMapping[]> {
  const rows = await deps.db.dsaCategoryMap.findMany({ orderBy: { policy: 'asc' } });
  return rows.map((r) => ({
    policy: r.policy,
    // Rows are only written through setDsaMapping or the migration, both of which validate.
    category: r.category as StatementCategory,
    ground: r.decisionGround as DecisionGround,
    keyword: r.keyword,
    groundText: r.groundText,
    explanation: r.explanation,
    updatedBy: r.updatedBy,
    updatedAt: r.updatedAt,
  }));
}

/** Accepts `STATEMENT_CATEGORY_SCAMS_AND_FRAUD`, `scams_and_fraud` or `SCAMS_AND_FRAUD`. */
export function parseStatementCategory(text: string): StatementCategory {
  const upper = text.trim().toUpperCase();
  const full = upper.startsWith('STATEMENT_CATEGORY_') ? upper : `STATEMENT_CATEGORY_${upper}`;
  const found = STATEMENT_CATEGORIES.find((c) => c === full);
  if (found) return found;
  throw badInput(
    `\`${text}\` is not a DSA statement category. Valid categories: ${STATEMENT_CATEGORIES.map((c) => `\`${c}\``).join(', ')}.`,
    EXAMPLE,
  );
}

/** Accepts the full enum value or `illegal` / `incompatible` (alias `tos`). */
export function parseDecisionGround(text: string): DecisionGround {
  const t = text.trim().toLowerCase();
  if (t === 'illegal' || t === 'decision_ground_illegal_content') return 'DECISION_GROUND_ILLEGAL_CONTENT';
  if (t === 'incompatible' || t === 'tos' || t === 'decision_ground_incompatible_content') return 'DECISION_GROUND_INCOMPATIBLE_CONTENT';
  throw badInput(
    `\`${text}\` is not a DSA decision ground. Valid grounds: ${DECISION_GROUNDS.map((g) => `\`${g}\``).join(', ')} (or \`illegal\`, \`incompatible\`).`,
    EXAMPLE,
  );
}

function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  const text = value?.trim();
  if (!text) return null;
  if (text.length > max)
    throw badInput(`The ${field} may be at most ${max} characters (the DSA database's limit); it has ${text.length}.`, EXAMPLE);
  return text;
}

export type SetDsaMappingInput = {
  actor: Actor;
  policy: string;
  category: string;
  ground: string;
  groundText?: string | null;
  explanation?: string | null;
};

/** Creates or replaces a policy's DSA mapping. Admins only; every change is audited with before and after. */
export async function setDsaMapping(deps: DomainDeps, input: SetDsaMappingInput): Promise<DsaMapping> {
  await requireRole(deps, input.actor, 'admin', 'change the DSA category mapping');
  const policy = input.policy.trim().toLowerCase();
  if (!POLICY_KEY.test(policy)) throw badInput(`\`${input.policy}\` is not a policy key: use lower-case letters, digits and _.`, EXAMPLE);
  const category = parseStatementCategory(input.category);
  const ground = parseDecisionGround(input.ground);
  const groundText = optionalText(input.groundText, 'ground text', SOR_LIMITS.ground);
  const explanation = optionalText(input.explanation, 'explanation', SOR_LIMITS.explanation);
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const before = await tx.dsaCategoryMap.findUnique({ where: { policy } });
    // A keyword belongs to one category (the DSA template's sub-category): a new category drops it.
    const keyword = before && before.category === category ? before.keyword : null;
    const data = { category, decisionGround: ground, keyword, groundText, explanation, updatedBy: input.actor.id, updatedAt: now };
    const row = await tx.dsaCategoryMap.upsert({ where: { policy }, create: { policy, ...data }, update: data });
    const view = (r: typeof before) =>
      r && { category: r.category, ground: r.decisionGround, groundText: r.groundText, explanation: r.explanation };
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'dsa_mapping.set',
      entityType: 'dsa_category_map',
      entityId: policy,
      before: view(before),
      after: view(row),
      at: now,
    });
    return { policy, category, ground, keyword, groundText, explanation, updatedBy: row.updatedBy, updatedAt: row.updatedAt };
  });
}
