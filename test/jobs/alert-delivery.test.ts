import { ErrorCode, WebClient } from '@slack/web-api';
import { systemClock } from '../../src/clock';
import { enqueueAlerts } from '../../src/domain/alerts/outbox';
import { type DeliveryOptions, startAlertDelivery } from '../../src/jobs/alert-delivery';
import { silentLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import type { RecordedCall, SlackEmulator, StoredMessage } from '../../src/sandbox/emulator';
import { ALERT_EVENT_TYPE, createNotifier } from '../../src/slack/notifier';
import type { TriageData } from '../../src/slack/views/triage';
import { startTestApp, type TestApp } from '../support/app';
import { waitUntil } from '../support/process';

const REVIEW_URL = 'https://review.example.test/cases/{case_id}';
let seq = 0;

const triage = (caseId: number): TriageData => ({
  caseId,
  reportType: 'mcp_server',
  reportTypeName: 'Third-party MCP server',
  surface: 'mcp_directory',
  queue: 'Tier 1',
  priority: 'urgent',
  firstActionDueAt: '2026-11-27T15:00:00.000Z',
  resolutionDueAt: '2026-11-28T15:00:00.000Z',
  contentRef: `https://mcp.example.com/servers/${caseId}`,
  jurisdiction: null,
  mcpServer: null,
});

/** Queues `n` triage alerts for a channel, the way a state change does, and returns their ids. */
async function enqueue(t: TestApp, channel: string, n: number): Promise<number[]> {
  const alerts = Array.from({ length: n }, () => {
    const caseId = ++seq;
    return { kind: 'triage', dedupeKey: `test:triage:${caseId}`, channel, message: triage(caseId) };
  });
  await t.db.prisma.$transaction((tx) => enqueueAlerts(tx, alerts, new Date()));
  t.running.delivery.kick();
  const rows = await t.db.prisma.alert.findMany({ where: { dedupeKey: { in: alerts.map((a) => a.dedupeKey) } }, orderBy: { id: 'asc' } });
  return rows.map((r) => r.id);
}

const alertIdOf = (m: Pick<StoredMessage, 'metadata'>): number | undefined => {
  const meta = m.metadata as { event_type?: string; event_payload?: { alert_id?: number } } | undefined;
  return meta?.event_type === ALERT_EVENT_TYPE ? meta.event_payload?.alert_id : undefined;
};

/** How many messages in the whole workspace carry each alert id. */
function postedCounts(emulator: SlackEmulator): Map<number, number> {
  const counts = new Map<number, number>();
  for (const m of emulator.allMessages()) {
    const id = alertIdOf(m);
    if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

const okPosts = (emulator: SlackEmulator, channel: string): RecordedCall[] =>
  emulator.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && (c.response as { ok?: boolean }).ok === true);

/** Smallest time between two consecutive successful posts in a channel (Infinity with fewer than two). */
const minGap = (calls: readonly RecordedCall[]): number =>
  calls.slice(1).reduce((min, c, i) => Math.min(min, c.at - calls[i]!.at), Number.POSITIVE_INFINITY);

async function waitSettled(t: TestApp, ids: number[], timeoutMs: number) {
  return waitUntil(
    `alerts ${ids.join(', ')} to be sent or failed`,
    async () => {
      const rows = await t.db.prisma.alert.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
      return rows.every((r) => r.status === 'sent' || r.status === 'failed') ? rows : undefined;
    },
    timeoutMs,
  );
}

describe('alert delivery through the app’s worker', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    for (const name of ['deliver-once', 'pace-a', 'pace-b', 'limited', 'unlimited', 'flaky', 'refused', 'adopt', 'lost-post', 'backlog']) {
      t.emulator.addChannel(name);
    }
  });
  afterAll(async () => {
    await t.stop();
  });

  it('posts each alert once, with its id in the message metadata, and stores the channel id and ts', async () => {
    const ids = await enqueue(t, 'deliver-once', 3);
    const rows = await waitSettled(t, ids, 10_000);
    const channelId = t.emulator.channel('deliver-once')!.id;
    const messages = t.emulator.messages('deliver-once');
    expect(messages.map(alertIdOf)).toEqual(ids);
    expect(messages[0]?.metadata).toEqual({
      event_type: ALERT_EVENT_TYPE,
      event_payload: { alert_id: ids[0], dedupe_key: rows[0]!.dedupeKey },
    });
    expect(rows.map((r) => [r.status, r.attempts, r.slackChannel, r.slackTs])).toEqual(messages.map((m) => ['sent', 1, channelId, m.ts]));
  });

  it('keeps posts to one channel at least a second apart, while other channels go on in parallel', async () => {
    const a = await enqueue(t, 'pace-a', 6);
    const b = await enqueue(t, 'pace-b', 6);
    await waitSettled(t, [...a, ...b], 20_000);
    const postsA = okPosts(t.emulator, 'pace-a');
    const postsB = okPosts(t.emulator, 'pace-b');
    expect(postsA).toHaveLength(6);
    expect(postsB).toHaveLength(6);
    expect(minGap(postsA)).toBeGreaterThanOrEqual(950);
    expect(minGap(postsB)).toBeGreaterThanOrEqual(950);
    // Not one queue for everything: b's first post does not wait for a's last.
    expect(postsB[0]!.at).toBeLessThan(postsA[5]!.at);
  }, 30_000);

  it('pauses a rate-limited channel for Retry-After, and loses or doubles nothing', async () => {
    t.emulator.injectRateLimit({ method: 'chat.postMessage', channel: 'limited', times: 1, retryAfterSeconds: 2 });
    const limited = await enqueue(t, 'limited', 4);
    const other = await enqueue(t, 'unlimited', 2);
    await waitSettled(t, [...limited, ...other], 20_000);

    const calls = t.emulator.callsTo('chat.postMessage').filter((c) => c.args.channel === 'limited');
    const refused = calls.filter((c) => c.status === 429);
    expect(refused).toHaveLength(1);
    const after = calls.filter((c) => c.at > refused[0]!.at);
    // The next call to that channel waits out Retry-After; then the usual pace.
    expect(after[0]!.at - refused[0]!.at).toBeGreaterThanOrEqual(1950);
    expect(minGap(okPosts(t.emulator, 'limited'))).toBeGreaterThanOrEqual(950);
    expect(okPosts(t.emulator, 'unlimited')[0]!.at).toBeLessThan(refused[0]!.at + 2000);

    const counts = postedCounts(t.emulator);
    expect([...limited, ...other].map((id) => counts.get(id))).toEqual([1, 1, 1, 1, 1, 1]);
    const rows = await t.db.prisma.alert.findMany({ where: { id: { in: limited } } });
    // A 429 is Slack asking us to wait, not a failed attempt.
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(limited.map(() => ['sent', 1]));
  }, 30_000);

  it('retries a 5xx with exponential backoff, checks Slack before posting again, and posts once', async () => {
    t.emulator.injectError({ method: 'chat.postMessage', channel: 'flaky', times: 2, error: 'upstream exploded', status: 500 });
    const [id] = await enqueue(t, 'flaky', 1);
    const [row] = await waitSettled(t, [id!], 20_000);
    expect(row).toMatchObject({ status: 'sent', attempts: 3, lastError: null });

    const calls = t.emulator.callsTo('chat.postMessage').filter((c) => c.args.channel === 'flaky');
    expect(calls.map((c) => c.status)).toEqual([500, 500, 200]);
    // Backoff: about 2 s, then about 4 s.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1900);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(3900);
    // A 500 may hide a post that happened: each retry first looked for it in the channel's history, by id.
    const channelId = t.emulator.channel('flaky')!.id;
    const looks = t.emulator.callsTo('conversations.history').filter((c) => c.args.channel === channelId);
    expect(looks).toHaveLength(2);
    expect(looks[0]!.args).toMatchObject({ include_all_metadata: 'true' });
    expect(Number(looks[0]!.args.oldest)).toBeLessThanOrEqual(row!.createdAt.getTime() / 1000);
    expect(postedCounts(t.emulator).get(id!)).toBe(1);
  }, 30_000);

  it('fails at once, with the reason, when Slack refuses an alert for good', async () => {
    t.emulator.injectError({ method: 'chat.postMessage', channel: 'refused', times: 1, error: 'invalid_blocks' });
    const [bad] = await enqueue(t, 'refused', 1);
    const [missing] = await enqueue(t, 'no-such-channel', 1);
    const rows = await waitSettled(t, [bad!, missing!], 10_000);
    expect(rows.map((r) => [r.status, r.attempts, r.lastError])).toEqual([
      ['failed', 1, 'invalid_blocks'],
      ['failed', 1, 'channel_not_found'],
    ]);
    // No retry loop: nothing more is tried.
    await new Promise((r) => setTimeout(r, 2500));
    const tries = t.emulator
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === 'refused' || c.args.channel === 'no-such-channel');
    expect(tries).toHaveLength(2);
  });

  it('adopts the message an attempt posted before its worker died, instead of posting it again', async () => {
    const caseId = ++seq;
    const dedupeKey = `test:triage:${caseId}`;
    // The first attempt: claimed (attempts 1, leased), posted... and the worker dies before it records the ts.
    const row = await t.db.prisma.alert.create({
      data: {
        kind: 'triage',
        dedupeKey,
        channel: 'adopt',
        message: triage(caseId),
        status: 'sending',
        attempts: 1,
        nextAttemptAt: new Date(Date.now() + 3_600_000),
      },
    });
    const notifier = createNotifier({ token: t.emulator.botToken, apiUrl: t.emulator.apiUrl, reviewUrl: REVIEW_URL });
    const first = await notifier.deliver({ ...row, slackChannel: null, slackTs: null });
    expect(first.ok).toBe(true);
    // Its lease runs out: the alert is due again, attempted once, with no ts.
    await t.db.prisma.alert.update({ where: { id: row.id }, data: { status: 'pending', nextAttemptAt: new Date() } });
    t.running.delivery.kick();

    const [sent] = await waitSettled(t, [row.id], 10_000);
    const channelId = t.emulator.channel('adopt')!.id;
    expect(sent).toMatchObject({ status: 'sent', attempts: 2, slackChannel: channelId, slackTs: first.ok ? first.ts : '' });
    expect(t.emulator.messages('adopt').map(alertIdOf)).toEqual([row.id]);
    expect(okPosts(t.emulator, 'adopt')).toHaveLength(1);
    // The alert names its channel, not its id: the id came from conversations.list, as history needs one.
    expect(t.emulator.callsTo('conversations.history').some((c) => c.args.channel === channelId)).toBe(true);
  });

  it('posts an alert whose earlier attempt never reached Slack, once', async () => {
    const caseId = ++seq;
    const row = await t.db.prisma.alert.create({
      data: { kind: 'triage', dedupeKey: `test:triage:${caseId}`, channel: 'lost-post', message: triage(caseId), attempts: 1 },
    });
    t.running.delivery.kick();
    const [sent] = await waitSettled(t, [row.id], 10_000);
    expect(sent).toMatchObject({ status: 'sent', attempts: 2 });
    expect(t.emulator.messages('lost-post').map(alertIdOf)).toEqual([row.id]);
  });

  describe('observability', () => {
    let waiting: number;
    beforeAll(async () => {
      // One alert waiting since two minutes ago (a backoff keeps it from being sent now).
      const caseId = ++seq;
      waiting = (
        await t.db.prisma.alert.create({
          data: {
            kind: 'triage',
            dedupeKey: `test:triage:${caseId}`,
            channel: 'backlog',
            message: triage(caseId),
            attempts: 1,
            lastError: 'http_503',
            createdAt: new Date(Date.now() - 120_000),
            nextAttemptAt: new Date(Date.now() + 3_600_000),
          },
        })
      ).id;
    });

    it('keeps plain /healthz exactly as the contract says', async () => {
      const res = await fetch(`${t.baseUrl}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('{"status":"ok","db":"ok"}');
    });

    it('adds the alert outbox to /healthz?details=1: pending, sending, failed, the oldest wait, and that delivery runs', async () => {
      const res = await fetch(`${t.baseUrl}/healthz?details=1`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; db: string; alerts: Record<string, number> };
      const count = (status: 'pending' | 'sending' | 'failed') => t.db.prisma.alert.count({ where: { status } });
      expect(body).toMatchObject({ status: 'ok', db: 'ok' });
      expect(body.alerts).toEqual({
        pending: await count('pending'),
        sending: await count('sending'),
        failed: await count('failed'),
        oldest_pending_seconds: expect.any(Number),
        delivery: { state: 'running' },
      });
      expect(body.alerts).toMatchObject({ pending: 1, sending: 0, failed: 2 });
      expect(body.alerts.oldest_pending_seconds).toBeGreaterThanOrEqual(119);
      expect(body.alerts.oldest_pending_seconds).toBeLessThan(300);
      expect(waiting).toBeGreaterThan(0);
    });

    it('exposes alerts by status as a gauge read at scrape time, beside the delivery counter', async () => {
      const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
      expect(text).toContain('# TYPE trustops_alerts gauge');
      expect(text).toMatch(/^trustops_alerts\{status="pending"\} 1$/m);
      expect(text).toMatch(/^trustops_alerts\{status="sending"\} 0$/m);
      expect(text).toMatch(/^trustops_alerts\{status="failed"\} 2$/m);
      const oldest = Number(/^trustops_alert_oldest_pending_seconds (\d+)/m.exec(text)?.[1]);
      expect(oldest).toBeGreaterThanOrEqual(119);
      for (const outcome of ['sent', 'adopted', 'rate_limited', 'retry', 'failed']) {
        expect(text).toMatch(new RegExp(`^trustops_alert_deliveries_total\\{kind="triage",outcome="${outcome}"\\} [1-9]\\d*$`, 'm'));
      }

      // Read at scrape time: the next scrape sees the backlog change.
      await t.db.prisma.alert.update({ where: { id: waiting }, data: { nextAttemptAt: new Date() } });
      t.running.delivery.kick();
      await waitSettled(t, [waiting], 10_000);
      const later = await (await fetch(`${t.baseUrl}/metrics`)).text();
      expect(later).toMatch(/^trustops_alerts\{status="pending"\} 0$/m);
      expect(later).toMatch(/^trustops_alert_oldest_pending_seconds 0$/m);
    });
  });
});

describe('a delivery worker of its own', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    // The app's worker stands aside; each test runs workers with its own settings.
    await t.running.delivery.stop();
    for (const name of ['give-up', 'stopping', 'shared-1', 'shared-2', 'shared-3', 'slow']) t.emulator.addChannel(name);
  });
  afterAll(async () => {
    await t.stop();
  });

  const worker = (over: Partial<DeliveryOptions> = {}) =>
    startAlertDelivery({
      db: t.db.prisma,
      log: silentLogger,
      metrics: createMetrics(),
      clock: systemClock,
      notifier: createNotifier({ token: t.emulator.botToken, apiUrl: t.emulator.apiUrl, reviewUrl: REVIEW_URL }),
      pollMs: 100,
      ...over,
    });

  it('gives up on a 5xx once the alert is older than the maximum age, and keeps the reason', async () => {
    t.emulator.injectError({ method: 'chat.postMessage', channel: 'give-up', every: 1, error: 'busy', status: 503 });
    // The first attempt is young enough to be retried (in 2 s); the second is past the maximum age.
    const w = worker({ maxAgeMs: 1500 });
    try {
      const [id] = await enqueue(t, 'give-up', 1);
      const [row] = await waitSettled(t, [id!], 10_000);
      expect(row).toMatchObject({ status: 'failed', attempts: 2 });
      expect(row!.lastError).toMatch(/^http_503 \(still failing after \d+ s, the maximum age\)$/);
      expect(t.emulator.messages('give-up')).toEqual([]);
    } finally {
      await w.stop();
      t.emulator.clearFaults();
    }
  });

  it('hands back, unattempted, the alerts it had claimed but not sent when it stops', async () => {
    const w = worker();
    const ids = await enqueue(t, 'stopping', 5);
    w.kick();
    await t.emulator.waitUntil(() => t.emulator.messages('stopping').length === 1, 5000);
    await w.stop();
    const rows = await t.db.prisma.alert.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ['sent', 1],
      ['pending', 0],
      ['pending', 0],
      ['pending', 0],
      ['pending', 0],
    ]);
    // Another worker (or the next start) takes them at once.
    const next = worker();
    try {
      await waitSettled(t, ids, 15_000);
      expect(t.emulator.messages('stopping').map(alertIdOf)).toEqual(ids);
    } finally {
      await next.stop();
    }
  }, 30_000);

  it('does not post an alert another worker took over while Slack was slow to answer', async () => {
    // Worker a posts the first of two alerts; Slack takes 3 s to answer, longer than a's claims last.
    t.emulator.injectSlowResponse({ method: 'chat.postMessage', channel: 'slow', times: 1, delayMs: 3000 });
    const warnings: string[] = [];
    const a = worker({ leaseMs: 1000, perChannel: 2, log: { ...silentLogger, warn: (msg) => warnings.push(msg) } });
    const ids = await enqueue(t, 'slow', 2);
    a.kick();
    await t.emulator.waitUntil(() => t.emulator.messages('slow').length === 1, 3000);
    // Worker b takes both over once the claims run out: it finds the first posted, and posts the second.
    const b = worker({ leaseMs: 1000 });
    try {
      await waitSettled(t, ids, 15_000);
      // Worker a, answered at last, comes to its second alert and finds it is no longer its own.
      await waitUntil(
        'worker a to find its claim lost',
        async () => warnings.includes('alert claim lost to another worker') || undefined,
        5000,
      );
      await a.stop();
      expect(t.emulator.messages('slow').map(alertIdOf)).toEqual(ids);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 30_000);

  it('two workers on one database send every alert once, and keep each channel’s pace between them', async () => {
    const a = worker({ perChannel: 2 });
    const b = worker({ perChannel: 2 });
    try {
      const ids = [...(await enqueue(t, 'shared-1', 5)), ...(await enqueue(t, 'shared-2', 5)), ...(await enqueue(t, 'shared-3', 5))];
      await waitSettled(t, ids, 20_000);
      const counts = postedCounts(t.emulator);
      expect(ids.map((id) => counts.get(id))).toEqual(ids.map(() => 1));
      for (const channel of ['shared-1', 'shared-2', 'shared-3']) expect(minGap(okPosts(t.emulator, channel))).toBeGreaterThanOrEqual(950);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 30_000);
});

describe('the emulator’s message metadata', () => {
  let t: TestApp;
  let client: WebClient;
  beforeAll(async () => {
    t = await startTestApp();
    await t.running.delivery.stop();
    client = new WebClient(t.emulator.botToken, {
      slackApiUrl: t.emulator.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
  });
  afterAll(async () => {
    await t.stop();
  });

  const metadata = { event_type: 'trustops_alert', event_payload: { alert_id: 7 } };

  it('keeps metadata on a post, and returns it from history only with include_all_metadata', async () => {
    const posted = await client.chat.postMessage({ channel: 'trustops-triage', text: 'card', metadata });
    // chat.postMessage takes a name and answers with the id; history takes the id only, as Slack's does.
    expect(posted.channel).toBe('C0TRIAGE');
    const plain = await client.conversations.history({ channel: 'C0TRIAGE' });
    expect(plain.messages?.[0]).toMatchObject({ ts: posted.ts });
    expect(plain.messages?.[0]?.metadata).toBeUndefined();
    const full = await client.conversations.history({ channel: 'C0TRIAGE', include_all_metadata: true });
    expect(full.messages?.[0]?.metadata).toEqual(metadata);
    await expect(client.conversations.history({ channel: 'trustops-triage' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });

    await client.chat.update({
      channel: 'C0TRIAGE',
      ts: posted.ts!,
      text: 'edited',
      metadata: { ...metadata, event_payload: { alert_id: 8 } },
    });
    expect(t.emulator.message('C0TRIAGE', posted.ts!)?.metadata).toEqual({ event_type: 'trustops_alert', event_payload: { alert_id: 8 } });
  });

  it('refuses malformed metadata as Slack does', async () => {
    await expect(
      client.chat.postMessage({ channel: 'C0TRIAGE', text: 'x', metadata: { event_type: 'has spaces', event_payload: {} } }),
    ).rejects.toMatchObject({ data: { error: 'invalid_metadata_format' } });
  });

  it('rate-limits every Nth call to one channel, and answers slowly after applying a call', async () => {
    t.emulator.injectRateLimit({ method: 'chat.postMessage', channel: 'vendor-ops', every: 3 });
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(
        await client.chat.postMessage({ channel: 'vendor-ops', text: `n${i}` }).then(
          () => 'ok',
          (err: { code?: string }) => (err.code === ErrorCode.RateLimitedError ? '429' : 'error'),
        ),
      );
    }
    await client.chat.postMessage({ channel: 'general', text: 'elsewhere' });
    expect(outcomes).toEqual(['ok', 'ok', '429', 'ok', 'ok', '429']);
    t.emulator.clearFaults();

    t.emulator.injectSlowResponse({ method: 'chat.postMessage', delayMs: 300 });
    const started = Date.now();
    const pending = client.chat.postMessage({ channel: 'general', text: 'slow' });
    await t.emulator.waitUntil(() => t.emulator.messages('general').some((m) => m.text === 'slow'), 1000);
    expect(Date.now() - started).toBeLessThan(300);
    await pending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});
