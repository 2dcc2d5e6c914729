// The Commission's transparency-report template (Implementing Regulation (EU) 2024/2835, Annex I): its
// sheets, their header rows and the category / keyword rows, in the template's order. Test
// test/domain/exports/dsa-report-template.test.ts holds these against ../shared/reference.
import type { StatementCategory } from '../dsa-enums';

/** Each category's keywords in the template's row order; every category's rows end with KEYWORD_OTHER. */
export const TEMPLATE_KEYWORDS: Readonly<Partial<Record<StatementCategory, readonly string[]>>> = {
  STATEMENT_CATEGORY_ANIMAL_WELFARE: ['KEYWORD_ANIMAL_HARM', 'KEYWORD_UNLAWFUL_SALE_ANIMALS'],
  STATEMENT_CATEGORY_CONSUMER_INFORMATION: [
    'KEYWORD_HIDDEN_ADVERTISEMENT',
    'KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS',
    'KEYWORD_MISLEADING_INFO_GOODS_SERVICES',
    'KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS',
    'KEYWORD_NONCOMPLIANCE_PRICING',
  ],
  STATEMENT_CATEGORY_CYBER_VIOLENCE: [
    'KEYWORD_CYBER_BULLYING_INTIMIDATION',
    'KEYWORD_CYBER_HARASSMENT',
    'KEYWORD_CYBER_INCITEMENT',
    'KEYWORD_CYBER_STALKING',
    'KEYWORD_NON_CONSENSUAL_IMAGE_SHARING',
    'KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE',
  ],
  STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN: [
    'KEYWORD_BULLYING_AGAINST_GIRLS',
    'KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN',
    'KEYWORD_CYBER_STALKING_AGAINST_WOMEN',
    'KEYWORD_FEMALE_GENDERED_DISINFORMATION',
    'KEYWORD_INCITEMENT_AGAINST_WOMEN',
    'KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN',
    'KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN',
  ],
  STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS: [
    'KEYWORD_BIOMETRIC_DATA_BREACH',
    'KEYWORD_DATA_FALSIFICATION',
    'KEYWORD_MISSING_PROCESSING_GROUND',
    'KEYWORD_RIGHT_TO_BE_FORGOTTEN',
  ],
  STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH: ['KEYWORD_DEFAMATION', 'KEYWORD_DISCRIMINATION', 'KEYWORD_HATE_SPEECH'],
  STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS: [
    'KEYWORD_COPYRIGHT_INFRINGEMENT',
    'KEYWORD_DESIGN_INFRINGEMENT',
    'KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT',
    'KEYWORD_PATENT_INFRINGEMENT',
    'KEYWORD_TRADE_SECRET_INFRINGEMENT',
    'KEYWORD_TRADEMARK_INFRINGEMENT',
  ],
  STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS: [
    'KEYWORD_MISINFORMATION_DISINFORMATION',
    'KEYWORD_VIOLATION_EU_LAW',
    'KEYWORD_VIOLATION_NATIONAL_LAW',
  ],
  STATEMENT_CATEGORY_PROTECTION_OF_MINORS: [
    'KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS',
    'KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL',
    'KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE',
    'KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS',
    'KEYWORD_UNSAFE_CHALLENGES',
  ],
  STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY: [
    'KEYWORD_ILLEGAL_ORGANIZATIONS',
    'KEYWORD_RISK_ENVIRONMENTAL_DAMAGE',
    'KEYWORD_RISK_PUBLIC_HEALTH',
    'KEYWORD_TERRORIST_CONTENT',
  ],
  STATEMENT_CATEGORY_SCAMS_AND_FRAUD: [
    'KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING',
    'KEYWORD_INAUTHENTIC_ACCOUNTS',
    'KEYWORD_INAUTHENTIC_LISTINGS',
    'KEYWORD_INAUTHENTIC_USER_REVIEWS',
    'KEYWORD_PHISHING',
    'KEYWORD_PYRAMID_SCHEMES',
  ],
  STATEMENT_CATEGORY_SELF_HARM: ['KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS', 'KEYWORD_SELF_MUTILATION', 'KEYWORD_SUICIDE'],
  STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS: ['KEYWORD_PROHIBITED_PRODUCTS', 'KEYWORD_UNSAFE_PRODUCTS'],
  STATEMENT_CATEGORY_VIOLENCE: [
    'KEYWORD_COORDINATED_HARM',
    'KEYWORD_INCITEMENT_VIOLENCE_HATRED',
    'KEYWORD_HUMAN_EXPLOITATION',
    'KEYWORD_HUMAN_TRAFFICKING',
    'KEYWORD_TRAFFICKING_WOMEN_GIRLS',
  ],
  STATEMENT_CATEGORY_OTHER_VIOLATION_TC: [
    'KEYWORD_ADULT_SEXUAL_MATERIAL',
    'KEYWORD_AGE_SPECIFIC_RESTRICTIONS',
    'KEYWORD_GEOGRAPHICAL_REQUIREMENTS',
    'KEYWORD_GOODS_SERVICES_NOT_PERMITTED',
    'KEYWORD_LANGUAGE_REQUIREMENTS',
    'KEYWORD_NUDITY',
  ],
};

