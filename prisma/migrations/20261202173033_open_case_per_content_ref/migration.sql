-- CreateIndex
CREATE UNIQUE INDEX "cases_open_content_ref_key" ON "cases"("content_ref") WHERE (status IN ('queued', 'in_review', 'escalated'));
