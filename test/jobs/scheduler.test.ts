import { randomBytes } from 'node:crypto';
import schedule from 'node-schedule';
import { type RunningApp, startApp } from '../../src/app';
import { fixedClock, systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import type { ScheduledJob } from '../../src/http/health';
import { type Job, startJobs } from '../../src/jobs';
import { silentLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { SlackEmulator } from '../../src/sandbox/emulator';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { waitUntil } from '../support/process';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const noop: Job['run'] = async () => {};

describe('scheduling jobs at start-up', () => {
  it.each([
    ['a minute that does not exist', '61 * * * *'],
    ['an unknown time zone', { rule: '0 9 * * *', tz: 'Mars/Olympus' }],
  ])('stops start-up naming the job when its cron has %s, and leaves nothing scheduled', (_what, cron) => {
    const deps = { db: db.prisma, log: silentLogger, metrics: createMetrics(), clock: systemClock };
    const jobs: Job[] = [
      { name: 'scheduler-test-fine', cron: '* * * * *', run: noop },
      { name: 'scheduler-test-broken', cron, run: noop },
    ];
    expect(() => startJobs(deps, jobs)).toThrow(
      /^job scheduler-test-broken cannot be scheduled: ".+" is not a cron expression that fires$/,
    );
    expect(Object.keys(schedule.scheduledJobs)).not.toContain('scheduler-test-fine');
    expect(Object.keys(schedule.scheduledJobs)).not.toContain('scheduler-test-broken');
  });
});

describe('/healthz?details=1 and the scheduled jobs', () => {
  const NOW = '2026-12-02T10:00:30.000Z';
  const clock = fixedClock(NOW);
  let emulator: SlackEmulator;
  let running: RunningApp;
  let schedules: ScheduledJob[] = [];
  let base: string;

  beforeAll(async () => {
    emulator = await SlackEmulator.start({ port: 0 });
    running = await startApp({
      config: loadConfig({ PORT: '0' }),
      db,
      log: silentLogger,
      host: '127.0.0.1',
      clock,
      jobs: () => schedules,
      slack: { botToken: emulator.botToken, signingSecret: randomBytes(16).toString('hex'), apiUrl: emulator.apiUrl },
    });
    base = `http://127.0.0.1:${running.port}`;
  });
  afterAll(async () => {
    await running.stop();
    await emulator.stop();
  });
  beforeEach(async () => {
    await db.prisma.jobRun.deleteMany();
  });

  const run = (jobName: string, startedAt: string, status: string, error?: string) =>
    db.prisma.jobRun.create({
      data: { jobName, runKey: startedAt, startedAt: new Date(startedAt), finishedAt: new Date(startedAt), status, error },
    });
  const details = async () => {
    const res = await fetch(`${base}/healthz?details=1`);
    // biome-ignore lint/suspicious/noExplicitAny: the answer is JSON, read field by field
    return { status: res.status, body: (await res.json()) as any };
  };

  it('answers 503 naming a job whose last three fire times passed with no successful run, while plain /healthz stays 200', async () => {
    const since = new Date('2026-12-02T09:00:00Z');
    schedules = [
      { name: 'sla-scan', cron: '* * * * *', since },
      { name: 'escalation-expiry', cron: '* * * * *', since },
    ];
    await run('sla-scan', '2026-12-02T10:00:00.020Z', 'ok');
    await run('escalation-expiry', '2026-12-02T09:57:00.020Z', 'ok');
    // Failed runs are attempts, not successes: 09:58, 09:59 and 10:00 all passed without one.
    for (const at of ['2026-12-02T09:58:00.010Z', '2026-12-02T09:59:00.010Z', '2026-12-02T10:00:00.010Z'])
      await run('escalation-expiry', at, 'error', 'permission denied for table escalations');

    const { status, body } = await details();
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 'degraded', db: 'ok', late_jobs: ['escalation-expiry'] });
    expect(body.alerts).toMatchObject({ pending: 0, failed: 0 });
    expect(body.jobs['escalation-expiry']).toEqual({
      cron: '* * * * *',
      last_run: {
        started_at: '2026-12-02T10:00:00.010Z',
        finished_at: '2026-12-02T10:00:00.010Z',
        status: 'error',
        error: 'permission denied for table escalations',
      },
      last_ok_at: '2026-12-02T09:57:00.020Z',
      next_run: '2026-12-02T10:01:00.000Z',
      missed_runs: 3,
      status: 'late',
    });
    expect(body.jobs['sla-scan']).toMatchObject({
      last_ok_at: '2026-12-02T10:00:00.020Z',
      next_run: '2026-12-02T10:01:00.000Z',
      missed_runs: 0,
      status: 'ok',
    });

    const plain = await fetch(`${base}/healthz`);
    expect(plain.status).toBe(200);
    expect(await plain.json()).toEqual({ status: 'ok', db: 'ok' });
  });

  it('is 200 with two missed runs, and with a job scheduled too recently to have missed three', async () => {
    schedules = [
      // Daily at 09:00 in Dublin (UTC in winter): 1 and 2 December passed since the last run on 30 November.
      { name: 'digest', cron: { rule: '0 9 * * *', tz: 'Europe/Dublin' }, since: new Date('2026-11-20T00:00:00Z') },
      // Never ran, but scheduled at 09:58:10: only 09:59 and 10:00 have passed since.
      { name: 'sla-scan', cron: '* * * * *', since: new Date('2026-12-02T09:58:10Z') },
    ];
    await run('digest', '2026-11-30T09:00:00.005Z', 'ok');

    const { status, body } = await details();
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.late_jobs).toBeUndefined();
    expect(body.jobs.digest).toMatchObject({ tz: 'Europe/Dublin', missed_runs: 2, status: 'ok', next_run: '2026-12-03T09:00:00.000Z' });
    expect(body.jobs['sla-scan']).toMatchObject({ last_run: null, last_ok_at: null, missed_runs: 2, status: 'ok' });
  });

  it('shows the runs of jobs the scheduler really fires', async () => {
    let runs = 0;
    const deps = { db: db.prisma, log: silentLogger, metrics: running.metrics, clock: systemClock };
    const jobs = startJobs(deps, [
      {
        name: 'every-second',
        cron: '* * * * * *',
        run: async () => {
          runs++;
        },
      },
    ]);
    schedules = [...jobs.schedules];
    try {
      const row = await waitUntil(
        'a successful run in job_runs',
        async () => (await db.prisma.jobRun.findFirst({ where: { jobName: 'every-second', status: 'ok' } })) ?? undefined,
        10_000,
      );
      clock.set(new Date());
      const { status, body } = await details();
      expect(status).toBe(200);
      expect(body.jobs['every-second'].status).toBe('ok');
      expect(runs).toBeGreaterThanOrEqual(1);
      expect(body.jobs['every-second'].last_ok_at).not.toBeNull();
      expect(new Date(body.jobs['every-second'].last_ok_at).getTime()).toBeGreaterThanOrEqual(row.startedAt.getTime());
      expect(body.jobs['every-second'].next_run).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    } finally {
      await jobs.stop();
    }
  });
});
