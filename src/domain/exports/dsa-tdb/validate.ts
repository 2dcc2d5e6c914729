// The Transparency Database's rules for a statement of reasons (API v2; ../shared/reference/README.md),
// checked before a statement is sent: a statement that breaks one is kept as refused with the reason,
// never sent to be refused there, and never dropped.
import {
  CONTENT_TYPES,
  DECISION_ACCOUNTS,
  DECISION_MONETARIES,
  DECISION_PROVISIONS,
  DECISION_VISIBILITIES,
  EU_EEA_COUNTRIES,
  SOR_LIMITS,
  STATEMENT_CATEGORIES,
} from '../dsa-enums';
import type { StatementOfReasons } from '../dsa-sor';

export type FieldErrors = Record<string, string[]>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PUID = /^[a-zA-Z0-9_-]+$/;
const SOURCES = ['SOURCE_ARTICLE_16', 'SOURCE_TRUSTED_FLAGGER', 'SOURCE_TYPE_OTHER_NOTIFICATION', 'SOURCE_VOLUNTARY'];
const AUTOMATED_DECISIONS = ['AUTOMATED_DECISION_FULLY', 'AUTOMATED_DECISION_PARTIALLY', 'AUTOMATED_DECISION_NOT_AUTOMATED'];
const GROUNDS = ['DECISION_GROUND_ILLEGAL_CONTENT', 'DECISION_GROUND_INCOMPATIBLE_CONTENT'];

function dateIn(value: unknown, from: string, to: string): boolean {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value && value >= from && value <= to;
}

/** Every rule a statement breaks, by field; empty when the database should accept it. */
export function validateStatement(s: StatementOfReasons | Record<string, unknown>): FieldErrors {
  const x = s as Record<string, unknown>;
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => {
    errors[field] = [...(errors[field] ?? []), message];
  };
  const text = (field: string, max: number, required: boolean) => {
    const v = x[field];
    if (v === undefined || v === null || v === '') {
      if (required) add(field, `The ${field} field is required.`);
      return;
    }
    if (typeof v !== 'string') add(field, `The ${field} must be a string.`);
    else if (v.length > max) add(field, `The ${field} must not be greater than ${max} characters.`);
  };
  const decisions = ['decision_visibility', 'decision_monetary', 'decision_provision', 'decision_account'];
  if (!decisions.some((d) => x[d] !== undefined && !(Array.isArray(x[d]) && (x[d] as unknown[]).length === 0)))
    add('decision_visibility', 'At least one of decision_visibility, decision_monetary, decision_provision, decision_account is required.');
  const visibility = x.decision_visibility;
  if (Array.isArray(visibility) && visibility.includes('DECISION_VISIBILITY_OTHER'))
    text('decision_visibility_other', SOR_LIMITS.other, true);
  if (x.decision_monetary === 'DECISION_MONETARY_OTHER') text('decision_monetary_other', SOR_LIMITS.other, true);
  if (!GROUNDS.includes(String(x.decision_ground))) add('decision_ground', 'The selected decision ground is invalid.');
  if (x.decision_ground === 'DECISION_GROUND_ILLEGAL_CONTENT') {
    text('illegal_content_legal_ground', SOR_LIMITS.ground, true);
    text('illegal_content_explanation', SOR_LIMITS.explanation, true);
  }
  if (x.decision_ground === 'DECISION_GROUND_INCOMPATIBLE_CONTENT') {
    text('incompatible_content_ground', SOR_LIMITS.ground, true);
    text('incompatible_content_explanation', SOR_LIMITS.explanation, true);
    if (x.incompatible_content_illegal !== undefined && !['Yes', 'No'].includes(String(x.incompatible_content_illegal)))
      add('incompatible_content_illegal', 'The selected incompatible content illegal is invalid.');
  }
  text('decision_facts', SOR_LIMITS.facts, true);
  if (!Array.isArray(x.content_type) || x.content_type.length === 0) add('content_type', 'The content type field is required.');
  else if ((x.content_type as unknown[]).includes('CONTENT_TYPE_OTHER')) text('content_type_other', SOR_LIMITS.other, true);
  if (!(STATEMENT_CATEGORIES as readonly string[]).includes(String(x.category))) add('category', 'The selected category is invalid.');
  if (!dateIn(x.content_date, '2000-01-01', '2038-01-01'))
    add('content_date', 'The content date must be a date (YYYY-MM-DD) between 2000-01-01 and 2038-01-01.');
  if (!dateIn(x.application_date, '2020-01-01', '2038-01-01'))
    add('application_date', 'The application date must be a date (YYYY-MM-DD) between 2020-01-01 and 2038-01-01.');
  if (!SOURCES.includes(String(x.source_type))) add('source_type', 'The selected source type is invalid.');
  if (x.source_identity !== undefined) text('source_identity', 500, false);
  if (!['Yes', 'No'].includes(String(x.automated_detection))) add('automated_detection', 'The selected automated detection is invalid.');
  if (!AUTOMATED_DECISIONS.includes(String(x.automated_decision))) add('automated_decision', 'The selected automated decision is invalid.');
  // Enum members, scope codes and language format, from dsa-enums (review #24): what TrustOps emits, plus the
  // database's _OTHER values (which need their free text, checked above).
  const oneOf = (field: string, allowed: readonly string[], many: boolean) => {
    const v = x[field];
    if (v === undefined) return;
    const values = many ? (Array.isArray(v) ? v : [v]) : [v];
    if (!values.every((m) => allowed.includes(String(m)))) add(field, `The selected ${field.replaceAll('_', ' ')} is invalid.`);
  };
  oneOf('decision_visibility', DECISION_VISIBILITIES, true);
  oneOf('decision_monetary', [...DECISION_MONETARIES, 'DECISION_MONETARY_OTHER'], false);
  oneOf('decision_provision', DECISION_PROVISIONS, false);
  oneOf('decision_account', DECISION_ACCOUNTS, false);
  if (Array.isArray(x.content_type)) oneOf('content_type', [...CONTENT_TYPES, 'CONTENT_TYPE_OTHER'], true);
  oneOf('territorial_scope', EU_EEA_COUNTRIES, true);
  if (x.content_language !== undefined && !/^[A-Z]{2}$/.test(String(x.content_language)))
    add('content_language', 'The selected content language is invalid.');
  const puid = x.puid;
  if (typeof puid !== 'string' || puid === '') add('puid', 'The puid field is required.');
  else if (puid.length > SOR_LIMITS.puid || !PUID.test(puid)) add('puid', 'The puid format is invalid.');
  return errors;
}
