import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ZId } from '../ids';

/** One field error, as the intake API and the CSV import report it. */
export type FieldError = { path: string; message: string };

export const DECISION_ACTIONS = [
  'no_violation',
  'content_removed',
  'content_restricted',
  'account_warned',
  'account_suspended',
  'account_banned',
  // The DSA template's finer restrictions (issue 17): visibility, monetisation and provision of the service.
  'content_disabled',
  'content_demoted',
  'content_age_restricted',
  'content_interaction_restricted',
  'content_labelled',
  'monetisation_suspended',
  'monetisation_terminated',
  'service_suspended',
  'service_terminated',
] as const;
/** Why a repeat offender's account was suspended (Art. 23 DSA); only with a suspending action. */
export const SUSPENSION_REASONS = [
  'manifestly_illegal_content',
  'manifestly_unfounded_notices',
  'manifestly_unfounded_complaints',
] as const;
const SUSPENDING = ['account_suspended', 'account_banned', 'service_suspended', 'service_terminated'];
export const APPEAL_OUTCOMES = ['pending', 'upheld', 'overturned', 'partially_overturned', 'closed'] as const;
/** What an appeal complains about, in the DSA template's terms; absent ⇒ from the appealed decision's action. */
export const COMPLAINT_TYPES = [
  'visibility',
  'provision',
  'account',
  'monetary',
  'no_action_on_notice',
  'no_action_on_trusted_flagger_notice',
] as const;
export const MCP_ISSUES = ['malicious_tool', 'data_exfiltration', 'impersonation', 'policy_violation', 'other'] as const;
export const ACTOR_TYPES = ['vendor_reviewer', 'internal_analyst', 'automated'] as const;

// ISO 8601 with a date, a time and an explicit offset (Z or ±hh:mm): a time without a zone is ambiguous.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
// The officially assigned ISO 3166-1 alpha-2 codes (249). Intl knows more region codes (EU, UN,
// withdrawn ones), which are not jurisdictions.
const COUNTRIES = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
    'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
    'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

/** Date.parse rolls impossible days over (02-30 becomes 03-02): check the calendar fields themselves. */
function isRealDateTime(s: string): boolean {
  if (!ISO_WITH_OFFSET.test(s)) return true; // the format error is reported once, by the regex
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(s);
  if (!m || Number.isNaN(Date.parse(s))) return false;
  const [y, mo, d, h, mi, se] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const day = new Date(Date.UTC(y, mo - 1, d));
  return day.getUTCMonth() === mo - 1 && day.getUTCDate() === d && h <= 23 && mi <= 59 && se <= 59;
}

/** Nothing in trust and safety predates it; an earlier year is a typo or a placeholder (0000-01-01). */
export const EARLIEST_INSTANT = new Date('2000-01-01T00:00:00Z');

export const ZInstant = z
  .string()
  .regex(ISO_WITH_OFFSET, 'expected an ISO 8601 date-time with an offset, e.g. 2026-11-27T14:05:00Z')
  .refine(isRealDateTime, 'not a real date-time')
  .refine((s) => !ISO_WITH_OFFSET.test(s) || !(Date.parse(s) < EARLIEST_INSTANT.getTime()), 'before 2000-01-01')
  .transform((s) => new Date(s));

// Postgres int4: larger ids cannot exist, and would fail in the query rather than as a field error.

export const ZExternalId = z.string().trim().min(1, 'required').max(200, 'at most 200 characters');

