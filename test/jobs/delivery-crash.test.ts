import { enqueueAlerts } from '../../src/domain/alerts/outbox';
import { SlackEmulator, type StoredMessage } from '../../src/sandbox/emulator';
import { ALERT_EVENT_TYPE } from '../../src/slack/notifier';
import { triageAlerts } from '../support/alerts';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type Bot, killHard, startBot, stopBot, waitUntil } from '../support/process';

// Enough channels that 1,000 alerts at one post per second per channel take about 20 s.
const CHANNELS = 60;
const ALERTS = 1000;

/** A counter from the bot's /metrics, 0 when it has no sample. */
async function counter(bot: Bot, outcome: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${bot.port}/metrics`)).text();
  const m = new RegExp(`^trustops_alert_deliveries_total\\{kind="triage",outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text);
  return Number(m?.[1] ?? 0);
}

async function enqueueTriageAlerts(db: TestDatabase, channels: readonly string[]): Promise<void> {
  const alerts = triageAlerts(ALERTS, channels, 'crash');
  await db.prisma.$transaction((tx) => enqueueAlerts(tx, alerts, new Date()));
}

const alertIdOf = (m: StoredMessage): number | undefined => {
  const meta = m.metadata as { event_type?: string; event_payload?: { alert_id?: number } } | undefined;
  return meta?.event_type === ALERT_EVENT_TYPE ? meta.event_payload?.alert_id : undefined;
};

/** Alert id → the messages in the workspace that carry it. */
function messagesByAlert(emulator: SlackEmulator): Map<number, (StoredMessage & { channel: string })[]> {
  const byId = new Map<number, (StoredMessage & { channel: string })[]>();
  for (const m of emulator.allMessages()) {
    const id = alertIdOf(m);
    if (id !== undefined) byId.set(id, [...(byId.get(id) ?? []), m]);
  }
  return byId;
}

const okPostCount = (emulator: SlackEmulator) =>
  emulator.calls.reduce((n, c) => n + (c.method === 'chat.postMessage' && c.status === 200 ? 1 : 0), 0);

async function waitAllSent(db: TestDatabase, timeoutMs: number): Promise<void> {
  await waitUntil(
    'every alert to be sent',
    async () => ((await db.prisma.alert.count({ where: { status: { not: 'sent' } } })) === 0 ? true : undefined),
    timeoutMs,
  );
}

/** Every alert is in the workspace exactly once, in queue order within its channel, and its row points at that message. */
async function expectEachAlertOnce(db: TestDatabase, emulator: SlackEmulator): Promise<void> {
  const all = await db.prisma.alert.findMany({ orderBy: { id: 'asc' } });
  // The bot's own jobs may queue alerts at start-up (the morning digests); this is about the test's triage alerts.
  const rows = all.filter((r) => r.kind === 'triage');
  expect(rows).toHaveLength(ALERTS);
  const byId = messagesByAlert(emulator);
  for (const r of all) if (r.kind !== 'triage') byId.delete(r.id);
  const copies = rows.map((r) => byId.get(r.id)?.length ?? 0);
  expect(copies.filter((n) => n !== 1)).toEqual([]);
  expect([...byId.keys()].filter((id) => !rows.some((r) => r.id === id))).toEqual([]);
  const mismatched = rows.filter((r) => {
    const [m] = byId.get(r.id) ?? [];
    return r.status !== 'sent' || !r.slackTs || r.slackTs !== m?.ts || r.slackChannel !== m?.channel;
  });
  expect(mismatched.map((r) => r.id)).toEqual([]);
  const outOfOrder = [...new Set(rows.map((r) => r.channel))].filter((channel) => {
    const ids = emulator.messages(channel).map(alertIdOf);
    return ids.some((id, i) => i > 0 && id! < ids[i - 1]!);
  });
  expect(outOfOrder).toEqual([]);
}

