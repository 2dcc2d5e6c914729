// One decision as a DSA statement of reasons (Art. 17 DSA), in the shape and enum values of the EU DSA
// Transparency Database API v2. Pure: the export feeds it rows, the tests feed it anything.
import { localDate } from '../time';
import {
  type AutomatedDecision,
  type ContentType,
  type DecisionAccount,
  type DecisionGround,
  type DecisionMonetary,
  type DecisionProvision,
  type DecisionVisibility,
  EU_EEA_COUNTRIES,
  SOR_LIMITS,
  type SourceType,
  type StatementCategory,
  type YesNo,
} from './dsa-enums';

/** What an action restricts, in the database's terms. */
export type Restriction = {
  decision_visibility?: DecisionVisibility[];
  decision_visibility_other?: string;
  decision_monetary?: DecisionMonetary;
  decision_provision?: DecisionProvision;
  decision_account?: DecisionAccount;
};

/**
 * Art. 17 statements are owed for restrictions only. `no_violation` restricts nothing, and a warning
 * (`account_warned`) leaves the content and the account untouched, so neither has a statement of
 * reasons (both still appear in the CSV export and warnings in the aggregates). Unknown, newer actions
 * get none either until they are mapped here: better absent than wrongly labelled.
 */
export const RESTRICTIONS: Readonly<Record<string, Restriction>> = {
  content_removed: { decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'] },
  // "Restricted" in TrustOps does not say how (demoted, age-gated, disabled …), so it is reported as
  // the database's "other restriction" with the required text, rather than guessing a specific one.
  content_restricted: {
    decision_visibility: ['DECISION_VISIBILITY_OTHER'],
    decision_visibility_other: 'Access to the content was restricted without removing it.',
  },
  account_suspended: { decision_account: 'DECISION_ACCOUNT_SUSPENDED' },
  account_banned: { decision_account: 'DECISION_ACCOUNT_TERMINATED' },
  // The DSA template's finer restrictions (issue 17).
  content_disabled: { decision_visibility: ['DECISION_VISIBILITY_CONTENT_DISABLED'] },
  content_demoted: { decision_visibility: ['DECISION_VISIBILITY_CONTENT_DEMOTED'] },
  content_age_restricted: { decision_visibility: ['DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED'] },
  content_interaction_restricted: { decision_visibility: ['DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED'] },
  content_labelled: { decision_visibility: ['DECISION_VISIBILITY_CONTENT_LABELLED'] },
  monetisation_suspended: { decision_monetary: 'DECISION_MONETARY_SUSPENSION' },
  monetisation_terminated: { decision_monetary: 'DECISION_MONETARY_TERMINATION' },
  service_suspended: { decision_provision: 'DECISION_PROVISION_TOTAL_SUSPENSION' },
  service_terminated: { decision_provision: 'DECISION_PROVISION_TOTAL_TERMINATION' },
};

/** The restriction an action applies, if any (own keys only: `constructor` is not an action). */
export const restrictionOf = (action: string): Restriction | undefined =>
  Object.hasOwn(RESTRICTIONS, action) ? RESTRICTIONS[action] : undefined;

/** The aggregates' restriction type of an action: its DSA restriction value, or NO_RESTRICTION. */
export const NO_RESTRICTION = 'none';
export function restrictionType(action: string): string {
  const r = restrictionOf(action);
  return r?.decision_visibility?.[0] ?? r?.decision_monetary ?? r?.decision_provision ?? r?.decision_account ?? NO_RESTRICTION;
}

/** A decision with what the export joined to it: mapping (already with the fallback applied) and first report. */
export type DecisionRow = {
  id: number;
  externalId: string | null;
  caseId: number;
  action: string;
  policy: string;
  actorType: string;
  automated: boolean;
  decidedAt: Date;
  openedAt: Date;
  category: StatementCategory;
  ground: DecisionGround;
  groundText: string | null;
  explanation: string | null;
  mapped: boolean;
  sourceType: SourceType;
  /** The case's first report (earliest received_at, then lowest id); null for a case opened without one. */
  firstReportAt: Date | null;
  reportType: string | null;
  surface: string | null;
  jurisdiction: string | null;
  language: string | null;
};

export type StatementOfReasons = Restriction & {
  decision_ground: DecisionGround;
  illegal_content_legal_ground?: string;
  illegal_content_explanation?: string;
  incompatible_content_ground?: string;
  incompatible_content_explanation?: string;
  decision_facts: string;
  content_type: ContentType[];
  category: StatementCategory;
  content_date: string;
  application_date: string;
  source_type: SourceType;
  automated_detection: YesNo;
  automated_decision: AutomatedDecision;
  territorial_scope?: string[];
  content_language?: string;
  puid: string;
};

const PUID = /^[a-zA-Z0-9_-]{1,500}$/;
const OURS = 'trustops-decision-';
/**
 * The one puid rule (export decisions and the Transparency Database submission): the decision's own external id
 * when the database accepts it as a puid and it is not in our namespace, else `trustops-decision-<our id>`. The
 * two namespaces are disjoint (an external id starting with the prefix never becomes a puid), so no decision's
 * puid can equal another's (external ids are unique, and so are ours).
 */
export const puidOf = (row: Pick<DecisionRow, 'id' | 'externalId'>) =>
  row.externalId && PUID.test(row.externalId) && !row.externalId.toLowerCase().startsWith(OURS) ? row.externalId : `${OURS}${row.id}`;

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const EU_EEA = new Set<string>(EU_EEA_COUNTRIES);

/** Jurisdictions are ISO 3166 codes; the database spells Greece GR where EU documents write EL. */
function territorialScope(jurisdiction: string | null): string[] | undefined {
  const code = jurisdiction?.trim().toUpperCase().replace(/^EL$/, 'GR');
  return code && EU_EEA.has(code) ? [code] : undefined;
}

const SOURCE_WORDS: Record<SourceType, string> = {
  SOURCE_ARTICLE_16: 'a notice from a user',
  SOURCE_TRUSTED_FLAGGER: 'a notice from a trusted flagger',
  SOURCE_VOLUNTARY: "the provider's own initiative",
};

/**
 * The statement of reasons for a decision, or null when the action restricts nothing (see RESTRICTIONS).
 * Never carries the reporter's contact, the reported content or its reference: only facts about the decision.
 *
 * - content_type: TEXT by default, since TrustOps surfaces hold prompts, conversations and listings
 *   written as text; APP for reports about a third-party MCP server, which is an app integration.
 * - content_date: the date the content was first reported (or its case opened) — the earliest date
 *   TrustOps knows the content existed, in the report's time zone; application_date: the decision's date.
 * - automated_detection: Yes only for own-initiative cases decided by automated means (a classifier
 *   both found and actioned it); notices are detected by people, and a human-decided own-initiative
 *   case does not record how it was found, so it says No.
 * - source_identity is left out: it would name the notifier.
 */
export function statementOfReasons(row: DecisionRow, timeZone: string): StatementOfReasons | null {
  const restriction = restrictionOf(row.action);
  if (!restriction) return null;
  const illegal = row.ground === 'DECISION_GROUND_ILLEGAL_CONTENT';
  const groundText = clip(
    row.groundText ?? (illegal ? 'Applicable Union or Member State law' : `TrustOps Usage Policy: ${row.policy}`),
    SOR_LIMITS.ground,
  );
  const explanation = clip(
    row.explanation ??
      (illegal
        ? `The content was assessed as illegal under the ${row.policy} policy.`
        : `The content was assessed as violating the ${row.policy} policy of the terms of service.`),
    SOR_LIMITS.explanation,
  );
  const by = row.automated ? 'by automated means' : 'by a human reviewer';
  const facts = `Decision ${puidOf(row)} on case ${row.caseId}: ${row.action.replaceAll('_', ' ')} under the ${row.policy} policy, taken ${by} following ${SOURCE_WORDS[row.sourceType]}.`;
  const scope = territorialScope(row.jurisdiction);
  const language = row.language && /^[a-z]{2}$/i.test(row.language) ? row.language.toUpperCase() : undefined;
  return {
    ...restriction,
    decision_ground: row.ground,
    ...(illegal
      ? { illegal_content_legal_ground: groundText, illegal_content_explanation: explanation }
      : { incompatible_content_ground: groundText, incompatible_content_explanation: explanation }),
    decision_facts: clip(facts, SOR_LIMITS.facts),
    content_type: [row.reportType === 'mcp_server' ? 'CONTENT_TYPE_APP' : 'CONTENT_TYPE_TEXT'],
    category: row.category,
    content_date: localDate(row.firstReportAt ?? row.openedAt, timeZone),
    application_date: localDate(row.decidedAt, timeZone),
    source_type: row.sourceType,
    automated_detection: row.sourceType === 'SOURCE_VOLUNTARY' && row.automated ? 'Yes' : 'No',
    automated_decision: row.automated ? 'AUTOMATED_DECISION_FULLY' : 'AUTOMATED_DECISION_NOT_AUTOMATED',
    ...(scope ? { territorial_scope: scope } : {}),
    ...(language ? { content_language: language } : {}),
    puid: puidOf(row),
  };
}
