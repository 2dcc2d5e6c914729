-- Defaults a new database needs before anyone configures anything: the product surfaces,
-- the report types, and one `default` vendor queue under a 24/7 SLA policy
-- (first action 24 h, resolution 72 h). Idempotent, so it never fights later edits.

INSERT INTO "surfaces" ("key", "name") VALUES
  ('claude_ai', 'Claude.ai'),
  ('api', 'API'),
  ('claude_code', 'Claude Code'),
  ('mobile', 'Mobile apps'),
  ('mcp_directory', 'MCP directory')
ON CONFLICT ("key") DO NOTHING;

INSERT INTO "report_types" ("key", "name", "urgent") VALUES
  ('harmful_content', 'Harmful content', false),
  ('illegal_content', 'Illegal content', true),
  ('copyright', 'Copyright', false),
  ('privacy', 'Privacy', false),
  ('impersonation', 'Impersonation', false),
  ('mcp_server', 'Third-party MCP server', true),
  ('other', 'Other', false)
ON CONFLICT ("key") DO NOTHING;

INSERT INTO "business_calendars" ("key", "timezone", "always_open", "hours")
VALUES ('always_open', 'UTC', true, '{}')
ON CONFLICT ("key") DO NOTHING;

INSERT INTO "vendors" ("key", "name", "timezone")
VALUES ('default', 'Default vendor', 'UTC')
ON CONFLICT ("key") DO NOTHING;

INSERT INTO "queues" ("key", "name", "vendor_id")
SELECT 'default', 'Default queue', v."id" FROM "vendors" v WHERE v."key" = 'default'
ON CONFLICT ("key") DO NOTHING;

-- In force since long before any report, so back-dated reports find it too.
INSERT INTO "sla_policies" ("queue_id", "priority", "version", "first_action_minutes", "resolution_minutes", "at_risk_percent", "calendar_id", "effective_from")
SELECT q."id", 'normal', 1, 24 * 60, 72 * 60, 75, c."id", TIMESTAMPTZ '2000-01-01 00:00:00+00'
FROM "queues" q, "business_calendars" c
WHERE q."key" = 'default' AND c."key" = 'always_open'
ON CONFLICT ("queue_id", "priority", "version") DO NOTHING;
