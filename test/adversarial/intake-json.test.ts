// Adversarial JSON intake against the real app (POST /api/v1/…, bearer token, real Postgres, the delivery
// worker posting to the Slack emulator). A refused body gets a 4xx naming the field and stores nothing;
// an accepted hostile body is stored as sent and reaches Slack inert. Never a 5xx, never a crash.

import {
  AMP_FLOOD,
  CARD_SAMPLE,
  changed,
  HOSTILE,
  healthStatus,
  lastAlertId,
  liveMarkupSince,
  mark,
  rowCounts,
  settledAlerts,
  show,
} from '../support/adversarial-checks';
import { INTAKE_TOKEN, startTestApp, type TestApp } from '../support/app';

let t: TestApp;
let fixture: { caseId: number; decisionId: number };

type Endpoint = 'reports' | 'decisions' | 'qa-reviews' | 'appeals' | 'escalations';
type Body = Record<string, unknown>;

let seq = 0;
const recent = () => new Date(Date.now() - 60_000).toISOString();

// Valid bodies with fresh ids: each row changes one thing.
const valid: Record<Endpoint, (c: { caseId: number; decisionId: number }) => Body> = {
  reports: () => {
    const id = `adv-json-${++seq}`;
    return {
      external_id: id,
      surface: 'claude_ai',
      report_type: 'harmful_content',
      content_ref: `https://claude.ai/share/${id}`,
      received_at: recent(),
    };
  },
  decisions: (c) => ({
    external_id: `adv-dec-${++seq}`,
    case_id: c.caseId,
    action: 'content_removed',
    policy: 'hate_speech',
    reviewer_id: 'vendor-42',
    decided_at: recent(),
    automated: false,
  }),
  'qa-reviews': (c) => ({
    external_id: `adv-qa-${++seq}`,
    decision_id: c.decisionId,
    outcome: 'agree',
    reviewer_id: 'qa-7',
    reviewed_at: recent(),
  }),
  appeals: (c) => ({ external_id: `adv-app-${++seq}`, decision_id: c.decisionId, filed_at: recent(), outcome: 'pending' }),
  escalations: (c) => ({ external_id: `adv-esc-${++seq}`, case_id: c.caseId, severity: 'sev3', reason: 'please look' }),
};

const mcpReport = (name: string): Body => ({
  ...valid.reports({ caseId: 0, decisionId: 0 }),
  report_type: 'mcp_server',
  surface: 'mcp_directory',
  mcp_server: { name, url: 'https://mcp.example.com/sse', issue: 'malicious_tool' },
});

type Row = {
  name: string;
  endpoint: Endpoint;
  /** The body as sent: an object (JSON-encoded), or raw text / bytes. */
  body: (c: { caseId: number; decisionId: number }) => Body | string | Buffer;
  /** Refused: this status, naming this field among the errors. */
  refused?: { status: number; path?: string };
  /** Accepted: these tables gain rows, and any card it queues is delivered. */
  stores?: Record<string, number>;
};

const with_ = (endpoint: Endpoint, over: Body) => (c: { caseId: number; decisionId: number }) => ({ ...valid[endpoint](c), ...over });
/** A valid body as JSON text with `fragment` spliced in as its last member (for keys and numbers JSON.stringify cannot write). */
const splice = (endpoint: Endpoint, fragment: string) => (c: { caseId: number; decisionId: number }) =>
  `${JSON.stringify(valid[endpoint](c)).slice(0, -1)},${fragment}}`;
/** A valid body with raw bytes as the value of one string field. */
const bytesIn = (endpoint: Endpoint, field: string, bytes: number[]) => (c: { caseId: number; decisionId: number }) => {
  const body = { ...valid[endpoint](c), [field]: 'MARK' };
  const [before, after] = JSON.stringify(body).split('MARK');
  return Buffer.concat([Buffer.from(`${before}ok`), Buffer.from(bytes), Buffer.from(`ok${after}`)]);
};
const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);
const nestedObject = (depth: number) => `${'{"x":'.repeat(depth)}1${'}'.repeat(depth)}`;

const bad = (name: string, endpoint: Endpoint, body: Row['body'], path?: string, status = 400): Row => ({
  name: `${endpoint}: ${name}`,
  endpoint,
  body,
  refused: { status, path },
});

const DATE_FIELDS: [Endpoint, string, Body][] = [
  ['reports', 'received_at', {}],
  ['decisions', 'decided_at', {}],
  ['qa-reviews', 'reviewed_at', {}],
  ['appeals', 'filed_at', {}],
  ['appeals', 'resolved_at', { outcome: 'upheld', filed_at: '2026-01-01T00:00:00Z' }],
];
const OLD_DATES: [string, string][] = [
  ['year 0000', '0000-01-01T00:00:00Z'],
  ['year 0001', '0001-01-01T00:00:00Z'],
  ['1999-12-31, before 2000', '1999-12-31T23:59:59Z'],
  ['the Unix epoch', '1970-01-01T00:00:00Z'],
];

