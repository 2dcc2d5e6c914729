import { fixedClock, systemClock } from '../../src/clock';
import { type Database, openDatabase } from '../../src/db/client';
import { enqueueAlerts } from '../../src/domain/alerts/outbox';
import { type DeliveryOptions, type DeliveryWorker, startAlertDelivery } from '../../src/jobs/alert-delivery';
import type { Logger } from '../../src/logger';
import { createMetrics, type Metrics } from '../../src/metrics';
import { SlackEmulator, type StoredMessage } from '../../src/sandbox/emulator';
import { ALERT_EVENT_TYPE, createNotifier } from '../../src/slack/notifier';
import { silentSlackLogger, triageAlerts } from '../support/alerts';
import { startTestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { waitUntil } from '../support/process';

const MIN = 60_000;
const T0 = new Date('2026-12-02T09:00:00.000Z');
let seq = 0;

const alertIdOf = (m: Pick<StoredMessage, 'metadata'>): number | undefined => {
  const meta = m.metadata as { event_type?: string; event_payload?: { alert_id?: number } } | undefined;
  return meta?.event_type === ALERT_EVENT_TYPE ? meta.event_payload?.alert_id : undefined;
};

/** A logger that keeps what it is told, for asserting on what the worker said. */
function recordingLogger(): Logger & { lines: { level: string; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => lines.push({ level, msg, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Queues `n` triage alerts for each channel at `now`, the way the intake does; returns their ids by channel. */
async function enqueue(db: Database, channels: readonly string[], n: number, now: Date): Promise<Map<string, number[]>> {
  const prefix = `faults-${++seq}`;
  const alerts = triageAlerts(n * channels.length, channels, prefix);
  await db.prisma.$transaction((tx) => enqueueAlerts(tx, alerts, now));
  const rows = await db.prisma.alert.findMany({ where: { dedupeKey: { startsWith: `${prefix}:` } }, orderBy: { id: 'asc' } });
  const byChannel = new Map<string, number[]>();
  for (const r of rows) byChannel.set(r.channel, [...(byChannel.get(r.channel) ?? []), r.id]);
  return byChannel;
}

/**
 * Every alert queued for each channel is in that channel exactly once, in the order it was queued, and its
 * row is sent and points at that message.
 */
async function expectDeliveredOnceInOrder(db: Database, emulator: SlackEmulator, queued: Map<string, number[]>): Promise<void> {
  for (const [channel, ids] of queued) {
    const messages = emulator.messages(channel);
    expect({ channel, ids: messages.map(alertIdOf) }).toEqual({ channel, ids });
    const rows = await db.prisma.alert.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.status, r.slackTs])).toEqual(messages.map((m) => ['sent', m.ts]));
  }
}

function worker(db: Database, emulator: SlackEmulator, over: Partial<DeliveryOptions> = {}): DeliveryWorker {
  return startAlertDelivery({
    db: db.prisma,
    log: recordingLogger(),
    metrics: createMetrics(),
    clock: systemClock,
    notifier: createNotifier({
      token: emulator.botToken,
      apiUrl: emulator.apiUrl,
      reviewUrl: 'https://review.example.test/cases/{case_id}',
      clientOptions: { logger: silentSlackLogger },
    }),
    pollMs: 50,
    channelGapMs: 20,
    ...over,
  });
}

const pausedGauge = async (metrics: Metrics) => (await metrics.alertDeliveryPaused.get()).values[0]?.value;

describe('Slack away for a while, on an injected clock (the suite does not wait for it)', () => {
  let db: TestDatabase;
  let emulator: SlackEmulator;
  const clock = fixedClock(T0);
  const channels = ['away-1', 'away-2', 'away-3'];
  beforeAll(async () => {
    db = await createTestDatabase();
    // Slack's clock is ours: message ts, and the outage window, are on the injected clock.
    emulator = await SlackEmulator.start({ now: () => clock.now().getTime() });
    for (const c of channels) emulator.addChannel(c);
  });
  afterAll(async () => {
    await emulator.stop();
    await db.drop();
  });
  beforeEach(async () => {
    emulator.reset();
    clock.set(T0);
    await db.prisma.alert.deleteMany();
  });

  /**
   * Moves the clock from one due time to the next: at each, waits until the worker has done all that is
   * due (nothing being sent, no channel's next alert due), then sets the clock to the earliest time a
   * channel's next alert falls due (or to `until`, if that is later than the clock and nothing is due
   * before it). Ends when nothing is left pending.
   */
  async function runClock(w: DeliveryWorker, opts: { onTick?: (now: Date) => Promise<void>; until?: Date } = {}): Promise<void> {
    for (let step = 0; step < 500; step++) {
      const state = await waitUntil(
        `the worker to finish what is due at ${clock.now().toISOString()}`,
        async () => {
          const [s] = await db.prisma.$queryRawUnsafe<{ sending: number; due: number; next: Date | null }[]>(
            `SELECT count(*) FILTER (WHERE status = 'sending')::int AS sending,
                    count(*) FILTER (WHERE status = 'pending' AND id = head AND next_attempt_at <= $1::timestamptz)::int AS due,
                    min(next_attempt_at) FILTER (WHERE status = 'pending' AND id = head) AS next
               FROM (SELECT status, id, next_attempt_at,
                            min(id) FILTER (WHERE status IN ('pending', 'sending')) OVER (PARTITION BY channel) AS head
                       FROM alerts) a`,
            clock.now().toISOString(),
          );
          return s && s.sending === 0 && s.due === 0 ? s : undefined;
        },
        15_000,
      );
      const next = state.next ?? (opts.until && opts.until > clock.now() ? opts.until : undefined);
      if (!next) return;
      clock.set(next);
      await opts.onTick?.(clock.now());
      w.kick();
    }
    throw new Error('the outbox did not settle within 500 steps of the clock');
  }

  const okPosts = () => emulator.callsTo('chat.postMessage').filter((c) => c.status === 200);

  it('Slack refusing connections for 2 minutes: every alert is delivered once, in order per channel, new ones behind the old', async () => {
    const end = T0.getTime() + 2 * MIN;
    emulator.injectOutage({ until: end, mode: 'refuse' });
    const queued = await enqueue(db, channels, 4, clock.now());
    const w = worker(db, emulator, { clock });
    let late: Map<string, number[]> | undefined;
    try {
      await runClock(w, {
        // More alerts come in while Slack is away: they go out after the ones already waiting.
        onTick: async (now) => {
          if (!late && now.getTime() >= T0.getTime() + MIN) late = await enqueue(db, channels, 2, now);
        },
      });
    } finally {
      await w.stop();
    }
    for (const c of channels) queued.set(c, [...queued.get(c)!, ...(late?.get(c) ?? [])]);
    await expectDeliveredOnceInOrder(db, emulator, queued);
    // Slack really was away: calls were dropped, and nothing got through before the outage ended.
    expect(emulator.calls.filter((c) => c.status === 0).length).toBeGreaterThan(channels.length);
    expect(Math.min(...okPosts().map((c) => c.at))).toBeGreaterThanOrEqual(end);
  });

  it('Slack answering 503 for 10 minutes: nothing fails (the old limit of 8 attempts is gone), every alert once, in order', async () => {
    const end = T0.getTime() + 10 * MIN;
    emulator.injectOutage({ until: end, mode: 'error', status: 503 });
    const queued = await enqueue(db, channels, 3, clock.now());
    const w = worker(db, emulator, { clock });
    try {
      await runClock(w);
    } finally {
      await w.stop();
    }
    await expectDeliveredOnceInOrder(db, emulator, queued);
    const rows = await db.prisma.alert.findMany();
    expect(rows.filter((r) => r.status === 'failed')).toEqual([]);
    // Each channel's first alert kept trying through the outage, more often than the old limit allowed...
    expect(Math.max(...rows.map((r) => r.attempts))).toBeGreaterThan(8);
    // ...with a capped backoff: the backlog went out within 5 minutes (the cap) of Slack coming back.
    const first = Math.min(...okPosts().map((c) => c.at));
    expect(first).toBeGreaterThanOrEqual(end);
    expect(first).toBeLessThanOrEqual(end + 5 * MIN);
    expect(emulator.calls.some((c) => c.status === 503)).toBe(true);
  });

  it('an alert still failing at the maximum age is failed with the reason, and the alerts behind it go on', async () => {
    const end = T0.getTime() + 120 * MIN;
    emulator.injectOutage({ until: end, mode: 'refuse' });
    const old = await enqueue(db, ['away-1'], 2, clock.now());
    const w = worker(db, emulator, { clock, maxAgeMs: 60 * MIN });
    let recent: Map<string, number[]> | undefined;
    try {
      const at = new Date(T0.getTime() + 90 * MIN);
      await runClock(w, {
        until: at,
        onTick: async (now) => {
          if (!recent && now >= at) recent = await enqueue(db, ['away-1'], 2, now);
        },
      });
    } finally {
      await w.stop();
    }
    const failed = await db.prisma.alert.findMany({ where: { id: { in: old.get('away-1') } }, orderBy: { id: 'asc' } });
    expect(failed.map((r) => r.status)).toEqual(['failed', 'failed']);
    for (const r of failed) expect(r.lastError).toMatch(/ \(still failing after \d+ min, the maximum age\)$/);
    // Queued 90 minutes in, 30 minutes before Slack came back: within their maximum age, so delivered.
    expect(recent).toBeDefined();
    await expectDeliveredOnceInOrder(db, emulator, recent!);
    expect(emulator.messages('away-1').map(alertIdOf)).toEqual(recent!.get('away-1'));
  });
});

describe('Slack refusing the bot token', () => {
  let db: TestDatabase;
  let emulator: SlackEmulator;
  beforeAll(async () => {
    db = await createTestDatabase();
    emulator = await SlackEmulator.start();
    for (const c of ['auth-1', 'auth-2']) emulator.addChannel(c);
  });
  afterAll(async () => {
    await emulator.stop();
    await db.drop();
  });

  it('pauses all delivery, loudly, failing and counting nothing; resumes once auth.test passes, and sends each alert once', async () => {
    emulator.injectError({ error: 'token_revoked', every: 1 });
    const log = recordingLogger();
    const metrics = createMetrics();
    const w = worker(db, emulator, { log, metrics, authCheckMs: 200 });
    try {
      const queued = await enqueue(db, ['auth-1', 'auth-2'], 3, new Date());
      await waitUntil('delivery to pause', async () => (w.status().state === 'paused' ? true : undefined), 5000);
      expect(w.status()).toEqual({ state: 'paused', reason: 'token_revoked', since: expect.any(Date) });
      expect(log.lines.filter((l) => l.level === 'error').map((l) => [l.msg, l.fields?.error])).toEqual([
        ['alert delivery paused: Slack refuses the bot token; no alert is sent until it is accepted again', 'token_revoked'],
      ]);
      expect(await pausedGauge(metrics)).toBe(1);

      // While paused, only the token is checked: no post is tried, and no alert fails or uses up an attempt.
      const posts = emulator.callsTo('chat.postMessage').length;
      expect(posts).toBeLessThanOrEqual(2);
      const checks = emulator.callsTo('auth.test').length;
      await emulator.waitUntil(() => emulator.callsTo('auth.test').length >= checks + 2, 5000, 'two more token checks');
      expect(emulator.callsTo('chat.postMessage')).toHaveLength(posts);
      const rows = await db.prisma.alert.findMany();
      expect(rows.map((r) => [r.status, r.attempts])).toEqual(rows.map(() => ['pending', 0]));

      emulator.clearFaults();
      await waitUntil(
        'every alert to be sent',
        async () => ((await db.prisma.alert.count({ where: { status: { not: 'sent' } } })) === 0 ? true : undefined),
        10_000,
      );
      await expectDeliveredOnceInOrder(db, emulator, queued);
      expect(w.status()).toEqual({ state: 'running' });
      expect(await pausedGauge(metrics)).toBe(0);
      expect(log.lines.map((l) => l.msg)).toContain('alert delivery resumed: Slack accepts the bot token again');
    } finally {
      await w.stop();
    }
  });

  it('shows the pause in /healthz?details=1 (503, naming Slack’s answer) and in a gauge; plain /healthz stays a liveness check', async () => {
    const t = await startTestApp();
    try {
      // Bolt checks the token once as it starts; the token is revoked after that.
      await t.emulator.waitFor((c) => c.method === 'auth.test', 5000);
      t.emulator.injectError({ error: 'invalid_auth', every: 1 });
      await t.db.prisma.$transaction((tx) => enqueueAlerts(tx, triageAlerts(1, ['trustops-triage'], 'healthz-paused'), new Date()));
      t.running.delivery.kick();
      const body = await waitUntil(
        'healthz to report the pause',
        async () => {
          const res = await fetch(`${t.baseUrl}/healthz?details=1`);
          return res.status === 503
            ? ((await res.json()) as { status: string; alerts: { pending: number; delivery: unknown } })
            : undefined;
        },
        5000,
      );
      expect(body.status).toBe('degraded');
      expect(body.alerts.delivery).toEqual({ state: 'paused', reason: 'invalid_auth', since: expect.any(String) });
      expect(body.alerts.pending).toBe(1);
      expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${t.baseUrl}/metrics`)).text()).toMatch(/^trustops_alert_delivery_paused 1$/m);
      expect(await t.db.prisma.alert.count({ where: { status: 'failed' } })).toBe(0);
    } finally {
      await t.stop();
    }
  });
});

type Fault = { match: RegExp; when: 'before' | 'after'; times: number };

/**
 * The real client, except that raw statements matching a fault fail: `before` running (as when no
 * connection can be had from an exhausted pool) or `after` (as when the connection drops once the
 * statement has committed), `times` times.
 */
function withFaults(db: Database, faults: Fault[]): Database {
  const prisma = new Proxy(db.prisma, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== '$executeRawUnsafe') return typeof value === 'function' ? value.bind(target) : value;
      return (sql: string, ...args: unknown[]) => {
        const fault = faults.find((f) => f.times > 0 && f.match.test(sql));
        // Untouched statements stay Prisma's own (lazy) promises, so they still work inside $transaction([...]).
        if (!fault) return target.$executeRawUnsafe(sql, ...args);
        fault.times -= 1;
        if (fault.when === 'before') return Promise.reject(new Error('timeout exceeded when trying to connect'));
        return target.$executeRawUnsafe(sql, ...args).then(() => {
          throw new Error('Connection terminated unexpectedly');
        });
      };
    },
  });
  return { ...db, prisma };
}

describe('database faults under the delivery worker', () => {
  let db: TestDatabase;
  let emulator: SlackEmulator;
  beforeAll(async () => {
    db = await createTestDatabase();
    emulator = await SlackEmulator.start();
    for (const c of ['handback', 'adopt-after-db', 'pool-1', 'pool-2']) emulator.addChannel(c);
  });
  afterAll(async () => {
    await emulator.stop();
    await db.drop();
  });

  const allSent = () =>
    waitUntil(
      'every alert to be sent',
      async () => ((await db.prisma.alert.count({ where: { status: { not: 'sent' } } })) === 0 ? true : undefined),
      30_000,
    );

  it('when the connection drops just after a rate-limited lane handed its alerts back, none of them is posted twice', async () => {
    // The 2nd post is refused with a 429; the lane hands it and the rest back... and the database
    // connection drops as that commits. (This is how alerts 68–70 were each posted twice.)
    emulator.injectRateLimit({ method: 'chat.postMessage', channel: 'handback', every: 2, times: 1, retryAfterSeconds: 1 });
    const log = recordingLogger();
    const faulty = withFaults(db, [{ match: /attempts = a\.attempts - 1/, when: 'after', times: 1 }]);
    const w = worker(faulty, emulator, { log, channelGapMs: 200 });
    try {
      const queued = await enqueue(db, ['handback'], 5, new Date());
      await allSent();
      expect(log.lines.map((l) => l.msg)).toContain('alert delivery crashed');
      await expectDeliveredOnceInOrder(db, emulator, queued);
      expect(emulator.callsTo('chat.postMessage').filter((c) => c.status === 200)).toHaveLength(5);
    } finally {
      await w.stop();
    }
  });

  it('when storing the ts fails after a post, the next attempt adopts the message instead of posting it again', async () => {
    const log = recordingLogger();
    const metrics = createMetrics();
    const faulty = withFaults(db, [{ match: /SET slack_channel = \$2, slack_ts = \$3/, when: 'before', times: 1 }]);
    const w = worker(faulty, emulator, { log, metrics, leaseMs: 1500 });
    try {
      const queued = await enqueue(db, ['adopt-after-db'], 3, new Date());
      await allSent();
      await expectDeliveredOnceInOrder(db, emulator, queued);
      expect((await metrics.alertDeliveries.get()).values.find((v) => v.labels.outcome === 'adopted')?.value).toBe(1);
      expect(log.lines.filter((l) => l.msg === 'alert delivery crashed')).toHaveLength(1);
    } finally {
      await w.stop();
    }
  });

  it('an exhausted connection pool: the worker keeps running, and every alert is posted once, in order', async () => {
    // The worker on a pool of two connections, both taken for 6 s by slow queries: its statements wait
    // the pool's 5 s and fail, whichever they are (claims, lease renewals, storing a ts).
    const small = await openDatabase({ databaseUrl: db.url, dataDir: '', poolSize: 2 });
    const log = recordingLogger();
    const w = worker(small, emulator, { log, leaseMs: 3000, channelGapMs: 100 });
    try {
      const queued = await enqueue(db, ['pool-1', 'pool-2'], 15, new Date());
      await emulator.waitUntil(() => emulator.callsTo('chat.postMessage').length >= 4, 10_000, 'the first posts');
      await Promise.all([small.prisma.$executeRawUnsafe('SELECT pg_sleep(6)'), small.prisma.$executeRawUnsafe('SELECT pg_sleep(6)')]);
      await allSent();
      await expectDeliveredOnceInOrder(db, emulator, queued);
      // The episode did hit the worker, and it went on.
      expect(log.lines.filter((l) => l.level === 'error').length).toBeGreaterThan(0);
    } finally {
      await w.stop();
      await small.close();
    }
  }, 60_000);
});
