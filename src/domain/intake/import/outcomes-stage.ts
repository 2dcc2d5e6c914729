import type { PoolClient } from 'pg';
import type { Tx } from '../../../db/client';
import { lockIntakeBuckets } from '../locks';
import type { RowError } from './columns';
import type { Written } from './stage';

/**
 * The set-based half of a decisions or QA-reviews import, on the connection and in the transaction
 * beginStaging opened (stage.ts), after the validated rows were staged in import_rows. A few statements
 * over the whole file do what recordDecision / recordQaReview (../outcomes.ts) do row by row, in file
 * order, with the same answers: replays and conflicts on external_id (the database's rows, then the
 * file's own earlier rows), the case or decision a row names, the same refusals in the same words, the
 * same rows and audit events. Nothing is visible before COMMIT.
 *
 * Locks: only now, for this short write, the intake lock buckets of the file's external ids (the keys
 * the JSON API locks, `decision:<external_id>` / `qa_review:<external_id>`, see submitWith in
 * ../intake.ts), in ascending order, held to COMMIT. An API submission holds the bucket of its id from
 * before it looks the id up until it commits; so does the import, from before its first statement that
 * reads decisions or QA reviews. Whichever comes second waits, and (READ COMMITTED: every statement
 * sees what was committed before it began) then finds the other's row and answers replay or conflict:
 * never two rows, never a unique-index error. While the file is read, validated and staged no lock is
 * held, so the API goes on answering.
 */

export type OutcomeKind = 'decisions' | 'qa-reviews';
export type WriteOptions = { now: Date; actor: string; origin: 'api' | 'cli'; buckets: readonly number[] };

/** Writes a staged decisions or QA-reviews file. */
export async function writeStagedOutcomes(client: PoolClient, kind: OutcomeKind, opts: WriteOptions): Promise<Written> {
  // Temporary tables are never analyzed by autovacuum: without statistics the joins below go wrong.
  await client.query('ANALYZE import_rows');
  return kind === 'decisions' ? writeDecisions(client, opts) : writeQaReviews(client, opts);
}

/** The file's intake lock buckets, held to COMMIT (before any row lock: the API takes its bucket first too). */
export async function lockBuckets(client: PoolClient, buckets: readonly number[]): Promise<void> {
  // lockIntakeBuckets speaks to a Prisma transaction; here the same statement runs on the import's connection.
  const tx = { $queryRawUnsafe: (sql: string, ...values: unknown[]) => client.query(sql, values).then((r) => r.rows) } as unknown as Tx;
  await lockIntakeBuckets(tx, buckets);
}

