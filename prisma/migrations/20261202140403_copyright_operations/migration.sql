-- CreateEnum
CREATE TYPE "SenderKind" AS ENUM ('rights_holder', 'agent', 'automated_agent');

-- CreateEnum
CREATE TYPE "CounterNoticeOutcome" AS ENUM ('restored_in_window', 'restored_late', 'restored_false_positive', 'held', 'rejected');

-- CreateEnum
CREATE TYPE "StrikeRemoval" AS ENUM ('retracted', 'restored');

-- AlterEnum (hand-written: a notice that was "actioned" was taken down, and renaming keeps existing rows)
ALTER TYPE "NoticeStatus" RENAME VALUE 'actioned' TO 'taken_down';
ALTER TYPE "NoticeStatus" ADD VALUE 'retracted';

-- DropIndex
DROP INDEX "copyright_notices_claimant_idx";

-- DropIndex
DROP INDEX "copyright_strikes_notice_id_key";

-- DropIndex
DROP INDEX "copyright_strikes_account_id_idx";

-- AlterTable
ALTER TABLE "decisions" ADD COLUMN     "reversal_reason" TEXT,
ADD COLUMN     "reversed_at" TIMESTAMPTZ(3),
ADD COLUMN     "reversed_by" TEXT;

-- AlterTable
ALTER TABLE "copyright_notices" ADD COLUMN     "accurate_and_authorized" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "card_channel" TEXT,
ADD COLUMN     "card_ts" TEXT,
ADD COLUMN     "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "decided_by" TEXT,
ADD COLUMN     "good_faith" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "item_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "reject_note" TEXT,
ADD COLUMN     "reject_reason" TEXT,
ADD COLUMN     "retracted_at" TIMESTAMPTZ(3),
ADD COLUMN     "retracted_by" TEXT,
ADD COLUMN     "retraction_reason" TEXT,
ADD COLUMN     "sender_address" TEXT,
ADD COLUMN     "sender_email" TEXT,
ADD COLUMN     "sender_kind" "SenderKind" NOT NULL DEFAULT 'rights_holder',
ADD COLUMN     "sender_name" TEXT,
ADD COLUMN     "sender_organization" TEXT,
ADD COLUMN     "sender_phone" TEXT,
ADD COLUMN     "signature" TEXT,
ADD COLUMN     "users_notified_at" TIMESTAMPTZ(3),
ALTER COLUMN "work" DROP NOT NULL,
ALTER COLUMN "material_refs" SET DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "counter_notices" ADD COLUMN     "accepts_service" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "card_channel" TEXT,
ADD COLUMN     "card_ts" TEXT,
ADD COLUMN     "claimant_notified_at" TIMESTAMPTZ(3),
ADD COLUMN     "claimant_notified_by" TEXT,
ADD COLUMN     "consent_to_jurisdiction" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "decided_by" TEXT,
ADD COLUMN     "earliest_restore_on" DATE,
ADD COLUMN     "items" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "latest_restore_on" DATE,
ADD COLUMN     "missing_elements" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "mistake_statement" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "received_on" DATE,
ADD COLUMN     "rejection_reason" TEXT,
ADD COLUMN     "restore_reason" TEXT,
ADD COLUMN     "restore_time_zone" TEXT,
ADD COLUMN     "signature" TEXT,
ADD COLUMN     "subscriber_address" TEXT,
ADD COLUMN     "subscriber_email" TEXT,
ADD COLUMN     "subscriber_name" TEXT,
ADD COLUMN     "subscriber_phone" TEXT,
ADD COLUMN     "suit_case_number" TEXT,
ADD COLUMN     "suit_court" TEXT,
ADD COLUMN     "suit_filed_on" DATE,
ALTER COLUMN "earliest_restore_at" DROP NOT NULL,
ALTER COLUMN "latest_restore_at" DROP NOT NULL,
ALTER COLUMN "outcome" TYPE "CounterNoticeOutcome" USING (CASE "outcome"
  WHEN 'reinstated' THEN 'restored_in_window'
  WHEN 'reinstated_false_positive' THEN 'restored_false_positive'
  WHEN 'court_action' THEN 'held'
  WHEN 'rejected' THEN 'rejected'
END)::"CounterNoticeOutcome";

-- AlterTable
ALTER TABLE "copyright_strikes" ADD COLUMN     "removed_at" TIMESTAMPTZ(3),
ADD COLUMN     "removed_by" TEXT,
ADD COLUMN     "removed_reason" "StrikeRemoval";

