import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import { SlackEmulator } from '../src/sandbox/emulator';
import { freePort, startMain, waitHealthy } from '../test/support/process';
import { machine } from './machine';
import type { BenchResult } from './run';
import { percentile, scratchDatabase, sql } from './support';

const RATE = Number(process.env.BENCH_INTAKE_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_INTAKE_SECONDS ?? 60);
const REFS = 5000;
const REPEATS = Number(process.env.BENCH_INTAKE_REPEATS ?? 3);

type Load = { latencies: number[]; statuses: Map<string, number>; seconds: number; load: [number, number]; cpuMsPerRequest: number };

/** CPU time (user + system, every thread) a process has used, in ms: steadier than latency on a busy machine. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

/** The n-th report of the run: every 20th an urgent mcp_server report; 5,000 content references shared. */
function reportBody(i: number): string {
  return JSON.stringify({
    external_id: `load-${i}`,
    surface: ['claude_ai', 'api', 'mobile'][i % 3],
    report_type: i % 20 === 0 ? 'mcp_server' : 'harmful_content',
    content_ref: `https://claude.ai/share/load-${i % REFS}`,
    jurisdiction: 'DE',
    ...(i % 20 === 0 ? { mcp_server: { name: `server ${i}`, url: 'https://mcp.example.com', issue: 'other' } } : {}),
  });
}

function poster(port: number, token: string) {
  // Plain node:http with kept-alive sockets: the load generator shares the two cores, so it must be cheap.
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  return (body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/v1/reports',
          method: 'POST',
          agent,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

/**
 * Open loop: requests leave on schedule whether or not earlier ones have answered, so a slow server
 * shows up as latency, not as a lower rate. Latency counts from the scheduled send time.
 */
async function openLoop(post: (body: string) => Promise<number>, offset: number, pid: number | undefined): Promise<Load> {
  // Warm-up: connections, JIT, the first queries, on reports outside the measured set.
  for (let i = 0; i < 200; i++) await post(reportBody(10_000_000 + offset + i));
  const total = RATE * SECONDS;
  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  const pending: Promise<void>[] = [];
  const load0 = os.loadavg()[0] as number;
  const cpu0 = cpuMs(pid);
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      post(reportBody(offset + i))
        .catch((err: Error) => `error: ${err.message}`)
        .then((status) => {
          latencies.push(performance.now() - due);
          statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1);
        }),
    );
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  const cpuMsPerRequest = (cpuMs(pid) - cpu0) / total;
  latencies.sort((a, b) => a - b);
  return { latencies, statuses, seconds, load: [load0, os.loadavg()[0] as number], cpuMsPerRequest };
}

/** The writes one run left: reports, cases, content references with two open cases (must be 0), triage alerts. */
type Written = { reports: number; cases: number; doubled: number; triage: number };
type Pair = { floor: Load; bot: Load; written: Written };

/**
 * One pair of runs on a fresh scratch database: the floor first (a bare Node HTTP server doing the same
 * writes through pg), then, on the emptied tables, the bot as its own process, as `npm start` runs it (its
 * jobs and analytics copy included).
 */
async function runPair(emulator: SlackEmulator, token: string): Promise<Pair> {
  const scratch = await scratchDatabase('trustops_bench_intake');
  const floorPort = await freePort();
  const floor = startMain({ PORT: String(floorPort), DATABASE_URL: scratch.url }, 'bench/intake-floor.ts');
  const botPort = await freePort();
  let bot: ReturnType<typeof startMain> | undefined;
  try {
    await waitHealthy(floorPort, 60_000);
    const floorLoad = await openLoop(poster(floorPort, token), 0, floor.child.pid);
    floor.child.kill('SIGTERM');
    await floor.exited;
    // The bot starts on the same database, emptied of the floor's rows.
    await sql(scratch.url, 'TRUNCATE reports, cases, audit_events, alerts, analytics_changes CASCADE');
    bot = startMain({
      PORT: String(botPort),
      DATABASE_URL: scratch.url,
      SLACK_BOT_TOKEN: emulator.botToken,
      SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
      SLACK_API_URL: emulator.apiUrl,
      TRUSTOPS_INTAKE_TOKEN: token,
      LOG_LEVEL: 'warn',
    });
    await waitHealthy(botPort, 60_000);
    const botLoad = await openLoop(poster(botPort, token), 0, bot.child.pid);
    const [written] = await sql(
      scratch.url,
      `SELECT (SELECT count(*) FROM reports)::int AS reports, (SELECT count(*) FROM cases)::int AS cases,
              (SELECT count(*) FROM (SELECT content_ref FROM cases WHERE status IN ('queued', 'in_review', 'escalated')
                 GROUP BY content_ref HAVING count(*) > 1) d)::int AS doubled,
              (SELECT count(*) FROM alerts WHERE kind = 'triage')::int AS triage`,
    );
    return { floor: floorLoad, bot: botLoad, written: written as Written };
  } finally {
    if (process.env.BENCH_SHOW_LOGS && bot) console.log(bot.stdout().slice(-3000), bot.stderr().slice(-3000));
    if (process.env.BENCH_SHOW_LOGS) console.log(floor.stderr().slice(-3000));
    floor.child.kill('SIGTERM');
    bot?.child.kill('SIGTERM');
    await Promise.all([floor.exited, bot?.exited]);
    await scratch.drop();
  }
}

