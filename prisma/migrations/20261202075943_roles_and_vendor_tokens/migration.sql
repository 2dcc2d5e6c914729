-- CreateTable
CREATE TABLE "group_roles" (
    "group_id" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "granted_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "group_roles_pkey" PRIMARY KEY ("group_id")
);

-- CreateTable
CREATE TABLE "intake_tokens" (
    "id" SERIAL NOT NULL,
    "vendor_id" INTEGER NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_by" TEXT,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "intake_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "intake_tokens_token_hash_key" ON "intake_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "intake_tokens_vendor_id_idx" ON "intake_tokens"("vendor_id");

-- AddForeignKey
ALTER TABLE "intake_tokens" ADD CONSTRAINT "intake_tokens_vendor_id_fkey" FOREIGN KEY ("vendor_id") REFERENCES "vendors"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
