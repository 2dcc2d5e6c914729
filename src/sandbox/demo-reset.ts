import { type SeedSummary, seedDemoData } from '../db/seed';
import type { PrismaClient } from '../generated/prisma/client';

/**
 * The sandbox's "Reset demo": every table the migrations made, but the analytics change log, is emptied
 * and the demo data written again, anchored on today. Only ever called in sandbox mode, whose database start-up checked holds demo
 * data only (seedDemoData refuses any other).
 */
export async function startDemoOver(prisma: PrismaClient, opts: { databaseUrl: string; scale?: number }): Promise<SeedSummary> {
  // The analytics_% tables stay: analytics_horizon's one row is written by its migration only, and the
  // fact tables' TRUNCATE triggers log whole-table changes there, so the bot's analytics copy reloads.
  const tables = await prisma.$queryRaw<{ name: string }[]>`
    SELECT quote_ident(tablename) AS name FROM pg_tables
    WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations' AND tablename NOT LIKE 'analytics\_%'`;
  if (tables.length > 0) {
    await prisma.$executeRawUnsafe(`TRUNCATE ${tables.map((t) => t.name).join(', ')} RESTART IDENTITY CASCADE`);
  }
  return seedDemoData(prisma, { databaseUrl: opts.databaseUrl, scale: opts.scale });
}
