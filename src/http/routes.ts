import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Db } from '../db/client';
import { checkHealth } from './health';
import type { Metrics } from './metrics';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Routes served beside /slack/events on the same HTTP server. */
export function httpRoutes(deps: { db: Db; metrics: Metrics }): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: async (_req: IncomingMessage, res: ServerResponse) => {
        const health = await checkHealth(deps.db);
        sendJson(res, health.status === 'ok' ? 200 : 503, health);
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
