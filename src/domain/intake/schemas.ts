import { createHash } from 'node:crypto';
import { z } from 'zod';

/** One field error, as the intake API and the CSV import report it. */
export type FieldError = { path: string; message: string };

export const DECISION_ACTIONS = [
  'no_violation',
  'content_removed',
  'content_restricted',
  'account_warned',
  'account_suspended',
  'account_banned',
] as const;
export const MCP_ISSUES = ['malicious_tool', 'data_exfiltration', 'impersonation', 'policy_violation', 'other'] as const;
export const ACTOR_TYPES = ['vendor_reviewer', 'internal_analyst', 'automated'] as const;

// ISO 8601 with a date, a time and an explicit offset (Z or ±hh:mm): a time without a zone is ambiguous.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

export const ZInstant = z
  .string()
  .regex(ISO_WITH_OFFSET, 'expected an ISO 8601 date-time with an offset, e.g. 2026-11-27T14:05:00Z')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a real date-time')
  .transform((s) => new Date(s));

const ZExternalId = z.string().trim().min(1, 'required').max(200, 'at most 200 characters');

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

const ZCountry = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .refine(
    (s) => /^[A-Z]{2}$/.test(s) && regionNames.of(s) !== s && regionNames.of(s) !== 'Unknown Region',
    'expected an ISO 3166-1 alpha-2 country code, e.g. DE',
  );

const ZLanguage = z
  .string()
  .trim()
  .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'expected a language tag such as en or pt-BR')
  .transform((s) => s.toLowerCase());

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

export const ZReportInput = z
  .strictObject({
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
    mcp_server: ZMcpServer.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.report_type === 'mcp_server' && !r.mcp_server) {
      ctx.addIssue({ code: 'custom', path: ['mcp_server'], message: 'required for report_type mcp_server (name, url, issue)' });
    }
    if (r.report_type !== 'mcp_server' && r.mcp_server) {
      ctx.addIssue({ code: 'custom', path: ['mcp_server'], message: 'only allowed for report_type mcp_server' });
    }
  });
export type ReportInput = z.infer<typeof ZReportInput>;

export const ZDecisionInput = z
  .strictObject({
    external_id: ZExternalId,
    case_id: z.number().int().positive().optional(),
    report_external_id: ZExternalId.optional(),
    action: z.enum(DECISION_ACTIONS, { error: `expected one of ${DECISION_ACTIONS.join(', ')}` }),
    policy: z.string().trim().min(1, 'required').max(100, 'at most 100 characters'),
    reviewer_id: z.string().trim().max(200).optional(),
    actor_type: z.enum(ACTOR_TYPES, { error: `expected one of ${ACTOR_TYPES.join(', ')}` }).optional(),
    decided_at: ZInstant,
    automated: z.boolean().default(false),
  })
  .superRefine((d, ctx) => {
    if ((d.case_id === undefined) === (d.report_external_id === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['case_id'], message: 'give exactly one of case_id or report_external_id' });
    }
  });
export type DecisionInput = z.infer<typeof ZDecisionInput>;

const ZDecisionRef = {
  decision_id: z.number().int().positive().optional(),
  decision_external_id: ZExternalId.optional(),
};
const oneDecisionRef = (d: { decision_id?: number; decision_external_id?: string }, ctx: z.RefinementCtx) => {
  if ((d.decision_id === undefined) === (d.decision_external_id === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['decision_id'], message: 'give exactly one of decision_id or decision_external_id' });
  }
};

export const ZQaReviewInput = z
  .strictObject({
    external_id: ZExternalId,
    ...ZDecisionRef,
    outcome: z.enum(['agree', 'disagree'], { error: 'expected agree or disagree' }),
    correct_action: z.enum(DECISION_ACTIONS, { error: `expected one of ${DECISION_ACTIONS.join(', ')}` }).optional(),
    correct_policy: z.string().trim().max(100).optional(),
    error_severity: z.enum(['minor', 'major', 'critical'], { error: 'expected minor, major or critical' }).optional(),
    error_category: z.string().trim().max(100).optional(),
    reviewer_id: z.string().trim().max(200).optional(),
    reviewed_at: ZInstant,
  })
  .superRefine((q, ctx) => {
    oneDecisionRef(q, ctx);
    if (q.outcome === 'disagree' && !q.correct_action) {
      ctx.addIssue({ code: 'custom', path: ['correct_action'], message: 'required when the outcome is disagree' });
    }
  });
export type QaReviewInput = z.infer<typeof ZQaReviewInput>;

export const ZAppealInput = z
  .strictObject({
    external_id: ZExternalId,
    ...ZDecisionRef,
    filed_at: ZInstant,
    outcome: z.enum(['pending', 'upheld', 'overturned'], { error: 'expected pending, upheld or overturned' }).default('pending'),
    resolved_at: ZInstant.optional(),
  })
  .superRefine((a, ctx) => {
    oneDecisionRef(a, ctx);
    if (a.outcome !== 'pending' && !a.resolved_at)
      ctx.addIssue({ code: 'custom', path: ['resolved_at'], message: `required when the outcome is ${a.outcome}` });
    if (a.resolved_at && a.resolved_at < a.filed_at) ctx.addIssue({ code: 'custom', path: ['resolved_at'], message: 'before filed_at' });
  });
export type AppealInput = z.infer<typeof ZAppealInput>;

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
