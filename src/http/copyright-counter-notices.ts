import type { CustomRoute } from '@slack/bolt';
import { COUNTER_NOTICE_CSV_COLUMNS, importCounterNotices, submitCounterNotice } from '../domain/copyright/counter-notices';
import type { CopyrightCsvRecord } from '../domain/copyright/schemas';
import type { DomainDeps } from '../domain/deps';
import { readCsvRecords } from '../domain/intake/csv';
import { auditTokenRefusal } from '../domain/tokens/tokens';
import { AppError } from '../errors';
import { authenticate, CSV_LIMIT_BYTES, HttpError, jsonHandler, limitedBody, readJsonBody } from './api';
import { sendJson } from './routes';

/**
 * Counter-notices in: `POST /api/v1/copyright/counter-notices` (JSON) and `POST /api/v1/imports/counter-notices`
 * (CSV, one row per item). Registered before the generic imports route, which takes the other kinds.
 * Copyright intake needs TRUSTOPS_INTAKE_TOKEN: a vendor token files for its own queues only.
 */
export function copyrightCounterNoticeRoutes(deps: DomainDeps, intakeToken: string | undefined): CustomRoute[] {
  const intakeOnly = async (req: Parameters<CustomRoute['handler']>[0]) => {
    const actor = await authenticate(req, deps, intakeToken);
    if (actor.vendor) {
      await auditTokenRefusal(deps, actor, { path: req.url, reason: 'copyright intake needs TRUSTOPS_INTAKE_TOKEN' });
      throw new AppError('forbidden', 'copyright notices and counter-notices need TRUSTOPS_INTAKE_TOKEN, not a vendor token');
    }
    return actor;
  };
  return [
    {
      path: '/api/v1/copyright/counter-notices',
      method: ['POST'],
      handler: jsonHandler(deps.log, async (req, res) => {
        const actor = await intakeOnly(req);
        const body = await readJsonBody(req);
        const outcome = await submitCounterNotice(deps, actor, body);
        switch (outcome.status) {
          case 'invalid':
            return sendJson(res, 400, { error: 'invalid_request', errors: outcome.errors });
          case 'created':
            return sendJson(res, 201, outcome.receipt);
          case 'replayed':
            return sendJson(res, 200, outcome.receipt);
          case 'not_found':
            return sendJson(res, 404, { error: 'not_found', errors: [{ path: outcome.path, message: outcome.message }] });
          case 'conflict':
            return sendJson(res, 409, { error: 'conflict', message: outcome.message, ...(outcome.items ? { items: outcome.items } : {}) });
        }
      }),
    },
    {
      path: '/api/v1/imports/counter-notices',
      method: ['POST'],
      handler: jsonHandler(deps.log, async (req, res) => {
        const actor = await intakeOnly(req);
        if (!/^(text\/csv|application\/csv)\b/i.test(req.headers['content-type'] ?? '')) {
          throw new HttpError(415, 'unsupported_media_type', 'send the file as text/csv');
        }
        const records = readCsvRecords(limitedBody(req, CSV_LIMIT_BYTES), {
          requiredColumns: COUNTER_NOTICE_CSV_COLUMNS.required,
          optionalColumns: COUNTER_NOTICE_CSV_COLUMNS.optional,
        }) as AsyncIterable<CopyrightCsvRecord>;
        sendJson(res, 200, await importCounterNotices(deps, actor, records));
      }),
    },
  ];
}
