import type { IncomingMessage } from 'node:http';
import { COPYRIGHT_IMPORT_COLUMNS, type CopyrightCsvRecord } from '../domain/copyright/schemas';
import type { Actor, DomainDeps } from '../domain/deps';
import { readCsvRecords } from '../domain/intake/csv';
import { auditTokenRefusal } from '../domain/tokens/tokens';
import { AppError } from '../errors';
import { authenticate, CSV_LIMIT_BYTES, HttpError, limitedBody } from './api';

/** Copyright intake needs TRUSTOPS_INTAKE_TOKEN: a vendor token files for its own queues only (the refusal is audited). */
export async function copyrightIntakeActor(req: IncomingMessage, deps: DomainDeps, intakeToken: string | undefined): Promise<Actor> {
  const actor = await authenticate(req, deps, intakeToken);
  if (actor.vendor) {
    await auditTokenRefusal(deps, actor, { path: req.url, reason: 'copyright intake needs TRUSTOPS_INTAKE_TOKEN' });
    throw new AppError('forbidden', 'copyright notices and counter-notices need TRUSTOPS_INTAKE_TOKEN, not a vendor token');
  }
  return actor;
}

/** A copyright CSV upload (one row per item) as records: 415 unless it is CSV, 413 once it passes the limit. */
export function copyrightCsvRecords(req: IncomingMessage, kind: keyof typeof COPYRIGHT_IMPORT_COLUMNS): AsyncIterable<CopyrightCsvRecord> {
  if (!/^(text\/csv|application\/csv)\b/i.test(req.headers['content-type'] ?? '')) {
    throw new HttpError(415, 'unsupported_media_type', 'send the file as text/csv');
  }
  return readCsvRecords(limitedBody(req, CSV_LIMIT_BYTES), {
    requiredColumns: COPYRIGHT_IMPORT_COLUMNS[kind].required,
    optionalColumns: COPYRIGHT_IMPORT_COLUMNS[kind].optional,
  }) as AsyncIterable<CopyrightCsvRecord>;
}
