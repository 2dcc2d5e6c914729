-- CreateEnum
CREATE TYPE "DigestQuiet" AS ENUM ('one_line', 'none');

-- AlterTable
ALTER TABLE "vendors" ADD COLUMN     "digest_quiet" "DigestQuiet" NOT NULL DEFAULT 'one_line',
ADD COLUMN     "first_action_target" DOUBLE PRECISION NOT NULL DEFAULT 0.95,
ADD COLUMN     "qa_accuracy_target" DOUBLE PRECISION NOT NULL DEFAULT 0.95,
ADD COLUMN     "resolution_target" DOUBLE PRECISION NOT NULL DEFAULT 0.9;

-- AlterTable
ALTER TABLE "queues" ADD COLUMN     "minutes_per_case" INTEGER;

-- CreateTable
CREATE TABLE "digest_ledger" (
    "id" SERIAL NOT NULL,
    "subject" TEXT NOT NULL,
    "vendor_id" INTEGER,
    "local_date" DATE NOT NULL,
    "kind" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "alert_id" INTEGER,
    "claimed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "file_kind" TEXT,
    "file_status" TEXT,
    "file_id" TEXT,
    "file_attempts" INTEGER NOT NULL DEFAULT 0,
    "file_lease_until" TIMESTAMPTZ(3),
    "file_error" TEXT,

    CONSTRAINT "digest_ledger_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "digest_ledger_file_status_idx" ON "digest_ledger"("file_status");

-- CreateIndex
CREATE UNIQUE INDEX "digest_ledger_subject_local_date_kind_key" ON "digest_ledger"("subject", "local_date", "kind");
