import { runningClock } from '../../src/clock';
import type { Config } from '../../src/config';
import type { ChartPort } from '../../src/domain/digests/chart';
import { deliverDigestFiles } from '../../src/domain/digests/files';
import { runDigests } from '../../src/domain/digests/send';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { digestsJob } from '../../src/jobs/digests';
import type { SlackEmulator, StoredMessage } from '../../src/sandbox/emulator';
import { digestPorts } from '../../src/slack/digest-files';
import { startTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { facts } from '../support/facts';

// Vendors: acme (New York, 09:00, its own channel shared with acme), kiri (Kiritimati, UTC+14, no channel:
// its digest goes to vendor-ops), calm (quiet: none, nothing happens), still (quiet: one line).
// Every digest time is 14:00 UTC, the overview's too. "Now" is Dec 2, 14:00:30 UTC: 09:00:30 in New York,
// Dec 3 04:00:30 in Kiritimati.
const NOW = '2026-12-02T14:00:30Z';
const ENV = { TRUSTOPS_TIMEZONE: 'UTC', TRUSTOPS_DIGEST_TIME: '14:00' };
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function seed(db: PrismaClient): Promise<void> {
  const f = facts(db);
  const calendar = await db.businessCalendar.findUniqueOrThrow({ where: { key: 'always_open' } });
  const sla = { firstActionMinutes: 60, resolutionMinutes: 240, calendarId: calendar.id };
  for (const key of ['acme', 'kiri', 'calm', 'still']) await f.vendorQueue(key, sla);
  await db.vendor.update({ where: { key: 'acme' }, data: { name: 'Acme Review', timezone: 'America/New_York', slackChannel: 'acme-ops' } });
  await db.vendor.update({
    where: { key: 'kiri' },
    data: { name: 'Kiri Moderation', timezone: 'Pacific/Kiritimati', digestTime: '04:00' },
  });
  await db.vendor.update({
    where: { key: 'calm' },
    data: { timezone: 'UTC', digestTime: '14:00', digestQuiet: 'none', slackChannel: 'calm-ops' },
  });
  await db.vendor.update({ where: { key: 'still' }, data: { timezone: 'UTC', digestTime: '14:00', slackChannel: 'still-ops' } });
  // acme, Dec 1 in New York (05:00 UTC Dec 1 – 05:00 UTC Dec 2): two cases opened and decided, one open.
  await f.openCase('a1', '2026-12-01T14:00:00Z', { queue: 'acme', firstAction: '2026-12-01T14:30:00Z', resolved: '2026-12-01T14:30:00Z' });
  await f.report('ra1', 'a1', '2026-12-01T14:00:00Z');
  await f.decide('da1', 'a1', '2026-12-01T14:30:00Z', 'content_removed', 'hate', false);
  await f.openCase('a2', '2026-12-01T15:00:00Z', { queue: 'acme', firstAction: '2026-12-01T17:00:00Z', resolved: '2026-12-01T17:00:00Z' });
  await f.decide('da2', 'a2', '2026-12-01T17:00:00Z', 'no_violation', 'hate', false);
  await f.openCase('a3', '2026-12-01T20:00:00Z', { queue: 'acme' });
  // kiri, Dec 2 in Kiritimati (10:00 UTC Dec 1 – 10:00 UTC Dec 2): one case decided.
  await f.openCase('k1', '2026-12-01T12:00:00Z', { queue: 'kiri', firstAction: '2026-12-01T12:20:00Z', resolved: '2026-12-01T12:20:00Z' });
  await f.decide('dk1', 'k1', '2026-12-01T12:20:00Z', 'content_removed', 'spam', false);
  // still: a case left open weeks ago, nothing on Dec 1.
  await f.openCase('s1', '2026-11-01T12:00:00Z', { queue: 'still' });
  await db.vendor.update({ where: { key: 'default' }, data: { digestTime: '14:00' } });
}

const blocksText = (m: StoredMessage) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;
const topLevel = (emulator: SlackEmulator, channel: string) =>
  emulator.messages(channel).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
const replies = (emulator: SlackEmulator, channel: string, ts: string) =>
  emulator.messages(channel).filter((m) => m.thread_ts === ts && m.ts !== ts);
/** Polls an async condition (a database row, say) until it holds. */
async function until(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((r) => setTimeout(r, 50));
  }
}
const fileIdOf = (m: StoredMessage | undefined) => (m?.files?.[0] as { id?: string } | undefined)?.id;

