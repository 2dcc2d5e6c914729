-- The copyright queue (issue 10): complete copyright notices open a case per item here unless a routing rule for
-- report type `copyright` sends them elsewhere. Its own SLA: first action within 24 hours (takedowns are expected
-- "expeditiously"), resolution within 48, around the clock. Idempotent, so it never fights later edits.

INSERT INTO "queues" ("key", "name", "vendor_id")
SELECT 'copyright', 'Copyright notices', v."id" FROM "vendors" v WHERE v."key" = 'default'
ON CONFLICT ("key") DO NOTHING;

INSERT INTO "sla_policies" ("queue_id", "priority", "version", "first_action_minutes", "resolution_minutes", "at_risk_percent", "calendar_id", "effective_from")
SELECT q."id", 'normal', 1, 24 * 60, 48 * 60, 75, c."id", TIMESTAMPTZ '2000-01-01 00:00:00+00'
FROM "queues" q, "business_calendars" c
WHERE q."key" = 'copyright' AND c."key" = 'always_open'
ON CONFLICT ("queue_id", "priority", "version") DO NOTHING;
