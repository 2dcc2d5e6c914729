import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The server the jest global setup chose for this run (see global-setup.ts); workers inherit it. */
export const ADMIN_ENV = 'TRUSTOPS_TEST_ADMIN_URL';
export const TEMPLATE_ENV = 'TRUSTOPS_TEST_TEMPLATE';
/** `1` makes the global setup start the embedded server even when another one answers. */
export const FORCE_EMBEDDED_ENV = 'TRUSTOPS_TEST_EMBEDDED_PG';

export function adminUrl(): string {
  const url = process.env[ADMIN_ENV];
  if (!url) throw new Error('the jest global setup did not run');
  return url;
}

export function databaseUrl(name: string): string {
  const u = new URL(adminUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

export async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}
