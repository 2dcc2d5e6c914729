import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addDays, localDate } from '../../src/domain/time';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { SlackEmulator, type StoredMessage } from '../../src/sandbox/emulator';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { facts } from '../support/facts';
import { freePort, type Started, startMain, waitHealthy, waitUntil } from '../support/process';

// The real bot (`npm start`'s entry point) as separate processes on one database, on the system clock: every
// vendor's digest time is 00:00 UTC, so at start-up each one's digest for yesterday (UTC) is due at once.

type Bot = { run: Started; port: number };
const VENDORS = ['v1', 'v2', 'v3', 'v4'];

async function startBot(db: TestDatabase, emulator: SlackEmulator, dir: string): Promise<Bot> {
  const port = await freePort();
  const run = startMain({
    PORT: String(port),
    DATABASE_URL: db.url,
    TRUSTOPS_MIGRATE_ON_START: 'false',
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
    SLACK_API_URL: emulator.apiUrl,
    TRUSTOPS_DIGEST_TIME: '00:00',
    TRUSTOPS_ANALYTICS_DIR: dir,
    TRUSTOPS_ANALYTICS_MEMORY: '512MB',
    TRUSTOPS_ANALYTICS_THREADS: '1',
    LOG_LEVEL: 'warn',
  });
  await waitHealthy(port, 60_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${run.stdout()}\n${run.stderr()}`);
  });
  return { run, port };
}

async function stopBot(bot: Bot): Promise<void> {
  if (bot.run.child.exitCode !== null || bot.run.child.signalCode !== null) return;
  bot.run.child.kill('SIGTERM');
  await bot.run.exited;
}

async function seed(db: PrismaClient, emulator: SlackEmulator): Promise<string> {
  const yesterday = addDays(localDate(new Date(), 'UTC'), -1);
  const f = facts(db);
  const calendar = await db.businessCalendar.findUniqueOrThrow({ where: { key: 'always_open' } });
  for (const [i, key] of VENDORS.entries()) {
    await f.vendorQueue(key, { firstActionMinutes: 60, resolutionMinutes: 240, calendarId: calendar.id });
    const channel = emulator.channel(`${key}-ops`) ?? emulator.addChannel(`${key}-ops`);
    await db.vendor.update({ where: { key }, data: { digestTime: '00:00', slackChannel: channel.id } });
    await f.openCase(`c${i}`, `${yesterday}T10:00:00Z`, {
      queue: key,
      firstAction: `${yesterday}T10:30:00Z`,
      resolved: `${yesterday}T10:30:00Z`,
    });
    await f.decide(`d${i}`, `c${i}`, `${yesterday}T10:30:00Z`, 'content_removed', 'hate', false);
  }
  // The migrations' `default` vendor would post a quiet line to vendor-ops: give it the "none" setting.
  await db.vendor.update({ where: { key: 'default' }, data: { digestQuiet: 'none' } });
  return yesterday;
}

const topLevel = (emulator: SlackEmulator, channel: string) =>
  emulator.messages(channel).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
const filesIn = (emulator: SlackEmulator, channel: string, m: StoredMessage) =>
  emulator.messages(channel).filter((r) => r.thread_ts === m.ts && r.ts !== m.ts && r.files?.length);

async function waitAllFilesDone(db: TestDatabase, timeoutMs: number): Promise<void> {
  await waitUntil(
    'every digest and its thread file to be sent',
    async () => {
      const rows = await db.prisma.digestLedger.findMany();
      return rows.length === VENDORS.length + 2 && rows.every((r) => r.fileStatus === null || r.fileStatus === 'done') ? true : undefined;
    },
    timeoutMs,
  );
}

/** Each vendor's channel holds its digest once and its chart once; vendor-ops the overview once and its CSV once. */
function expectEachOnce(emulator: SlackEmulator, yesterday: string): void {
  for (const key of VENDORS) {
    const channel = emulator.channel(`${key}-ops`)!.id;
    const [digest, ...more] = topLevel(emulator, channel);
    expect(more).toEqual([]);
    expect(digest!.text).toContain(`Digest for ${key}, ${yesterday}`);
    expect(filesIn(emulator, channel, digest!)).toHaveLength(1);
  }
  const overviews = topLevel(emulator, 'C0VENDOROPS').filter((m) => m.text.startsWith('Vendor overview'));
  expect(overviews).toHaveLength(1);
  expect(filesIn(emulator, 'C0VENDOROPS', overviews[0]!)).toHaveLength(1);
}

describe('digests exactly once with real bot processes', () => {
  let emulator: SlackEmulator;
  let dir: string;
  beforeAll(async () => {
    emulator = await SlackEmulator.start();
    dir = mkdtempSync(path.join(tmpdir(), 'trustops-digest-crash-'));
  });
  afterAll(async () => {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('two bot processes starting at once on one database: each digest and each file once', async () => {
    emulator.reset();
    const db = await createTestDatabase();
    const bots: Bot[] = [];
    try {
      const yesterday = await seed(db.prisma, emulator);
      bots.push(...(await Promise.all([startBot(db, emulator, dir), startBot(db, emulator, dir)])));
      await waitAllFilesDone(db, 120_000);
      expectEachOnce(emulator, yesterday);
      expect(emulator.callsTo('files.completeUploadExternal').filter((c) => c.status === 200)).toHaveLength(VENDORS.length + 1);
    } finally {
      for (const bot of bots) await stopBot(bot);
      await db.drop();
    }
  }, 240_000);

  it('killed (SIGKILL) after Slack applied the chart upload but before it answered, then started again: the chart is not posted twice', async () => {
    emulator.reset();
    const db = await createTestDatabase();
    const bots: Bot[] = [];
    try {
      const yesterday = await seed(db.prisma, emulator);
      // Slack completes each upload at once but answers 20 s later: the bot dies with files shared and not recorded.
      emulator.injectSlowResponse({ method: 'files.completeUploadExternal', every: 1, delayMs: 20_000 });
      bots.push(await startBot(db, emulator, dir));
      await waitUntil(
        'a chart to be shared',
        async () => (emulator.callsTo('files.completeUploadExternal').length > 0 ? true : undefined),
        120_000,
      );
      bots[0]!.run.child.kill('SIGKILL');
      expect(await bots[0]!.run.exited).toBeNull();
      emulator.clearFaults();
      const shared = await db.prisma.digestLedger.findMany({ where: { fileStatus: 'pending', fileId: { not: null } } });
      expect(shared.length).toBeGreaterThanOrEqual(1);

      bots.push(await startBot(db, emulator, dir));
      // The killed bot's lease (2 min) runs out, then the next run checks files.info and adopts the shared file.
      await waitAllFilesDone(db, 280_000);
      expectEachOnce(emulator, yesterday);
      const infos = emulator.callsTo('files.info').map((c) => c.args.file);
      for (const row of shared) expect(infos).toContain(row.fileId);
    } finally {
      for (const bot of bots) await stopBot(bot);
      await db.drop();
    }
  }, 420_000);
});
