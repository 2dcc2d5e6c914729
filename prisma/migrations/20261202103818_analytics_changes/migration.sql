-- CreateTable
CREATE TABLE "analytics_changes" (
    "seq" BIGSERIAL NOT NULL,
    "xid" xid8 NOT NULL DEFAULT pg_current_xact_id(),
    "tbl" TEXT NOT NULL,
    "row_id" BIGINT,

    CONSTRAINT "analytics_changes_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "analytics_horizon" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "database_id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "horizon" xid8,
    "pruned_at" TIMESTAMPTZ(3),
    "generation" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "analytics_horizon_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "analytics_prune_marks" (
    "id" BIGSERIAL NOT NULL,
    "snapshot_xmin" xid8 NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "analytics_prune_marks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "analytics_changes_xid_idx" ON "analytics_changes"("xid");

-- CreateIndex
CREATE INDEX "analytics_prune_marks_taken_at_idx" ON "analytics_prune_marks"("taken_at");

-- The one row saying who this database is, read by every analytics copy.
INSERT INTO "analytics_horizon" ("id") VALUES (1);

-- Change capture for the analytics read model (src/analytics/). Once per statement over its transition
-- table, so a 10,000-row import batch costs one INSERT … SELECT. The xid of a row is that of the writing
-- transaction (column default). Fact tables log row ids, TRUNCATE and the small dimension tables log the whole table
-- (row_id NULL), which a copy reloads entirely. Enabled ALWAYS: the bulk path of the seed switches ordinary
-- triggers off, and its rows must reach the copies too.
-- (Bodies are E'' strings so that \073 is their semicolon: the migration runner splits at every literal one.)
CREATE FUNCTION "analytics_capture_inserted"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO analytics_changes (tbl, row_id) SELECT TG_TABLE_NAME, id FROM new_rows\073
  RETURN NULL\073
END';

CREATE FUNCTION "analytics_capture_updated"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO analytics_changes (tbl, row_id) SELECT TG_TABLE_NAME, id FROM new_rows UNION SELECT TG_TABLE_NAME, id FROM old_rows\073
  RETURN NULL\073
END';

CREATE FUNCTION "analytics_capture_deleted"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO analytics_changes (tbl, row_id) SELECT TG_TABLE_NAME, id FROM old_rows\073
  RETURN NULL\073
END';

CREATE FUNCTION "analytics_capture_table"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO analytics_changes (tbl, row_id) VALUES (TG_TABLE_NAME, NULL)\073
  RETURN NULL\073
END';

CREATE TRIGGER "reports_analytics_insert" AFTER INSERT ON "reports"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_inserted"();

CREATE TRIGGER "reports_analytics_update" AFTER UPDATE ON "reports"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_updated"();

CREATE TRIGGER "reports_analytics_delete" AFTER DELETE ON "reports"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_deleted"();

CREATE TRIGGER "reports_analytics_truncate" AFTER TRUNCATE ON "reports"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

ALTER TABLE "reports" ENABLE ALWAYS TRIGGER "reports_analytics_insert";

ALTER TABLE "reports" ENABLE ALWAYS TRIGGER "reports_analytics_update";

ALTER TABLE "reports" ENABLE ALWAYS TRIGGER "reports_analytics_delete";

ALTER TABLE "reports" ENABLE ALWAYS TRIGGER "reports_analytics_truncate";

CREATE TRIGGER "cases_analytics_insert" AFTER INSERT ON "cases"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_inserted"();

CREATE TRIGGER "cases_analytics_update" AFTER UPDATE ON "cases"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_updated"();

CREATE TRIGGER "cases_analytics_delete" AFTER DELETE ON "cases"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_deleted"();

CREATE TRIGGER "cases_analytics_truncate" AFTER TRUNCATE ON "cases"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

ALTER TABLE "cases" ENABLE ALWAYS TRIGGER "cases_analytics_insert";

ALTER TABLE "cases" ENABLE ALWAYS TRIGGER "cases_analytics_update";

ALTER TABLE "cases" ENABLE ALWAYS TRIGGER "cases_analytics_delete";

ALTER TABLE "cases" ENABLE ALWAYS TRIGGER "cases_analytics_truncate";

CREATE TRIGGER "decisions_analytics_insert" AFTER INSERT ON "decisions"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_inserted"();

CREATE TRIGGER "decisions_analytics_update" AFTER UPDATE ON "decisions"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_updated"();

CREATE TRIGGER "decisions_analytics_delete" AFTER DELETE ON "decisions"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_deleted"();

CREATE TRIGGER "decisions_analytics_truncate" AFTER TRUNCATE ON "decisions"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

ALTER TABLE "decisions" ENABLE ALWAYS TRIGGER "decisions_analytics_insert";

ALTER TABLE "decisions" ENABLE ALWAYS TRIGGER "decisions_analytics_update";

ALTER TABLE "decisions" ENABLE ALWAYS TRIGGER "decisions_analytics_delete";

ALTER TABLE "decisions" ENABLE ALWAYS TRIGGER "decisions_analytics_truncate";

CREATE TRIGGER "appeals_analytics_insert" AFTER INSERT ON "appeals"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_inserted"();

CREATE TRIGGER "appeals_analytics_update" AFTER UPDATE ON "appeals"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_updated"();

CREATE TRIGGER "appeals_analytics_delete" AFTER DELETE ON "appeals"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_deleted"();

CREATE TRIGGER "appeals_analytics_truncate" AFTER TRUNCATE ON "appeals"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

ALTER TABLE "appeals" ENABLE ALWAYS TRIGGER "appeals_analytics_insert";

ALTER TABLE "appeals" ENABLE ALWAYS TRIGGER "appeals_analytics_update";

ALTER TABLE "appeals" ENABLE ALWAYS TRIGGER "appeals_analytics_delete";

ALTER TABLE "appeals" ENABLE ALWAYS TRIGGER "appeals_analytics_truncate";

CREATE TRIGGER "qa_reviews_analytics_insert" AFTER INSERT ON "qa_reviews"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_inserted"();

CREATE TRIGGER "qa_reviews_analytics_update" AFTER UPDATE ON "qa_reviews"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_updated"();

CREATE TRIGGER "qa_reviews_analytics_delete" AFTER DELETE ON "qa_reviews"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_deleted"();

CREATE TRIGGER "qa_reviews_analytics_truncate" AFTER TRUNCATE ON "qa_reviews"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

ALTER TABLE "qa_reviews" ENABLE ALWAYS TRIGGER "qa_reviews_analytics_insert";

ALTER TABLE "qa_reviews" ENABLE ALWAYS TRIGGER "qa_reviews_analytics_update";

ALTER TABLE "qa_reviews" ENABLE ALWAYS TRIGGER "qa_reviews_analytics_delete";

ALTER TABLE "qa_reviews" ENABLE ALWAYS TRIGGER "qa_reviews_analytics_truncate";

CREATE TRIGGER "escalations_analytics_insert" AFTER INSERT ON "escalations"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_inserted"();

CREATE TRIGGER "escalations_analytics_update" AFTER UPDATE ON "escalations"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_updated"();

CREATE TRIGGER "escalations_analytics_delete" AFTER DELETE ON "escalations"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_deleted"();

CREATE TRIGGER "escalations_analytics_truncate" AFTER TRUNCATE ON "escalations"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

ALTER TABLE "escalations" ENABLE ALWAYS TRIGGER "escalations_analytics_insert";

ALTER TABLE "escalations" ENABLE ALWAYS TRIGGER "escalations_analytics_update";

ALTER TABLE "escalations" ENABLE ALWAYS TRIGGER "escalations_analytics_delete";

ALTER TABLE "escalations" ENABLE ALWAYS TRIGGER "escalations_analytics_truncate";

CREATE TRIGGER "surfaces_analytics_change" AFTER INSERT OR UPDATE OR DELETE ON "surfaces"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

CREATE TRIGGER "surfaces_analytics_truncate" AFTER TRUNCATE ON "surfaces"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

ALTER TABLE "surfaces" ENABLE ALWAYS TRIGGER "surfaces_analytics_change";

ALTER TABLE "surfaces" ENABLE ALWAYS TRIGGER "surfaces_analytics_truncate";

CREATE TRIGGER "report_types_analytics_change" AFTER INSERT OR UPDATE OR DELETE ON "report_types"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

CREATE TRIGGER "report_types_analytics_truncate" AFTER TRUNCATE ON "report_types"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

ALTER TABLE "report_types" ENABLE ALWAYS TRIGGER "report_types_analytics_change";

ALTER TABLE "report_types" ENABLE ALWAYS TRIGGER "report_types_analytics_truncate";

CREATE TRIGGER "vendors_analytics_change" AFTER INSERT OR UPDATE OR DELETE ON "vendors"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

CREATE TRIGGER "vendors_analytics_truncate" AFTER TRUNCATE ON "vendors"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

ALTER TABLE "vendors" ENABLE ALWAYS TRIGGER "vendors_analytics_change";

ALTER TABLE "vendors" ENABLE ALWAYS TRIGGER "vendors_analytics_truncate";

CREATE TRIGGER "queues_analytics_change" AFTER INSERT OR UPDATE OR DELETE ON "queues"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

CREATE TRIGGER "queues_analytics_truncate" AFTER TRUNCATE ON "queues"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

ALTER TABLE "queues" ENABLE ALWAYS TRIGGER "queues_analytics_change";

ALTER TABLE "queues" ENABLE ALWAYS TRIGGER "queues_analytics_truncate";

CREATE TRIGGER "sla_policies_analytics_change" AFTER INSERT OR UPDATE OR DELETE ON "sla_policies"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

CREATE TRIGGER "sla_policies_analytics_truncate" AFTER TRUNCATE ON "sla_policies"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

ALTER TABLE "sla_policies" ENABLE ALWAYS TRIGGER "sla_policies_analytics_change";

ALTER TABLE "sla_policies" ENABLE ALWAYS TRIGGER "sla_policies_analytics_truncate";

CREATE TRIGGER "dsa_category_map_analytics_change" AFTER INSERT OR UPDATE OR DELETE ON "dsa_category_map"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

CREATE TRIGGER "dsa_category_map_analytics_truncate" AFTER TRUNCATE ON "dsa_category_map"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

ALTER TABLE "dsa_category_map" ENABLE ALWAYS TRIGGER "dsa_category_map_analytics_change";

ALTER TABLE "dsa_category_map" ENABLE ALWAYS TRIGGER "dsa_category_map_analytics_truncate";
