// npm run db:migrate                  apply pending migrations (DATABASE_URL, or the embedded database)
// npm run db:migrate -- --create NAME  write a new migration for the changes in prisma/schema.prisma
import { loadConfig } from '../config';
import { openDatabase } from '../db/client';
import { applyMigrations, createMigration } from '../db/migrate';
import { runCli } from './run';

runCli(async () => {
  const createAt = process.argv.indexOf('--create');
  const name = createAt >= 0 ? process.argv[createAt + 1] : undefined;
  if (createAt >= 0 && !name) throw new Error('usage: npm run db:migrate -- --create <name>');
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.TRUSTOPS_DATA_DIR, poolSize: 2 });
  try {
    if (name) {
      const folder = await createMigration(db.url, name);
      console.log(folder ? `created prisma/migrations/${folder}` : 'schema.prisma has no changes since the last migration');
      return;
    }
    const applied = await applyMigrations(db.url);
    console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await db.close();
  }
});
