// Which failures mean "the database cannot be reached right now" (503, retry later) and which are the
// request's or the code's own: told apart on real errors from Prisma, the driver adapter and pg.
import { randomBytes } from 'node:crypto';
import { type Database, openDatabase } from '../../src/db/client';
import { AppError, isDatabaseUnavailable } from '../../src/errors';
import { startTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';

let db: TestDatabase;
/** The same database through a pool of one connection, which a test can take. */
let small: Database;
let t: TestApp;

beforeAll(async () => {
  db = await createTestDatabase();
  small = await openDatabase({ databaseUrl: db.url, dataDir: '', poolSize: 1 });
  t = await startTestApp({ db: { ...db, prisma: small.prisma } });
});
afterAll(async () => {
  await t.stop();
  await small.close();
  await db.drop();
});

/** Takes the pool's only connection in a transaction until `release` is called. */
async function takeTheOnlyConnection(): Promise<{ release(): Promise<void> }> {
  let taken!: () => void;
  let release!: () => void;
  const isTaken = new Promise<void>((resolve) => {
    taken = resolve;
  });
  const held = small.prisma.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT 1`;
      taken();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    },
    { maxWait: 5_000, timeout: 60_000 },
  );
  await isTaken;
  return {
    async release() {
      release();
      await held;
    },
  };
}

function report(id: string) {
  return { external_id: id, surface: 'claude_ai', report_type: 'harmful_content', content_ref: `https://claude.ai/share/${id}` };
}

describe('isDatabaseUnavailable', () => {
  it('is true for a query that finds no free connection in the pool, and for a transaction that cannot start in time', async () => {
    const taken = await takeTheOnlyConnection();
    try {
      const query = await small.prisma.report.count().catch((e: unknown) => e);
      const transaction = await small.prisma.$transaction(async () => {}, { maxWait: 200 }).catch((e: unknown) => e);
      expect([query, transaction].map(isDatabaseUnavailable)).toEqual([true, true]);
    } finally {
      await taken.release();
    }
  });

  it('is false for the request’s own faults and for bugs', async () => {
    const duplicate = await small.prisma.roleAssignment
      .create({ data: { slackId: 'U0DUP', role: 'viewer', grantedBy: 'test' } })
      .then(() => small.prisma.roleAssignment.create({ data: { slackId: 'U0DUP', role: 'viewer', grantedBy: 'test' } }))
      .catch((e: unknown) => e);
    const syntax = await small.prisma.$queryRawUnsafe('SELEC 1').catch((e: unknown) => e);
    const badValue = await small.prisma.$queryRawUnsafe("SELECT '0000-01-01'::timestamptz").catch((e: unknown) => e);
    expect([duplicate, syntax, badValue].map((e) => (e as Error).message.match(/Unique constraint|42601|22008/)?.[0])).toEqual([
      'Unique constraint',
      '42601',
      '22008',
    ]);
    expect([duplicate, syntax, badValue, new AppError('bad_input', 'x'), new Error('boom'), undefined].map(isDatabaseUnavailable)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('when every pool connection is taken', () => {
  it('an intake post answers 503 with Retry-After and stores nothing; sent again once the pool frees up, it is stored once', async () => {
    const id = `busy-${randomBytes(4).toString('hex')}`;
    const taken = await takeTheOnlyConnection();
    let refused: Awaited<ReturnType<TestApp['api']>> & { retryAfter?: string | null };
    try {
      const res = await fetch(`${t.baseUrl}/api/v1/reports`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-intake-token-0123456789', 'content-type': 'application/json' },
        body: JSON.stringify(report(id)),
      });
      refused = { status: res.status, json: await res.json(), retryAfter: res.headers.get('retry-after') };
    } finally {
      await taken.release();
    }
    expect(refused).toEqual({
      status: 503,
      retryAfter: '5',
      json: { error: 'unavailable', message: 'the database is unavailable; send the same request again later' },
    });
    expect(await small.prisma.report.count({ where: { externalId: id } })).toBe(0);
    expect((await t.api('/api/v1/reports', report(id))).status).toBe(201);
    expect(await small.prisma.report.count({ where: { externalId: id } })).toBe(1);
  });
});
