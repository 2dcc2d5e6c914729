-- AlterEnum
ALTER TYPE "CounterNoticeOutcome" ADD VALUE 'notice_retracted';
