import { type SeedSummary, seedDemoData } from '../db/seed';
import type { PrismaClient } from '../generated/prisma/client';

/**
 * The sandbox's "Reset demo": every table the migrations made is emptied and the demo data written
 * again, anchored on today. Only ever called in sandbox mode, whose database start-up checked holds demo
 * data only (seedDemoData refuses any other).
 */
export async function startDemoOver(prisma: PrismaClient, opts: { databaseUrl: string; scale?: number }): Promise<SeedSummary> {
  const tables = await prisma.$queryRaw<{ name: string }[]>`
    SELECT quote_ident(tablename) AS name FROM pg_tables
    WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations'`;
  if (tables.length > 0) {
    await prisma.$executeRawUnsafe(`TRUNCATE ${tables.map((t) => t.name).join(', ')} RESTART IDENTITY CASCADE`);
  }
  return seedDemoData(prisma, { databaseUrl: opts.databaseUrl, scale: opts.scale });
}
