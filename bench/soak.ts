import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import os from 'node:os';
import { SlackEmulator } from '../src/sandbox/emulator';
import { SignedSlackClient } from '../src/sandbox/slack-client';
import { freePort, startMain, waitHealthy } from '../test/support/process';
import { machine } from './machine';
import type { BenchResult } from './run';
import { scratchDatabase, sql } from './support';

const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 30);
const INTAKE_RATE = Number(process.env.BENCH_SOAK_INTAKE_RATE ?? 50);
const SAMPLE_MS = 15_000;
const ADMIN = 'U0SOAKADMIN';
const COMMANDS = ['metrics last 7d', 'metrics today by:vendor', 'sla', 'help', 'metrics last 30d by:day tz:Europe/Paris'];

type Sample = { at: number; rssMiB: number; heapMiB: number; loopP99Ms: number; loopMaxMs: number; load: number };
type Counter = { sent: number; failed: number; failures: Map<string, number> };

/** A failure's key: the status and the start of the answer (or the client's error, status 0). */
const why = (res: { status: number; text?: string }) => `${res.status} ${(res.text ?? '').slice(0, 80)}`;
const counter = (): Counter => ({ sent: 0, failed: 0, failures: new Map() });
function count(c: Counter, outcome: string | undefined): void {
  c.sent++;
  if (outcome === undefined) return;
  c.failed++;
  c.failures.set(outcome, (c.failures.get(outcome) ?? 0) + 1);
}