const NUL_FIELDS: [Endpoint, string, Body][] = [
  ['reports', 'external_id', {}],
  ['reports', 'description', {}],
  ['reports', 'reporter', {}],
  ['reports', 'category', {}],
  ['reports', 'content_ref', {}],
  ['decisions', 'policy', {}],
  ['decisions', 'reviewer_id', {}],
  ['qa-reviews', 'correct_policy', { outcome: 'disagree', correct_action: 'no_violation' }],
  ['qa-reviews', 'error_category', { outcome: 'disagree', correct_action: 'no_violation' }],
  ['appeals', 'external_id', {}],
  ['escalations', 'reason', {}],
  ['escalations', 'requested_by', {}],
];

const BAD_UTF8: [string, number[]][] = [
  ['a 0xFF byte', [0xff]],
  ['an overlong "/"', [0xc0, 0xaf]],
  ['a UTF-8-encoded surrogate', [0xed, 0xa0, 0x80]],
  ['a truncated sequence', [0xe2, 0x82]],
  ['a lone continuation byte', [0x80]],
  ['Latin-1 "é"', [0xe9]],
];

const NOT_BCP47 = ['en_US', 'en-US-US', 'de-DE-1996-1996', 'en-12', 'sr-Latn-RS-RS', 'ja-Jpan-Latn', 'english', 'e', '<!channel>'];
const UNKNOWN_SURFACES = ['moon', '<!channel>', '__proto__', 'constructor', 'toString', 'CLAUDE_AI', 'claude_ai\u200B', 'hasOwnProperty'];

