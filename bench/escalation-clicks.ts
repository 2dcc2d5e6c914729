import { randomBytes } from 'node:crypto';
import { SlackEmulator } from '../src/sandbox/emulator';
import { SignedSlackClient } from '../src/sandbox/slack-client';
import { freePort, startMain, waitHealthy, waitUntil } from '../test/support/process';
import { machine } from './machine';
import type { BenchResult } from './run';
import { percentile, scratchDatabase, sql } from './support';

const CLICKERS = Number(process.env.BENCH_CLICKERS ?? 50);
const CLICKS = Number(process.env.BENCH_CLICKS_EACH ?? 20);
const WARM_UP = 50;

type Load = { latencies: number[]; errors: number; seconds: number };

/** CLICKERS concurrent loops, each sending CLICKS signed Approve clicks one after another; latency is the ack. */
async function clickLoad(slack: SignedSlackClient, escalationIds: readonly number[], approvers: readonly string[]): Promise<Load> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    approvers.map(async (userId, c) => {
      for (let k = 0; k < CLICKS; k++) {
        const escalationId = escalationIds[c * CLICKS + k] as number;
        const t0 = performance.now();
        const res = await slack
          .blockAction({
            userId,
            actionId: 'escalation_approve',
            channelId: 'trustops-escalations',
            value: JSON.stringify({ escalationId }),
          })
          .catch((err: Error) => ({ status: 0, body: err.message }));
        if (res.status !== 200 && process.env.BENCH_SHOW_LOGS) console.log(res.status, 'body' in res ? res.body : '');
        latencies.push(performance.now() - t0);
        if (res.status !== 200) errors++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { latencies, errors, seconds: (performance.now() - started) / 1000 };
}

/**
 * Approve clicks through the real HTTP receiver: 50 concurrent clickers × 20 clicks each, every click
 * on its own sev2 escalation, against the bot running as its own process on a scratch Postgres
 * database; then the same load on a bare Bolt app whose handler only acks (the floor).
 */
export async function escalationClicks(): Promise<BenchResult> {
  const total = CLICKERS * CLICKS;
  const approvers = Array.from({ length: CLICKERS }, (_, i) => `U0BENCH${String(i).padStart(3, '0')}`);
  const scratch = await scratchDatabase('trustops_bench_clicks');
  const emulator = await SlackEmulator.start();
  for (const id of approvers) emulator.addUser({ id, name: id.toLowerCase() });
  const secret = randomBytes(16).toString('hex');
  const botPort = await freePort();
  const bot = startMain({
    PORT: String(botPort),
    DATABASE_URL: scratch.url,
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: emulator.apiUrl,
    TRUSTOPS_ADMINS: approvers.join(','),
    LOG_LEVEL: 'warn',
  });
  const floorPort = await freePort();
  const floor = startMain(
    { PORT: String(floorPort), SLACK_SIGNING_SECRET: secret, SLACK_BOT_TOKEN: emulator.botToken, SLACK_API_URL: emulator.apiUrl },
    'bench/bare-bolt.ts',
  );
  try {
    await waitHealthy(botPort, 60_000);
    await waitHealthy(floorPort, 60_000);
    // The escalations to decide: one open case each, raised by a vendor (so no direct messages go out).
    const [queue] = await sql(
      scratch.url,
      `SELECT q.id AS queue_id, p.id AS policy_id FROM queues q JOIN sla_policies p ON p.queue_id = q.id LIMIT 1`,
    );
    const rows = await sql(
      scratch.url,
      `WITH c AS (
         INSERT INTO cases (queue_id, sla_policy_id, status, content_ref, opened_at, first_action_due_at, resolution_due_at,
                            first_action_at_risk_at, resolution_at_risk_at, updated_at)
         SELECT $1, $2, 'escalated', 'bench:' || g, now(), now() + interval '1 day', now() + interval '2 days',
                now() + interval '18 hours', now() + interval '36 hours', now()
           FROM generate_series(1, $3) g RETURNING id)
       INSERT INTO escalations (case_id, source, severity, reason, requested_by, required_approvals, deadline_at, case_status_before)
       SELECT id, 'vendor', 'sev2', 'bench', 'vendor:bench', 1, now() + interval '4 hours', 'in_review' FROM c
       RETURNING id`,
      [queue?.queue_id, queue?.policy_id, total + WARM_UP],
    );
    // The warm-up's escalations are on cases of their own: deciding one gives its case back its earlier
    // status, so a measured escalation on the same case could never be decided.
    const ids = rows.slice(0, total).map((r) => Number(r.id));
    const warm = rows.slice(total);
    const botClient = new SignedSlackClient({ botUrl: `http://127.0.0.1:${botPort}/slack/events`, signingSecret: secret, emulator });
    const floorClient = new SignedSlackClient({ botUrl: `http://127.0.0.1:${floorPort}/slack/events`, signingSecret: secret, emulator });

    // Warm-up on both: connections, JIT, the first queries (on escalations outside the measured set).
    for (const [i, w] of warm.entries()) {
      const value = JSON.stringify({ escalationId: Number(w.id) });
      await botClient.blockAction({
        userId: approvers[i % CLICKERS]!,
        actionId: 'escalation_approve',
        channelId: 'trustops-escalations',
        value,
      });
      await floorClient.blockAction({
        userId: approvers[i % CLICKERS]!,
        actionId: 'escalation_approve',
        channelId: 'trustops-escalations',
        value,
      });
    }

    const floorLoad = await clickLoad(floorClient, ids, approvers);
    const botLoad = await clickLoad(botClient, ids, approvers);
    const started = performance.now();
    // Every decision recorded, each once: the ack comes first, the transaction after it.
    await waitUntil(
      'every escalation decided',
      async () => {
        const [r] = await sql(scratch.url, `SELECT count(*)::int AS n FROM escalations WHERE id = ANY($1::int[]) AND status = 'approved'`, [
          ids,
        ]);
        return Number(r?.n) === total ? true : undefined;
      },
      // Decisions run at about 90/s on a quiet machine; on a busy one the 1,000 take minutes.
      600_000,
    );
    const decidedAfter = (performance.now() - started) / 1000;
    const [check] = await sql(
      scratch.url,
      `SELECT (SELECT count(*) FROM escalation_votes WHERE escalation_id = ANY($1::int[]))::int AS votes,
              (SELECT count(*) FROM audit_events WHERE action = 'escalation.approve' AND entity_id = ANY($1::text[]))::int AS outcomes,
              (SELECT count(*) FROM alerts WHERE kind = 'escalation_thread' AND entity_id = ANY($1::text[]))::int AS notes`,
      [ids],
    );
    const p = (l: Load, q: number) => +percentile(l.latencies, q).toFixed(1);
    return {
      name: 'escalation-clicks',
      description: `${CLICKERS} concurrent clickers × ${CLICKS} signed Approve clicks each, every click on its own pending sev2 escalation, through the real HTTP receiver of the bot running as its own process on a scratch Postgres database (the click's audit row and trigger_id are written before the ack; the decision, its audit rows, the card update and the thread note are written after the ack, at most 4 decisions at a time, the rest waiting in line). Floor: the same load on a bare Bolt app (same receiver, same signed requests) whose handler only acks. Latency is the HTTP round trip of each click (the ack).`,
      machine: machine(),
      at: new Date().toISOString(),
      figures: {
        clicks: total,
        'bot ack p50 (ms)': p(botLoad, 50),
        'bot ack p99 (ms)': p(botLoad, 99),
        'bot ack max (ms)': p(botLoad, 100),
        'bot errors': botLoad.errors,
        'bot clicks/s': +(total / botLoad.seconds).toFixed(1),
        'floor ack p50 (ms)': p(floorLoad, 50),
        'floor ack p99 (ms)': p(floorLoad, 99),
        'floor errors': floorLoad.errors,
        'p99 ratio bot/floor': +(p(botLoad, 99) / p(floorLoad, 99)).toFixed(2),
        'all decided after the last ack (s)': +decidedAfter.toFixed(1),
        'votes recorded': Number(check?.votes),
        'outcomes recorded (audit)': Number(check?.outcomes),
        'outcome thread notes queued': Number(check?.notes),
        'doubled outcomes': Number(check?.outcomes) - total,
      },
    };
  } finally {
    if (process.env.BENCH_SHOW_LOGS)
      console.log(bot.stdout().slice(-3000), bot.stderr().slice(-3000), floor.stdout().slice(-3000), floor.stderr().slice(-3000));
    bot.child.kill('SIGTERM');
    floor.child.kill('SIGTERM');
    await Promise.all([bot.exited, floor.exited]);
    await emulator.stop();
    await scratch.drop();
  }
}
