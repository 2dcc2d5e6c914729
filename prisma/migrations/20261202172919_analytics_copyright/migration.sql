-- Change capture for the copyright facts of the analytics read model (src/analytics/): notices, their items,
-- counter-notices and strikes, logged like the other fact tables (see 20261202103818_analytics_changes) with the
-- capture functions defined there. Enabled ALWAYS, so bulk paths that switch ordinary triggers off still reach the copies.

CREATE TRIGGER "copyright_notices_analytics_insert" AFTER INSERT ON "copyright_notices"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_inserted"();

CREATE TRIGGER "copyright_notices_analytics_update" AFTER UPDATE ON "copyright_notices"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_updated"();

CREATE TRIGGER "copyright_notices_analytics_delete" AFTER DELETE ON "copyright_notices"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_deleted"();

CREATE TRIGGER "copyright_notices_analytics_truncate" AFTER TRUNCATE ON "copyright_notices"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

ALTER TABLE "copyright_notices" ENABLE ALWAYS TRIGGER "copyright_notices_analytics_insert";

ALTER TABLE "copyright_notices" ENABLE ALWAYS TRIGGER "copyright_notices_analytics_update";

ALTER TABLE "copyright_notices" ENABLE ALWAYS TRIGGER "copyright_notices_analytics_delete";

ALTER TABLE "copyright_notices" ENABLE ALWAYS TRIGGER "copyright_notices_analytics_truncate";

CREATE TRIGGER "copyright_notice_items_analytics_insert" AFTER INSERT ON "copyright_notice_items"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_inserted"();

CREATE TRIGGER "copyright_notice_items_analytics_update" AFTER UPDATE ON "copyright_notice_items"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_updated"();

CREATE TRIGGER "copyright_notice_items_analytics_delete" AFTER DELETE ON "copyright_notice_items"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_deleted"();

CREATE TRIGGER "copyright_notice_items_analytics_truncate" AFTER TRUNCATE ON "copyright_notice_items"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

ALTER TABLE "copyright_notice_items" ENABLE ALWAYS TRIGGER "copyright_notice_items_analytics_insert";

ALTER TABLE "copyright_notice_items" ENABLE ALWAYS TRIGGER "copyright_notice_items_analytics_update";

ALTER TABLE "copyright_notice_items" ENABLE ALWAYS TRIGGER "copyright_notice_items_analytics_delete";

ALTER TABLE "copyright_notice_items" ENABLE ALWAYS TRIGGER "copyright_notice_items_analytics_truncate";

CREATE TRIGGER "counter_notices_analytics_insert" AFTER INSERT ON "counter_notices"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_inserted"();

CREATE TRIGGER "counter_notices_analytics_update" AFTER UPDATE ON "counter_notices"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_updated"();

CREATE TRIGGER "counter_notices_analytics_delete" AFTER DELETE ON "counter_notices"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_deleted"();

CREATE TRIGGER "counter_notices_analytics_truncate" AFTER TRUNCATE ON "counter_notices"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

ALTER TABLE "counter_notices" ENABLE ALWAYS TRIGGER "counter_notices_analytics_insert";

ALTER TABLE "counter_notices" ENABLE ALWAYS TRIGGER "counter_notices_analytics_update";

ALTER TABLE "counter_notices" ENABLE ALWAYS TRIGGER "counter_notices_analytics_delete";

ALTER TABLE "counter_notices" ENABLE ALWAYS TRIGGER "counter_notices_analytics_truncate";

CREATE TRIGGER "copyright_strikes_analytics_insert" AFTER INSERT ON "copyright_strikes"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_inserted"();

CREATE TRIGGER "copyright_strikes_analytics_update" AFTER UPDATE ON "copyright_strikes"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_updated"();

CREATE TRIGGER "copyright_strikes_analytics_delete" AFTER DELETE ON "copyright_strikes"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_deleted"();

CREATE TRIGGER "copyright_strikes_analytics_truncate" AFTER TRUNCATE ON "copyright_strikes"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_capture_table"();

ALTER TABLE "copyright_strikes" ENABLE ALWAYS TRIGGER "copyright_strikes_analytics_insert";

ALTER TABLE "copyright_strikes" ENABLE ALWAYS TRIGGER "copyright_strikes_analytics_update";

ALTER TABLE "copyright_strikes" ENABLE ALWAYS TRIGGER "copyright_strikes_analytics_delete";

ALTER TABLE "copyright_strikes" ENABLE ALWAYS TRIGGER "copyright_strikes_analytics_truncate";
