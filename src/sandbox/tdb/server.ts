// A local stand-in of the EU DSA Transparency Database's statement API (v2), for tests, the sandbox and
// the benchmark: bearer token, POST /api/v1/statement (one) and /api/v1/statements (at most 100), the
// database's validation rules, and its duplicate rules — a known puid answers 422 with `existing`, a batch
// with any known puid is refused whole listing `errors.existing_puids`, and a batch with any invalid
// statement is refused whole with `errors.statements.<n>.<field>`. Its own reading of the rules (not
// TrustOps' validator), so it also checks what TrustOps sends.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DECISION_VISIBILITIES, STATEMENT_CATEGORIES } from '../../domain/exports/dsa-enums';

type Statement = Record<string, unknown>;

// The enum values are the published lists (dsa-enums.ts); the rules below are the stand-in's own reading.
const CATEGORIES = new Set<string>(STATEMENT_CATEGORIES);
const VISIBILITY = new Set<string>(DECISION_VISIBILITIES);
const MONETARY = new Set(['DECISION_MONETARY_SUSPENSION', 'DECISION_MONETARY_TERMINATION', 'DECISION_MONETARY_OTHER']);
const PROVISION = new Set([
  'DECISION_PROVISION_PARTIAL_SUSPENSION',
  'DECISION_PROVISION_TOTAL_SUSPENSION',
  'DECISION_PROVISION_PARTIAL_TERMINATION',
  'DECISION_PROVISION_TOTAL_TERMINATION',
]);
const ACCOUNT = new Set(['DECISION_ACCOUNT_SUSPENDED', 'DECISION_ACCOUNT_TERMINATED']);
const CONTENT_TYPES = new Set([
  'CONTENT_TYPE_APP',
  'CONTENT_TYPE_AUDIO',
  'CONTENT_TYPE_IMAGE',
  'CONTENT_TYPE_PRODUCT',
  'CONTENT_TYPE_SYNTHETIC_MEDIA',
  'CONTENT_TYPE_TEXT',
  'CONTENT_TYPE_VIDEO',
  'CONTENT_TYPE_OTHER',
]);
const SOURCES = new Set(['SOURCE_ARTICLE_16', 'SOURCE_TRUSTED_FLAGGER', 'SOURCE_TYPE_OTHER_NOTIFICATION', 'SOURCE_VOLUNTARY']);
const EEA = new Set('AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK'.split(' '));

function rules(s: Statement): Record<string, string[]> {
  const e: Record<string, string[]> = {};
  const bad = (f: string, m: string) => {
    e[f] = [...(e[f] ?? []), m];
  };
  const str = (f: string, max: number, required: boolean) => {
    const v = s[f];
    if (v === undefined || v === null || v === '') return required ? bad(f, `The ${f.replaceAll('_', ' ')} field is required.`) : undefined;
    if (typeof v !== 'string' || v.length > max) bad(f, `The ${f.replaceAll('_', ' ')} must be a string of at most ${max} characters.`);
  };
  const date = (f: string, from: string, to: string, required: boolean) => {
    const v = s[f];
    if (v === undefined || v === null || v === '') return required ? bad(f, `The ${f.replaceAll('_', ' ')} field is required.`) : undefined;
    const ok = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) && v >= from && v <= to;
    if (!ok) bad(f, `The ${f.replaceAll('_', ' ')} must be a date between ${from} and ${to} (YYYY-MM-DD).`);
  };
  const vis = s.decision_visibility;
  const has = (v: unknown) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
  if (![vis, s.decision_monetary, s.decision_provision, s.decision_account].some(has))
    bad(
      'decision_visibility',
      'The decision visibility field is required when none of decision monetary / provision / account is present.',
    );
  if (has(vis)) {
    if (!Array.isArray(vis) || !vis.every((v) => VISIBILITY.has(String(v))))
      bad('decision_visibility', 'The selected decision visibility is invalid.');
    else if (vis.includes('DECISION_VISIBILITY_OTHER')) str('decision_visibility_other', 500, true);
  }
  if (has(s.decision_monetary)) {
    if (!MONETARY.has(String(s.decision_monetary))) bad('decision_monetary', 'The selected decision monetary is invalid.');
    else if (s.decision_monetary === 'DECISION_MONETARY_OTHER') str('decision_monetary_other', 500, true);
  }
  if (has(s.decision_provision) && !PROVISION.has(String(s.decision_provision)))
    bad('decision_provision', 'The selected decision provision is invalid.');
  if (has(s.decision_account) && !ACCOUNT.has(String(s.decision_account)))
    bad('decision_account', 'The selected decision account is invalid.');
  if (s.decision_ground === 'DECISION_GROUND_ILLEGAL_CONTENT') {
    str('illegal_content_legal_ground', 500, true);
    str('illegal_content_explanation', 2000, true);
  } else if (s.decision_ground === 'DECISION_GROUND_INCOMPATIBLE_CONTENT') {
    str('incompatible_content_ground', 500, true);
    str('incompatible_content_explanation', 2000, true);
    if (s.incompatible_content_illegal !== undefined && !['Yes', 'No'].includes(String(s.incompatible_content_illegal)))
      bad('incompatible_content_illegal', 'The selected incompatible content illegal is invalid.');
  } else bad('decision_ground', 'The decision ground field is required.');
  str('decision_facts', 5000, true);
  const ct = s.content_type;
  if (!Array.isArray(ct) || ct.length === 0 || !ct.every((c) => CONTENT_TYPES.has(String(c))))
    bad('content_type', 'The selected content type is invalid.');
  else if (ct.includes('CONTENT_TYPE_OTHER')) str('content_type_other', 500, true);
  if (!CATEGORIES.has(String(s.category))) bad('category', 'The selected category is invalid.');
  date('content_date', '2000-01-01', '2038-01-01', true);
  date('application_date', '2020-01-01', '2038-01-01', true);
  if (!SOURCES.has(String(s.source_type))) bad('source_type', 'The selected source type is invalid.');
  if (s.source_type !== 'SOURCE_VOLUNTARY') str('source_identity', 500, false);
  if (!['Yes', 'No'].includes(String(s.automated_detection))) bad('automated_detection', 'The selected automated detection is invalid.');
  if (
    !['AUTOMATED_DECISION_FULLY', 'AUTOMATED_DECISION_PARTIALLY', 'AUTOMATED_DECISION_NOT_AUTOMATED'].includes(String(s.automated_decision))
  )
    bad('automated_decision', 'The selected automated decision is invalid.');
  if (s.territorial_scope !== undefined && (!Array.isArray(s.territorial_scope) || !s.territorial_scope.every((c) => EEA.has(String(c)))))
    bad('territorial_scope', 'The selected territorial scope is invalid.');
  if (s.content_language !== undefined && !/^[A-Z]{2}$/.test(String(s.content_language)))
    bad('content_language', 'The selected content language is invalid.');
  const puid = s.puid;
  if (typeof puid !== 'string' || !puid) bad('puid', 'The puid field is required.');
  else if (puid.length > 500 || !/^[a-zA-Z0-9-_]+$/.test(puid)) bad('puid', 'The puid format is invalid.');
  return e;
}