-- CreateTable
CREATE TABLE "copyright_notice_items" (
    "id" SERIAL NOT NULL,
    "notice_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "content_ref" TEXT NOT NULL,
    "surface" TEXT NOT NULL,
    "account_id" TEXT,
    "case_id" INTEGER,
    "decision_id" INTEGER,
    "taken_down_at" TIMESTAMPTZ(3),
    "restored_at" TIMESTAMPTZ(3),
    "restored_by" TEXT,

    CONSTRAINT "copyright_notice_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "copyright_info_requests" (
    "id" SERIAL NOT NULL,
    "notice_id" INTEGER,
    "counter_notice_id" INTEGER,
    "requested_by" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL,
    "question" TEXT,

    CONSTRAINT "copyright_info_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "copyright_holidays" (
    "id" SERIAL NOT NULL,
    "date" DATE NOT NULL,
    "name" TEXT NOT NULL,
    "added_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "copyright_holidays_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "copyright_policy" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "strikes" INTEGER NOT NULL DEFAULT 3,
    "window_days" INTEGER NOT NULL DEFAULT 365,
    "updated_by" TEXT NOT NULL DEFAULT 'migration',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "copyright_policy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "copyright_terminations" (
    "id" SERIAL NOT NULL,
    "account_id" TEXT NOT NULL,
    "escalation_id" INTEGER NOT NULL,
    "case_id" INTEGER NOT NULL,
    "strike_count" INTEGER NOT NULL,
    "decision_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "copyright_terminations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "copyright_notice_items_content_ref_idx" ON "copyright_notice_items"("content_ref");

-- CreateIndex
CREATE INDEX "copyright_notice_items_account_id_idx" ON "copyright_notice_items"("account_id");

-- CreateIndex
CREATE INDEX "copyright_notice_items_case_id_idx" ON "copyright_notice_items"("case_id");

-- CreateIndex
CREATE UNIQUE INDEX "copyright_notice_items_notice_id_content_ref_key" ON "copyright_notice_items"("notice_id", "content_ref");

-- CreateIndex
CREATE INDEX "copyright_info_requests_notice_id_idx" ON "copyright_info_requests"("notice_id");

-- CreateIndex
CREATE INDEX "copyright_info_requests_counter_notice_id_idx" ON "copyright_info_requests"("counter_notice_id");

-- CreateIndex
CREATE UNIQUE INDEX "copyright_holidays_date_key" ON "copyright_holidays"("date");

-- CreateIndex
CREATE UNIQUE INDEX "copyright_terminations_escalation_id_key" ON "copyright_terminations"("escalation_id");

-- CreateIndex
CREATE INDEX "copyright_terminations_account_id_idx" ON "copyright_terminations"("account_id");

-- CreateIndex
CREATE INDEX "copyright_notices_claimant_received_at_idx" ON "copyright_notices"("claimant", "received_at");

-- CreateIndex
CREATE INDEX "copyright_notices_status_received_at_idx" ON "copyright_notices"("status", "received_at");

-- CreateIndex
CREATE INDEX "counter_notices_status_latest_restore_at_idx" ON "counter_notices"("status", "latest_restore_at");

-- CreateIndex
CREATE INDEX "counter_notices_notice_id_idx" ON "counter_notices"("notice_id");

-- CreateIndex
CREATE INDEX "counter_notices_received_at_idx" ON "counter_notices"("received_at");

-- CreateIndex
CREATE INDEX "copyright_strikes_account_id_created_at_idx" ON "copyright_strikes"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "copyright_strikes_notice_id_idx" ON "copyright_strikes"("notice_id");

-- CreateIndex
CREATE UNIQUE INDEX "copyright_strikes_account_id_notice_id_key" ON "copyright_strikes"("account_id", "notice_id");

-- AddForeignKey
ALTER TABLE "copyright_notice_items" ADD CONSTRAINT "copyright_notice_items_notice_id_fkey" FOREIGN KEY ("notice_id") REFERENCES "copyright_notices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "copyright_info_requests" ADD CONSTRAINT "copyright_info_requests_notice_id_fkey" FOREIGN KEY ("notice_id") REFERENCES "copyright_notices"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "copyright_info_requests" ADD CONSTRAINT "copyright_info_requests_counter_notice_id_fkey" FOREIGN KEY ("counter_notice_id") REFERENCES "counter_notices"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Hand-written from here.

-- The repeat-infringer policy's one row: 3 strikes in 365 days until an admin changes it.
INSERT INTO "copyright_policy" ("id", "strikes", "window_days") VALUES (1, 3, 365);

-- Notices recorded before this migration: the sender is the claimant, the items are the flat reference list.
UPDATE "copyright_notices" SET "sender_name" = "claimant", "item_count" = cardinality("material_refs"),
  "sender_email" = CASE WHEN "claimant_contact" LIKE '%@%' THEN "claimant_contact" END,
  "sender_kind" = CASE WHEN "detection_source" LIKE 'automated%' THEN 'automated_agent'::"SenderKind" ELSE 'rights_holder'::"SenderKind" END;

-- Counter-notices recorded before: their restore window as local dates on the default copyright calendar.
UPDATE "counter_notices" SET "restore_time_zone" = 'America/New_York',
  "received_on" = ("received_at" AT TIME ZONE 'America/New_York')::date,
  "earliest_restore_on" = ("earliest_restore_at" AT TIME ZONE 'America/New_York')::date,
  "latest_restore_on" = ("latest_restore_at" AT TIME ZONE 'America/New_York')::date;

-- Figures: time to action and retractions by date.
CREATE INDEX "copyright_notices_actioned_at_idx" ON "copyright_notices"("actioned_at");

CREATE INDEX "copyright_notices_retracted_at_idx" ON "copyright_notices"("retracted_at");
