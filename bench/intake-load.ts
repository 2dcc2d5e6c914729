import { randomBytes } from 'node:crypto';
import { SlackEmulator } from '../src/sandbox/emulator';
import { freePort, startMain, waitHealthy } from '../test/support/process';
import { machine } from './machine';
import type { BenchResult } from './run';
import { percentile, scratchDatabase } from './support';

const RATE = Number(process.env.BENCH_INTAKE_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_INTAKE_SECONDS ?? 30);

/**
 * Single-report JSON intake at a fixed arrival rate (open loop: requests are sent on schedule
 * whether or not earlier ones have answered, so a slow server shows up as latency, not as a lower
 * rate). The bot runs as its own process, as `npm start` would, on a scratch Postgres database.
 */
export async function intakeLoad(): Promise<BenchResult> {
  const scratch = await scratchDatabase('trustops_bench_intake');
  const emulator = await SlackEmulator.start();
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const run = startMain({
    PORT: String(port),
    DATABASE_URL: scratch.url,
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
    SLACK_API_URL: emulator.apiUrl,
    TRUSTOPS_INTAKE_TOKEN: token,
    LOG_LEVEL: 'warn',
  });
  try {
    await waitHealthy(port, 60_000);
    const url = `http://127.0.0.1:${port}/api/v1/reports`;
    const post = async (i: number) => {
      const body = JSON.stringify({
        external_id: `load-${i}`,
        surface: ['claude_ai', 'api', 'mobile'][i % 3],
        report_type: i % 20 === 0 ? 'mcp_server' : 'harmful_content',
        content_ref: `https://claude.ai/share/load-${i % 5000}`,
        jurisdiction: 'DE',
        ...(i % 20 === 0 ? { mcp_server: { name: `server ${i}`, url: 'https://mcp.example.com', issue: 'other' } } : {}),
      });
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      await res.arrayBuffer();
      return res.status;
    };
    // Warm-up: connections, JIT, the first queries.
    for (let i = 0; i < 200; i++) await post(1_000_000 + i);

    const total = RATE * SECONDS;
    const latencies: number[] = [];
    const statuses = new Map<string, number>();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: total }, async (_, i) => {
        const due = started + (i * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const status = await post(i).catch((err: Error) => `error: ${err.message}`);
        // Measured from the scheduled send time, so queueing in the client counts too.
        latencies.push(performance.now() - due);
        statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1);
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const errors = [...statuses.entries()].filter(([s]) => s !== '201').reduce((n, [, c]) => n + c, 0);
    return {
      name: 'intake-load',
      description: `POST /api/v1/reports at ${RATE} requests/s for ${SECONDS} s (open loop, latency from the scheduled send), against the bot running as its own process on a scratch Postgres database; every 20th report is an urgent mcp_server report (triage alert queued and delivered to the emulator); reports share 5,000 content references, so most join open cases.`,
      machine: machine(),
      at: new Date().toISOString(),
      figures: {
        requests: total,
        'achieved rate (req/s)': +(total / elapsed).toFixed(1),
        'p50 latency (ms)': +percentile(latencies, 50).toFixed(1),
        'p90 latency (ms)': +percentile(latencies, 90).toFixed(1),
        'p99 latency (ms)': +percentile(latencies, 99).toFixed(1),
        'max latency (ms)': +percentile(latencies, 100).toFixed(1),
        errors,
        statuses: JSON.stringify(Object.fromEntries(statuses)),
      },
    };
  } finally {
    if (process.env.BENCH_SHOW_LOGS) console.log(run.stdout().slice(-3000), run.stderr().slice(-3000));
    run.child.kill('SIGTERM');
    await run.exited;
    await emulator.stop();
    await scratch.drop();
  }
}
