-- AlterTable
ALTER TABLE "cases" ADD COLUMN     "category" TEXT,
ADD COLUMN     "first_report_at" TIMESTAMPTZ(3),
ADD COLUMN     "first_report_id" INTEGER,
ADD COLUMN     "report_type_id" INTEGER,
ADD COLUMN     "surface_id" INTEGER;

-- Backfill: each case takes its first report (earliest received, then lowest id).
UPDATE "cases" c
   SET first_report_id = f.id, first_report_at = f.received_at, surface_id = f.surface_id,
       report_type_id = f.report_type_id, category = f.category
  FROM (SELECT DISTINCT ON (case_id) case_id, id, received_at, surface_id, report_type_id, category
          FROM "reports" WHERE case_id IS NOT NULL ORDER BY case_id, received_at, id) f
 WHERE c.id = f.case_id;

-- Keeps them as reports arrive: once per statement over the new rows, so a 10,000-row import batch
-- costs one UPDATE, not 10,000. A report that arrives late with an earlier received_at becomes the first.
-- (The body is an E'' string so that \073 is its semicolon: the migration runner splits at every literal one.)
CREATE FUNCTION "cases_take_first_report"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  UPDATE cases c
     SET first_report_id = f.id, first_report_at = f.received_at, surface_id = f.surface_id,
         report_type_id = f.report_type_id, category = f.category
    FROM (SELECT DISTINCT ON (case_id) case_id, id, received_at, surface_id, report_type_id, category
            FROM new_reports WHERE case_id IS NOT NULL ORDER BY case_id, received_at, id) f
   WHERE c.id = f.case_id
     AND (c.first_report_id IS NULL OR c.first_report_id = f.id
          OR (f.received_at, f.id) < (c.first_report_at, c.first_report_id))\073
  RETURN NULL\073
END';

CREATE TRIGGER "reports_first_of_case_insert" AFTER INSERT ON "reports"
  REFERENCING NEW TABLE AS new_reports FOR EACH STATEMENT EXECUTE FUNCTION "cases_take_first_report"();

CREATE TRIGGER "reports_first_of_case_update" AFTER UPDATE ON "reports"
  REFERENCING NEW TABLE AS new_reports FOR EACH STATEMENT EXECUTE FUNCTION "cases_take_first_report"();

-- The seed switches ordinary triggers off for its bulk path: these must still run.
ALTER TABLE "reports" ENABLE ALWAYS TRIGGER "reports_first_of_case_insert";

ALTER TABLE "reports" ENABLE ALWAYS TRIGGER "reports_first_of_case_update";