function http(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  return (method: 'GET' | 'POST', path: string, body?: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method, agent, headers }, (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
}

/** The process figures prom-client exports on /metrics (event-loop delay since the last scrape). */
function sampleOf(text: string): Omit<Sample, 'at' | 'load'> {
  const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    rssMiB: value('trustops_process_resident_memory_bytes') / 2 ** 20,
    heapMiB: value('trustops_nodejs_heap_size_used_bytes') / 2 ** 20,
    loopP99Ms: value('trustops_nodejs_eventloop_lag_p99_seconds') * 1000,
    loopMaxMs: value('trustops_nodejs_eventloop_lag_max_seconds') * 1000,
  };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const fixed = (x: number, d = 1) => +x.toFixed(d);
const failures = (c: Counter) => JSON.stringify(Object.fromEntries(c.failures));

/**
 * Mixed traffic against the bot running as its own process, for BENCH_SOAK_MINUTES: intake at a steady
 * rate (every 50th report an urgent one, so triage alerts are delivered all along), a slash command
 * every 2 s, an escalation raised through the API and approved by a signed click every 5 s, the SLA
 * scan every minute and the outbox delivering to the emulator, which rate-limits chat.postMessage for
 * a moment every 5 minutes. Figures: RSS, heap and event-loop delay in the first and the last minute,
 * errors of every kind, and whether the outbox kept up.
 */
export async function soakBench(): Promise<BenchResult> {
  const scratch = await scratchDatabase('trustops_bench_soak');
  const emulator = await SlackEmulator.start();
  emulator.addUser({ id: ADMIN, name: 'soak admin' });
  const token = randomBytes(16).toString('hex');
  const secret = randomBytes(16).toString('hex');
  const port = await freePort();
  const bot = startMain({
    PORT: String(port),
    DATABASE_URL: scratch.url,
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: emulator.apiUrl,
    TRUSTOPS_INTAKE_TOKEN: token,
    TRUSTOPS_ADMINS: ADMIN,
    LOG_LEVEL: 'warn',
  });
  const call = http(port);
  const slack = new SignedSlackClient({ botUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: secret, emulator });
  const json = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const intake = counter();
  const commands = counter();
  const escalations = counter();
  const clicks = counter();
  const samples: Sample[] = [];
  const openCases: number[] = [];
  const timers: NodeJS.Timeout[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  const every = (ms: number, fn: () => Promise<void>) => timers.push(setInterval(() => track(fn()), ms));
  let seq = 0;
  try {
    await waitHealthy(port, 120_000);
    const started = Date.now();
    const report = async () => {
      const i = seq++;
      const body = JSON.stringify({
        external_id: `soak-${i}`,
        surface: ['claude_ai', 'api', 'mobile'][i % 3],
        report_type: i % 50 === 0 ? 'mcp_server' : 'harmful_content',
        content_ref: `https://claude.ai/share/soak-${i % 20_000}`,
        jurisdiction: 'DE',
        ...(i % 50 === 0 ? { mcp_server: { name: `server ${i}`, url: 'https://mcp.example.com', issue: 'other' } } : {}),
      });
      const res = await call('POST', '/api/v1/reports', body, json).catch((err: Error) => ({ status: 0, text: err.message }));
      count(intake, res.status === 201 ? undefined : why(res));
      if (res.status === 201 && i % 100 === 1) openCases.push(Number(JSON.parse(res.text).case_id));
    };
    // Intake in ticks of 100 ms, so the rate holds without a timer per request.
    every(100, async () => {
      await Promise.all(Array.from({ length: INTAKE_RATE / 10 }, report));
    });
    every(2000, async () => {
      const text = COMMANDS[commands.sent % COMMANDS.length]!;
      const res = await slack.command(text, { userId: ADMIN }).catch((err: Error) => ({ status: 0, body: err.message }));
      count(commands, res.status === 200 ? undefined : why({ status: res.status, text: res.body }));
    });
    every(5000, async () => {
      const caseId = openCases.shift();
      if (caseId === undefined) return;
      const res = await call(
        'POST',
        '/api/v1/escalations',
        JSON.stringify({ external_id: `soak-esc-${caseId}`, case_id: caseId, severity: 'sev3', reason: 'soak' }),
        json,
      ).catch((err: Error) => ({ status: 0, text: err.message }));
      // 409: the case was decided or already escalated meanwhile; 200: a replay of an escalation raised
      // before (content references repeat, so a case comes round again). Real traffic does both; no fault.
      count(escalations, [200, 201, 409].includes(res.status) ? undefined : why(res));
      if (res.status !== 201) return;
      const click = await slack
        .blockAction({
          userId: ADMIN,
          actionId: 'escalation_approve',
          channelId: 'trustops-escalations',
          value: JSON.stringify({ escalationId: JSON.parse(res.text).id }),
        })
        .catch((err: Error) => ({ status: 0, body: err.message }));
      count(clicks, click.status === 200 ? undefined : why({ status: click.status, text: click.body }));
    });
    every(5 * 60_000, async () => {
      emulator.injectRateLimit({ method: 'chat.postMessage', times: 5, retryAfterSeconds: 3 });
    });
    every(SAMPLE_MS, async () => {
      const res = await call('GET', '/metrics');
      samples.push({ at: Date.now() - started, load: os.loadavg()[0] as number, ...sampleOf(res.text) });
      if (samples.length % 4 === 0) {
        const s = samples.at(-1)!;
        console.log(
          `  ${fixed(s.at / 60_000)} min: rss ${fixed(s.rssMiB)} MiB, loop p99 ${fixed(s.loopP99Ms)} ms, ${intake.sent} reports (${intake.failed} failed), load ${fixed(s.load)}`,
        );
      }
    });
    await new Promise((r) => setTimeout(r, MINUTES * 60_000));
    for (const t of timers) clearInterval(t);
    await Promise.all([...inFlight]);
    const seconds = (Date.now() - started) / 1000;

    // Did the outbox keep up? Give it a minute to drain what the last requests queued.
    let outbox: Record<string, unknown> = {};
    for (let i = 0; i < 60; i++) {
      [outbox = {}] = await sql(
        scratch.url,
        `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*) FILTER (WHERE status IN ('pending', 'sending'))::int AS waiting,
                count(*) FILTER (WHERE status = 'failed')::int AS failed FROM alerts`,
      );
      if (Number(outbox.waiting) === 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const [db] = await sql(
      scratch.url,
      `SELECT (SELECT count(*) FROM reports)::int AS reports, (SELECT count(*) FROM escalations WHERE status = 'approved')::int AS approved,
              (SELECT count(*) FROM job_runs WHERE job_name = 'sla-scan')::int AS scans,
              (SELECT count(*) FROM job_runs WHERE job_name = 'sla-scan' AND status = 'error')::int AS scans_failed`,
    ).catch(() => [{}] as Record<string, unknown>[]);
    const logErrors = (bot.stdout() + bot.stderr()).split('\n').filter((l) => l.includes('"level":"error"'));
    const first = samples.filter((s) => s.at <= 60_000);
    const last = samples.filter((s) => s.at >= samples.at(-1)!.at - 60_000);
    const figure = (pick: (s: Sample) => number, of: Sample[]) => fixed(mean(of.map(pick)));
    return {
      name: 'soak',
      description: `${MINUTES} minutes of mixed traffic against the bot running as its own process on a scratch Postgres database, on the same 2-core machine as Postgres and the load generator: intake at ${INTAKE_RATE} reports/s (every 50th urgent, its triage alert delivered), a slash command every 2 s (${COMMANDS.join(', ')}), an escalation raised through the API and approved by a signed click every 5 s, the SLA scan every minute, and the outbox delivering to the Slack emulator, which rate-limits chat.postMessage 5 times every 5 minutes. RSS, heap and event-loop delay (prom-client, per 15 s scrape) are means over the first and the last minute.`,
      machine: machine(),
      at: new Date().toISOString(),
      figures: {
        'duration (s)': fixed(seconds, 0),
        'reports sent / failed': `${intake.sent} / ${intake.failed}`,
        'report failures by status': failures(intake),
        'commands sent / failed': `${commands.sent} / ${commands.failed}`,
        'command failures': failures(commands),
        'escalations raised (API) / failed': `${escalations.sent} / ${escalations.failed}`,
        'escalation failures': failures(escalations),
        'approve clicks / failed': `${clicks.sent} / ${clicks.failed}`,
        'click failures': failures(clicks),
        'RSS first minute → last minute (MiB)': `${figure((s) => s.rssMiB, first)} → ${figure((s) => s.rssMiB, last)}`,
        'heap used first minute → last minute (MiB)': `${figure((s) => s.heapMiB, first)} → ${figure((s) => s.heapMiB, last)}`,
        'event-loop delay p99, first minute → last minute (ms)': `${figure((s) => s.loopP99Ms, first)} → ${figure((s) => s.loopP99Ms, last)}`,
        'event-loop delay max over the run (ms)': fixed(Math.max(...samples.map((s) => s.loopMaxMs))),
        'load average, first minute → last minute': `${figure((s) => s.load, first)} → ${figure((s) => s.load, last)}`,
        'alerts sent / waiting after a minute / failed': `${outbox.sent} / ${outbox.waiting} / ${outbox.failed}`,
        'reports / approved escalations in the database': `${db?.reports} / ${db?.approved}`,
        'SLA scans run / failed': `${db?.scans ?? 'n/a'} / ${db?.scans_failed ?? 'n/a'}`,
        'error lines in the bot log': logErrors.length,
        'error lines by message': JSON.stringify(
          logErrors.reduce<Record<string, number>>((m, l) => {
            const msg = /"msg":"([^"]*)"/.exec(l)?.[1] ?? l.slice(0, 80);
            m[msg] = (m[msg] ?? 0) + 1;
            return m;
          }, {}),
        ),
      },
    };
  } finally {
    for (const t of timers) clearInterval(t);
    bot.child.kill('SIGTERM');
    await bot.exited;
    await emulator.stop();
    await scratch.drop();
  }
}
