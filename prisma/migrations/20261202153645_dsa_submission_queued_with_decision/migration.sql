-- AlterTable
ALTER TABLE "dsa_submissions" ALTER COLUMN "puid" DROP NOT NULL;

-- A restricting decision's statement of reasons is queued in the statement that writes the decision, so in
-- its transaction (review 1): no scan, no id watermark, a decision committed late with a low id is never
-- missed. Once per statement over the new rows (an import batch costs one INSERT). The action list is
-- dsa-sor.ts RESTRICTIONS (test/jobs/dsa-submission.test.ts checks that the two agree). The puid is left
-- NULL: the worker sets it from puidOf (the one rule) when it first claims the row. next_attempt_at is the
-- epoch so the row is due at once whatever the clock says.
-- (The body is an E'' string so that \073 is its semicolon: the migration runner splits at every literal one.)
CREATE FUNCTION "decisions_queue_dsa_statements"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO dsa_submissions (decision_id, decided_at, next_attempt_at)
  SELECT n.id, n.decided_at, ''1970-01-01T00:00:00Z''::timestamptz
    FROM new_decisions n
   WHERE n.action IN (''content_removed'', ''content_restricted'', ''account_suspended'', ''account_banned'',
                      ''content_disabled'', ''content_demoted'', ''content_age_restricted'',
                      ''content_interaction_restricted'', ''content_labelled'', ''monetisation_suspended'',
                      ''monetisation_terminated'', ''service_suspended'', ''service_terminated'')
  ON CONFLICT DO NOTHING\073
  RETURN NULL\073
END';

CREATE TRIGGER "decisions_queue_dsa_statements"
  AFTER INSERT ON decisions
  REFERENCING NEW TABLE AS new_decisions
  FOR EACH STATEMENT
  EXECUTE FUNCTION "decisions_queue_dsa_statements"();

-- Restricting decisions written before this migration and not queued yet are queued now.
INSERT INTO dsa_submissions (decision_id, decided_at, next_attempt_at)
SELECT d.id, d.decided_at, '1970-01-01T00:00:00Z'::timestamptz
  FROM decisions d
 WHERE d.action IN ('content_removed', 'content_restricted', 'account_suspended', 'account_banned',
                    'content_disabled', 'content_demoted', 'content_age_restricted',
                    'content_interaction_restricted', 'content_labelled', 'monetisation_suspended',
                    'monetisation_terminated', 'service_suspended', 'service_terminated')
   AND NOT EXISTS (SELECT 1 FROM dsa_submissions s WHERE s.decision_id = d.id)
ON CONFLICT DO NOTHING;