export const KEYWORD_OTHER = 'KEYWORD_OTHER';
export const TOTAL = 'TOTAL';
export const NOT_SPECIFIED_NOTICE: StatementCategory = 'STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE';

/** The categories with keyword rows, in the template's order (NOT_SPECIFIED_* have none). */
export const TEMPLATE_CATEGORIES = Object.keys(TEMPLATE_KEYWORDS) as StatementCategory[];

/** Every keyword the mapping may name, with its category. */
export const KEYWORD_CATEGORY: ReadonlyMap<string, StatementCategory> = new Map(
  TEMPLATE_CATEGORIES.flatMap((c) => (TEMPLATE_KEYWORDS[c] ?? []).map((k) => [k, c] as const)),
);

/** A row of a per-category sheet: TOTAL, a category, or a keyword (KEYWORD_OTHER included) of its category. */
export type TemplateRow =
  | { kind: 'total' }
  | { kind: 'category'; category: StatementCategory }
  | { kind: 'keyword'; category: StatementCategory; keyword: string };

/** The rows of the notices and own-initiative sheets, in order; the notices sheet ends with NOT_SPECIFIED_NOTICE. */
export function templateRows(notices: boolean): TemplateRow[] {
  const rows: TemplateRow[] = [{ kind: 'total' }];
  for (const category of TEMPLATE_CATEGORIES) {
    rows.push({ kind: 'category', category });
    for (const keyword of [...(TEMPLATE_KEYWORDS[category] ?? []), KEYWORD_OTHER]) rows.push({ kind: 'keyword', category, keyword });
  }
  if (notices) rows.push({ kind: 'category', category: NOT_SPECIFIED_NOTICE });
  return rows;
}

/** The row's label in the `Category of illegal content` column. */
export const rowLabel = (r: TemplateRow) => (r.kind === 'total' ? TOTAL : r.kind === 'category' ? r.category : r.keyword);

export const SHEETS = [
  '1_report_identification',
  '3_member_states_orders',
  '4_notices',
  '5_own_initiative_illegal',
  '6_own_initiative_TC',
  '7_appeals_and_recidivism',
  '8_automated_means',
  '9_human_resources',
  '10_AMAR',
  '11_qualitative',
] as const;
export type SheetName = (typeof SHEETS)[number];

export const COMMON_COLUMNS = ['Applicability', 'Service', 'Reporting period'] as const;
const OTHER_DESCRIPTION = 'Description of the sub-category "Other"';

export const NOTICE_FIGURES = [
  'Number of notices received',
  'Number of notices received from Trusted flaggers',
  'Number of specific items of information included in the total number of notices',
  'Number of specific items of information included in the total number of notices by Trusted Flaggers (Trusted Flagger notices)',
  'Median time to take action',
  'Median time to take action (Trusted Flagger notices)',
  'Number of actions taken on the basis of the law',
  'Number of actions taken on the basis of the law (Trusted Flagger notices)',
  'Number of actions taken on the basis of the terms and conditions of the service',
  'Number of actions taken on the basis of the terms and conditions of the service (Trusted Flagger notices)',
] as const;

export const RESTRICTION_COLUMNS = [
  'Visibility restriction Removal',
  'Visibility restriction Disable',
  'Visibility restriction Demoted',
  'Visibility restriction Age restricted',
  'Visibility restriction Interaction restricted',
  'Visibility restriction Labelled',
  'Visibility restriction Other',
  'Monetary restriction Suspension',
  'Monetary restriction Termination',
  'Monetary restriction Other',
  'Provision of the service Suspension',
  'Provision of the service Termination',
  'Account restriction Suspension',
  'Account restriction Termination',
] as const;
export type RestrictionColumn = (typeof RESTRICTION_COLUMNS)[number];

export const OWN_INITIATIVE_FIGURES = [
  "Number of measures taken at the provider's own initiative",
  'Number of measures taken after detection with solely automated means',
  ...RESTRICTION_COLUMNS,
] as const;

export const HEADERS = {
  identification: ['Applicability', 'Service', 'Indicator', 'Value'],
  notices: [
    ...COMMON_COLUMNS,
    'Category of illegal content',
    OTHER_DESCRIPTION,
    ...NOTICE_FIGURES,
    ...NOTICE_FIGURES.map((f) => `Contextual information on ${f}`),
  ],
  ownInitiative: [
    ...COMMON_COLUMNS,
    'Category of illegal content',
    OTHER_DESCRIPTION,
    ...OWN_INITIATIVE_FIGURES,
    ...OWN_INITIATIVE_FIGURES.map((f) => `Contextual Information on ${f}`),
  ],
  longForm: [...COMMON_COLUMNS, 'Section', 'Indicator', 'Scope', 'Value', 'Contextual Information'],
} as const;
