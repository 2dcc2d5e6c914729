import type { IncomingMessage } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { submitNotice } from '../domain/copyright/notices';
import { retractNotice } from '../domain/copyright/notices-actions';
import { importNotices, NOTICE_CSV_COLUMNS } from '../domain/copyright/notices-import';
import type { CopyrightCsvRecord } from '../domain/copyright/schemas';
import type { Actor, DomainDeps } from '../domain/deps';
import { readCsvRecords } from '../domain/intake/csv';
import { auditTokenRefusal } from '../domain/tokens/tokens';
import { AppError } from '../errors';
import { authenticate, CSV_LIMIT_BYTES, HttpError, jsonHandler, readJsonBody } from './api';
import { sendJson } from './routes';

const ZRetractionKeys = new Set(['reason']);

/**
 * Copyright notices in: `POST /api/v1/copyright/notices` (JSON), `POST /api/v1/imports/notices` (CSV,
 * one row per item) and `POST /api/v1/copyright/notices/{external_id}/retraction`. Registered before
 * the generic imports route. Copyright intake needs TRUSTOPS_INTAKE_TOKEN, not a vendor token.
 */
export function copyrightNoticeRoutes(deps: DomainDeps, intakeToken: string | undefined): CustomRoute[] {
  const intakeOnly = async (req: IncomingMessage): Promise<Actor> => {
    const actor = await authenticate(req, deps, intakeToken);
    if (actor.vendor) {
      await auditTokenRefusal(deps, actor, { path: req.url, reason: 'copyright intake needs TRUSTOPS_INTAKE_TOKEN' });
      throw new AppError('forbidden', 'copyright notices need TRUSTOPS_INTAKE_TOKEN, not a vendor token');
    }
    return actor;
  };
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
        if (!/^(text\/csv|application\/csv)\b/i.test(req.headers['content-type'] ?? '')) {
          throw new HttpError(415, 'unsupported_media_type', 'send the file as text/csv');
        }
        const records = readCsvRecords(csvBody(req), {
          requiredColumns: NOTICE_CSV_COLUMNS.required,
          optionalColumns: NOTICE_CSV_COLUMNS.optional,
        }) as AsyncIterable<CopyrightCsvRecord>;
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

/** The upload, refused with 413 once it passes the limit (the import then rolls back). */
async function* csvBody(req: IncomingMessage): AsyncGenerator<Uint8Array> {
  if (Number(req.headers['content-length'] ?? 0) > CSV_LIMIT_BYTES)
    throw new HttpError(413, 'payload_too_large', `the file is over ${CSV_LIMIT_BYTES / 1024 / 1024} MB`);
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > CSV_LIMIT_BYTES) throw new HttpError(413, 'payload_too_large', `the file is over ${CSV_LIMIT_BYTES / 1024 / 1024} MB`);
    yield chunk as Buffer;
  }
}
