-- CreateTable
CREATE TABLE "inbound_deliveries" (
    "key" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "inbound_deliveries_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "inbound_deliveries_received_at_idx" ON "inbound_deliveries"("received_at");
