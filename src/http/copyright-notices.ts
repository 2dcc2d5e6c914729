import type { IncomingMessage } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { submitNotice } from '../domain/copyright/notices';
import { retractNotice } from '../domain/copyright/notices-actions';
import { importNotices } from '../domain/copyright/notices-import';
import type { DomainDeps } from '../domain/deps';
import { AppError } from '../errors';
import { HttpError, jsonHandler, readJsonBody } from './api';
import { copyrightCsvRecords, copyrightIntakeActor } from './copyright-intake';
import { sendJson } from './routes';

const ZRetractionKeys = new Set(['reason']);

/**
 * Copyright notices in: `POST /api/v1/copyright/notices` (JSON), `POST /api/v1/imports/notices` (CSV,
 * one row per item) and `POST /api/v1/copyright/notices/{external_id}/retraction`. Registered before
 * the generic imports route. Copyright intake needs TRUSTOPS_INTAKE_TOKEN, not a vendor token.
 */
export function copyrightNoticeRoutes(deps: DomainDeps, intakeToken: string | undefined): CustomRoute[] {
  const intakeOnly = (req: IncomingMessage) => copyrightIntakeActor(req, deps, intakeToken);
  return [
    {
      path: '/api/v1/copyright/notices',
      method: ['POST'],
      handler: jsonHandler(deps.log, async (req, res) => {
        const actor = await intakeOnly(req);
        const body = await readJsonBody(req);
        const outcome = await submitNotice(deps, actor, body);
        switch (outcome.status) {
          case 'invalid':
            return sendJson(res, 400, { error: 'invalid_request', errors: outcome.errors });
          case 'created':
            return sendJson(res, 201, outcome.receipt);
          case 'replayed':
            return sendJson(res, 200, outcome.receipt);
          case 'conflict':
            return sendJson(res, 409, { error: 'conflict', message: outcome.message });
        }
      }),
    },
    {
      path: '/api/v1/copyright/notices/:external_id/retraction',
      method: ['POST'],
      handler: jsonHandler(deps.log, async (req, res) => {
        const actor = await intakeOnly(req);
        const externalId = (req as IncomingMessage & { params?: Record<string, string> }).params?.external_id ?? '';
        const reason = await retractionReason(req);
        const outcome = await retractNotice(deps, { actor, externalId: decodeURIComponent(externalId), reason }).catch((err) => {
          if (err instanceof AppError && err.code === 'not_found')
            throw new HttpError(404, 'not_found', `no copyright notice with external_id ${decodeURIComponent(externalId)}`);
          throw err;
        });
        sendJson(res, outcome.status === 'created' ? 201 : 200, outcome.receipt);
      }),
    },
    {
      path: '/api/v1/imports/notices',
      method: ['POST'],
      handler: jsonHandler(deps.log, async (req, res) => {
        const actor = await intakeOnly(req);
        const records = copyrightCsvRecords(req, 'notices');
        sendJson(res, 200, await importNotices(deps, actor, records));
      }),
    },
  ];
}

/** The retraction's optional body: `{"reason": "…"}`, or none at all. */
async function retractionReason(req: IncomingMessage & { headers: IncomingMessage['headers'] }): Promise<string | undefined> {
  const length = Number(req.headers['content-length'] ?? 0);
  if (!req.headers['content-type'] && !length) return undefined;
  const body = await readJsonBody(req);
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new HttpError(400, 'invalid_request', 'the body is a JSON object: {"reason": "…"} or nothing');
  const errors: { path: string; message: string }[] = [];
  for (const key of Object.keys(body)) if (!ZRetractionKeys.has(key)) errors.push({ path: key, message: 'unknown field' });
  const reason = (body as { reason?: unknown }).reason;
  if (reason !== undefined && typeof reason !== 'string') errors.push({ path: 'reason', message: 'expected a string' });
  if (errors.length) throw new HttpError(400, 'invalid_request', errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  return reason as string | undefined;
}
