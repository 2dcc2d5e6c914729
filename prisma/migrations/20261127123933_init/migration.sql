-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('viewer', 'analyst', 'approver', 'admin');

-- CreateEnum
CREATE TYPE "CaseStatus" AS ENUM ('queued', 'in_review', 'decided', 'closed', 'escalated');

-- CreateEnum
CREATE TYPE "ActorType" AS ENUM ('vendor_reviewer', 'internal_analyst', 'automated');

-- CreateEnum
CREATE TYPE "QaOutcome" AS ENUM ('agree', 'disagree');

-- CreateEnum
CREATE TYPE "AppealOutcome" AS ENUM ('pending', 'upheld', 'overturned');

-- CreateEnum
CREATE TYPE "EscalationSource" AS ENUM ('vendor', 'sla_breach', 'manual');

-- CreateEnum
CREATE TYPE "EscalationStatus" AS ENUM ('pending', 'approved', 'rejected', 'reassigned', 'expired');

-- CreateEnum
CREATE TYPE "NoticeStatus" AS ENUM ('received', 'incomplete', 'actioned', 'rejected');

-- CreateEnum
CREATE TYPE "CounterNoticeStatus" AS ENUM ('pending', 'info_requested', 'restored', 'held', 'rejected');

-- CreateEnum
CREATE TYPE "AlertStatus" AS ENUM ('pending', 'sending', 'sent', 'failed');

