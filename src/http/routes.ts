import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { AnalyticsStatus } from '../analytics/types';
import type { Clock } from '../clock';
import type { Db } from '../db/client';
import type { DeliveryStatus } from '../domain/alerts/port';
import type { Metrics } from '../metrics';
import { alertBacklog, analyticsHealth, checkHealth, jobHealth, registerAlertGauges, type ScheduledJob } from './health';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/**
 * Routes served beside /slack/events on the same HTTP server. `jobs` says which jobs this process has
 * scheduled (none until main starts them).
 */
export function httpRoutes(deps: {
  db: Db;
  metrics: Metrics;
  clock: Clock;
  jobs?: () => readonly ScheduledJob[];
  delivery?: () => DeliveryStatus;
  analytics?: () => AnalyticsStatus;
}): CustomRoute[] {
  registerAlertGauges(deps.metrics.registry, deps.db);
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: async (req: IncomingMessage, res: ServerResponse) => {
        const health = await checkHealth(deps.db);
        // Plain /healthz is the contract ({"status":"ok","db":"ok"}) and a liveness check: the database only,
        // so a stuck job never takes every replica out of the load balancer at once. ?details=1 adds the
        // alert outbox, the scheduled jobs and the analytics copy, and answers 503 naming any job that is
        // late or an analytics copy that failed to build.
        const details = new URL(req.url ?? '/', 'http://localhost').searchParams.get('details');
        if (health.status !== 'ok' || !details || details === '0' || details === 'false') {
          return sendJson(res, health.status === 'ok' ? 200 : 503, health);
        }
        const unavailable = (err: Error) => `unavailable: ${err.message.split('\n')[0]}`;
        const [alerts, jobs] = await Promise.all([
          alertBacklog(deps.db).catch(unavailable),
          jobHealth(deps.db, deps.jobs?.() ?? [], deps.clock.now()).catch(unavailable),
        ]);
        const lateJobs = typeof jobs === 'string' ? [] : Object.keys(jobs).filter((name) => jobs[name]?.status === 'late');
        // Delivery paused (Slack refuses the bot token): no alert goes out, as loud as a late job.
        const delivery = deps.delivery?.() ?? { state: 'running' };
        const outbox = typeof alerts === 'string' ? alerts : { ...alerts, delivery };
        const analytics = deps.analytics ? analyticsHealth(deps.analytics()) : undefined;
        const extra = { alerts: outbox, jobs, ...(analytics ? { analytics } : {}) };
        if (lateJobs.length || delivery.state === 'paused' || analytics?.state === 'failed') {
          return sendJson(res, 503, {
            ...health,
            status: 'degraded',
            ...(lateJobs.length ? { late_jobs: lateJobs } : {}),
            ...extra,
          });
        }
        sendJson(res, 200, { ...health, ...extra });
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: async (_req: IncomingMessage, res: ServerResponse) => {
        res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
        res.end(await deps.metrics.registry.metrics());
      },
    },
  ];
}