const rows: Row[] = [
  // Nesting deep enough to overflow a recursive walk: refused as a whole body (400).
  bad('a body nested 20,000 arrays deep', 'reports', () => nested(20_000)),
  bad('a body nested 100,000 arrays deep', 'reports', () => nested(100_000)),
  bad('a description nested 20,000 arrays deep', 'reports', splice('reports', `"description":${nested(20_000)}`)),
  bad('an unknown field nested 20,000 objects deep', 'reports', splice('reports', `"extra":${nestedObject(20_000)}`)),
  bad('mcp_server nested 20,000 objects deep', 'reports', splice('reports', `"mcp_server":${nestedObject(20_000)}`)),
  bad('automated nested 20,000 arrays deep', 'decisions', splice('decisions', `"automated":${nested(20_000)}`)),
  bad('a reason nested 20,000 objects deep', 'escalations', splice('escalations', `"reason":${nestedObject(20_000)}`)),

  // Dates Postgres cannot store, or that no real report has.
  ...DATE_FIELDS.flatMap(([endpoint, field, extra]) =>
    OLD_DATES.map(([label, value]) => bad(`${field} ${label}`, endpoint, with_(endpoint, { ...extra, [field]: value }), field)),
  ),
  bad('received_at with an expanded year +002026', 'reports', with_('reports', { received_at: '+002026-11-27T10:00:00Z' }), 'received_at'),
  bad('received_at in year -1', 'reports', with_('reports', { received_at: '-000001-01-01T00:00:00Z' }), 'received_at'),
  bad('received_at in year 275760', 'reports', with_('reports', { received_at: '275760-09-13T00:00:00Z' }), 'received_at'),
  bad('received_at as 1e400', 'reports', splice('reports', '"received_at":1e400'), 'received_at'),

  // NUL in text (Postgres refuses it: 22021).
  ...NUL_FIELDS.map(([endpoint, field, extra]) =>
    bad(`a NUL in ${field}`, endpoint, with_(endpoint, { ...extra, [field]: 'a\u0000b' }), field),
  ),
  bad('a NUL in mcp_server.name', 'reports', () => mcpReport('tool\u0000name'), 'mcp_server.name'),
  bad('a NUL in language', 'reports', with_('reports', { language: 'en\u0000' }), 'language'),

  // Bytes that are not UTF-8, and escapes that are not Unicode scalar values.
  ...BAD_UTF8.map(([label, bytes]) => bad(`${label} in description`, 'reports', bytesIn('reports', 'description', bytes))),
  bad('a 0xFF byte in external_id', 'reports', bytesIn('reports', 'external_id', [0xff])),
  bad('a 0xFF byte in an escalation reason', 'escalations', bytesIn('escalations', 'reason', [0xff])),
  bad('a 0xFF byte in a decision policy', 'decisions', bytesIn('decisions', 'policy', [0xff])),
  bad('a lone high surrogate escape in description', 'reports', with_('reports', { description: 'a\uD800b' }), 'description'),
  bad('a lone low surrogate escape in an escalation reason', 'escalations', with_('escalations', { reason: 'a\uDC00b' }), 'reason'),

  // Sizes.
  bad('a 900 kB description', 'reports', with_('reports', { description: 'x'.repeat(900_000) }), 'description'),
  bad('a 100 kB external_id', 'reports', with_('reports', { external_id: 'x'.repeat(100_000) }), 'external_id'),
  bad('a 1.1 MB reason', 'escalations', with_('escalations', { reason: 'x'.repeat(1_100_000) }), undefined, 413),
  bad('a 2,001-character reason', 'escalations', with_('escalations', { reason: 'x'.repeat(2001) }), 'reason'),
  bad('a 5,001-character description of ampersands', 'reports', with_('reports', { description: AMP_FLOOD(5001) }), 'description'),

  // Wrong types and numbers out of range.
  bad('a body of true', 'reports', () => 'true', '(body)'),
  bad('a body of 1e400', 'reports', () => '1e400', '(body)'),
  bad(
    'case_id as 1e400',
    'decisions',
    (c) => `${JSON.stringify({ ...valid.decisions(c), case_id: 0 }).replace('"case_id":0', '"case_id":1e400')}`,
    'case_id',
  ),
  bad('case_id of -1', 'decisions', with_('decisions', { case_id: -1 }), 'case_id'),
  bad('case_id of 2.5', 'decisions', with_('decisions', { case_id: 2.5 }), 'case_id'),
  bad('case_id as a string', 'decisions', with_('decisions', { case_id: '1' }), 'case_id'),
  bad('case_id past int4', 'decisions', with_('decisions', { case_id: 99_999_999_999 }), 'case_id'),
  bad(
    'case_id past 2^53',
    'escalations',
    (c) => JSON.stringify(valid.escalations(c)).replace(/"case_id":\d+/, '"case_id":9007199254740993'),
    'case_id',
  ),
  bad(
    'decision_id as 1e400',
    'qa-reviews',
    (c) => JSON.stringify(valid['qa-reviews'](c)).replace(/"decision_id":\d+/, '"decision_id":1e400'),
    'decision_id',
  ),
  bad('automated as "yes"', 'decisions', with_('decisions', { automated: 'yes' }), 'automated'),
  bad('severity as a number', 'escalations', with_('escalations', { severity: 1 }), 'severity'),
  bad('severity sev0', 'escalations', with_('escalations', { severity: 'sev0' }), 'severity'),
  bad('reason as an array', 'escalations', with_('escalations', { reason: ['a'] }), 'reason'),
  bad('reason as an object', 'escalations', with_('escalations', { reason: { text: '<!channel>' } }), 'reason'),
  bad('own_initiative as "true"', 'reports', with_('reports', { own_initiative: 'true' }), 'own_initiative'),
  bad('an escalation on a case that does not exist', 'escalations', with_('escalations', { case_id: 2_147_483_647 }), 'case_id', 404),

  // Keys that would pollute prototypes if merged into an object.
  bad('a __proto__ key', 'reports', splice('reports', '"__proto__":{"polluted":true}'), '(body)'),
  bad('a constructor.prototype key', 'reports', splice('reports', '"constructor":{"prototype":{"polluted":true}}'), '(body)'),
  bad(
    'a __proto__ key in mcp_server',
    'reports',
    () => JSON.stringify(mcpReport('x')).replace('"name":"x"', '"name":"x","__proto__":{"polluted":true}'),
    'mcp_server',
  ),
  bad('a __proto__ key on a decision', 'decisions', splice('decisions', '"__proto__":{"polluted":true}'), '(body)'),
  bad('a __proto__ key on an escalation', 'escalations', splice('escalations', '"__proto__":{"polluted":true}'), '(body)'),
  bad('a __proto__ key on an appeal', 'appeals', splice('appeals', '"__proto__":{"polluted":true}'), '(body)'),

  // Language tags that match a loose pattern but are not BCP 47.
  ...NOT_BCP47.map((tag) => bad(`language ${show(tag)}`, 'reports', with_('reports', { language: tag }), 'language')),
  // Catalogue values that do not exist (some named like Object.prototype members).
  ...UNKNOWN_SURFACES.map((s) => bad(`surface ${show(s)}`, 'reports', with_('reports', { surface: s }), 'surface')),
  bad('report_type __proto__', 'reports', with_('reports', { report_type: '__proto__' }), 'report_type'),
  bad('report_type hasOwnProperty', 'reports', with_('reports', { report_type: 'hasOwnProperty' }), 'report_type'),
  bad('decision action toString', 'decisions', with_('decisions', { action: 'toString' }), 'action'),

  // Fields the API does not have.
  bad('an admin flag', 'reports', with_('reports', { admin: true }), '(body)'),
  bad('an id', 'reports', with_('reports', { id: 1 }), '(body)'),
  bad('a case_id on a report', 'reports', with_('reports', { case_id: 1 }), '(body)'),
  bad('a status', 'escalations', with_('escalations', { status: 'approved' }), '(body)'),
  bad('an empty key', 'decisions', with_('decisions', { '': 'x' }), '(body)'),
  bad('a created_at', 'appeals', with_('appeals', { created_at: recent() }), '(body)'),

  // Hostile text where it is allowed is stored as sent (and escaped wherever Slack shows it).
  ...HOSTILE.map(
    ([name, value]): Row => ({
      name: `reports: a description of ${name}`,
      endpoint: 'reports',
      body: with_('reports', { description: value }),
      stores: { reports: 1, cases: 1 },
    }),
  ),
  ...HOSTILE.map(
    ([name, value]): Row => ({
      name: `decisions: a policy and reviewer of ${name}`,
      endpoint: 'decisions',
      body: with_('decisions', { policy: value.slice(0, 100), reviewer_id: value }),
      stores: { decisions: 1 },
    }),
  ),
  // Vendor-supplied text that reaches Slack: accepted as sent, shown inert on the card.
  ...CARD_SAMPLE.map(
    ([name, value]): Row => ({
      name: `escalations: a reason of ${name}`,
      endpoint: 'escalations',
      body: with_('escalations', { reason: value }),
      stores: { escalations: 1, alerts: 1 },
    }),
  ),
  {
    name: 'escalations: a reason of 2,000 ampersands',
    endpoint: 'escalations',
    body: with_('escalations', { reason: AMP_FLOOD(2000) }),
    stores: { escalations: 1, alerts: 1 },
  },
  ...(['<!channel>', '<@U0EVIL1>', '<https://evil.example|click me>'] as const).map(
    (value): Row => ({
      name: `escalations: requested_by ${value}`,
      endpoint: 'escalations',
      body: with_('escalations', { requested_by: value }),
      stores: { escalations: 1, alerts: 1 },
    }),
  ),
  ...CARD_SAMPLE.map(
    ([name, value]): Row => ({
      name: `reports: an urgent MCP report whose server name is ${name}`,
      endpoint: 'reports',
      body: () => mcpReport(value),
      stores: { reports: 1, cases: 1, alerts: 1 },
    }),
  ),
  {
    name: 'reports: an urgent MCP report whose server name is 200 ampersands',
    endpoint: 'reports',
    body: () => mcpReport(AMP_FLOOD(200)),
    stores: { reports: 1, cases: 1, alerts: 1 },
  },
];

