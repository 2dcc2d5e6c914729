import type { Db } from '../db/client';

export type Health = { status: 'ok' | 'degraded'; db: string };

/** The database answers a trivial query within the timeout, or health names what failed. */
export async function checkHealth(db: Db, timeoutMs = 2000): Promise<Health> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db.$queryRaw`SELECT 1`,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'ok', db: 'ok' };
  } catch (err) {
    return { status: 'degraded', db: `unreachable: ${(err as Error).message.split('\n')[0]}` };
  } finally {
    clearTimeout(timer);
  }
}
