import schedule from 'node-schedule';
import type { Clock } from '../clock';
import type { Db } from '../db/client';
import { isUniqueViolation } from '../errors';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';

export type JobDeps = { db: Db; log: Logger; metrics: Metrics; clock: Clock };

export type Job = {
  name: string;
  /** Cron (seconds field allowed), optionally in a time zone. */
  cron: string | { rule: string; tz: string };
  run(deps: JobDeps, firedAt: Date): Promise<void>;
  /** Also run once as soon as it is scheduled (work missed while the process was down, e.g. digests). */
  atStart?: boolean;
};

/** A job as scheduled in this process, since when: what /healthz?details=1 checks job_runs against. */
export type JobSchedule = { name: string; cron: Job['cron']; since: Date };

export type Jobs = {
  schedules: readonly JobSchedule[];
  stop(): Promise<void>;
  runOnce(name: string, firedAt: Date): Promise<'ran' | 'skipped'>;
};

const KEEP_RUNS_MS = 7 * 24 * 3600 * 1000;

/**
 * Schedules jobs with node-schedule. Each tick runs once across every replica on the database:
 * the replica that inserts the (job, fire time) row into job_runs runs it, the others skip.
 * No lock is held while the job works, so the embedded single-session database never stalls.
 * A job node-schedule cannot schedule (it answers null, silently) stops start-up, naming the job.
 */
export function startJobs(deps: JobDeps, jobs: readonly Job[]): Jobs {
  const running = new Set<Promise<unknown>>();

  const runOnce = async (job: Job, firedAt: Date): Promise<'ran' | 'skipped'> => {
    const runKey = firedAt.toISOString();
    let runId: number;
    try {
      runId = (await deps.db.jobRun.create({ data: { jobName: job.name, runKey, startedAt: deps.clock.now() } })).id;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      deps.metrics.jobRuns.inc({ job: job.name, outcome: 'skipped_locked' });
      return 'skipped';
    }
    try {
      await job.run(deps, firedAt);
      await deps.db.jobRun.update({ where: { id: runId }, data: { status: 'ok', finishedAt: deps.clock.now() } });
      deps.metrics.jobRuns.inc({ job: job.name, outcome: 'ok' });
    } catch (err) {
      deps.log.error('job failed', { job: job.name, runKey, err });
      deps.metrics.jobRuns.inc({ job: job.name, outcome: 'error' });
      await deps.db.jobRun
        .update({
          where: { id: runId },
          data: { status: 'error', error: (err as Error).message.slice(0, 2000), finishedAt: deps.clock.now() },
        })
        .catch(() => {});
    }
    // The table only needs to remember recent ticks; older rows are pruned as we go.
    await deps.db.jobRun.deleteMany({
      where: { jobName: job.name, startedAt: { lt: new Date(deps.clock.now().getTime() - KEEP_RUNS_MS) } },
    });
    return 'ran';
  };

  const scheduled: schedule.Job[] = [];
  const fire = (job: Job, firedAt: Date) => {
    const p = runOnce(job, firedAt).catch((err) => deps.log.error('job scheduling failed', { job: job.name, err }));
    running.add(p);
    void p.finally(() => running.delete(p));
  };
  for (const job of jobs) {
    const handle = new schedule.Job(job.name, (firedAt: Date) => fire(job, firedAt));
    if (!handle.schedule(job.cron)) {
      // node-schedule lists even a job it could not schedule under its name: take it and the others out.
      for (const s of [...scheduled, handle]) s.cancel();
      const cron = typeof job.cron === 'string' ? job.cron : `${job.cron.rule} (${job.cron.tz})`;
      throw new Error(`job ${job.name} cannot be scheduled: "${cron}" is not a cron expression that fires`);
    }
    scheduled.push(handle);
  }
  const since = deps.clock.now();
  for (const job of jobs) if (job.atStart) fire(job, since);

  return {
    schedules: jobs.map((job) => ({ name: job.name, cron: job.cron, since })),
    async stop() {
      for (const s of scheduled) s.cancel();
      await Promise.allSettled([...running]);
    },
    async runOnce(name, firedAt) {
      const job = jobs.find((j) => j.name === name);
      if (!job) throw new Error(`no job named ${name}`);
      return runOnce(job, firedAt);
    },
  };
}