/**
 * Single-report JSON intake at a fixed arrival rate, bot against floor, REPEATS times: a p99 over 60 s is
 * moved by a single stall of the shared machine, so the figures are those of the median pair (by p99 ratio),
 * with every pair's ratio beside them.
 */
export async function intakeLoad(): Promise<BenchResult> {
  const emulator = await SlackEmulator.start();
  const token = randomBytes(16).toString('hex');
  const pairs: Pair[] = [];
  try {
    for (let i = 0; i < REPEATS; i++) pairs.push(await runPair(emulator, token));
  } finally {
    await emulator.stop();
  }
  const p = (l: Load, q: number) => +percentile(l.latencies, q).toFixed(1);
  const ratio = (x: Pair) => p(x.bot, 99) / p(x.floor, 99);
  const median = [...pairs].sort((a, b) => ratio(a) - ratio(b))[Math.floor(pairs.length / 2)] as Pair;
  const { floor: floorLoad, bot: botLoad, written } = median;
  const errors = (l: Load) => [...l.statuses.entries()].filter(([s]) => s !== '201').reduce((n, [, c]) => n + c, 0);
  const total = RATE * SECONDS;
  return {
    name: 'intake-load',
    description: `POST /api/v1/reports at ${RATE} requests/s for ${SECONDS} s (open loop, latency from the scheduled send, node:http client with kept-alive sockets), against the bot running as its own process (jobs and analytics copy included) on a scratch Postgres database; every 20th report is an urgent mcp_server report (triage alert queued and delivered to the emulator); reports share ${REFS} content references, so most join open cases. Floor: the same requests, first, against a bare Node HTTP server doing the same writes with the same statement through pg (bench/intake-floor.ts); the tables are emptied between the two. ${REPEATS} such pairs, each on a new scratch database: the figures are the median pair's (by p99 ratio), and every pair's p99s and ratio are listed. Bot, floor, Postgres and the load generator share the machine; the load average is the 1-minute one at the start and end of each run; CPU per request is the server process's own (all its threads), not Postgres'.`,
    machine: machine(),
    at: new Date().toISOString(),
    figures: {
      requests: total,
      'bot achieved rate (req/s)': +(total / botLoad.seconds).toFixed(1),
      'bot p50 (ms)': p(botLoad, 50),
      'bot p90 (ms)': p(botLoad, 90),
      'bot p99 (ms)': p(botLoad, 99),
      'bot max (ms)': p(botLoad, 100),
      'bot errors': errors(botLoad),
      'bot statuses': JSON.stringify(Object.fromEntries(botLoad.statuses)),
      'bot load average (start → end)': botLoad.load.map((x) => x.toFixed(1)).join(' → '),
      'floor achieved rate (req/s)': +(total / floorLoad.seconds).toFixed(1),
      'floor p50 (ms)': p(floorLoad, 50),
      'floor p99 (ms)': p(floorLoad, 99),
      'floor errors': errors(floorLoad),
      'floor load average (start → end)': floorLoad.load.map((x) => x.toFixed(1)).join(' → '),
      'bot CPU per request (ms, its process)': +botLoad.cpuMsPerRequest.toFixed(2),
      'floor CPU per request (ms, its process)': +floorLoad.cpuMsPerRequest.toFixed(2),
      'p99 ratio bot/floor': +ratio(median).toFixed(2),
      'p50 ratio bot/floor': +(p(botLoad, 50) / p(floorLoad, 50)).toFixed(2),
      'every pair, in order: bot p99 / floor p99 (ms) = ratio; bot errors': pairs
        .map((x) => `${p(x.bot, 99)} / ${p(x.floor, 99)} = ${ratio(x).toFixed(2)}; ${errors(x.bot)}`)
        .join(' · '),
      'reports written': written.reports,
      'cases written': written.cases,
      'content references with two open cases': written.doubled,
      'triage alerts': written.triage,
    },
  };
}
