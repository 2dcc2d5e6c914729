-- The start of statement-of-reasons submission (dsa_report_settings key submission_start): a restricting decision
-- decided before it is queued as `skipped`, never sent, so turning submission on does not send every decision
-- ever recorded. Unset until a worker first runs with the Transparency Database configured (it records that moment,
-- src/domain/exports/dsa-tdb/submissions.ts) or an admin sets it (`/trustops dsa submissions start <date>`). A row on
-- the wrong side of a start that moved is put right by the worker (reconcileStart), and the claim reads the start too.
-- (The body is an E'' string so that \073 is its semicolon: the migration runner splits at every literal one.)
CREATE OR REPLACE FUNCTION "decisions_queue_dsa_statements"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO dsa_submissions (decision_id, decided_at, next_attempt_at, status)
  SELECT n.id, n.decided_at, ''1970-01-01T00:00:00Z''::timestamptz,
         CASE WHEN s.start IS NULL OR n.decided_at >= s.start THEN ''pending'' ELSE ''skipped'' END
    FROM new_decisions n
    LEFT JOIN (SELECT value::timestamptz AS start FROM dsa_report_settings WHERE key = ''submission_start'') s ON true
   WHERE n.action IN (''content_removed'', ''content_restricted'', ''account_suspended'', ''account_banned'',
                      ''content_disabled'', ''content_demoted'', ''content_age_restricted'',
                      ''content_interaction_restricted'', ''content_labelled'', ''monetisation_suspended'',
                      ''monetisation_terminated'', ''service_suspended'', ''service_terminated'')
  ON CONFLICT DO NOTHING\073
  RETURN NULL\073
END';

-- Where submission has already run (a statement was attempted), it goes on as it did: its start is its earliest
-- queued decision. Elsewhere the start stays unset until submission is turned on.
INSERT INTO dsa_report_settings (key, value, updated_by, updated_at)
SELECT 'submission_start', to_char(min(decided_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'migration', now()
  FROM dsa_submissions
HAVING bool_or(attempts > 0 OR status <> 'pending')
ON CONFLICT (key) DO NOTHING;
