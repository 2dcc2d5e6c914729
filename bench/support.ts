import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';

/** Benchmarks run against a scratch database on this server (BENCH_DATABASE_URL, else the local Postgres). */
export const BENCH_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const ROOT = path.resolve(__dirname, '..');

export function urlFor(name: string): string {
  const u = new URL(BENCH_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function sql(url: string, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database; drop it with the returned function. */
export async function scratchDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}`;
  await sql(BENCH_ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await sql(BENCH_ADMIN_URL, `CREATE DATABASE ${name}`);
  const url = urlFor(name);
  execFileSync(process.execPath, [require.resolve('tsx/cli'), 'src/cli/db-migrate.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: 'pipe',
  });
  return { url, drop: async () => void (await sql(BENCH_ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