export type TdbStandIn = {
  url: string;
  token: string;
  /** Accepted statements by puid. */
  statements: Map<string, Statement>;
  /** Every call, in order: path, how many statements, the answer's status. */
  calls: { path: string; count: number; status: number }[];
  /** The next `n` calls answer `status` (e.g. 503), or drop the connection (`'drop'`) after storing (a lost answer). */
  failNext(n: number, how: number | 'drop-after-store'): void;
  /** Refuses the statement with this puid as invalid (a rule TrustOps does not know yet, e.g. a new one of the database's). */
  refuse(puid: string, errors: Record<string, string[]>): void;
  close(): Promise<void>;
};

/** Starts the stand-in on 127.0.0.1 (a free port unless given). */
export async function startTdbStandIn(opts: { token?: string; port?: number } = {}): Promise<TdbStandIn> {
  const token = opts.token ?? 'tdb-stand-in-token';
  const statements = new Map<string, Statement>();
  const calls: TdbStandIn['calls'] = [];
  const faults: (number | 'drop-after-store')[] = [];
  const refused = new Map<string, Record<string, string[]>>();
  const check = (s: Statement) => ({ ...rules(s), ...(refused.get(String(s.puid)) ?? {}) });

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    const body = await read(req);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const list = path === '/api/v1/statements' ? (parsed as { statements?: unknown })?.statements : [parsed];
    const count = Array.isArray(list) ? list.length : 0;
    const reply = (status: number, json: unknown) => {
      calls.push({ path, count, status });
      answer(res, status, json);
    };
    if (req.method !== 'POST' || (path !== '/api/v1/statement' && path !== '/api/v1/statements'))
      return reply(404, { message: 'Not Found' });
    if (req.headers.authorization !== `Bearer ${token}`) return reply(401, { message: 'Unauthenticated.' });
    const fault = faults.shift();
    if (typeof fault === 'number') return reply(fault, { message: `stand-in fault ${fault}` });
    if (!Array.isArray(list) || parsed === undefined)
      return reply(422, { message: 'The statements field is required.', errors: { statements: ['required'] } });
    if (path === '/api/v1/statements' && (list.length === 0 || list.length > 100))
      return reply(422, {
        message: 'The statements must have between 1 and 100 items.',
        errors: { statements: ['between 1 and 100 items'] },
      });
    const items = list as Statement[];
    if (path === '/api/v1/statement') {
      const s = items[0]!;
      if (typeof s.puid === 'string' && statements.has(s.puid))
        return reply(422, {
          message: 'The identifier given is not unique within this platform.',
          errors: { puid: ['The identifier given is not unique within this platform.'] },
          existing: { puid: s.puid },
        });
      const errors = check(s);
      if (Object.keys(errors).length) return reply(422, { message: 'The given data was invalid.', errors });
    } else {
      const known = items.map((s) => String(s.puid)).filter((p) => statements.has(p));
      const puids = items.map((s) => String(s.puid));
      const repeated = puids.filter((p, k) => puids.indexOf(p) !== k);
      if (known.length || repeated.length)
        return reply(422, {
          message: 'The identifiers given are not unique within this platform.',
          errors: { existing_puids: [...new Set([...known, ...repeated])] },
        });
      const errors: Record<string, string[]> = {};
      items.forEach((s, k) => {
        for (const [field, messages] of Object.entries(check(s))) errors[`statements.${k}.${field}`] = messages;
      });
      if (Object.keys(errors).length) return reply(422, { message: 'The given data was invalid.', errors });
    }
    for (const s of items) statements.set(String(s.puid), s);
    if (fault === 'drop-after-store') {
      calls.push({ path, count, status: 0 });
      res.socket?.destroy();
      return;
    }
    reply(201, path === '/api/v1/statement' ? { ...items[0], uuid: `sor-${statements.size}` } : { statements: items });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    statements,
    calls,
    failNext(n, how) {
      for (let k = 0; k < n; k++) faults.push(how);
    },
    refuse(puid, errors) {
      refused.set(puid, errors);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
