import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addDays, localDate } from '../../src/domain/time';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { SlackEmulator, type StoredMessage } from '../../src/sandbox/emulator';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { facts } from '../support/facts';
import { type Bot, killHard, startBot, stopBot, waitUntil } from '../support/process';

// The real bot (`npm start`'s entry point) as separate processes on one database, on the system clock: every
// vendor's digest time is 00:00 UTC, so at start-up each one's digest for yesterday (UTC) is due at once.

const VENDORS = ['v1', 'v2', 'v3', 'v4'];
/**
 * The thread files' lease, shortened from its 2 minutes so a killed bot's files are taken over within seconds.
 * It still outlasts the slow completion below, so the killed bot never takes its own file over before it dies.
 */
const LEASE_MS = 20_000;
const SLOW_COMPLETION_MS = 10_000;

const startDigestBot = (db: TestDatabase, emulator: SlackEmulator, dir: string): Promise<Bot> =>
  startBot(db, emulator, {
    TRUSTOPS_DIGEST_TIME: '00:00',
    TRUSTOPS_DIGEST_FILE_LEASE: `${LEASE_MS / 1000}s`,
    TRUSTOPS_ANALYTICS_DIR: dir,
    TRUSTOPS_ANALYTICS_MEMORY: '512MB',
    TRUSTOPS_ANALYTICS_THREADS: '1',
  });

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
      bots.push(...(await Promise.all([startDigestBot(db, emulator, dir), startDigestBot(db, emulator, dir)])));
      await waitAllFilesDone(db, 120_000);
      expectEachOnce(emulator, yesterday);
      expect(emulator.callsTo('files.completeUploadExternal').filter((c) => c.status === 200)).toHaveLength(VENDORS.length + 1);
    } finally {
      for (const bot of bots) await stopBot(bot);
      await db.drop();
    }
  }, 240_000);

  it('killed (SIGKILL) after Slack applied the chart upload but before it answered, then started again: the chart is taken over once its lease ends, not posted twice', async () => {
    emulator.reset();
    const db = await createTestDatabase();
    const bots: Bot[] = [];
    try {
      const yesterday = await seed(db.prisma, emulator);
      // Slack completes each upload at once but answers late: the bot dies with files shared and not recorded.
      emulator.injectSlowResponse({ method: 'files.completeUploadExternal', every: 1, delayMs: SLOW_COMPLETION_MS });
      bots.push(await startDigestBot(db, emulator, dir));
      await waitUntil(
        'a chart to be shared',
        async () => (emulator.callsTo('files.completeUploadExternal').length > 0 ? true : undefined),
        120_000,
      );
      expect(await killHard(bots[0]!)).toEqual({ code: null, signal: 'SIGKILL' });
      emulator.clearFaults();
      const shared = await db.prisma.digestLedger.findMany({ where: { fileStatus: 'pending', fileId: { not: null } } });
      expect(shared.length).toBeGreaterThanOrEqual(1);

      bots.push(await startDigestBot(db, emulator, dir));
      // The killed bot's lease runs out, then the next run checks files.info and adopts the shared file.
      await waitAllFilesDone(db, 120_000);
      expectEachOnce(emulator, yesterday);
      // Each call names its files; the killed bot's own completions are recorded too, once their answer is due.
      const completions = emulator
        .callsTo('files.completeUploadExternal')
        .flatMap((c) => (c.args.files as { id: string }[]).map((f) => f.id));
      for (const row of shared) {
        // Looked at only once the killed bot's lease had run out, and completed once in all (adopted, not shared again).
        const looks = emulator.callsTo('files.info').filter((c) => c.args.file === row.fileId);
        expect(looks.length).toBeGreaterThanOrEqual(1);
        for (const look of looks) expect(look.at).toBeGreaterThanOrEqual(row.fileLeaseUntil!.getTime());
        expect(completions.filter((id) => id === row.fileId)).toHaveLength(1);
      }
    } finally {
      for (const bot of bots) await stopBot(bot);
      await db.drop();
    }
  }, 240_000);
});