/** A link or an id of the content: never the content itself. */
export const ZContentRef = z
  .string()
  .trim()
  .min(1, 'required')
  .max(2000, 'at most 2000 characters')
  .refine(
    (s) => (/^https?:\/\/\S+$/.test(s) ? URL.canParse(s) : /^[\w.:/#@-]{1,200}$/.test(s)),
    'expected a link (https://…) or an id without spaces — never the reported content itself',
  );

export const ZCountry = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .refine((s) => COUNTRIES.has(s), 'expected an ISO 3166-1 alpha-2 country code, e.g. DE');

export const ZLanguage = z
  .string()
  .trim()
  .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/, 'expected a language tag such as en or pt-BR')
  .refine(isBcp47, 'not a BCP 47 language tag, e.g. en or pt-BR')
  .transform((s) => s.toLowerCase());

/** Intl knows the BCP 47 grammar: subtag order and lengths, singletons, repeated variants. */
function isBcp47(tag: string): boolean {
  try {
    Intl.getCanonicalLocales(tag);
    return true;
  } catch {
    return false;
  }
}

const ZKey = z.string().trim().min(1, 'required').max(64, 'at most 64 characters');

export const ZMcpServer = z.strictObject({
  name: z.string().trim().min(1, 'required').max(200, 'at most 200 characters'),
  url: z
    .string()
    .trim()
    .max(2000)
    .refine((s) => /^https?:\/\//.test(s) && URL.canParse(s), 'expected an http(s) URL'),
  issue: z.enum(MCP_ISSUES, { error: `expected one of ${MCP_ISSUES.join(', ')}` }),
});

export const ZReportInput = z.strictObject({
  external_id: ZExternalId,
  surface: ZKey,
  report_type: ZKey,
  category: z.string().trim().max(100, 'at most 100 characters').optional(),
  content_ref: ZContentRef,
  received_at: ZInstant.optional(),
  jurisdiction: ZCountry.optional(),
  language: ZLanguage.optional(),
  reporter: z.string().trim().max(320, 'at most 320 characters').optional(),
  description: z.string().max(5000, 'at most 5000 characters').optional(),
  own_initiative: z.boolean().optional(),
  trusted_flagger: z.boolean().optional(),
  /** Specific items of information the notice names (the DSA template counts them); 1 when absent. */
  items: z
    .number({ error: 'expected a whole number from 1' })
    .int('expected a whole number from 1')
    .min(1, 'expected a whole number from 1')
    .max(1_000_000, 'at most 1000000')
    .optional(),
  mcp_server: ZMcpServer.optional(),
});
export type ReportInput = z.infer<typeof ZReportInput>;

export const ZDecisionInput = z.strictObject({
  external_id: ZExternalId,
  case_id: ZId.optional(),
  report_external_id: ZExternalId.optional(),
  action: z.enum(DECISION_ACTIONS, { error: `expected one of ${DECISION_ACTIONS.join(', ')}` }),
  policy: z.string().trim().min(1, 'required').max(100, 'at most 100 characters'),
  reviewer_id: z.string().trim().max(200).optional(),
  actor_type: z.enum(ACTOR_TYPES, { error: `expected one of ${ACTOR_TYPES.join(', ')}` }).optional(),
  decided_at: ZInstant,
  automated: z.boolean().default(false),
  suspension_reason: z.enum(SUSPENSION_REASONS, { error: `expected one of ${SUSPENSION_REASONS.join(', ')}` }).optional(),
});
export type DecisionInput = z.infer<typeof ZDecisionInput>;

const ZDecisionRef = {
  decision_id: ZId.optional(),
  decision_external_id: ZExternalId.optional(),
};

export const ZQaReviewInput = z.strictObject({
  external_id: ZExternalId,
  ...ZDecisionRef,
  outcome: z.enum(['agree', 'disagree'], { error: 'expected agree or disagree' }),
  correct_action: z.enum(DECISION_ACTIONS, { error: `expected one of ${DECISION_ACTIONS.join(', ')}` }).optional(),
  correct_policy: z.string().trim().max(100).optional(),
  error_severity: z.enum(['minor', 'major', 'critical'], { error: 'expected minor, major or critical' }).optional(),
  error_category: z.string().trim().max(100).optional(),
  reviewer_id: z.string().trim().max(200).optional(),
  reviewed_at: ZInstant,
});
export type QaReviewInput = z.infer<typeof ZQaReviewInput>;

export const ZAppealInput = z.strictObject({
  external_id: ZExternalId,
  ...ZDecisionRef,
  filed_at: ZInstant,
  outcome: z.enum(APPEAL_OUTCOMES, { error: `expected one of ${APPEAL_OUTCOMES.join(', ')}` }).default('pending'),
  resolved_at: ZInstant.optional(),
  complaint_type: z.enum(COMPLAINT_TYPES, { error: `expected one of ${COMPLAINT_TYPES.join(', ')}` }).optional(),
});
export type AppealInput = z.infer<typeof ZAppealInput>;

// Rules that span fields are checked on the raw body, so they are reported together with every
// field error (a zod refinement would be skipped as soon as one field is wrong).
type Raw = Record<string, unknown>;
const given = (v: unknown) => v !== undefined;
const exactlyOne = (raw: Raw, a: string, b: string): FieldError[] =>
  given(raw[a]) === given(raw[b]) ? [{ path: a, message: `give exactly one of ${a} or ${b}` }] : [];
const instant = (v: unknown) => (typeof v === 'string' && ZInstant.safeParse(v).success ? new Date(v) : undefined);

export const INTAKE_KINDS = {
  report: {
    schema: ZReportInput,
    future: ['received_at'],
    rules: (raw: Raw): FieldError[] => {
      if (raw.report_type === 'mcp_server' && !given(raw.mcp_server))
        return [{ path: 'mcp_server', message: 'required for report_type mcp_server (name, url, issue)' }];
      if (given(raw.report_type) && raw.report_type !== 'mcp_server' && given(raw.mcp_server))
        return [{ path: 'mcp_server', message: 'only allowed for report_type mcp_server' }];
      return [];
    },
  },
  decision: {
    schema: ZDecisionInput,
    future: ['decided_at'],
    rules: (raw: Raw): FieldError[] => [
      ...exactlyOne(raw, 'case_id', 'report_external_id'),
      ...(given(raw.suspension_reason) && !SUSPENDING.includes(String(raw.action))
        ? [{ path: 'suspension_reason', message: `only with a suspending action (${SUSPENDING.join(', ')})` }]
        : []),
    ],
  },
  qa_review: {
    schema: ZQaReviewInput,
    future: ['reviewed_at'],
    rules: (raw: Raw): FieldError[] => [
      ...exactlyOne(raw, 'decision_id', 'decision_external_id'),
      ...(raw.outcome === 'disagree' && !given(raw.correct_action)
        ? [{ path: 'correct_action', message: 'required when the outcome is disagree' }]
        : []),
    ],
  },
  appeal: {
    schema: ZAppealInput,
    future: ['filed_at', 'resolved_at'],
    rules: (raw: Raw): FieldError[] => {
      const errors = exactlyOne(raw, 'decision_id', 'decision_external_id');
      if (['upheld', 'overturned', 'partially_overturned', 'closed'].includes(String(raw.outcome)) && !given(raw.resolved_at)) {
        errors.push({ path: 'resolved_at', message: `required when the outcome is ${raw.outcome}` });
      }
      const filed = instant(raw.filed_at);
      const resolved = instant(raw.resolved_at);
      if (filed && resolved && resolved < filed) errors.push({ path: 'resolved_at', message: 'before filed_at' });
      return errors;
    },
  },
} as const;

export type IntakeKind = keyof typeof INTAKE_KINDS;
export type InputOf<K extends IntakeKind> = z.output<(typeof INTAKE_KINDS)[K]['schema']>;

const FUTURE_SLACK_MS = 5 * 60_000;

/** Validates one request body: every field error at once, or the typed input. */
export function validateIntake<K extends IntakeKind>(kind: K, raw: unknown, now: Date): { data: InputOf<K> } | { errors: FieldError[] } {
  const spec = INTAKE_KINDS[kind];
  const parsed = spec.schema.safeParse(raw);
  const errors = parsed.success ? [] : fieldErrors(parsed.error);
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const body = raw as Raw;
    errors.push(...spec.rules(body));
    for (const field of spec.future) {
      const at = instant(body[field]);
      if (at && at.getTime() > now.getTime() + FUTURE_SLACK_MS) errors.push({ path: field, message: 'more than 5 minutes in the future' });
    }
  }
  errors.push(...unstorableTextErrors(raw));
  if (errors.length || !parsed.success) return { errors: dedupe(errors) };
  return { data: parsed.data as InputOf<K> };
}

// With the u flag a surrogate pair is one code point, so this matches only a surrogate standing alone.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Text Postgres cannot store as sent: NUL (refused by Postgres) and lone UTF-16 surrogates (which
 * JSON escapes can carry, and which would be stored as U+FFFD). Says so by field instead.
 */
export function unstorableTextErrors(v: unknown, path = ''): FieldError[] {
  if (typeof v === 'string') {
    if (v.includes('\u0000')) return [{ path: path || '(body)', message: 'contains a NUL character' }];
    if (LONE_SURROGATE.test(v)) return [{ path: path || '(body)', message: 'contains a lone UTF-16 surrogate (not a character)' }];
    return [];
  }
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => unstorableTextErrors(x, path ? `${path}.${k}` : k));
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.path}\u0001${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
}

/** The same request twice hashes the same, whatever the key order: the basis of idempotent replays. */
export function bodyHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
}
