-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "AppealOutcome" ADD VALUE 'partially_overturned';
ALTER TYPE "AppealOutcome" ADD VALUE 'closed';

-- AlterTable
ALTER TABLE "reports" ADD COLUMN     "items" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "decisions" ADD COLUMN     "suspension_reason" TEXT;

-- AlterTable
ALTER TABLE "appeals" ADD COLUMN     "complaint_type" TEXT;

-- AlterTable
ALTER TABLE "dsa_category_map" ADD COLUMN     "keyword" TEXT;

-- CreateTable
CREATE TABLE "dsa_report_settings" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "dsa_report_settings_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "dsa_submissions" (
    "id" SERIAL NOT NULL,
    "decision_id" INTEGER NOT NULL,
    "puid" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decided_at" TIMESTAMPTZ(3) NOT NULL,
    "reasons" JSONB,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "accepted_at" TIMESTAMPTZ(3),

    CONSTRAINT "dsa_submissions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "dsa_submissions_decision_id_key" ON "dsa_submissions"("decision_id");

-- CreateIndex
CREATE UNIQUE INDEX "dsa_submissions_puid_key" ON "dsa_submissions"("puid");

-- CreateIndex
CREATE INDEX "dsa_submissions_status_next_attempt_at_idx" ON "dsa_submissions"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "dsa_submissions_status_decided_at_idx" ON "dsa_submissions"("status", "decided_at");

-- The template keyword (sub-category) of the seeded policies where one fits exactly, the others are
-- reported under the KEYWORD_OTHER row of their category until an admin names one (dsa keyword command).
UPDATE "dsa_category_map" SET "keyword" = 'KEYWORD_HATE_SPEECH' WHERE "policy" = 'hate_speech' AND "category" = 'STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH';
UPDATE "dsa_category_map" SET "keyword" = 'KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL' WHERE "policy" = 'csam' AND "category" = 'STATEMENT_CATEGORY_PROTECTION_OF_MINORS';
UPDATE "dsa_category_map" SET "keyword" = 'KEYWORD_CYBER_HARASSMENT' WHERE "policy" = 'harassment' AND "category" = 'STATEMENT_CATEGORY_CYBER_VIOLENCE';
UPDATE "dsa_category_map" SET "keyword" = 'KEYWORD_COPYRIGHT_INFRINGEMENT' WHERE "policy" = 'ip_infringement' AND "category" = 'STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS';
