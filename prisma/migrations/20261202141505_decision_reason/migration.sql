-- AlterTable
ALTER TABLE "decisions" ADD COLUMN     "reason" TEXT;