/** Charts each app's job has drawn. */
const drawn = new WeakMap<TestApp, number>();

function job(app: TestApp) {
  const config = { TRUSTOPS_DIGEST_TIME: ENV.TRUSTOPS_DIGEST_TIME } as Config;
  const ports = digestPorts(app.running.app.client);
  const charts: ChartPort = {
    render: (spec) => {
      drawn.set(app, (drawn.get(app) ?? 0) + 1);
      return ports.charts.render(spec);
    },
  };
  return digestsJob(config, app.running.deps, { ...ports, charts, waitForPostsMs: 20_000, pollMs: 200 });
}

async function runJob(app: TestApp): Promise<void> {
  await job(app).run(
    { db: app.db.prisma, log: app.running.deps.log, metrics: app.running.metrics, clock: app.running.deps.clock },
    new Date(),
  );
}

function addChannels(emulator: SlackEmulator): void {
  for (const name of ['acme-ops', 'calm-ops', 'still-ops']) if (!emulator.channel(name)) emulator.addChannel(name);
}

describe('daily digests, end to end (the job, the outbox, the emulator)', () => {
  let db: TestDatabase;
  let app: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seed(db.prisma);
    app = await startTestApp({ db, clock: runningClock(NOW), env: ENV });
    addChannels(app.emulator);
    await runJob(app);
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  it("posts acme's digest for its previous local day to acme's channel, with the chart in its thread", () => {
    const [digest, ...more] = topLevel(app.emulator, 'acme-ops');
    expect(more).toEqual([]);
    expect(digest!.text).toContain('Digest for Acme Review, 2026-12-01: 2 decisions');
    expect(blocksText(digest!)).toContain('Daily digest — Acme Review — 2026-12-01');
    // On time: not marked late.
    expect(blocksText(digest!)).not.toContain('Late');
    const [chart, ...others] = replies(app.emulator, 'acme-ops', digest!.ts);
    expect(others).toEqual([]);
    const file = app.emulator.file(fileIdOf(chart)!);
    expect(file?.name).toBe('digest-acme-2026-12-01.png');
    expect(file?.bytes?.subarray(0, 8).equals(PNG)).toBe(true);
  });

  it("says nothing about another vendor, nor any rank, in acme's channel (it may be shared with acme)", () => {
    const all = app.emulator.messages('acme-ops').map(blocksText).join('\n');
    for (const other of ['kiri', 'Kiri Moderation', 'calm', 'still', 'default']) expect(all).not.toContain(other);
    expect(all).not.toMatch(/\brank|overview|within the noise/i);
  });

  it('takes the day of a vendor already on "tomorrow" in UTC: Kiritimati\'s Dec 2, to vendor-ops since it has no channel', () => {
    const kiri = topLevel(app.emulator, 'vendor-ops').filter((m) => m.text.startsWith('Digest for Kiri Moderation'));
    expect(kiri.map((m) => m.text)).toEqual([expect.stringContaining('Digest for Kiri Moderation, 2026-12-02: 1 decisions')]);
  });

  it('posts nothing for a quiet day set to none, and one line for a quiet day otherwise', async () => {
    expect(app.emulator.messages('calm-ops')).toEqual([]);
    const [line, ...more] = app.emulator.messages('still-ops');
    expect(more).toEqual([]);
    expect(line!.text).toContain('a quiet day, no reports, decisions or reviews. Backlog: 1 open');
    const calm = await db.prisma.vendor.findUniqueOrThrow({ where: { key: 'calm' } });
    expect(await db.prisma.digestLedger.findMany({ where: { subject: `vendor:${calm.id}` } })).toEqual([
      expect.objectContaining({ localDate: new Date('2026-12-01T00:00:00Z'), outcome: 'quiet', alertId: null }),
    ]);
  });

  it('posts the overview to vendor-ops, ranking every vendor, with the full table as CSV in its thread', () => {
    const [overview, ...more] = topLevel(app.emulator, 'vendor-ops').filter((m) => m.text.startsWith('Vendor overview'));
    expect(more).toEqual([]);
    expect(overview!.text).toBe('Vendor overview for 2026-12-01: 5 vendors, 1 missed a target');
    const [csv] = replies(app.emulator, 'vendor-ops', overview!.ts);
    const file = app.emulator.file(fileIdOf(csv)!);
    expect(file?.name).toBe('vendor-overview-2026-12-01.csv');
    const lines = file!.bytes!.toString('utf8').trim().split('\r\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^vendor,vendor_name,date,time_zone,sla_rank,/);
  });

  it('records each digest once in the ledger, with its thread file done', async () => {
    const rows = await db.prisma.digestLedger.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((r) => `${r.subject.replace(/\d+/, '')} ${r.outcome} ${r.fileKind ?? '-'} ${r.fileStatus ?? '-'}`).sort()).toEqual(
      [
        'overview sent csv done',
        'vendor: quiet - -',
        'vendor: sent - -', // still: a quiet one-liner, no chart
        'vendor: sent - -', // default: quiet, one line to vendor-ops
        'vendor: sent chart done',
        'vendor: sent chart done',
      ].sort(),
    );
  });

  it('draws each chart once: the file pass sends the chart drawn while the overview was read', () => {
    // acme's and kiri's; the quiet days have none.
    expect(drawn.get(app)).toBe(2);
  });

  it('sends nothing more when the job runs again', async () => {
    const before = app.emulator.allMessages().length;
    await runJob(app);
    expect(app.emulator.allMessages().length).toBe(before);
    expect(app.emulator.callsTo('files.completeUploadExternal').length).toBe(3);
    expect(drawn.get(app)).toBe(2);
  });
});

