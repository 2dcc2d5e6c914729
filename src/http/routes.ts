import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Db } from '../db/client';
import { alertBacklog, checkHealth, registerAlertGauges } from './health';
import type { Metrics } from './metrics';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Routes served beside /slack/events on the same HTTP server. */
export function httpRoutes(deps: { db: Db; metrics: Metrics }): CustomRoute[] {
  registerAlertGauges(deps.metrics.registry, deps.db);
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: async (req: IncomingMessage, res: ServerResponse) => {
        const health = await checkHealth(deps.db);
        // Plain /healthz is the contract ({"status":"ok","db":"ok"}); ?details=1 adds the alert outbox.
        const details = new URL(req.url ?? '/', 'http://localhost').searchParams.get('details');
        if (health.status !== 'ok' || !details || details === '0' || details === 'false') {
          return sendJson(res, health.status === 'ok' ? 200 : 503, health);
        }
        const alerts = await alertBacklog(deps.db).catch((err: Error) => `unavailable: ${err.message.split('\n')[0]}`);
        sendJson(res, 200, { ...health, alerts });
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
