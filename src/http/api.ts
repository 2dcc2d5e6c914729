import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Actor, DomainDeps } from '../domain/deps';
import { submitEscalation } from '../domain/escalations/intake';
import { IMPORT_KINDS, type ImportKind, importCsv } from '../domain/intake/import';
import { type Submission, submitAppeal, submitDecision, submitQaReview, submitReport } from '../domain/intake/intake';
import { OutOfScope } from '../domain/tokens/scope';
import { auditTokenRefusal, authenticateVendorToken, isVendorToken, TokenRefused } from '../domain/tokens/tokens';
import { AppError, isDatabaseUnavailable } from '../errors';
import type { Logger } from '../logger';
import { sendJson } from './routes';

export const JSON_LIMIT_BYTES = 1024 * 1024;
export const CSV_LIMIT_BYTES = 50 * 1024 * 1024;
/** What a 503 asks the sender to wait: long enough for a pool to reconnect or a failover to finish. */
export const RETRY_AFTER_SECONDS = 5;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Who is calling: a vendor token (looked up by its hash) files for its vendor's queues only;
 * TRUSTOPS_INTAKE_TOKEN (compared in constant time) files for every queue. With neither, 401, or
 * 503 when no TRUSTOPS_INTAKE_TOKEN is configured.
 */