async function post(endpoint: Endpoint, body: Body | string | Buffer) {
  const res = await fetch(`${t.baseUrl}/api/v1/${endpoint}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: { error?: string; errors?: { path: string }[] } | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

async function newCase(): Promise<number> {
  const res = await post('reports', valid.reports({ caseId: 0, decisionId: 0 }));
  if (res.status !== 201) throw new Error(`could not open a case: ${res.status}`);
  return (res.json as unknown as { case_id: number }).case_id;
}

beforeAll(async () => {
  t = await startTestApp();
  const caseId = await newCase();
  const decision = await post('decisions', valid.decisions({ caseId, decisionId: 0 }));
  fixture = { caseId, decisionId: (decision.json as unknown as { id: number }).id };
});
afterAll(async () => {
  await t.stop();
});

describe(`${rows.length} adversarial intake bodies`, () => {
  it.each(rows)('$name', async (row) => {
    // A case holds one pending escalation at a time: each escalation row gets a case of its own.
    const c = row.endpoint === 'escalations' ? { ...fixture, caseId: await newCase() } : fixture;
    const body = row.body(c);
    const m = mark(t);
    const alertsFrom = await lastAlertId(t);
    const before = await rowCounts(t);

    const res = await post(row.endpoint, body);
    const delivered = row.stores ? await settledAlerts(t, alertsFrom).catch((err: Error) => [err.message]) : [];
    const { audit, ...tables } = changed(before, await rowCounts(t));
    const paths = (res.json?.errors ?? []).map((e) => e.path);

    expect({
      status: res.status,
      ...(row.refused?.path ? { namesField: paths.includes(row.refused.path) ? row.refused.path : paths } : {}),
      // A refused request leaves no trace, not even an audit row.
      stored: row.stores ? tables : { ...tables, ...(audit ? { audit } : {}) },
      undelivered: delivered.filter((d) => d !== 'sent'),
      liveMarkup: liveMarkupSince(t, m),
      prototypePolluted: 'polluted' in Object.prototype,
      health: await healthStatus(t),
    }).toEqual({
      status: row.refused?.status ?? 201,
      ...(row.refused?.path ? { namesField: row.refused.path } : {}),
      stored: row.stores ?? {},
      undelivered: [],
      liveMarkup: [],
      prototypePolluted: false,
      health: 200,
    });
  });
});
