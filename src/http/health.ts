import { parseExpression } from 'cron-parser';
import { Gauge, type Registry } from 'prom-client';
import type { AnalyticsStatus } from '../analytics/types';
import type { Db } from '../db/client';

export type Health = { status: 'ok' | 'degraded'; db: string };

/** The delivery outbox at a glance: what is waiting, being sent, or gave up, and how long the oldest has waited. */
export type AlertBacklog = { pending: number; sending: number; failed: number; oldest_pending_seconds: number };

/** The database answers a trivial query within the timeout, or health names what failed. */
export async function checkHealth(db: Db, timeoutMs = 2000): Promise<Health> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db.$queryRaw`SELECT 1`,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'ok', db: 'ok' };
  } catch (err) {
    return { status: 'degraded', db: `unreachable: ${(err as Error).message.split('\n')[0]}` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Counts undelivered and failed alerts (sent ones are counted by trustops_alert_deliveries_total;
 * counting them here would read the whole history on every scrape). The oldest undelivered alert,
 * pending or being sent, says whether delivery keeps up.
 */
export async function alertBacklog(db: Db): Promise<AlertBacklog> {
  const [row] = await db.$queryRaw<{ pending: number; sending: number; failed: number; oldest: number | null }[]>`
    SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
           count(*) FILTER (WHERE status = 'sending')::int AS sending,
           count(*) FILTER (WHERE status = 'failed')::int AS failed,
           extract(epoch FROM now() - min(created_at) FILTER (WHERE status IN ('pending', 'sending')))::float8 AS oldest
      FROM alerts WHERE status IN ('pending', 'sending', 'failed')`;
  return {
    pending: row?.pending ?? 0,
    sending: row?.sending ?? 0,
    failed: row?.failed ?? 0,
    oldest_pending_seconds: Math.max(0, Math.round(row?.oldest ?? 0)),
  };
}

/**
 * Gauges read from the outbox at scrape time: alerts by status, and the age of the oldest
 * undelivered one. While the database is away they are left out of the scrape rather than failing it.
 */
export function registerAlertGauges(registry: Registry, db: Db): void {
  // A scrape collects both gauges at once: they share the query in flight.
  let inFlight: Promise<AlertBacklog | undefined> | undefined;
  const read = () => {
    inFlight ??= alertBacklog(db)
      .catch(() => undefined)
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  new Gauge({
    name: 'trustops_alerts',
    help: 'Alerts in the delivery outbox by status (pending, sending, failed), read at scrape time',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const backlog = await read();
      if (!backlog) return;
      for (const status of ['pending', 'sending', 'failed'] as const) this.set({ status }, backlog[status]);
    },
  });
  new Gauge({
    name: 'trustops_alert_oldest_pending_seconds',
    help: 'Age of the oldest alert not yet delivered (pending or being sent), 0 when there is none',
    registers: [registry],
    async collect() {
      this.reset();
      const backlog = await read();
      if (backlog) this.set(backlog.oldest_pending_seconds);
    },
  });
}

/** A job as this process scheduled it (see startJobs): its cron, optionally in a time zone, and since when. */
export type ScheduledJob = { name: string; cron: string | { rule: string; tz: string }; since: Date };

export type JobHealth = {
  cron: string;
  tz?: string;
  last_run: { started_at: string; finished_at: string | null; status: string; error?: string } | null;
  last_ok_at: string | null;
  next_run: string | null;
  /** Fire times since the last successful run (or since the job was scheduled), counted up to LATE_AFTER_MISSED. */
  missed_runs: number;
  status: 'ok' | 'late';
};

/** A job is late once this many fire times have passed with no successful run. */
export const LATE_AFTER_MISSED = 3;

/**
 * Each job's last run and next run, from job_runs (every replica records there) and its cron. A job that
 * has let three fire times pass with no successful run — since its last one, or since this process
 * scheduled it — is late.
 */
export async function jobHealth(db: Db, jobs: readonly ScheduledJob[], now: Date): Promise<Record<string, JobHealth>> {
  const out: Record<string, JobHealth> = {};
  for (const job of jobs) {
    const { rule, tz } = typeof job.cron === 'string' ? { rule: job.cron, tz: undefined } : job.cron;
    const [last, lastOk] = await Promise.all([
      db.jobRun.findFirst({ where: { jobName: job.name }, orderBy: { startedAt: 'desc' } }),
      db.jobRun.findFirst({ where: { jobName: job.name, status: 'ok' }, orderBy: { startedAt: 'desc' } }),
    ]);
    const okSince = lastOk && lastOk.startedAt > job.since ? lastOk.startedAt : job.since;
    const missed = firesBetween(rule, tz, okSince, now, LATE_AFTER_MISSED);
    out[job.name] = {
      cron: rule,
      ...(tz ? { tz } : {}),
      last_run: last
        ? {
            started_at: last.startedAt.toISOString(),
            finished_at: last.finishedAt?.toISOString() ?? null,
            status: last.status,
            ...(last.error ? { error: last.error } : {}),
          }
        : null,
      last_ok_at: lastOk?.startedAt.toISOString() ?? null,
      next_run: nextFire(rule, tz, now)?.toISOString() ?? null,
      missed_runs: missed,
      status: missed >= LATE_AFTER_MISSED ? 'late' : 'ok',
    };
  }
  return out;
}

/** How many times the cron fired in (after, upTo], counting no further than max. */
function firesBetween(rule: string, tz: string | undefined, after: Date, upTo: Date, max: number): number {
  const fires = parseExpression(rule, { currentDate: new Date(upTo.getTime() + 1), tz });
  let n = 0;
  while (n < max && fires.hasPrev()) {
    if (fires.prev().toDate() <= after) break;
    n++;
  }
  return n;
}

function nextFire(rule: string, tz: string | undefined, after: Date): Date | undefined {
  try {
    return parseExpression(rule, { currentDate: after, tz }).next().toDate();
  } catch {
    return undefined;
  }
}

export type AnalyticsHealth = {
  state: AnalyticsStatus['state'];
  /** Seconds since the copy last held every committed fact; null before its first build. */
  lag_seconds: number | null;
  rows: Record<string, number>;
  progress?: { table: string; rows_loaded: number; rows_expected: number; percent: number };
  error?: string;
};

/** The analytics copy for /healthz?details=1: its state, lag and rows per fact table (and progress while building). */
export function analyticsHealth(s: AnalyticsStatus): AnalyticsHealth {
  return {
    state: s.state,
    lag_seconds: s.lagMs === null ? null : Math.round(s.lagMs / 100) / 10,
    rows: s.rows,
    ...(s.progress
      ? {
          progress: {
            table: s.progress.table,
            rows_loaded: s.progress.rowsLoaded,
            rows_expected: s.progress.rowsExpected,
            percent: Math.floor(s.progress.fraction * 100),
          },
        }
      : {}),
    ...(s.error ? { error: s.error.split('\n')[0] } : {}),
  };
}