// An instant as JSON.stringify writes a Date (how recordAudit stores one): 2026-11-20T12:00:00.000Z.
export const iso = (x: string) => `to_char(${x} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
// An instant to read back as a JS Date, whatever the session's time zone and date style.
const ms = (x: string) => `(extract(epoch FROM ${x}) * 1000)::bigint::text`;
const isoOf = (epochMs: string) => new Date(Number(epochMs)).toISOString();

/**
 * Each row's fate, from `checked` (row_no, line_no, external_id, body_hash, held: the database has the
 * id, prior_hash: its body hash, problem: the row's own refusal or NULL). Row by row, a row whose id the
 * database holds is a replay (same body) or a conflict; otherwise the first row of the id that passes
 * its own checks is written ('fresh'), rows before it get their own refusal, and rows after it are
 * replays or conflicts of it. A row's own checks do not depend on the rows before it (a decision never
 * closes a case, nor moves when it arrived), so they can all be made at once.
 */
const FATES = `
  SELECT c.*, CASE
           WHEN c.held THEN CASE WHEN c.prior_hash = c.body_hash THEN 'replayed' ELSE 'conflict' END
           WHEN c.first_ok IS NULL OR c.row_no < c.first_ok THEN c.problem
           WHEN c.row_no = c.first_ok THEN 'fresh'
           WHEN c.first_ok_hash = c.body_hash THEN 'replayed'
           ELSE 'conflict' END AS fate
    FROM (SELECT c.*,
                 min(c.row_no) FILTER (WHERE c.problem IS NULL) OVER (PARTITION BY c.external_id) AS first_ok,
                 first_value(c.body_hash) OVER (PARTITION BY c.external_id ORDER BY c.problem IS NOT NULL, c.row_no) AS first_ok_hash
            FROM checked c) c`;

const conflict = (externalId: string) => `external_id ${externalId} was already received with a different body`;

async function counts(client: PoolClient): Promise<{ fresh: number; replayed: number }> {
  const r = await client.query<{ fresh: number; replayed: number }>(
    `SELECT count(*) FILTER (WHERE fate = 'fresh')::int AS fresh, count(*) FILTER (WHERE fate = 'replayed')::int AS replayed FROM import_fates`,
  );
  return r.rows[0] ?? { fresh: 0, replayed: 0 };
}

async function writeDecisions(client: PoolClient, opts: WriteOptions): Promise<Written> {
  const at = opts.now.toISOString();
  // 1. The case each row names (by id, or through its report) and when what it decides arrived. Reports
  //    are no business of the intake locks: this is read before they are taken.
  await client.query(`
    CREATE TEMP TABLE import_targets ON COMMIT DROP AS
    SELECT s.row_no, coalesce(s.case_id, r.case_id) AS case_id, r.received_at AS report_received_at
      FROM import_rows s LEFT JOIN reports r ON r.external_id = s.report_external_id`);
  await lockBuckets(client, opts.buckets);
  // 2. Those cases as they stand, locked (in id order) against other writers until COMMIT: the case
  //    updates and the audit's before/after below are computed from this one reading. Only after the
  //    buckets: an API submission holds its bucket when it comes to lock its case.
  await client.query(`
    CREATE TEMP TABLE import_case_state ON COMMIT DROP AS
    SELECT c.id, c.status::text AS status, c.opened_at, c.first_action_at, c.resolved_at
      FROM cases c WHERE c.id IN (SELECT case_id FROM import_targets)
     ORDER BY c.id FOR NO KEY UPDATE`);
  await client.query('ANALYZE import_targets, import_case_state');

  // 3. Each row's fate.
  await client.query(`
    CREATE TEMP TABLE import_fates ON COMMIT DROP AS
    WITH checked AS (
      SELECT s.row_no, s.line_no, s.external_id, s.body_hash, d.id IS NOT NULL AS held, d.body_hash AS prior_hash,
             c.id AS case_id, coalesce(t.report_received_at, c.opened_at) AS arrived,
             CASE WHEN c.id IS NULL THEN 'not_found'
                  WHEN c.status = 'closed' THEN 'closed'
                  WHEN s.decided_at < coalesce(t.report_received_at, c.opened_at) THEN 'early' END AS problem
        FROM import_rows s JOIN import_targets t USING (row_no)
        LEFT JOIN import_case_state c ON c.id = t.case_id
        LEFT JOIN decisions d ON d.external_id = s.external_id)
    ${FATES}`);
  const { fresh, replayed } = await counts(client);

  // 4. The decisions, in file order, and which row each came from.
  await client.query(
    `CREATE TEMP TABLE import_written ON COMMIT DROP AS
     WITH inserted AS (
       INSERT INTO decisions (external_id, body_hash, case_id, action, policy, actor_type, actor_id, automated, suspension_reason,
                              decided_at, created_at)
       SELECT s.external_id, s.body_hash, f.case_id, s.action, s.policy, s.actor_type::"ActorType", s.actor_id, s.automated,
              s.suspension_reason, s.decided_at, $1::timestamptz
         FROM import_rows s JOIN import_fates f USING (row_no)
        WHERE f.fate = 'fresh'
        ORDER BY s.row_no
       RETURNING id, external_id)
     SELECT f.row_no, i.id AS decision_id FROM inserted i JOIN import_fates f ON f.external_id = i.external_id AND f.fate = 'fresh'`,
    [at],
  );

  // 5. Each decision's step on its case, in file order, as recordDecision takes it: the first action is
  //    the earliest decision so far, the resolution the first decision's (unless the case had them).
  await client.query(`
    CREATE TEMP TABLE import_steps ON COMMIT DROP AS
    SELECT w.row_no, w.decision_id, c.id AS case_id, s.action, s.policy,
           CASE WHEN row_number() OVER k = 1 THEN c.status ELSE 'decided' END AS status_before,
           least(c.first_action_at, min(s.decided_at) OVER (k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) AS first_action_before,
           CASE WHEN row_number() OVER k = 1 THEN c.resolved_at ELSE coalesce(c.resolved_at, first_value(s.decided_at) OVER k) END
             AS resolved_before,
           least(c.first_action_at, min(s.decided_at) OVER (k ROWS UNBOUNDED PRECEDING)) AS first_action_at,
           coalesce(c.resolved_at, first_value(s.decided_at) OVER k) AS resolved_at
      FROM import_written w JOIN import_rows s USING (row_no) JOIN import_fates f USING (row_no)
      JOIN import_case_state c ON c.id = f.case_id
    WINDOW k AS (PARTITION BY c.id ORDER BY w.row_no)`);

  // 6. Each case once, as its last step left it.
  await client.query(
    `UPDATE cases c SET status = 'decided', first_action_at = x.first_action_at, resolved_at = x.resolved_at, updated_at = $1::timestamptz
       FROM (SELECT DISTINCT ON (case_id) case_id, first_action_at, resolved_at FROM import_steps ORDER BY case_id, row_no DESC) x
      WHERE c.id = x.case_id`,
    [at],
  );

  // 7. One audit event per decision, in file order, with recordDecision's before and after.
  await client.query(
    `INSERT INTO audit_events (actor, origin, action, entity_type, entity_id, before, after, created_at)
     SELECT $1, $2, 'decision.record', 'case', case_id::text,
            jsonb_build_object('status', status_before, 'firstActionAt', ${iso('first_action_before')},
                               'resolvedAt', ${iso('resolved_before')}),
            jsonb_build_object('status', 'decided', 'firstActionAt', ${iso('first_action_at')}, 'resolvedAt', ${iso('resolved_at')},
                               'decisionId', decision_id, 'action', action, 'policy', policy),
            $3::timestamptz
       FROM import_steps ORDER BY row_no`,
    [opts.actor, opts.origin, at],
  );

  // 8. The refusals, in recordDecision's words.
  const refused = await client.query<{
    row_no: number;
    line_no: number;
    external_id: string;
    fate: string;
    case_id: number | null;
    given_case_id: number | null;
    report_external_id: string | null;
    decided_ms: string;
    arrived_ms: string | null;
  }>(
    `SELECT f.row_no, f.line_no, f.external_id, f.fate, f.case_id, s.case_id AS given_case_id, s.report_external_id,
            ${ms('s.decided_at')} AS decided_ms, ${ms('f.arrived')} AS arrived_ms
       FROM import_fates f JOIN import_rows s USING (row_no)
      WHERE f.fate NOT IN ('fresh', 'replayed')
      ORDER BY f.row_no`,
  );
  const errors = refused.rows.map((r): RowError => {
    const at = { row: r.row_no, line: r.line_no };
    switch (r.fate) {
      case 'not_found':
        return r.given_case_id !== null
          ? { ...at, column: 'case_id', message: `no case ${r.given_case_id}` }
          : { ...at, column: 'report_external_id', message: `no report ${r.report_external_id}` };
      case 'closed':
        return { ...at, column: 'external_id', message: `case ${r.case_id} is closed; a closed case cannot be decided` };
      case 'early':
        return {
          ...at,
          column: 'external_id',
          message: `decided_at ${isoOf(r.decided_ms)} is before the report arrived (${isoOf(r.arrived_ms!)})`,
        };
      default:
        return { ...at, column: 'external_id', message: conflict(r.external_id) };
    }
  });
  return { imported: fresh, replayed, conflicts: errors };
}

async function writeQaReviews(client: PoolClient, opts: WriteOptions): Promise<Written> {
  const at = opts.now.toISOString();
  await lockBuckets(client, opts.buckets);
  // 1. Each row's fate. The decision it names is one the database holds: a file holds one kind, so no
  //    decision of this file can be named (row by row, an earlier import's decisions are committed).
  await client.query(`
    CREATE TEMP TABLE import_fates ON COMMIT DROP AS
    WITH checked AS (
      SELECT s.row_no, s.line_no, s.external_id, s.body_hash, q.id IS NOT NULL AS held, q.body_hash AS prior_hash,
             coalesce(d1.id, d2.id) AS decision_id, coalesce(d1.decided_at, d2.decided_at) AS decided_at,
             CASE WHEN coalesce(d1.id, d2.id) IS NULL THEN 'not_found'
                  WHEN s.reviewed_at < coalesce(d1.decided_at, d2.decided_at) THEN 'early' END AS problem
        FROM import_rows s
        LEFT JOIN decisions d1 ON d1.id = s.decision_id
        LEFT JOIN decisions d2 ON d2.external_id = s.decision_external_id
        LEFT JOIN qa_reviews q ON q.external_id = s.external_id)
    ${FATES}`);
  const { fresh, replayed } = await counts(client);

  // 2. The reviews, in file order, and one audit event each, as recordQaReview writes them.
  await client.query(
    `WITH inserted AS (
       INSERT INTO qa_reviews (external_id, body_hash, decision_id, outcome, correct_action, correct_policy, error_severity,
                               error_category, reviewer_id, reviewed_at)
       SELECT s.external_id, s.body_hash, f.decision_id, s.outcome::"QaOutcome", s.correct_action, s.correct_policy,
              s.error_severity, s.error_category, s.reviewer_id, s.reviewed_at
         FROM import_rows s JOIN import_fates f USING (row_no)
        WHERE f.fate = 'fresh'
        ORDER BY s.row_no
       RETURNING id, external_id, decision_id, outcome)
     INSERT INTO audit_events (actor, origin, action, entity_type, entity_id, after, created_at)
     SELECT $1, $2, 'qa_review.record', 'decision', i.decision_id::text,
            jsonb_build_object('qaReviewId', i.id, 'outcome', i.outcome), $3::timestamptz
       FROM inserted i ORDER BY i.id`,
    [opts.actor, opts.origin, at],
  );

  // 3. The refusals, in recordQaReview's words.
  const refused = await client.query<{
    row_no: number;
    line_no: number;
    external_id: string;
    fate: string;
    given_decision_id: number | null;
    decision_external_id: string | null;
    decided_ms: string | null;
  }>(
    `SELECT f.row_no, f.line_no, f.external_id, f.fate, s.decision_id AS given_decision_id, s.decision_external_id,
            ${ms('f.decided_at')} AS decided_ms
       FROM import_fates f JOIN import_rows s USING (row_no)
      WHERE f.fate NOT IN ('fresh', 'replayed')
      ORDER BY f.row_no`,
  );
  const errors = refused.rows.map((r): RowError => {
    const at = { row: r.row_no, line: r.line_no };
    switch (r.fate) {
      case 'not_found':
        return r.given_decision_id !== null
          ? { ...at, column: 'decision_id', message: `no decision ${r.given_decision_id}` }
          : { ...at, column: 'decision_external_id', message: `no decision ${r.decision_external_id}` };
      case 'early':
        return { ...at, column: 'external_id', message: `reviewed_at is before the decision was made (${isoOf(r.decided_ms!)})` };
      default:
        return { ...at, column: 'external_id', message: conflict(r.external_id) };
    }
  });
  return { imported: fresh, replayed, conflicts: errors };
}
