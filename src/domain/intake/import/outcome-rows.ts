import { lockBucket } from '../locks';
import { bodyHash, type FieldError, validateIntake } from '../schemas';
import { copyField as text } from './copy-text';

/**
 * One decisions- or QA-reviews-CSV row made ready for the staging table: validated by the JSON API's
 * rules (the same zod schemas), hashed for idempotency, with the intake lock bucket of its external id.
 * Pure: it runs in the import's worker thread. What needs the database (the case or decision it names,
 * replays) is settled set-based in outcomes-stage.ts.
 */

/** The decisions staging table's columns, in the order of a COPY line. */
export const DECISION_STAGE_COLUMNS = [
  'row_no int NOT NULL',
  'line_no int NOT NULL',
  'external_id text NOT NULL',
  'body_hash text NOT NULL',
  'case_id int',
  'report_external_id text',
  'action text NOT NULL',
  'policy text NOT NULL',
  'actor_type text NOT NULL',
  'actor_id text',
  'automated bool NOT NULL',
  'suspension_reason text',
  'decided_at timestamptz NOT NULL',
] as const;

/** The QA-reviews staging table's columns, in the order of a COPY line. */
export const QA_REVIEW_STAGE_COLUMNS = [
  'row_no int NOT NULL',
  'line_no int NOT NULL',
  'external_id text NOT NULL',
  'body_hash text NOT NULL',
  'decision_id int',
  'decision_external_id text',
  'outcome text NOT NULL',
  'correct_action text',
  'correct_policy text',
  'error_severity text',
  'error_category text',
  'reviewer_id text',
  'reviewed_at timestamptz NOT NULL',
] as const;

export type Staged = { copy: string; bucket?: number; errors?: undefined } | { errors: FieldError[] };

const line = (fields: string[]) => `${fields.join('\t')}\n`;
const int = (n: number | undefined) => (n === undefined ? '\\N' : String(n));

/** A decision row's COPY line and lock bucket (the key the JSON API locks: `decision:<external_id>`). */
export function stageDecision(now: Date, row: number, lineNo: number, body: Record<string, unknown>): Staged {
  const checked = validateIntake('decision', body, now);
  if ('errors' in checked) return checked;
  const d = checked.data;
  return {
    bucket: lockBucket(`decision:${d.external_id}`),
    copy: line([
      String(row),
      String(lineNo),
      text(d.external_id),
      bodyHash(body),
      int(d.case_id),
      text(d.report_external_id),
      text(d.action),
      text(d.policy),
      // As recordDecision stores it.
      d.actor_type ?? (d.automated ? 'automated' : 'vendor_reviewer'),
      text(d.reviewer_id),
      d.automated ? 't' : 'f',
      text(d.suspension_reason),
      d.decided_at.toISOString(),
    ]),
  };
}

/** A QA review row's COPY line and lock bucket (`qa_review:<external_id>`, as the JSON API locks). */
export function stageQaReview(now: Date, row: number, lineNo: number, body: Record<string, unknown>): Staged {
  const checked = validateIntake('qa_review', body, now);
  if ('errors' in checked) return checked;
  const q = checked.data;
  return {
    bucket: lockBucket(`qa_review:${q.external_id}`),
    copy: line([
      String(row),
      String(lineNo),
      text(q.external_id),
      bodyHash(body),
      int(q.decision_id),
      text(q.decision_external_id),
      text(q.outcome),
      text(q.correct_action),
      text(q.correct_policy),
      text(q.error_severity),
      text(q.error_category),
      text(q.reviewer_id),
      q.reviewed_at.toISOString(),
    ]),
  };
}
