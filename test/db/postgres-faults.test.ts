// Postgres faults, drilled against the real bot in a process of its own (so a crash shows as an exit)
// on a PostgreSQL server of this file's own (so terminating and restarting it disturbs no other file).
// Every intake post answers 2xx, stored once, or 503 with Retry-After; the process stays up; /healthz
// recovers; and sending the refused posts again stores each exactly once.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { SlackEmulator } from '../../src/sandbox/emulator';
import { type PrivatePostgres, startPrivatePostgres } from '../support/private-postgres';
import { freePort, type Started, startMain, waitHealthy } from '../support/process';

jest.setTimeout(240_000);

const TOKEN = randomBytes(16).toString('hex');
const DB = 'trustops_faults';
let pg: PrivatePostgres;
let emulator: SlackEmulator;
let bot: Started;
let port: number;

beforeAll(async () => {
  pg = await startPrivatePostgres();
  await pg.query(`CREATE DATABASE ${DB}`);
  emulator = await SlackEmulator.start({ port: 0 });
  port = await freePort();
  bot = startMain({
    PORT: String(port),
    DATABASE_URL: pg.urlOf(DB),
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
    SLACK_API_URL: emulator.apiUrl,
    TRUSTOPS_INTAKE_TOKEN: TOKEN,
    LOG_LEVEL: 'warn',
  });
  await waitHealthy(port, 60_000).catch((e: Error) => {
    throw new Error(`${e.message}\n${bot.stdout()}${bot.stderr()}`);
  });
});

afterAll(async () => {
  bot?.child.kill('SIGTERM');
  await bot?.exited;
  await emulator?.stop();
  await pg?.destroy();
});

type Answer = { id: string; status: number; retryAfter: string | null };

/** Status 0: no answer at all (the bot is gone). */
async function post(id: string): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/reports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      external_id: id,
      surface: 'claude_ai',
      report_type: 'harmful_content',
      content_ref: `https://claude.ai/share/${id}`,
      received_at: '2026-11-27T09:00:00Z',
    }),
  });
  await res.arrayBuffer();
  return { id, status: res.status, retryAfter: res.headers.get('retry-after') };
}

function postOrNoAnswer(id: string): Promise<Answer> {
  return post(id).catch(() => ({ id, status: 0, retryAfter: null }));
}

/** Stored reports per external id, read on a connection of the test's own. */
async function storedCounts(ids: string[]): Promise<Map<string, number>> {
  const client = new Client({ connectionString: pg.urlOf(DB) });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ external_id: string; n: number }>(
      'SELECT external_id, count(*)::int AS n FROM reports WHERE external_id = ANY($1) GROUP BY external_id',
      [ids],
    );
    return new Map(rows.map((r) => [r.external_id, r.n]));
  } finally {
    await client.end();
  }
}

/** Terminates every session of the bot's database but the caller's; resolves with how many. */
async function terminateBackends(): Promise<number> {
  const client = new Client({ connectionString: pg.url });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [DB],
    );
    return rows.length;
  } finally {
    await client.end();
  }
}

/**
 * What every drill asserts: each answer was 2xx and is stored once, or 503 with Retry-After; the bot
 * is still running; and once the database is back, sending the refused posts again stores every post once.
 */
async function expectEveryPostOnceOr503(answers: Answer[]): Promise<void> {
  // Answers other than 201 and 503-with-Retry-After, counted by status (0: no answer, the bot was gone).
  const wrong: Record<string, number> = {};
  for (const a of answers) {
    if (a.status === 201 || (a.status === 503 && a.retryAfter === '5')) continue;
    const key = `${a.status}${a.status === 503 ? ' without Retry-After' : ''}`;
    wrong[key] = (wrong[key] ?? 0) + 1;
  }
  const died = bot.child.exitCode !== null || bot.child.signalCode !== null;
  // When the bot died, its last words name the fault.
  expect({ wrong, died, lastWords: died ? bot.stderr().slice(-1500) : '' }).toEqual({ wrong: {}, died: false, lastWords: '' });
  const created = answers.filter((a) => a.status === 201).map((a) => a.id);
  const counts = await storedCounts(created);
  expect(created.filter((id) => counts.get(id) !== 1)).toEqual([]);

  await waitHealthy(port, 30_000);
  const refused = answers.filter((a) => a.status === 503).map((a) => a.id);
  // A commit cut off mid-way may have landed: the same post again is then a replay (200), else created.
  const again = await Promise.all(refused.map(post));
  expect(again.filter((a) => a.status !== 200 && a.status !== 201)).toEqual([]);
  const all = await storedCounts(answers.map((a) => a.id));
  expect(answers.filter((a) => all.get(a.id) !== 1).map((a) => a.id)).toEqual([]);
}

describe('when Postgres drops the connections', () => {
  it('while its backends are terminated during bursts of intake posts, the bot stays up and answers each post 201 or 503', async () => {
    const answers: Answer[] = [];
    let terminated = 0;
    // At least six bursts, and on until some post has lost its session (a termination may only hit idle ones).
    for (let round = 0; round < 6 || (round < 30 && !answers.some((a) => a.status === 503)); round++) {
      let settled = false;
      const burst = Promise.all(Array.from({ length: 40 }, (_, k) => postOrNoAnswer(`term-${round}-${k}`))).finally(() => {
        settled = true;
      });
      // Terminate again and again while the burst is in flight, so sessions die mid-query and mid-commit.
      while (!settled) {
        terminated += await terminateBackends();
        await Promise.race([burst, new Promise((r) => setTimeout(r, 25))]);
      }
      answers.push(...(await burst));
    }
    expect(terminated).toBeGreaterThan(0);
    await expectEveryPostOnceOr503(answers);
    // The drill only counts if some posts lost their session; most still went through.
    expect(answers.some((a) => a.status === 503)).toBe(true);
  });

  it('when Postgres restarts in the middle of 200 intake posts, every post is 201 or 503 and /healthz recovers', async () => {
    const ids = Array.from({ length: 200 }, (_, k) => `restart-${k}`);
    const answers: Answer[] = [];
    let restart: Promise<void> | undefined;
    let next = 0;
    // Ten senders; the restart begins once 50 answers are in, and posts go on throughout it.
    const sender = async () => {
      while (next < ids.length) {
        answers.push(await postOrNoAnswer(ids[next++]!));
        if (answers.length === 50) restart ??= pg.stop().then(() => pg.start());
      }
    };
    await Promise.all(Array.from({ length: 10 }, sender));
    await restart;
    expect(answers).toHaveLength(200);
    await expectEveryPostOnceOr503(answers);
    expect(answers.some((a) => a.status === 503)).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ status: 'ok', db: 'ok' });
  });
});