describe('exactly once across replicas and restarts', () => {
  it('two bots on one database running the job at the same moment: each digest and each file appears once', async () => {
    const db = await createTestDatabase();
    const apps: TestApp[] = [];
    try {
      await seed(db.prisma);
      apps.push(await startTestApp({ db, clock: runningClock(NOW), env: ENV }));
      // The second bot in the same workspace.
      const emulator = apps[0]!.emulator;
      apps.push(await startTestApp({ db, clock: runningClock(NOW), env: ENV, emulator }));
      addChannels(emulator);
      await Promise.all(apps.map((a) => runJob(a)));
      expect(topLevel(emulator, 'acme-ops')).toHaveLength(1);
      expect(replies(emulator, 'acme-ops', topLevel(emulator, 'acme-ops')[0]!.ts)).toHaveLength(1);
      expect(topLevel(emulator, 'vendor-ops').filter((m) => m.text.startsWith('Vendor overview'))).toHaveLength(1);
      expect(topLevel(emulator, 'vendor-ops').filter((m) => m.text.startsWith('Digest for Kiri'))).toHaveLength(1);
      expect(emulator.callsTo('files.completeUploadExternal').filter((c) => c.status === 200)).toHaveLength(3);
      expect(await db.prisma.alert.count({ where: { kind: { startsWith: 'digest' } } })).toBe(5);
    } finally {
      for (const a of apps) await a.stop();
      await db.drop();
    }
  }, 180_000);

  it('restarted after two days down: the latest day once, marked late, the day before listed, nothing else', async () => {
    const db = await createTestDatabase();
    try {
      await seed(db.prisma);
      // Up on Nov 29 after 09:00 New York: sends Nov 28. Then down until Dec 2, 14:00:30 UTC.
      const first = await startTestApp({ db, clock: runningClock('2026-11-29T14:05:00Z'), env: ENV });
      addChannels(first.emulator);
      await runJob(first);
      expect(topLevel(first.emulator, 'acme-ops').map((m) => m.text)).toEqual([expect.stringContaining('2026-11-28')]);
      await first.stop();

      const again = await startTestApp({ db, clock: runningClock(NOW), env: ENV });
      addChannels(again.emulator);
      try {
        await runJob(again);
        const [late, ...more] = topLevel(again.emulator, 'acme-ops');
        expect(more).toEqual([]);
        expect(late!.text).toContain('2026-12-01');
        expect(blocksText(late!)).toContain('*Late* — the digest for 2026-12-01');
        expect(blocksText(late!)).toContain('Also not sent while the bot was down: 2026-11-29, 2026-11-30.');
        const acme = await db.prisma.vendor.findUniqueOrThrow({ where: { key: 'acme' } });
        const ledger = await db.prisma.digestLedger.findMany({ where: { subject: `vendor:${acme.id}` }, orderBy: { localDate: 'asc' } });
        expect(ledger.map((r) => [r.localDate.toISOString().slice(0, 10), r.outcome])).toEqual([
          ['2026-11-28', 'sent'],
          ['2026-11-29', 'missed'],
          ['2026-11-30', 'missed'],
          ['2026-12-01', 'late'],
        ]);
        // A restart the next minute sends nothing more.
        await runJob(again);
        expect(topLevel(again.emulator, 'acme-ops')).toHaveLength(1);
      } finally {
        await again.stop();
      }
    } finally {
      await db.drop();
    }
  }, 180_000);

  it('a chart whose completeUploadExternal answer was lost is found by files.info on the retry, not posted again', async () => {
    const db = await createTestDatabase();
    const clock = runningClock(NOW);
    const app = await startTestApp({ db, clock, env: ENV });
    try {
      await seed(db.prisma);
      addChannels(app.emulator);
      // Slack applies every completeUploadExternal but the answer never arrives.
      app.emulator.injectLostResponse({ method: 'files.completeUploadExternal', every: 1 });
      const ports = digestPorts(app.running.app.client);
      const config = { TRUSTOPS_DIGEST_TIME: ENV.TRUSTOPS_DIGEST_TIME } as Config;
      // Back before the first retry falls due (10 s after the failure).
      await digestsJob(config, app.running.deps, { ...ports, waitForPostsMs: 6000, pollMs: 200 }).run(
        { db: db.prisma, log: app.running.deps.log, metrics: app.running.metrics, clock },
        new Date(),
      );
      const pending = await db.prisma.digestLedger.findMany({ where: { fileStatus: 'pending' } });
      expect(pending).toHaveLength(3);
      expect(pending.every((r) => r.fileId !== null && r.fileAttempts === 1)).toBe(true);
      app.emulator.clearFaults();
      // The retry falls due after its backoff.
      clock.advance(60_000);
      const result = await deliverDigestFiles({ ...app.running.deps, ...ports });
      expect(result).toMatchObject({ adopted: 3, shared: 0, failed: 0, waiting: 0 });
      const [digest] = topLevel(app.emulator, 'acme-ops');
      expect(replies(app.emulator, 'acme-ops', digest!.ts)).toHaveLength(1);
      expect(app.emulator.callsTo('files.getUploadURLExternal')).toHaveLength(3);
      expect(app.emulator.callsTo('files.info').length).toBe(3);
    } finally {
      await app.stop();
      await db.drop();
    }
  }, 180_000);

  // Review #12: Slack shares a completed file asynchronously. A retry that finds the file but no share yet
  // completes that same file; uploading a second one would put two charts in the thread once both land.
  it('a chart completed but not shared yet when the retry looks is completed again, never uploaded twice', async () => {
    const db = await createTestDatabase();
    const clock = runningClock(NOW);
    const app = await startTestApp({ db, clock, env: ENV });
    try {
      await seed(db.prisma);
      addChannels(app.emulator);
      app.emulator.injectLostResponse({ method: 'files.completeUploadExternal', every: 1 });
      app.emulator.delayShares(15_000);
      const ports = digestPorts(app.running.app.client);
      const config = { TRUSTOPS_DIGEST_TIME: ENV.TRUSTOPS_DIGEST_TIME } as Config;
      await digestsJob(config, app.running.deps, { ...ports, waitForPostsMs: 6000, pollMs: 200 }).run(
        { db: db.prisma, log: app.running.deps.log, metrics: app.running.metrics, clock },
        new Date(),
      );
      expect(await db.prisma.digestLedger.count({ where: { fileStatus: 'pending', fileId: { not: null } } })).toBe(3);
      app.emulator.clearFaults();
      clock.advance(60_000);
      const result = await deliverDigestFiles({ ...app.running.deps, ...ports });
      expect(result).toMatchObject({ shared: 3, adopted: 0, failed: 0, waiting: 0 });
      // Every file ever completed has landed by now (the delayed shares included).
      const completed = () =>
        app.emulator.callsTo('files.completeUploadExternal').flatMap((c) => (c.args.files as { id: string }[]).map((f) => f.id));
      await app.emulator.waitUntil(() => completed().every((id) => (app.emulator.file(id)?.shares?.length ?? 0) > 0), 40_000, 'the shares');
      expect(app.emulator.callsTo('files.getUploadURLExternal')).toHaveLength(3);
      expect(new Set(completed()).size).toBe(3);
      const [digest] = topLevel(app.emulator, 'acme-ops');
      expect(replies(app.emulator, 'acme-ops', digest!.ts)).toHaveLength(1);
      const ledger = await db.prisma.digestLedger.findMany({ where: { fileKind: { not: null } } });
      expect(ledger.map((r) => r.fileStatus)).toEqual(['done', 'done', 'done']);
    } finally {
      await app.stop();
      await db.drop();
    }
  }, 180_000);

  // Review #12, the lease: while one process's completion is still in flight, another (a lane, a replica)
  // must not take the file over, even past the old one-minute lease.
  it('a file whose completion is in flight is not taken over by another process 90 s later', async () => {
    const db = await createTestDatabase();
    const clock = runningClock(NOW);
    const app = await startTestApp({ db, clock, env: ENV });
    try {
      await seed(db.prisma);
      addChannels(app.emulator);
      const ports = digestPorts(app.running.app.client);
      await runDigests({ ...app.running.deps, overviewTime: ENV.TRUSTOPS_DIGEST_TIME });
      await until(async () => (await db.prisma.alert.count({ where: { slackTs: null } })) === 0);
      app.emulator.injectSlowResponse({ method: 'files.completeUploadExternal', every: 1, delayMs: 4000 });
      app.emulator.delayShares(8000);
      const first = deliverDigestFiles({ ...app.running.deps, ...ports }, { lanes: 3 });
      await app.emulator.waitUntil(
        () => app.emulator.callsTo('files.getUploadURLExternal').length === 3 || undefined,
        20_000,
        'three uploads',
      );
      await until(async () => (await db.prisma.digestLedger.count({ where: { fileId: { not: null } } })) === 3);
      clock.advance(90_000);
      const second = await deliverDigestFiles({ ...app.running.deps, ...ports });
      expect(second).toMatchObject({ shared: 0, adopted: 0, failed: 0 });
      expect(await first).toMatchObject({ shared: 3, failed: 0 });
      await app.emulator.waitUntil(() => replies(app.emulator, 'acme-ops', topLevel(app.emulator, 'acme-ops')[0]!.ts).length > 0, 20_000);
      expect(app.emulator.callsTo('files.getUploadURLExternal')).toHaveLength(3);
      expect(app.emulator.callsTo('files.info')).toHaveLength(0);
    } finally {
      await app.stop();
      await db.drop();
    }
  }, 180_000);
});