describe('exactly-once alert delivery with the real bot process', () => {
  let emulator: SlackEmulator;
  let channels: string[];
  beforeAll(async () => {
    emulator = await SlackEmulator.start();
    channels = Array.from({ length: CHANNELS }, (_, i) => emulator.addChannel(`crash-${String(i).padStart(2, '0')}`).name);
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('killed (SIGKILL) in the middle of 1,000 alerts and started again: every alert appears exactly once', async () => {
    emulator.reset();
    const db = await createTestDatabase();
    const bots: Bot[] = [];
    try {
      await enqueueTriageAlerts(db, channels);
      bots.push(await startBot(db, emulator));
      await waitUntil('300 alerts to be posted', async () => (okPostCount(emulator) >= 300 ? true : undefined), 60_000);
      // From now on Slack applies each post but answers late: the bot dies with posts made and not recorded.
      emulator.injectSlowResponse({ method: 'chat.postMessage', every: 1, delayMs: 5000 });
      await new Promise((r) => setTimeout(r, 1500));
      expect(await killHard(bots[0]!)).toEqual({ code: null, signal: 'SIGKILL' });
      emulator.clearFaults();

      const byId = messagesByAlert(emulator);
      const unrecorded = await db.prisma.alert.findMany({ where: { slackTs: null } });
      const orphans = unrecorded.filter((r) => byId.has(r.id));
      expect(byId.size).toBeGreaterThanOrEqual(300);
      expect(byId.size).toBeLessThan(ALERTS);
      // The case that matters: posted in Slack, not marked in the database.
      expect(orphans.length).toBeGreaterThanOrEqual(10);

      bots.push(await startBot(db, emulator));
      await waitAllSent(db, 120_000);
      await expectEachAlertOnce(db, emulator);
      // Each orphan was found by its metadata and adopted, not posted again.
      expect(await counter(bots[1]!, 'adopted')).toBe(orphans.length);
    } finally {
      for (const bot of bots) await stopBot(bot);
      await db.drop();
    }
  }, 240_000);

  it('two bot processes, Slack losing one answer in ten after storing the post, one process killed (SIGKILL) midway: every alert appears once', async () => {
    emulator.reset();
    const db = await createTestDatabase();
    const bots: Bot[] = [];
    try {
      await enqueueTriageAlerts(db, channels);
      // Slack stores every post, but one answer in ten never arrives: that bot sees a dropped connection.
      emulator.injectLostResponse({ method: 'chat.postMessage', every: 10 });
      bots.push(...(await Promise.all([startBot(db, emulator), startBot(db, emulator)])));
      await waitUntil('300 alerts to be posted', async () => (emulator.allMessages().length >= 300 ? true : undefined), 60_000);
      expect(await killHard(bots[0]!)).toEqual({ code: null, signal: 'SIGKILL' });
      expect(emulator.allMessages().length).toBeLessThan(ALERTS);

      await waitAllSent(db, 180_000);
      await expectEachAlertOnce(db, emulator);
      const lost = emulator.callsTo('chat.postMessage').filter((c) => c.status === 0);
      expect(lost.length).toBeGreaterThanOrEqual(ALERTS / 10);
      // Posts whose answer was lost were found by their metadata and adopted by the bot still running.
      expect(await counter(bots[1]!, 'adopted')).toBeGreaterThan(0);
    } finally {
      for (const bot of bots) await stopBot(bot);
      await db.drop();
    }
  }, 300_000);

  it('two bot processes on one database: every one of 1,000 alerts appears once, at one post per second per channel', async () => {
    emulator.reset();
    const db = await createTestDatabase();
    const bots: Bot[] = [];
    try {
      await enqueueTriageAlerts(db, channels);
      bots.push(...(await Promise.all([startBot(db, emulator), startBot(db, emulator)])));
      await waitAllSent(db, 120_000);
      await expectEachAlertOnce(db, emulator);
      // Both did part of the work.
      for (const bot of bots) expect(await counter(bot, 'sent')).toBeGreaterThan(0);
      expect((await counter(bots[0]!, 'sent')) + (await counter(bots[1]!, 'sent'))).toBe(ALERTS);
      // The pace holds across the two: a channel passes between them without a burst.
      for (const channel of channels) {
        const at = emulator
          .callsTo('chat.postMessage')
          .filter((c) => c.args.channel === channel && c.status === 200)
          .map((c) => c.at);
        const gaps = at.slice(1).map((t, i) => t - at[i]!);
        expect(Math.min(...gaps)).toBeGreaterThanOrEqual(950);
      }
    } finally {
      for (const bot of bots) await stopBot(bot);
      await db.drop();
    }
  }, 240_000);
});
