import type { CustomRoute } from '@slack/bolt';
import { importCounterNotices, submitCounterNotice } from '../domain/copyright/counter-notices';
import type { DomainDeps } from '../domain/deps';
import { jsonHandler, readJsonBody } from './api';
import { copyrightCsvRecords, copyrightIntakeActor } from './copyright-intake';
import { sendJson } from './routes';

/**
 * Counter-notices in: `POST /api/v1/copyright/counter-notices` (JSON) and `POST /api/v1/imports/counter-notices`
 * (CSV, one row per item). Registered before the generic imports route, which takes the other kinds.
 * Copyright intake needs TRUSTOPS_INTAKE_TOKEN: a vendor token files for its own queues only.
 */
export function copyrightCounterNoticeRoutes(deps: DomainDeps, intakeToken: string | undefined): CustomRoute[] {
  const intakeOnly = (req: Parameters<CustomRoute['handler']>[0]) => copyrightIntakeActor(req, deps, intakeToken);
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
        const records = copyrightCsvRecords(req, 'counter-notices');
        sendJson(res, 200, await importCounterNotices(deps, actor, records));
      }),
    },
  ];
}