-- CreateTable
CREATE TABLE "surfaces" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "surfaces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "report_types" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "report_types_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "vendors" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "slack_channel" TEXT,
    "digest_time" TEXT NOT NULL DEFAULT '09:00',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vendors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "business_calendars" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "always_open" BOOLEAN NOT NULL DEFAULT false,
    "hours" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "business_calendars_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "holidays" (
    "id" SERIAL NOT NULL,
    "calendar_id" INTEGER NOT NULL,
    "date" TEXT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "holidays_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "queues" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "vendor_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "queues_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sla_policies" (
    "id" SERIAL NOT NULL,
    "queue_id" INTEGER NOT NULL,
    "priority" TEXT NOT NULL DEFAULT 'normal',
    "version" INTEGER NOT NULL DEFAULT 1,
    "first_action_minutes" INTEGER NOT NULL,
    "resolution_minutes" INTEGER NOT NULL,
    "at_risk_percent" INTEGER NOT NULL DEFAULT 75,
    "calendar_id" INTEGER NOT NULL,
    "effective_from" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sla_policies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "routing_rules" (
    "id" SERIAL NOT NULL,
    "position" INTEGER NOT NULL,
    "report_type" TEXT,
    "surface" TEXT,
    "language" TEXT,
    "jurisdiction" TEXT,
    "queue_id" INTEGER NOT NULL,
    "priority" TEXT NOT NULL DEFAULT 'normal',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "routing_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reports" (
    "id" SERIAL NOT NULL,
    "external_id" TEXT NOT NULL,
    "body_hash" TEXT NOT NULL,
    "surface_id" INTEGER NOT NULL,
    "report_type_id" INTEGER NOT NULL,
    "category" TEXT,
    "content_ref" TEXT NOT NULL,
    "reporter_contact" TEXT,
    "jurisdiction" TEXT,
    "language" TEXT,
    "description" TEXT,
    "details" JSONB,
    "own_initiative" BOOLEAN NOT NULL DEFAULT false,
    "trusted_flagger" BOOLEAN NOT NULL DEFAULT false,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "case_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cases" (
    "id" SERIAL NOT NULL,
    "queue_id" INTEGER NOT NULL,
    "sla_policy_id" INTEGER NOT NULL,
    "priority" TEXT NOT NULL DEFAULT 'normal',
    "status" "CaseStatus" NOT NULL DEFAULT 'queued',
    "content_ref" TEXT NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL,
    "first_action_due_at" TIMESTAMPTZ(3) NOT NULL,
    "resolution_due_at" TIMESTAMPTZ(3) NOT NULL,
    "first_action_at" TIMESTAMPTZ(3),
    "resolved_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),
    "first_action_state" TEXT NOT NULL DEFAULT 'ok',
    "resolution_state" TEXT NOT NULL DEFAULT 'ok',
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "decisions" (
    "id" SERIAL NOT NULL,
    "external_id" TEXT,
    "body_hash" TEXT,
    "case_id" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "policy" TEXT NOT NULL,
    "actor_type" "ActorType" NOT NULL,
    "actor_id" TEXT,
    "automated" BOOLEAN NOT NULL DEFAULT false,
    "decided_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "decisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "qa_reviews" (
    "id" SERIAL NOT NULL,
    "external_id" TEXT,
    "body_hash" TEXT,
    "decision_id" INTEGER NOT NULL,
    "outcome" "QaOutcome" NOT NULL,
    "correct_action" TEXT,
    "correct_policy" TEXT,
    "error_severity" TEXT,
    "error_category" TEXT,
    "reviewer_id" TEXT,
    "reviewed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "qa_reviews_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "appeals" (
    "id" SERIAL NOT NULL,
    "external_id" TEXT,
    "body_hash" TEXT,
    "decision_id" INTEGER NOT NULL,
    "outcome" "AppealOutcome" NOT NULL DEFAULT 'pending',
    "filed_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "appeals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "escalations" (
    "id" SERIAL NOT NULL,
    "case_id" INTEGER NOT NULL,
    "source" "EscalationSource" NOT NULL,
    "severity" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "requested_by" TEXT NOT NULL,
    "required_approvals" INTEGER NOT NULL DEFAULT 1,
    "status" "EscalationStatus" NOT NULL DEFAULT 'pending',
    "deadline_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_at" TIMESTAMPTZ(3),
    "decided_by" TEXT,
    "outcome_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "escalations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "escalation_votes" (
    "id" SERIAL NOT NULL,
    "escalation_id" INTEGER NOT NULL,
    "user_id" TEXT NOT NULL,
    "vote" TEXT NOT NULL,
    "reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "escalation_votes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "copyright_notices" (
    "id" SERIAL NOT NULL,
    "external_id" TEXT NOT NULL,
    "body_hash" TEXT,
    "claimant" TEXT NOT NULL,
    "claimant_contact" TEXT,
    "work" TEXT NOT NULL,
    "material_refs" TEXT[],
    "elements_present" TEXT[],
    "missing_elements" TEXT[],
    "detection_source" TEXT,
    "account_id" TEXT,
    "status" "NoticeStatus" NOT NULL DEFAULT 'received',
    "action_taken" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "actioned_at" TIMESTAMPTZ(3),

    CONSTRAINT "copyright_notices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "counter_notices" (
    "id" SERIAL NOT NULL,
    "external_id" TEXT NOT NULL,
    "body_hash" TEXT,
    "notice_id" INTEGER NOT NULL,
    "account_id" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "earliest_restore_at" TIMESTAMPTZ(3) NOT NULL,
    "latest_restore_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "CounterNoticeStatus" NOT NULL DEFAULT 'pending',
    "outcome" TEXT,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "counter_notices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "copyright_strikes" (
    "id" SERIAL NOT NULL,
    "account_id" TEXT NOT NULL,
    "notice_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "copyright_strikes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alerts" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "message" JSONB NOT NULL,
    "entity_type" TEXT,
    "entity_id" TEXT,
    "status" "AlertStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "slack_channel" TEXT,
    "slack_ts" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT,
    "before" JSONB,
    "after" JSONB,
    "origin" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "role_assignments" (
    "id" SERIAL NOT NULL,
    "slack_id" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "granted_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "role_assignments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_runs" (
    "id" SERIAL NOT NULL,
    "job_name" TEXT NOT NULL,
    "run_key" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL DEFAULT 'running',
    "error" TEXT,

    CONSTRAINT "job_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "surfaces_key_key" ON "surfaces"("key");

-- CreateIndex
CREATE UNIQUE INDEX "report_types_key_key" ON "report_types"("key");

-- CreateIndex
CREATE UNIQUE INDEX "vendors_key_key" ON "vendors"("key");

-- CreateIndex
CREATE UNIQUE INDEX "business_calendars_key_key" ON "business_calendars"("key");

-- CreateIndex
CREATE UNIQUE INDEX "holidays_calendar_id_date_key" ON "holidays"("calendar_id", "date");

-- CreateIndex
CREATE UNIQUE INDEX "queues_key_key" ON "queues"("key");

-- CreateIndex
CREATE UNIQUE INDEX "sla_policies_queue_id_priority_version_key" ON "sla_policies"("queue_id", "priority", "version");

-- CreateIndex
CREATE INDEX "routing_rules_position_idx" ON "routing_rules"("position");

-- CreateIndex
CREATE UNIQUE INDEX "reports_external_id_key" ON "reports"("external_id");

-- CreateIndex
CREATE INDEX "reports_received_at_idx" ON "reports"("received_at");

-- CreateIndex
CREATE INDEX "reports_surface_id_received_at_idx" ON "reports"("surface_id", "received_at");

-- CreateIndex
CREATE INDEX "reports_report_type_id_received_at_idx" ON "reports"("report_type_id", "received_at");

-- CreateIndex
CREATE INDEX "reports_case_id_idx" ON "reports"("case_id");

-- CreateIndex
CREATE INDEX "cases_opened_at_idx" ON "cases"("opened_at");

-- CreateIndex
CREATE INDEX "cases_status_resolution_due_at_idx" ON "cases"("status", "resolution_due_at");

-- CreateIndex
CREATE INDEX "cases_status_first_action_due_at_idx" ON "cases"("status", "first_action_due_at");

-- CreateIndex
CREATE INDEX "cases_content_ref_status_idx" ON "cases"("content_ref", "status");

-- CreateIndex
CREATE UNIQUE INDEX "decisions_external_id_key" ON "decisions"("external_id");

-- CreateIndex
CREATE INDEX "decisions_decided_at_idx" ON "decisions"("decided_at");

-- CreateIndex
CREATE INDEX "decisions_policy_decided_at_idx" ON "decisions"("policy", "decided_at");

-- CreateIndex
CREATE INDEX "decisions_case_id_idx" ON "decisions"("case_id");

-- CreateIndex
CREATE UNIQUE INDEX "qa_reviews_external_id_key" ON "qa_reviews"("external_id");

-- CreateIndex
CREATE INDEX "qa_reviews_reviewed_at_idx" ON "qa_reviews"("reviewed_at");

-- CreateIndex
CREATE INDEX "qa_reviews_decision_id_idx" ON "qa_reviews"("decision_id");

-- CreateIndex
CREATE UNIQUE INDEX "appeals_external_id_key" ON "appeals"("external_id");

-- CreateIndex
CREATE INDEX "appeals_filed_at_idx" ON "appeals"("filed_at");

-- CreateIndex
CREATE INDEX "appeals_decision_id_idx" ON "appeals"("decision_id");

-- CreateIndex
CREATE INDEX "escalations_status_deadline_at_idx" ON "escalations"("status", "deadline_at");

-- CreateIndex
CREATE INDEX "escalations_created_at_idx" ON "escalations"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "escalation_votes_escalation_id_user_id_key" ON "escalation_votes"("escalation_id", "user_id");

-- CreateIndex
CREATE UNIQUE INDEX "copyright_notices_external_id_key" ON "copyright_notices"("external_id");

-- CreateIndex
CREATE INDEX "copyright_notices_received_at_idx" ON "copyright_notices"("received_at");

-- CreateIndex
CREATE INDEX "copyright_notices_claimant_idx" ON "copyright_notices"("claimant");

-- CreateIndex
CREATE UNIQUE INDEX "counter_notices_external_id_key" ON "counter_notices"("external_id");

-- CreateIndex
CREATE INDEX "counter_notices_status_earliest_restore_at_idx" ON "counter_notices"("status", "earliest_restore_at");

-- CreateIndex
CREATE UNIQUE INDEX "copyright_strikes_notice_id_key" ON "copyright_strikes"("notice_id");

-- CreateIndex
CREATE INDEX "copyright_strikes_account_id_idx" ON "copyright_strikes"("account_id");

-- CreateIndex
CREATE UNIQUE INDEX "alerts_dedupe_key_key" ON "alerts"("dedupe_key");

-- CreateIndex
CREATE INDEX "alerts_status_next_attempt_at_idx" ON "alerts"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "alerts_entity_type_entity_id_idx" ON "alerts"("entity_type", "entity_id");

-- CreateIndex
CREATE INDEX "audit_events_entity_type_entity_id_idx" ON "audit_events"("entity_type", "entity_id");

-- CreateIndex
CREATE INDEX "audit_events_created_at_idx" ON "audit_events"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "role_assignments_slack_id_key" ON "role_assignments"("slack_id");

-- CreateIndex
CREATE UNIQUE INDEX "job_runs_job_name_run_key_key" ON "job_runs"("job_name", "run_key");

-- AddForeignKey
ALTER TABLE "holidays" ADD CONSTRAINT "holidays_calendar_id_fkey" FOREIGN KEY ("calendar_id") REFERENCES "business_calendars"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "queues" ADD CONSTRAINT "queues_vendor_id_fkey" FOREIGN KEY ("vendor_id") REFERENCES "vendors"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sla_policies" ADD CONSTRAINT "sla_policies_queue_id_fkey" FOREIGN KEY ("queue_id") REFERENCES "queues"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sla_policies" ADD CONSTRAINT "sla_policies_calendar_id_fkey" FOREIGN KEY ("calendar_id") REFERENCES "business_calendars"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "routing_rules" ADD CONSTRAINT "routing_rules_queue_id_fkey" FOREIGN KEY ("queue_id") REFERENCES "queues"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reports" ADD CONSTRAINT "reports_surface_id_fkey" FOREIGN KEY ("surface_id") REFERENCES "surfaces"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reports" ADD CONSTRAINT "reports_report_type_id_fkey" FOREIGN KEY ("report_type_id") REFERENCES "report_types"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reports" ADD CONSTRAINT "reports_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cases" ADD CONSTRAINT "cases_queue_id_fkey" FOREIGN KEY ("queue_id") REFERENCES "queues"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cases" ADD CONSTRAINT "cases_sla_policy_id_fkey" FOREIGN KEY ("sla_policy_id") REFERENCES "sla_policies"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "qa_reviews" ADD CONSTRAINT "qa_reviews_decision_id_fkey" FOREIGN KEY ("decision_id") REFERENCES "decisions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appeals" ADD CONSTRAINT "appeals_decision_id_fkey" FOREIGN KEY ("decision_id") REFERENCES "decisions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "escalation_votes" ADD CONSTRAINT "escalation_votes_escalation_id_fkey" FOREIGN KEY ("escalation_id") REFERENCES "escalations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "counter_notices" ADD CONSTRAINT "counter_notices_notice_id_fkey" FOREIGN KEY ("notice_id") REFERENCES "copyright_notices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "copyright_strikes" ADD CONSTRAINT "copyright_strikes_notice_id_fkey" FOREIGN KEY ("notice_id") REFERENCES "copyright_notices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
