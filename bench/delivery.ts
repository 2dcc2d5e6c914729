import { randomBytes } from 'node:crypto';
import { openDatabase } from '../src/db/client';
import { mulberry32 } from '../src/db/seed/random';
import { enqueueAlerts } from '../src/domain/alerts/outbox';
import { SlackEmulator } from '../src/sandbox/emulator';
import { ALERT_EVENT_TYPE } from '../src/slack/notifier';
import { triageAlerts } from '../test/support/alerts';
import { freePort, startMain, waitHealthy } from '../test/support/process';
import { machine } from './machine';
import type { BenchResult } from './run';
import { percentile, scratchDatabase } from './support';

const ALERTS = Number(process.env.BENCH_DELIVERY_ALERTS ?? 10_000);
const CHANNELS = Number(process.env.BENCH_DELIVERY_CHANNELS ?? 100);
const RATE_LIMITED = Number(process.env.BENCH_DELIVERY_429_SHARE ?? 0.05);

/**
 * Outbox delivery: ALERTS triage alerts queued at once over CHANNELS channels, delivered by the bot
 * running as its own process to the emulator, which answers a share of chat.postMessage calls with
 * 429 and Retry-After: 1. Every message is counted by the alert id in its metadata.
 */
export async function delivery(): Promise<BenchResult> {
  const scratch = await scratchDatabase('trustops_bench_delivery');
  const emulator = await SlackEmulator.start({ random: mulberry32(20261127) });
  const channels = Array.from({ length: CHANNELS }, (_, i) => emulator.addChannel(`bench-${String(i).padStart(3, '0')}`).name);
  emulator.injectRateLimit({ method: 'chat.postMessage', probability: RATE_LIMITED, retryAfterSeconds: 1 });
  const db = await openDatabase({ databaseUrl: scratch.url, dataDir: '', poolSize: 2 });
  const port = await freePort();
  const run = startMain({
    PORT: String(port),
    DATABASE_URL: scratch.url,
    TRUSTOPS_MIGRATE_ON_START: 'false',
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
    SLACK_API_URL: emulator.apiUrl,
    LOG_LEVEL: 'warn',
  });
  try {
    await waitHealthy(port, 60_000);
    const alerts = triageAlerts(ALERTS, channels, 'bench');
    await db.prisma.$transaction((tx) => enqueueAlerts(tx, alerts, new Date()), { timeout: 60_000 });
    const started = Date.now();
    // Done when nothing is left to send: every row sent or failed.
    for (;;) {
      const open = await db.prisma.alert.count({ where: { status: { in: ['pending', 'sending'] } } });
      if (open === 0) break;
      if (Date.now() - started > 30 * 60_000) throw new Error(`still ${open} alerts undelivered after 30 minutes`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const elapsed = (Date.now() - started) / 1000;

    const rows = await db.prisma.alert.findMany({ select: { id: true, status: true, slackTs: true } });
    const copies = new Map<number, number>();
    for (const m of emulator.allMessages()) {
      const meta = m.metadata as { event_type?: string; event_payload?: { alert_id?: number } } | undefined;
      const id = meta?.event_type === ALERT_EVENT_TYPE ? meta.event_payload?.alert_id : undefined;
      if (id !== undefined) copies.set(id, (copies.get(id) ?? 0) + 1);
    }
    const posts = emulator.callsTo('chat.postMessage');
    // Per channel: the gaps between successful posts, the most posts in any one second, and how
    // long the channel stayed quiet after a 429.
    const gaps: number[] = [];
    const afterLimit: number[] = [];
    let busiestSecond = 0;
    for (const channel of channels) {
      const calls = posts.filter((c) => c.args.channel === channel);
      const ok = calls.filter((c) => c.status === 200).map((c) => c.at);
      for (let i = 1; i < ok.length; i++) gaps.push(ok[i]! - ok[i - 1]!);
      for (let i = 0, j = 0; i < ok.length; i++) {
        while (ok[i]! - ok[j]! >= 1000) j++;
        busiestSecond = Math.max(busiestSecond, i - j + 1);
      }
      calls.forEach((c, i) => {
        const next = calls[i + 1];
        if (c.status === 429 && next) afterLimit.push(next.at - c.at);
      });
    }
    gaps.sort((a, b) => a - b);
    afterLimit.sort((a, b) => a - b);
    const limited = posts.filter((c) => c.status === 429).length;
    const minGap = gaps[0] ?? Number.NaN;
    return {
      name: 'delivery',
      description: `${ALERTS.toLocaleString('en')} triage alerts queued at once over ${CHANNELS} channels, delivered by the bot running as its own process (default settings: one post per second per channel, 50 channels at a time) to the Slack emulator, which answers ${(RATE_LIMITED * 100).toFixed(0)} % of chat.postMessage calls (seeded random) with 429 and Retry-After: 1. Messages are counted by the alert id in their metadata; time runs from the commit that queued the alerts to the last row marked sent.`,
      machine: machine(),
      at: new Date().toISOString(),
      figures: {
        alerts: ALERTS,
        channels: CHANNELS,
        'rows sent': rows.filter((r) => r.status === 'sent' && r.slackTs).length,
        'rows failed': rows.filter((r) => r.status === 'failed').length,
        'lost (no message)': rows.filter((r) => !copies.get(r.id)).length,
        'doubled (more than one message)': rows.filter((r) => (copies.get(r.id) ?? 0) > 1).length,
        'chat.postMessage calls': posts.length,
        '429 answers': limited,
        '429 share of calls (%)': +((limited / posts.length) * 100).toFixed(2),
        'history look-ups': emulator.callsTo('conversations.history').length,
        'min gap between posts in one channel (ms)': minGap,
        'p50 gap between posts in one channel (ms)': percentile(gaps, 50),
        'max per-channel rate (posts/s, 1000 / min gap)': +(1000 / minGap).toFixed(3),
        'most posts in one channel within any 1 s': busiestSecond,
        'min quiet time after a 429 in its channel (ms)': afterLimit[0] ?? Number.NaN,
        'total time (s)': +elapsed.toFixed(1),
        'throughput (alerts/s)': +(ALERTS / elapsed).toFixed(1),
      },
    };
  } finally {
    if (process.env.BENCH_SHOW_LOGS) console.log(run.stdout().slice(-3000), run.stderr().slice(-3000));
    run.child.kill('SIGTERM');
    await run.exited;
    await db.close();
    await emulator.stop();
    await scratch.drop();
  }
}
