-- AlterTable
ALTER TABLE "cases" ADD COLUMN     "assignee" TEXT;

-- AlterTable
ALTER TABLE "escalations" ADD COLUMN     "body_hash" TEXT,
ADD COLUMN     "case_status_before" "CaseStatus" NOT NULL DEFAULT 'queued',
ADD COLUMN     "external_id" TEXT,
ADD COLUMN     "reassigned_to" TEXT;

-- AlterTable
ALTER TABLE "alerts" ADD COLUMN     "thread_of" INTEGER;

-- CreateIndex
CREATE UNIQUE INDEX "escalations_external_id_key" ON "escalations"("external_id");

-- CreateIndex
CREATE INDEX "escalations_requested_by_status_idx" ON "escalations"("requested_by", "status");

-- CreateIndex
CREATE INDEX "escalations_case_id_idx" ON "escalations"("case_id");