export async function authenticate(req: IncomingMessage, deps: DomainDeps, token: string | undefined): Promise<Actor> {
  const header = req.headers.authorization ?? '';
  const bearer = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  if (token && sameSecret(bearer, token)) return { id: 'api:intake', origin: 'api' };
  if (isVendorToken(bearer)) {
    try {
      return await authenticateVendorToken(deps, bearer);
    } catch (err) {
      throw err instanceof TokenRefused ? new HttpError(401, 'unauthorized', err.message) : err;
    }
  }
  if (!token) throw new HttpError(503, 'intake_disabled', 'the intake API is off: set TRUSTOPS_INTAKE_TOKEN to enable it');
  throw new HttpError(401, 'unauthorized', 'send the intake token as "Authorization: Bearer <TRUSTOPS_INTAKE_TOKEN>"');
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function readJsonBody(req: IncomingMessage, limit = JSON_LIMIT_BYTES): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, 'payload_too_large', `the body is over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'payload_too_large', `the body is over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  let text: string;
  try {
    // Fatal: a body that is not UTF-8 is refused, never stored with U+FFFD in place of what was sent.
    text = UTF8.decode(Buffer.concat(chunks));
  } catch {
    throw new HttpError(400, 'invalid_json', 'the body is not valid UTF-8');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'invalid_json', `the body is not valid JSON: ${(err as Error).message}`);
  }
  // JSON.parse takes any depth; the validators after it recurse, and would overflow the stack.
  if (nestedDeeperThan(body, MAX_JSON_DEPTH))
    throw new HttpError(400, 'invalid_json', `the body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  return body;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
export const MAX_JSON_DEPTH = 32;

/** Whether arrays and objects nest deeper than `max`, walked without recursion. */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

const STATUS: Record<Submission<unknown>['status'], number> = { invalid: 400, created: 201, replayed: 200, conflict: 409, not_found: 404 };

export function sendSubmission(res: ServerResponse, outcome: Submission<unknown>): void {
  const status = STATUS[outcome.status];
  switch (outcome.status) {
    case 'created':
    case 'replayed':
      sendJson(res, status, outcome.receipt);
      break;
    case 'invalid':
      sendJson(res, status, { error: 'invalid_request', errors: outcome.errors });
      break;
    case 'conflict':
      sendJson(res, status, { error: 'conflict', message: outcome.message });
      break;
    case 'not_found':
      sendJson(res, status, { error: 'not_found', errors: [{ path: outcome.path, message: outcome.message }] });
      break;
  }
}

/** Runs a handler and turns any failure into a JSON answer: never a stack trace, never a hang. */
export function jsonHandler(log: Logger, handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    try {
      await handle(req, res);
    } catch (err) {
      if (err instanceof AppError && err.code === 'bad_input') {
        sendJson(res, 400, { error: 'invalid_request', message: err.message });
        req.resume();
        return;
      }
      if (err instanceof OutOfScope) {
        sendJson(res, 404, { error: 'not_found', errors: [{ path: err.path, message: err.missing }] });
        req.resume();
        return;
      }
      if (err instanceof AppError && err.code === 'forbidden') {
        sendJson(res, 403, { error: 'forbidden', message: err.message });
        req.resume();
        return;
      }
      if (err instanceof HttpError) {
        sendJson(res, err.status, { error: err.code, message: err.message });
        // Stop reading an oversized or refused upload.
        if (err.status === 413 || err.status === 401) req.resume();
        return;
      }
      if (isDatabaseUnavailable(err)) {
        log.warn('intake request refused: the database is unavailable', { url: req.url, err });
        if (!res.headersSent) {
          res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
          // A commit cut off mid-way may still have landed: the retry is safe, as external_id makes it a replay.
          sendJson(res, 503, { error: 'unavailable', message: 'the database is unavailable; send the same request again later' });
        }
        req.resume();
        return;
      }
      log.error('intake request failed', { url: req.url, err });
      if (!res.headersSent)
        sendJson(res, 500, { error: 'internal', message: 'the request failed on our side; it is logged, and nothing was recorded' });
    }
  };
}

/** The request body as a stream, refused with 413 once it passes the limit (the import then rolls back). */
export async function* limitedBody(req: IncomingMessage, limit: number): AsyncGenerator<Uint8Array> {
  if (Number(req.headers['content-length'] ?? 0) > limit)
    throw new HttpError(413, 'payload_too_large', `the file is over ${limit / 1024 / 1024} MB`);
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'payload_too_large', `the file is over ${limit / 1024 / 1024} MB`);
    yield chunk as Buffer;
  }
}

type Submit = (deps: DomainDeps, actor: Actor, raw: unknown) => Promise<Submission<unknown>>;

/** A vendor token's submission refused for its scope is audited here, outside the transaction that rolled back. */
async function auditingRefusals<T>(deps: DomainDeps, actor: Actor, path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (actor.vendor && err instanceof AppError && err.code === 'forbidden')
      await auditTokenRefusal(deps, actor, { path, reason: err.message });
    throw err;
  }
}

const JSON_ENDPOINTS: Record<string, Submit> = {
  '/api/v1/reports': submitReport,
  '/api/v1/decisions': submitDecision,
  '/api/v1/qa-reviews': submitQaReview,
  '/api/v1/appeals': submitAppeal,
  '/api/v1/escalations': submitEscalation,
};

export function apiRoutes(deps: DomainDeps, intakeToken: string | undefined): CustomRoute[] {
  const json: CustomRoute[] = Object.entries(JSON_ENDPOINTS).map(([path, submit]) => ({
    path,
    method: ['POST'],
    handler: jsonHandler(deps.log, async (req, res) => {
      const actor = await authenticate(req, deps, intakeToken);
      const body = await readJsonBody(req);
      sendSubmission(res, await auditingRefusals(deps, actor, path, () => submit(deps, actor, body)));
    }),
  }));
  const imports: CustomRoute = {
    path: '/api/v1/imports/:kind',
    method: ['POST'],
    handler: jsonHandler(deps.log, async (req, res) => {
      const actor = await authenticate(req, deps, intakeToken);
      if (actor.vendor) {
        await auditTokenRefusal(deps, actor, { path: req.url, reason: 'imports need TRUSTOPS_INTAKE_TOKEN' });
        throw new AppError(
          'forbidden',
          'CSV imports need TRUSTOPS_INTAKE_TOKEN; a vendor token files single submissions for its own queues',
        );
      }
      const kind = (req as IncomingMessage & { params?: Record<string, string> }).params?.kind ?? '';
      if (!(IMPORT_KINDS as readonly string[]).includes(kind)) {
        throw new HttpError(404, 'unknown_import', `no import of "${kind}"; known: ${IMPORT_KINDS.join(', ')}`);
      }
      if (!/^(text\/csv|application\/csv)\b/i.test(req.headers['content-type'] ?? '')) {
        throw new HttpError(415, 'unsupported_media_type', 'send the file as text/csv');
      }
      const result = await importCsv(deps, actor, kind as ImportKind, limitedBody(req, CSV_LIMIT_BYTES));
      sendJson(res, 200, result);
    }),
  };
  return [...json, imports];
}
