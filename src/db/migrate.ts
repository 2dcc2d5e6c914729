import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type MigrationList, openSchemaEngine } from './schema-engine';

export const PRISMA_DIR = path.resolve(__dirname, '../../prisma');
export const SCHEMA_PATH = path.join(PRISMA_DIR, 'schema.prisma');
export const MIGRATIONS_DIR = path.join(PRISMA_DIR, 'migrations');
const LOCKFILE = 'migration_lock.toml';
const NO_FILTERS = { externalTables: [], externalEnums: [] };

/** Prisma's own migration folder layout: <dir>/<timestamp>_<name>/migration.sql plus a lock file. */
export function readMigrations(dir = MIGRATIONS_DIR): MigrationList {
  const names = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  const lockPath = path.join(dir, LOCKFILE);
  return {
    baseDir: dir,
    lockfile: { path: LOCKFILE, content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => ({
      path: name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') } },
    })),
  } as MigrationList;
}

/** Applies pending migrations (recorded in _prisma_migrations, as `prisma migrate deploy` does). */
export async function applyMigrations(connectionString: string): Promise<string[]> {
  const engine = await openSchemaEngine(connectionString, readFileSync(SCHEMA_PATH, 'utf8'));
  try {
    const out = await engine.applyMigrations({ migrationsList: readMigrations(), filters: NO_FILTERS });
    return out.appliedMigrationNames;
  } finally {
    engine.free();
  }
}

/** SQL that takes a database from the `from` datamodel (or nothing) to the `to` datamodel. */
export async function diffDatamodels(connectionString: string, from: string | null, to: string): Promise<string> {
  // Diffing two datamodels reads no tables, but the engine insists on a live connection.
  const engine = await openSchemaEngine(connectionString, to);
  try {
    const result = await engine.diff({
      from: from === null ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: from }] },
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: to }] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    });
    return result.stdout ?? '';
  } finally {
    engine.free();
  }
}

/**
 * Writes a new migration folder for the changes in schema.prisma since the last migration.
 * The native engine would diff against a shadow database; offline we diff datamodels instead,
 * against the snapshot of schema.prisma saved with the previous migration.
 */
export async function createMigration(connectionString: string, name: string, now = new Date()): Promise<string | null> {
  const current = readFileSync(SCHEMA_PATH, 'utf8');
  const snapshotPath = path.join(MIGRATIONS_DIR, 'schema.snapshot.prisma');
  const previous = existsSync(snapshotPath) ? readFileSync(snapshotPath, 'utf8') : null;
  const sql = await diffDatamodels(connectionString, previous, current);
  if (!/^\s*(CREATE|ALTER|DROP)/m.test(sql)) return null;
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const folder = `${stamp}_${name.replace(/[^a-z0-9_]+/gi, '_').toLowerCase()}`;
  mkdirSync(path.join(MIGRATIONS_DIR, folder), { recursive: true });
  writeFileSync(path.join(MIGRATIONS_DIR, folder, 'migration.sql'), sql);
  writeFileSync(snapshotPath, current);
  const lock = path.join(MIGRATIONS_DIR, LOCKFILE);
  if (!existsSync(lock)) writeFileSync(lock, '# Written by TrustOps migrations; keep it in version control.\nprovider = "postgresql"\n');
  return folder;
}
