// Validation, idempotency and conflict rules of the JSON intake API (POST /api/v1/reports,
// /decisions, /qa-reviews, /appeals), exercised table by table against the real app.
//
// Tests marked `// Regression:` pin defects found and fixed here; their comments say what went wrong.
import { fixedClock } from '../../src/clock';
import type { FieldError } from '../../src/domain/intake/schemas';
import { INTAKE_TOKEN, startTestApp, type TestApp } from '../support/app';

const clock = fixedClock('2026-11-27T12:00:00Z');
let t: TestApp;

const REPORTS = '/api/v1/reports';
const DECISIONS = '/api/v1/decisions';
const QA_REVIEWS = '/api/v1/qa-reviews';
const APPEALS = '/api/v1/appeals';
const ENDPOINTS = [REPORTS, DECISIONS, QA_REVIEWS, APPEALS] as const;
type Endpoint = (typeof ENDPOINTS)[number];

type Body = Record<string, unknown>;
type Res = Awaited<ReturnType<TestApp['api']>>;
type Row = [label: string, over: Body, paths: string[]];

const TEN_KB = 'x'.repeat(10_240);
const TEN_KB_URL = `https://example.com/${TEN_KB}`;
const HOSTILE = ['<!channel>', '<script>alert(1)</script>', "'; DROP TABLE reports; --"];

// The same bad date-times for every date field: no offset, date only, garbage, impossible, out of range.
const BAD_DATES: [label: string, value: string][] = [
  ['without an offset', '2026-11-27T10:00:00'],
  ['date only', '2026-11-27'],
  ['garbage', 'yesterday at noon'],
  ['with a space instead of T', '2026-11-27 10:00:00Z'],
  ['month 13', '2026-13-01T10:00:00Z'],
  ['hour 25', '2026-11-27T25:00:00Z'],
  ['offset +25:00', '2026-11-27T10:00:00+25:00'],
];
// Regression: Date.parse rolls impossible calendar days over (2026-02-30 → 2026-03-02, 2026-04-31 → 2026-05-01),
// so ZInstant's "not a real date-time" refinement lets them through and a different instant is stored.
const IMPOSSIBLE_DATES: [label: string, value: string][] = [
  ['impossible day 2026-02-30', '2026-02-30T10:00:00Z'],
  ['impossible day 2026-04-31', '2026-04-31T10:00:00Z'],
];
const dateRows = (field: string, extra: Body = {}): Row[] =>
  [...BAD_DATES, ...IMPOSSIBLE_DATES].map(([label, value]) => [`${field} ${label}`, { ...extra, [field]: value }, [field]]);

// ---------------------------------------------------------------------------------------------
// Body builders: each call is a valid body with fresh ids, so tests never collide.

let seq = 0;
const next = () => ++seq;

const mcpServer = (over: Body = {}): Body => ({
  name: 'Weather tools',
  url: 'https://mcp.example.com/sse',
  issue: 'malicious_tool',
  ...over,
});

const report = (over: Body = {}): Body => {
  const n = next();
  return {
    external_id: `rv-${n}`,
    surface: 'claude_ai',
    report_type: 'harmful_content',
    content_ref: `https://claude.ai/share/v-${n}`,
    received_at: '2026-11-27T09:00:00Z',
    ...over,
  };
};

const decision = (ref: Body, over: Body = {}): Body => ({
  external_id: `dv-${next()}`,
  ...ref,
  action: 'content_removed',
  policy: 'hate_speech',
  reviewer_id: 'vendor-42',
  decided_at: '2026-11-27T10:00:00Z',
  automated: false,
  ...over,
});

const qaReview = (ref: Body, over: Body = {}): Body => ({
  external_id: `qv-${next()}`,
  ...ref,
  outcome: 'agree',
  reviewer_id: 'qa-7',
  reviewed_at: '2026-11-27T11:00:00Z',
  ...over,
});

const appeal = (ref: Body, over: Body = {}): Body => ({
  external_id: `av-${next()}`,
  ...ref,
  filed_at: '2026-11-27T11:00:00Z',
  outcome: 'pending',
  ...over,
});

// ---------------------------------------------------------------------------------------------
// Helpers.

const errorPaths = (res: Res): string[] => [...new Set((res.json.errors as FieldError[]).map((e) => e.path))].sort();

function rowCount(endpoint: Endpoint, externalId: string): Promise<number> {
  const where = { externalId };
  switch (endpoint) {
    case REPORTS:
      return t.db.prisma.report.count({ where });
    case DECISIONS:
      return t.db.prisma.decision.count({ where });
    case QA_REVIEWS:
      return t.db.prisma.qaReview.count({ where });
    case APPEALS:
      return t.db.prisma.appeal.count({ where });
  }
}

/** Expects a 400 listing exactly these field paths (each once is enough), and that nothing was recorded. */
async function expectInvalid(endpoint: Endpoint, body: unknown, paths: string[]): Promise<Res> {
  const res = await t.api(endpoint, body);
  // Status and paths in one assertion, so a failure shows the whole answer.
  expect({ status: res.status, answer: res.status === 400 && res.json.errors ? errorPaths(res) : res.json }).toEqual({
    status: 400,
    answer: [...paths].sort(),
  });
  expect(res.json.error).toBe('invalid_request');
  for (const e of res.json.errors as FieldError[]) expect(e.message).toEqual(expect.any(String));
  const externalId = (body as Body | null)?.external_id;
  if (typeof externalId === 'string') expect(await rowCount(endpoint, externalId)).toBe(0);
  return res;
}

async function expectCreated(endpoint: Endpoint, body: Body): Promise<Res> {
  const res = await t.api(endpoint, body);
  expect({ status: res.status, json: res.json }).toEqual({ status: 201, json: expect.anything() });
  return res;
}

async function reportsTableExists(): Promise<void> {
  const [row] = await t.db.prisma.$queryRaw<{ reg: string | null }[]>`SELECT to_regclass('reports')::text AS reg`;
  expect(row?.reg).toBe('reports');
  expect(await t.db.prisma.report.count()).toBeGreaterThan(0);
}

/** A report that opened its own case; received at `receivedAt`. */
async function newCase(receivedAt = '2026-11-27T09:00:00Z'): Promise<{ caseId: number; reportExternalId: string; contentRef: string }> {
  const body = report({ received_at: receivedAt });
  const res = await expectCreated(REPORTS, body);
  return { caseId: res.json.case_id, reportExternalId: body.external_id as string, contentRef: body.content_ref as string };
}

/** A decided case; the decision was made at 10:00Z. */
async function newDecision(): Promise<{ decisionId: number; externalId: string; caseId: number }> {
  const { caseId } = await newCase();
  const body = decision({ case_id: caseId });
  const res = await expectCreated(DECISIONS, body);
  return { decisionId: res.json.id, externalId: body.external_id as string, caseId };
}

// Shared fixtures for the validation tables: bodies there are valid except for the one mistake.
let fixtureCaseId: number;
let fixtureDecisionId: number;

beforeAll(async () => {
  t = await startTestApp({ clock });
  const d = await newDecision();
  fixtureCaseId = d.caseId;
  fixtureDecisionId = d.decisionId;
});
afterAll(async () => {
  await t.stop();
});

// ---------------------------------------------------------------------------------------------

describe('transport rules, on every endpoint', () => {
  const minimal: Record<Endpoint, () => Body> = {
    [REPORTS]: () => report(),
    [DECISIONS]: () => decision({ case_id: fixtureCaseId }),
    [QA_REVIEWS]: () => qaReview({ decision_id: fixtureDecisionId }),
    [APPEALS]: () => appeal({ decision_id: fixtureDecisionId }),
  };
  const json = { 'content-type': 'application/json' };
  const auth = { authorization: `Bearer ${INTAKE_TOKEN}` };
  const cases: [label: string, headers: Record<string, string>, body: (e: Endpoint) => unknown, status: number, error: string][] = [
    ['no bearer token', json, (e) => minimal[e](), 401, 'unauthorized'],
    ['a wrong bearer token', { ...json, authorization: 'Bearer wrong-token' }, (e) => minimal[e](), 401, 'unauthorized'],
    ['the token without "Bearer "', { ...json, authorization: INTAKE_TOKEN }, (e) => minimal[e](), 401, 'unauthorized'],
    ['the token with a suffix', { ...json, authorization: `Bearer ${INTAKE_TOKEN}x` }, (e) => minimal[e](), 401, 'unauthorized'],
    ['text/plain', { ...auth, 'content-type': 'text/plain' }, (e) => minimal[e](), 415, 'unsupported_media_type'],
    ['form-encoded', { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, () => 'a=1', 415, 'unsupported_media_type'],
    ['no content type', auth, (e) => minimal[e](), 415, 'unsupported_media_type'],
    ['malformed JSON', { ...auth, ...json }, () => '{"external_id": "x",', 400, 'invalid_json'],
    ['an empty body', { ...auth, ...json }, () => '', 400, 'invalid_json'],
    ['a body over 1 MB', { ...auth, ...json }, (e) => ({ ...minimal[e](), padding: 'x'.repeat(1_100_000) }), 413, 'payload_too_large'],
  ];
  const table = ENDPOINTS.flatMap((e) =>
    cases.map(([label, headers, body, status, error]) => [e, label, status, headers, body, error] as const),
  );

  it.each(table)('%s with %s answers %i', async (endpoint, _label, status, headers, body, error) => {
    const res = await t.api(endpoint, body(endpoint), headers);
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ error, message: expect.any(String) });
  });

  it.each(ENDPOINTS)('%s records nothing for a refused token', async (endpoint) => {
    const body = minimal[endpoint]();
    expect((await t.api(endpoint, body, json)).status).toBe(401);
    expect(await rowCount(endpoint, body.external_id as string)).toBe(0);
  });

  it.each(ENDPOINTS)('%s accepts application/json with a charset', async (endpoint) => {
    const res = await t.api(endpoint, minimal[endpoint](), { ...auth, 'content-type': 'application/json; charset=utf-8' });
    expect(res.status).toBe(201);
  });

  // Regression: JSON.parse takes any depth, but the validators after it recurse: a body nested 20,000 deep
  // overflowed the stack and was answered 500.
  it.each(ENDPOINTS)('%s answers 400 for JSON nested 20,000 deep, and stays up', async (endpoint) => {
    const deep = `{"external_id":"deep-${next()}","surface":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const res = await t.api(endpoint, deep);
    expect({ status: res.status, json: res.json }).toEqual({
      status: 400,
      json: { error: 'invalid_json', message: 'the body is nested deeper than 32 levels' },
    });
    expect((await t.api(endpoint, minimal[endpoint]())).status).toBe(201);
  });

  // Regression: the body was decoded leniently, so bytes that are not UTF-8 were stored as U+FFFD.
  it.each(ENDPOINTS)('%s refuses a body that is not UTF-8 and stores nothing from it', async (endpoint) => {
    const body = minimal[endpoint]();
    const text = JSON.stringify({ ...body, external_id: `${body.external_id}-caf\u00e9` });
    // Latin-1: é is the one byte 0xE9, which UTF-8 never has alone.
    const latin1 = Buffer.from(text, 'latin1');
    expect(latin1.includes(0xe9)).toBe(true);
    const res = await fetch(`${t.baseUrl}${endpoint}`, { method: 'POST', headers: { ...auth, ...json }, body: latin1 });
    expect({ status: res.status, json: await res.json() }).toEqual({
      status: 400,
      json: { error: 'invalid_json', message: 'the body is not valid UTF-8' },
    });
    expect(await rowCount(endpoint, `${body.external_id}-caf\uFFFD`)).toBe(0);
    expect(await rowCount(endpoint, `${body.external_id}-caf\u00e9`)).toBe(0);
  });

  const notObjects: [string, string][] = [
    ['null', 'null'],
    ['an array', '[]'],
    ['a string', '"report"'],
    ['a number', '42'],
  ];
  it.each(ENDPOINTS.flatMap((e) => notObjects.map(([label, raw]) => [e, label, raw] as const)))(
    '%s answers 400 (body) for %s',
    async (endpoint, _label, raw) => {
      await expectInvalid(endpoint, raw, ['(body)']);
    },
  );
});

// ---------------------------------------------------------------------------------------------

describe('POST /api/v1/reports', () => {
  const rows: Row[] = [
    // wrong types
    ['external_id as a number', { external_id: 42 }, ['external_id']],
    ['external_id as null', { external_id: null }, ['external_id']],
    ['surface as a number', { surface: 1 }, ['surface']],
    ['report_type as an array', { report_type: ['harmful_content'] }, ['report_type']],
    ['content_ref as null', { content_ref: null }, ['content_ref']],
    ['content_ref as an object', { content_ref: { url: 'https://claude.ai/share/1' } }, ['content_ref']],
    ['category as a number', { category: 7 }, ['category']],
    ['category as null', { category: null }, ['category']],
    ['received_at as epoch millis', { received_at: 1_764_234_000_000 }, ['received_at']],
    ['jurisdiction as an array', { jurisdiction: ['DE'] }, ['jurisdiction']],
    ['language as a number', { language: 1 }, ['language']],
    ['reporter as an object', { reporter: { email: 'a@b.c' } }, ['reporter']],
    ['description as an array', { description: ['a', 'b'] }, ['description']],
    ['own_initiative as a string', { own_initiative: 'true' }, ['own_initiative']],
    ['trusted_flagger as a number', { trusted_flagger: 1 }, ['trusted_flagger']],
    ['mcp_server as a string', { report_type: 'mcp_server', mcp_server: 'Weather tools' }, ['mcp_server']],
    ['mcp_server as null', { report_type: 'mcp_server', mcp_server: null }, ['mcp_server']],
    ['mcp_server.name as a number', { report_type: 'mcp_server', mcp_server: mcpServer({ name: 42 }) }, ['mcp_server.name']],
    ['mcp_server.url as an array', { report_type: 'mcp_server', mcp_server: mcpServer({ url: ['https://a.b'] }) }, ['mcp_server.url']],
    // missing or empty required fields
    ['no external_id', { external_id: undefined }, ['external_id']],
    ['a blank external_id', { external_id: '   ' }, ['external_id']],
    ['no surface', { surface: undefined }, ['surface']],
    ['no report_type', { report_type: undefined }, ['report_type']],
    ['no content_ref', { content_ref: undefined }, ['content_ref']],
    ['an empty content_ref', { content_ref: '' }, ['content_ref']],
    ['mcp_server type without mcp_server', { report_type: 'mcp_server' }, ['mcp_server']],
    ['mcp_server without a url', { report_type: 'mcp_server', mcp_server: mcpServer({ url: undefined }) }, ['mcp_server.url']],
    [
      'mcp_server without a name or an issue',
      { report_type: 'mcp_server', mcp_server: { url: 'https://mcp.example.com' } },
      ['mcp_server.issue', 'mcp_server.name'],
    ],
    ['mcp_server on another type', { mcp_server: mcpServer() }, ['mcp_server']],
    // unknown values
    ['an unknown surface', { surface: 'moon' }, ['surface']],
    ['an unknown report_type', { report_type: 'gossip' }, ['report_type']],
    ['a report_type in the wrong case', { report_type: 'MCP_SERVER' }, ['report_type']],
    ['an unknown mcp_server.issue', { report_type: 'mcp_server', mcp_server: mcpServer({ issue: 'spam' }) }, ['mcp_server.issue']],
    [
      'a non-http mcp_server.url',
      { report_type: 'mcp_server', mcp_server: mcpServer({ url: 'ftp://mcp.example.com' }) },
      ['mcp_server.url'],
    ],
    ['an unknown jurisdiction', { jurisdiction: 'XX' }, ['jurisdiction']],
    ['a three-letter jurisdiction', { jurisdiction: 'DEU' }, ['jurisdiction']],
    ['a malformed language', { language: 'english!' }, ['language']],
    ['raw content as content_ref', { content_ref: 'you are all idiots and I will find you' }, ['content_ref']],
    // dates
    ...dateRows('received_at'),
    // 10 kB strings in every bounded field
    ['a 10 kB external_id', { external_id: TEN_KB }, ['external_id']],
    ['a 10 kB surface', { surface: TEN_KB }, ['surface']],
    ['a 10 kB report_type', { report_type: TEN_KB }, ['report_type']],
    ['a 10 kB category', { category: TEN_KB }, ['category']],
    ['a 10 kB content_ref id', { content_ref: TEN_KB }, ['content_ref']],
    ['a 10 kB content_ref link', { content_ref: TEN_KB_URL }, ['content_ref']],
    ['a 10 kB jurisdiction', { jurisdiction: TEN_KB }, ['jurisdiction']],
    ['a 10 kB language', { language: TEN_KB }, ['language']],
    ['a 10 kB reporter', { reporter: TEN_KB }, ['reporter']],
    ['a 10 kB description', { description: TEN_KB }, ['description']],
    ['a 10 kB mcp_server.name', { report_type: 'mcp_server', mcp_server: mcpServer({ name: TEN_KB }) }, ['mcp_server.name']],
    ['a 10 kB mcp_server.url', { report_type: 'mcp_server', mcp_server: mcpServer({ url: TEN_KB_URL }) }, ['mcp_server.url']],
    // strict objects: unknown keys are named in the message of a (body) / parent error
    ['an unknown field', { severity: 'high' }, ['(body)']],
    ['a misspelt field', { recieved_at: '2026-11-27T09:00:00Z' }, ['(body)']],
    ['an unknown mcp_server field', { report_type: 'mcp_server', mcp_server: mcpServer({ tools: ['x'] }) }, ['mcp_server']],
  ];

  it.each(rows)('400 for %s', async (_label, over, paths) => {
    await expectInvalid(REPORTS, report(over), paths);
  });

  it('names the unknown fields and lists the known surfaces and types', async () => {
    const res = await expectInvalid(REPORTS, report({ surface: 'moon', report_type: 'gossip', severity: 'high', priority: 1 }), [
      '(body)',
      'report_type',
      'surface',
    ]);
    const message = (path: string) => (res.json.errors as FieldError[]).find((e) => e.path === path)?.message;
    expect(message('(body)')).toContain('"severity"');
    expect(message('(body)')).toContain('"priority"');
    expect(message('surface')).toBe('unknown surface; known: api, claude_ai, claude_code, mcp_directory, mobile');
    expect(message('report_type')).toMatch(/^unknown report type; known: .*\bharmful_content\b.*\bmcp_server\b/);
  });

  it.each([
    ['5 min 1 s ahead', '2026-11-27T12:05:01Z'],
    ['a year ahead', '2027-11-27T12:00:00Z'],
    ['ahead, written with an offset', '2026-11-27T14:00:00+01:00'],
  ])('400 for received_at %s', async (_label, receivedAt) => {
    const res = await expectInvalid(REPORTS, report({ received_at: receivedAt }), ['received_at']);
    expect(res.json.errors[0].message).toBe('more than 5 minutes in the future');
  });

  it.each([
    ['exactly 5 min ahead', '2026-11-27T12:05:00Z', '2026-11-27T12:05:00.000Z'],
    ['with a +05:30 offset', '2026-11-27T15:00:00+05:30', '2026-11-27T09:30:00.000Z'],
    ['with fractional seconds', '2026-11-27T09:00:00.123Z', '2026-11-27T09:00:00.123Z'],
    ['without seconds', '2026-11-27T09:00Z', '2026-11-27T09:00:00.000Z'],
  ])('accepts received_at %s', async (_label, receivedAt, stored) => {
    const res = await expectCreated(REPORTS, report({ received_at: receivedAt }));
    const row = await t.db.prisma.report.findUniqueOrThrow({ where: { id: res.json.id } });
    expect(row.receivedAt.toISOString()).toBe(stored);
  });

  it('lists every field error of a body with many mistakes at once', async () => {
    await expectInvalid(
      REPORTS,
      {
        external_id: '',
        surface: 'moon',
        report_type: 'gossip',
        category: 'c'.repeat(101),
        content_ref: 'the raw reported text',
        received_at: '2026-11-27',
        jurisdiction: 'XX',
        language: 'english!',
        reporter: 'r'.repeat(321),
        description: TEN_KB,
        own_initiative: 'yes',
        extra: true,
      },
      [
        '(body)',
        'category',
        'content_ref',
        'description',
        'external_id',
        'jurisdiction',
        'language',
        'own_initiative',
        'received_at',
        'report_type',
        'reporter',
        'surface',
      ],
    );
  });

  // Regression: submitReport checks "more than 5 minutes in the future" only when the schema passed, so a
  // body with a future received_at and any other mistake is answered without the received_at error.
  it('lists a future received_at along with the other field errors', async () => {
    await expectInvalid(REPORTS, report({ received_at: '2027-01-01T00:00:00Z', jurisdiction: 'XX' }), ['jurisdiction', 'received_at']);
  });

  // Regression: the mcp_server requirement lives in a superRefine, which zod skips once any field has a
  // type or enum error, so the answer misses the mcp_server error.
  it('lists a missing mcp_server along with a wrongly typed field', async () => {
    await expectInvalid(REPORTS, report({ report_type: 'mcp_server', jurisdiction: 49 }), ['jurisdiction', 'mcp_server']);
  });

  // Regression: the jurisdiction check trusts Intl.DisplayNames, which also names CLDR macro-regions, pseudo-locales
  // and withdrawn codes; they pass as "ISO 3166-1 alpha-2" and are stored as sent.
  it.each([
    ['EU', 'European Union'],
    ['UN', 'United Nations'],
    ['EZ', 'Eurozone'],
    ['QO', 'Outlying Oceania'],
    ['XA', 'a pseudo-locale'],
    ['SU', 'the Soviet Union (withdrawn)'],
    ['DD', 'East Germany (withdrawn)'],
  ])('400 for jurisdiction %s, %s, which is no assigned country code', async (code) => {
    await expectInvalid(REPORTS, report({ jurisdiction: code }), ['jurisdiction']);
  });

  it('accepts text fields at their exact limits', async () => {
    const body = report({
      external_id: `e${'x'.repeat(199)}`,
      category: 'c'.repeat(100),
      reporter: 'r'.repeat(320),
      description: 'd'.repeat(5000),
      content_ref: `https://claude.ai/share/${'z'.repeat(1976)}`,
    });
    expect((body.content_ref as string).length).toBe(2000);
    const res = await expectCreated(REPORTS, body);
    const row = await t.db.prisma.report.findUniqueOrThrow({ where: { id: res.json.id } });
    expect(row).toMatchObject({
      externalId: body.external_id,
      category: body.category,
      reporterContact: body.reporter,
      description: body.description,
      contentRef: body.content_ref,
    });
  });

  const hostileRows = HOSTILE.flatMap((value) =>
    (['description', 'category', 'reporter', 'external_id', 'mcp_server.name'] as const).map((field) => [field, value] as const),
  );
  it.each(hostileRows)('stores %s %j exactly as sent', async (field, value) => {
    const body =
      field === 'mcp_server.name'
        ? report({ report_type: 'mcp_server', mcp_server: mcpServer({ name: value }) })
        : report({ [field]: value });
    const res = await expectCreated(REPORTS, body);
    const row = await t.db.prisma.report.findUniqueOrThrow({ where: { id: res.json.id } });
    const stored = {
      description: row.description,
      category: row.category,
      reporter: row.reporterContact,
      external_id: row.externalId,
      'mcp_server.name': (row.details as { mcp_server?: { name?: string } } | null)?.mcp_server?.name,
    }[field];
    expect(stored).toBe(value);
    await reportsTableExists();
  });

  // Regression: a NUL character is valid JSON ("\u0000") but Postgres text cannot hold it: the insert fails
  // and the API answers 500 instead of a 400 field error.
  it('answers a NUL character in description with a field error, not a 500', async () => {
    await expectInvalid(REPORTS, report({ description: 'before\u0000after' }), ['description']);
  });

  // Regression: Postgres text cannot hold NUL (22021). Each body carries a marker in description to look it up by.
  it.each([
    ['external_id', { external_id: `nul-${next()}\u0000` }],
    ['surface', { surface: 'claude_ai\u0000' }],
    ['report_type', { report_type: 'harmful_content\u0000' }],
    ['category', { category: 'hate\u0000' }],
    ['content_ref', { content_ref: 'msg_\u0000' }],
    ['reporter', { reporter: 'a@b.test\u0000' }],
    ['mcp_server.name', { report_type: 'mcp_server', mcp_server: mcpServer({ name: 'Tools\u0000' }) }],
  ])('answers a NUL character in %s with 400 naming it, and stores nothing', async (path, over) => {
    const marker = `nul-probe-${next()}`;
    const res = await t.api(REPORTS, report({ ...over, description: marker }));
    expect(res.status).toBe(400);
    expect((res.json.errors as FieldError[]).map((e) => e.path)).toContain(path);
    expect(await t.db.prisma.report.count({ where: { description: marker } })).toBe(0);
  });

  // Regression: a lone surrogate (valid as a JSON escape, not a character) was stored as U+FFFD, altering what was sent.
  it.each([
    ['description', { description: 'before\uD800after' }],
    ['reporter', { reporter: 'a@b.test\uDC00' }],
  ])('answers a lone surrogate in %s with 400 naming it, and stores nothing', async (path, over) => {
    const externalId = `surrogate-${next()}`;
    const res = await t.api(REPORTS, report({ ...over, external_id: externalId }));
    expect(res.status).toBe(400);
    expect(res.json.errors as FieldError[]).toContainEqual({ path, message: 'contains a lone UTF-16 surrogate (not a character)' });
    expect(await t.db.prisma.report.count({ where: { externalId } })).toBe(0);
  });

  it('accepts an emoji (a surrogate pair) and stores it as sent', async () => {
    const externalId = `emoji-${next()}`;
    const res = await t.api(REPORTS, report({ external_id: externalId, description: 'smile 😀' }));
    expect(res.status).toBe(201);
    expect((await t.db.prisma.report.findFirstOrThrow({ where: { externalId } })).description).toBe('smile 😀');
  });

  // Regression: year 0000 passed validation and failed in Postgres (22008): a 500.
  it.each([
    ['year 0000', '0000-01-01T00:00:00Z'],
    ['year 1970', '1970-01-01T00:00:00Z'],
    ['a second before 2000', '1999-12-31T23:59:59Z'],
    ['before 2000 by its offset', '2000-01-01T00:30:00+01:00'],
  ])('400 for received_at %s, before 2000', async (_label, receivedAt) => {
    const res = await expectInvalid(REPORTS, report({ received_at: receivedAt }), ['received_at']);
    expect(res.json.errors[0].message).toBe('before 2000-01-01');
  });

  it('accepts received_at at the first instant of 2000', async () => {
    const res = await expectCreated(REPORTS, report({ received_at: '2000-01-01T00:00:00Z' }));
    const row = await t.db.prisma.report.findUniqueOrThrow({ where: { id: res.json.id } });
    expect(row.receivedAt.toISOString()).toBe('2000-01-01T00:00:00.000Z');
  });

  it.each([
    ['a repeated region', 'en-US-US'],
    ['three-letter subtags in a row', 'abc-de-fg'],
    ['a grandfathered irregular tag', 'i-klingon'],
    ['a lone singleton', 'en-a'],
    ['a nine-letter subtag', 'en-abcdefghi'],
  ])('400 for language %s (%s), which is no BCP 47 tag', async (_label, language) => {
    await expectInvalid(REPORTS, report({ language }), ['language']);
  });

  it.each([
    ['zh-Hant-TW', 'zh-hant-tw'],
    ['de-DE-1996', 'de-de-1996'],
    ['en-u-ca-gregory', 'en-u-ca-gregory'],
  ])('accepts the BCP 47 tag %s', async (language, stored) => {
    const res = await expectCreated(REPORTS, report({ language }));
    const row = await t.db.prisma.report.findUniqueOrThrow({ where: { id: res.json.id } });
    expect(row.language).toBe(stored);
  });

  it('records a complete report and answers 201 with the documented receipt', async () => {
    const body = report({
      category: 'hate_speech',
      jurisdiction: 'fr',
      language: 'fr-CA',
      reporter: 'reporter@example.com',
      description: 'Threatening replies under a shared conversation.',
      own_initiative: true,
      trusted_flagger: true,
    });
    const res = await t.api(REPORTS, body);
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.any(Number),
      case_id: expect.any(Number),
      queue: expect.any(String),
      priority: expect.any(String),
      first_action_due_at: expect.stringMatching(/^2026-11-2\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      resolution_due_at: expect.stringMatching(/^2026-1[12]-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    const row = await t.db.prisma.report.findUniqueOrThrow({ where: { id: res.json.id }, include: { case: true } });
    expect(row).toMatchObject({
      externalId: body.external_id,
      contentRef: body.content_ref,
      category: 'hate_speech',
      jurisdiction: 'FR',
      language: 'fr-ca',
      reporterContact: 'reporter@example.com',
      description: body.description,
      ownInitiative: true,
      trustedFlagger: true,
      caseId: res.json.case_id,
      case: { status: 'queued', contentRef: body.content_ref },
    });
    expect(row.receivedAt.toISOString()).toBe('2026-11-27T09:00:00.000Z');
  });

  it('defaults received_at to now', async () => {
    const res = await expectCreated(REPORTS, report({ received_at: undefined }));
    const row = await t.db.prisma.report.findUniqueOrThrow({ where: { id: res.json.id } });
    expect(row.receivedAt.toISOString()).toBe('2026-11-27T12:00:00.000Z');
  });

  it.each(['malicious_tool', 'data_exfiltration', 'impersonation', 'policy_violation', 'other'])(
    'records an mcp_server report with issue %s and its server details',
    async (issue) => {
      const server = mcpServer({ issue, name: `Server ${issue}` });
      const res = await expectCreated(REPORTS, report({ report_type: 'mcp_server', surface: 'mcp_directory', mcp_server: server }));
      const row = await t.db.prisma.report.findUniqueOrThrow({ where: { id: res.json.id }, include: { reportType: true } });
      expect(row.reportType.key).toBe('mcp_server');
      expect(row.details).toEqual({ mcp_server: server });
    },
  );
});

// ---------------------------------------------------------------------------------------------

describe('POST /api/v1/decisions', () => {
  const rows: Row[] = [
    // wrong types
    ['external_id as a number', { external_id: 7 }, ['external_id']],
    ['case_id as a string', { case_id: '12' }, ['case_id']],
    ['case_id as a fraction', { case_id: 1.5 }, ['case_id']],
    ['case_id negative', { case_id: -1 }, ['case_id']],
    ['case_id as null', { case_id: null }, ['case_id']],
    ['report_external_id as a number', { case_id: undefined, report_external_id: 12 }, ['report_external_id']],
    ['action as a number', { action: 1 }, ['action']],
    ['action as an array', { action: ['content_removed'] }, ['action']],
    ['policy as an array', { policy: ['hate_speech'] }, ['policy']],
    ['policy as null', { policy: null }, ['policy']],
    ['reviewer_id as a number', { reviewer_id: 42 }, ['reviewer_id']],
    ['decided_at as epoch millis', { decided_at: 1_764_234_000_000 }, ['decided_at']],
    ['automated as a string', { automated: 'false' }, ['automated']],
    ['automated as null', { automated: null }, ['automated']],
    // missing
    ['no external_id', { external_id: undefined }, ['external_id']],
    ['no action', { action: undefined }, ['action']],
    ['no policy', { policy: undefined }, ['policy']],
    ['a blank policy', { policy: '  ' }, ['policy']],
    ['no decided_at', { decided_at: undefined }, ['decided_at']],
    ['neither case_id nor report_external_id', { case_id: undefined }, ['case_id']],
    ['both case_id and report_external_id', { report_external_id: 'r-1' }, ['case_id']],
    // unknown values
    ['an unknown action', { action: 'content_deleted' }, ['action']],
    ['an action in the wrong case', { action: 'Content_Removed' }, ['action']],
    ['an unknown actor_type', { actor_type: 'robot' }, ['actor_type']],
    // dates
    ...dateRows('decided_at'),
    // 10 kB strings
    ['a 10 kB external_id', { external_id: TEN_KB }, ['external_id']],
    ['a 10 kB report_external_id', { case_id: undefined, report_external_id: TEN_KB }, ['report_external_id']],
    ['a 10 kB policy', { policy: TEN_KB }, ['policy']],
    ['a 10 kB reviewer_id', { reviewer_id: TEN_KB }, ['reviewer_id']],
    // strict object
    ['an unknown field', { reason: 'obvious spam' }, ['(body)']],
  ];

  it.each(rows)('400 for %s', async (_label, over, paths) => {
    await expectInvalid(DECISIONS, decision({ case_id: fixtureCaseId }, over), paths);
  });

  it('lists every field error of a body with many mistakes at once', async () => {
    await expectInvalid(
      DECISIONS,
      { external_id: '', case_id: 'one', action: 'delete', policy: TEN_KB, reviewer_id: 5, decided_at: 'now', automated: 'no', note: 1 },
      ['(body)', 'action', 'automated', 'case_id', 'decided_at', 'external_id', 'policy', 'reviewer_id'],
    );
  });

  // Regression: "exactly one of case_id / report_external_id" is a superRefine that zod skips once a field has a
  // type or enum error, so it is missing from the answer.
  it('lists a missing case reference along with a wrong action', async () => {
    await expectInvalid(DECISIONS, decision({}, { action: 'delete' }), ['action', 'case_id']);
  });

  // Regression: a future decided_at is not a field error: it is checked after the case lookup and answered
  // 409 (no path), so it is also missing from a 400 listing the other errors, and an unknown case hides it.
  it.each([
    ['5 min 1 s ahead', '2026-11-27T12:05:01Z'],
    ['a year ahead', '2027-11-27T12:00:00Z'],
  ])('400 for decided_at %s', async (_label, decidedAt) => {
    await expectInvalid(DECISIONS, decision({ case_id: fixtureCaseId }, { decided_at: decidedAt }), ['decided_at']);
  });

  it.each([
    ['case_id', { case_id: 99_999_999 }, 'no case 99999999'],
    ['report_external_id', { report_external_id: 'never-received' }, 'no report never-received'],
  ])('404 naming %s when it is unknown', async (path, ref, message) => {
    const body = decision(ref);
    const res = await t.api(DECISIONS, body);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: 'not_found', errors: [{ path, message }] });
    expect(await rowCount(DECISIONS, body.external_id as string)).toBe(0);
  });

  // Regression: case_id is only checked to be a positive integer; one past the int4 range reaches Prisma, which
  // throws, and the API answers 500 instead of 404 (or 400) naming case_id.
  // No case can have an id past int4, so the id is refused as invalid (400), before any look-up.
  it('answers a case_id beyond the int range with 400 naming case_id, not 500', async () => {
    const body = decision({ case_id: 2_147_483_648 });
    const res = await t.api(DECISIONS, body);
    expect({ status: res.status, json: res.json }).toEqual({
      status: 400,
      json: { error: 'invalid_request', errors: [{ path: 'case_id', message: 'no such id' }] },
    });
    expect(await rowCount(DECISIONS, body.external_id as string)).toBe(0);
  });

  // Regression: year 0000 passed validation and failed in Postgres (22008): a 500.
  it('400 for decided_at in year 0000', async () => {
    const res = await expectInvalid(DECISIONS, decision({ case_id: fixtureCaseId }, { decided_at: '0000-01-01T00:00:00Z' }), [
      'decided_at',
    ]);
    expect(res.json.errors[0].message).toBe('before 2000-01-01');
  });

  it('409 for deciding a closed case, and the case is left as it was', async () => {
    const { caseId } = await newCase();
    await t.db.prisma.case.update({ where: { id: caseId }, data: { status: 'closed', closedAt: new Date('2026-11-27T09:30:00Z') } });
    const body = decision({ case_id: caseId });
    const res = await t.api(DECISIONS, body);
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ error: 'conflict', message: `case ${caseId} is closed; a closed case cannot be decided` });
    expect(await rowCount(DECISIONS, body.external_id as string)).toBe(0);
    expect(await t.db.prisma.case.findUniqueOrThrow({ where: { id: caseId } })).toMatchObject({
      status: 'closed',
      firstActionAt: null,
      resolvedAt: null,
    });
  });

  it.each([
    ['one second before', '2026-11-27T08:59:59Z'],
    ['before, written with an offset', '2026-11-27T09:30:00+01:00'],
    ['a day before', '2026-11-26T09:00:00Z'],
  ])('409 for decided_at %s the report arrived', async (_label, decidedAt) => {
    const { caseId, reportExternalId } = await newCase('2026-11-27T09:00:00Z');
    for (const ref of [{ case_id: caseId }, { report_external_id: reportExternalId }]) {
      const body = decision(ref, { decided_at: decidedAt });
      const res = await t.api(DECISIONS, body);
      expect(res.status).toBe(409);
      expect(res.json.message).toBe(
        `decided_at ${new Date(decidedAt).toISOString()} is before the report arrived (2026-11-27T09:00:00.000Z)`,
      );
      expect(await rowCount(DECISIONS, body.external_id as string)).toBe(0);
    }
    expect(await t.db.prisma.case.findUniqueOrThrow({ where: { id: caseId } })).toMatchObject({ status: 'queued', resolvedAt: null });
  });

  // Regression: the check compares decided_at with the case's opened_at (its first report), not with the named
  // report: a decision given by report_external_id for a later report that joined the case is accepted
  // even when it predates that report.
  it('409 for decided_at before the named report arrived, when it joined an older case', async () => {
    const first = await newCase('2026-11-27T08:00:00Z');
    const later = report({ content_ref: first.contentRef, received_at: '2026-11-27T11:00:00Z' });
    const joined = await expectCreated(REPORTS, later);
    expect(joined.json.case_id).toBe(first.caseId);
    const res = await t.api(DECISIONS, decision({ report_external_id: later.external_id }, { decided_at: '2026-11-27T10:00:00Z' }));
    expect(res.status).toBe(409);
  });

  it('records a decision by case_id: 201 receipt, case decided with first_action_at and resolved_at', async () => {
    const { caseId } = await newCase();
    const body = decision({ case_id: caseId }, { decided_at: '2026-11-27T12:30:00+02:00', action: 'account_warned' });
    const res = await t.api(DECISIONS, body);
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.any(Number),
      case_id: caseId,
      case_status: 'decided',
      first_action_at: '2026-11-27T10:30:00.000Z',
      resolved_at: '2026-11-27T10:30:00.000Z',
    });
    const c = await t.db.prisma.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(c).toMatchObject({ status: 'decided' });
    expect(c.firstActionAt?.toISOString()).toBe('2026-11-27T10:30:00.000Z');
    expect(c.resolvedAt?.toISOString()).toBe('2026-11-27T10:30:00.000Z');
    const row = await t.db.prisma.decision.findUniqueOrThrow({ where: { id: res.json.id } });
    expect(row).toMatchObject({
      externalId: body.external_id,
      caseId,
      action: 'account_warned',
      policy: 'hate_speech',
      actorType: 'vendor_reviewer',
      actorId: 'vendor-42',
      automated: false,
    });
    expect(row.decidedAt.toISOString()).toBe('2026-11-27T10:30:00.000Z');
  });

  it('records a decision by report_external_id, automated ones as the automated actor', async () => {
    const { caseId, reportExternalId } = await newCase();
    const res = await t.api(
      DECISIONS,
      decision({ report_external_id: reportExternalId }, { automated: true, reviewer_id: undefined, action: 'no_violation' }),
    );
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ case_id: caseId, case_status: 'decided' });
    expect(await t.db.prisma.decision.findUniqueOrThrow({ where: { id: res.json.id } })).toMatchObject({
      action: 'no_violation',
      actorType: 'automated',
      actorId: null,
      automated: true,
    });
  });

  it.each(['no_violation', 'content_removed', 'content_restricted', 'account_warned', 'account_suspended', 'account_banned'])(
    'accepts action %s',
    async (action) => {
      const res = await expectCreated(DECISIONS, decision({ case_id: fixtureCaseId }, { action }));
      expect((await t.db.prisma.decision.findUniqueOrThrow({ where: { id: res.json.id } })).action).toBe(action);
    },
  );

  it('a re-decision keeps the first resolution', async () => {
    const { caseId } = await newCase();
    await expectCreated(DECISIONS, decision({ case_id: caseId }, { decided_at: '2026-11-27T10:00:00Z' }));
    const res = await expectCreated(
      DECISIONS,
      decision({ case_id: caseId }, { decided_at: '2026-11-27T11:00:00Z', action: 'account_banned' }),
    );
    expect(res.json).toMatchObject({ case_status: 'decided', resolved_at: '2026-11-27T10:00:00.000Z' });
    expect(await t.db.prisma.decision.count({ where: { caseId } })).toBe(2);
  });

  it('is idempotent: the same body answers 200 with the same receipt, in any key order; a different body is 409', async () => {
    const { caseId } = await newCase();
    const body = decision({ case_id: caseId });
    const first = await expectCreated(DECISIONS, body);
    const again = await t.api(DECISIONS, { ...body });
    expect({ status: again.status, json: again.json }).toEqual({ status: 200, json: first.json });
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const third = await t.api(DECISIONS, reordered);
    expect({ status: third.status, json: third.json }).toEqual({ status: 200, json: first.json });
    const changed = await t.api(DECISIONS, { ...body, action: 'account_banned' });
    expect(changed.status).toBe(409);
    expect(changed.json).toEqual({
      error: 'conflict',
      message: `external_id ${body.external_id} was already received with a different body`,
    });
    expect(await rowCount(DECISIONS, body.external_id as string)).toBe(1);
    expect((await t.db.prisma.decision.findFirstOrThrow({ where: { externalId: body.external_id as string } })).action).toBe(
      'content_removed',
    );
  });

  it('never duplicates under parallel copies of one decision', async () => {
    const { caseId } = await newCase();
    const body = decision({ case_id: caseId });
    const results = await Promise.all(Array.from({ length: 6 }, () => t.api(DECISIONS, body)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => JSON.stringify(r.json))).size).toBe(1);
    expect(await rowCount(DECISIONS, body.external_id as string)).toBe(1);
  });

  // Regression: a replay rebuilds the receipt from the case as it is now, so once the case has moved on (here:
  // closed) the same request no longer answers the same receipt (case_status "closed", not "decided").
  it('a replay answers the original receipt even after the case was closed', async () => {
    const { caseId } = await newCase();
    const body = decision({ case_id: caseId });
    const first = await expectCreated(DECISIONS, body);
    await t.db.prisma.case.update({ where: { id: caseId }, data: { status: 'closed', closedAt: new Date('2026-11-27T11:30:00Z') } });
    const again = await t.api(DECISIONS, body);
    expect({ status: again.status, json: again.json }).toEqual({ status: 200, json: first.json });
  });

  const hostileRows = HOSTILE.flatMap((value) =>
    (['policy', 'reviewer_id', 'external_id'] as const).map((field) => [field, value] as const),
  );
  it.each(hostileRows)('stores %s %j exactly as sent', async (field, value) => {
    const res = await expectCreated(DECISIONS, decision({ case_id: fixtureCaseId }, { [field]: value }));
    const row = await t.db.prisma.decision.findUniqueOrThrow({ where: { id: res.json.id } });
    expect({ policy: row.policy, reviewer_id: row.actorId, external_id: row.externalId }[field]).toBe(value);
    await reportsTableExists();
  });
});

// ---------------------------------------------------------------------------------------------

describe('POST /api/v1/qa-reviews', () => {
  const rows: Row[] = [
    // wrong types
    ['external_id as null', { external_id: null }, ['external_id']],
    ['decision_id as a string', { decision_id: '1' }, ['decision_id']],
    ['decision_id as zero', { decision_id: 0 }, ['decision_id']],
    ['decision_external_id as a number', { decision_id: undefined, decision_external_id: 5 }, ['decision_external_id']],
    ['outcome as a boolean', { outcome: true }, ['outcome']],
    ['correct_action as a number', { outcome: 'disagree', correct_action: 3 }, ['correct_action']],
    ['correct_policy as an array', { correct_policy: ['spam'] }, ['correct_policy']],
    ['error_severity as a number', { error_severity: 2 }, ['error_severity']],
    ['error_category as an object', { error_category: {} }, ['error_category']],
    ['reviewer_id as null', { reviewer_id: null }, ['reviewer_id']],
    ['reviewed_at as epoch millis', { reviewed_at: 1_764_234_000_000 }, ['reviewed_at']],
    // missing
    ['no external_id', { external_id: undefined }, ['external_id']],
    ['no outcome', { outcome: undefined }, ['outcome']],
    ['no reviewed_at', { reviewed_at: undefined }, ['reviewed_at']],
    ['no decision reference', { decision_id: undefined }, ['decision_id']],
    ['both decision references', { decision_external_id: 'd-1' }, ['decision_id']],
    ['disagree without correct_action', { outcome: 'disagree' }, ['correct_action']],
    // unknown values
    ['an unknown outcome', { outcome: 'maybe' }, ['outcome']],
    ['an unknown correct_action', { outcome: 'disagree', correct_action: 'nuke' }, ['correct_action']],
    ['an unknown error_severity', { error_severity: 'catastrophic' }, ['error_severity']],
    // dates
    ...dateRows('reviewed_at'),
    // 10 kB strings
    ['a 10 kB external_id', { external_id: TEN_KB }, ['external_id']],
    ['a 10 kB decision_external_id', { decision_id: undefined, decision_external_id: TEN_KB }, ['decision_external_id']],
    ['a 10 kB correct_policy', { correct_policy: TEN_KB }, ['correct_policy']],
    ['a 10 kB error_category', { error_category: TEN_KB }, ['error_category']],
    ['a 10 kB reviewer_id', { reviewer_id: TEN_KB }, ['reviewer_id']],
    // strict object
    ['an unknown field', { comment: 'fine' }, ['(body)']],
  ];

  it.each(rows)('400 for %s', async (_label, over, paths) => {
    await expectInvalid(QA_REVIEWS, qaReview({ decision_id: fixtureDecisionId }, over), paths);
  });

  it('lists every field error of a body with many mistakes at once', async () => {
    await expectInvalid(
      QA_REVIEWS,
      {
        external_id: 'q'.repeat(201),
        decision_id: fixtureDecisionId,
        outcome: 'disagree',
        correct_policy: TEN_KB,
        error_category: TEN_KB,
        reviewer_id: TEN_KB,
        reviewed_at: '2026-11-27T11:00:00',
        score: 3,
      },
      ['(body)', 'correct_action', 'correct_policy', 'error_category', 'external_id', 'reviewed_at', 'reviewer_id'],
    );
  });

  // Regression: the decision reference and correct_action rules are a superRefine that zod skips once a field has
  // a type or enum error, so both are missing here.
  it('lists a missing decision reference and correct_action along with a wrongly typed field', async () => {
    await expectInvalid(QA_REVIEWS, qaReview({}, { outcome: 'disagree', reviewed_at: 1_764_234_000_000 }), [
      'correct_action',
      'decision_id',
      'reviewed_at',
    ]);
  });

  // Regression: reviewed_at has no future check at all (reports and decisions have one): a review dated next year is recorded.
  it('400 for reviewed_at more than 5 minutes in the future', async () => {
    await expectInvalid(QA_REVIEWS, qaReview({ decision_id: fixtureDecisionId }, { reviewed_at: '2027-11-27T12:00:00Z' }), ['reviewed_at']);
  });

  it.each([
    ['decision_id', { decision_id: 99_999_999 }, 'no decision 99999999'],
    ['decision_external_id', { decision_external_id: 'no-such-decision' }, 'no decision no-such-decision'],
  ])('404 naming %s when it is unknown', async (path, ref, message) => {
    const body = qaReview(ref);
    const res = await t.api(QA_REVIEWS, body);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: 'not_found', errors: [{ path, message }] });
    expect(await rowCount(QA_REVIEWS, body.external_id as string)).toBe(0);
  });

  // Regression: as for case_id, a decision_id past the int4 range makes Prisma throw: 500.
  it('answers a decision_id beyond the int range with 400 naming decision_id, not 500', async () => {
    const body = qaReview({ decision_id: 2_147_483_648 });
    const res = await t.api(QA_REVIEWS, body);
    expect({ status: res.status, json: res.json }).toEqual({
      status: 400,
      json: { error: 'invalid_request', errors: [{ path: 'decision_id', message: 'no such id' }] },
    });
    expect(await rowCount(QA_REVIEWS, body.external_id as string)).toBe(0);
  });

  it('409 for reviewed_at before the decision was made', async () => {
    const body = qaReview({ decision_id: fixtureDecisionId }, { reviewed_at: '2026-11-27T09:59:59Z' });
    const res = await t.api(QA_REVIEWS, body);
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ error: 'conflict', message: 'reviewed_at is before the decision was made (2026-11-27T10:00:00.000Z)' });
    expect(await rowCount(QA_REVIEWS, body.external_id as string)).toBe(0);
  });

  it('records an agreeing review by decision_id: 201 receipt and row', async () => {
    const d = await newDecision();
    const body = qaReview({ decision_id: d.decisionId });
    const res = await t.api(QA_REVIEWS, body);
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ id: expect.any(Number), decision_id: d.decisionId, outcome: 'agree' });
    const row = await t.db.prisma.qaReview.findUniqueOrThrow({ where: { id: res.json.id } });
    expect(row).toMatchObject({
      externalId: body.external_id,
      decisionId: d.decisionId,
      outcome: 'agree',
      reviewerId: 'qa-7',
      correctAction: null,
    });
    expect(row.reviewedAt.toISOString()).toBe('2026-11-27T11:00:00.000Z');
  });

  it.each(['minor', 'major', 'critical'])('records a disagreeing review of severity %s by decision_external_id', async (severity) => {
    const d = await newDecision();
    const body = qaReview(
      { decision_external_id: d.externalId },
      {
        outcome: 'disagree',
        correct_action: 'no_violation',
        correct_policy: 'satire',
        error_severity: severity,
        error_category: 'context',
      },
    );
    const res = await t.api(QA_REVIEWS, body);
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ id: expect.any(Number), decision_id: d.decisionId, outcome: 'disagree' });
    expect(await t.db.prisma.qaReview.findUniqueOrThrow({ where: { id: res.json.id } })).toMatchObject({
      decisionId: d.decisionId,
      outcome: 'disagree',
      correctAction: 'no_violation',
      correctPolicy: 'satire',
      errorSeverity: severity,
      errorCategory: 'context',
    });
  });

  it('is idempotent: the same body answers 200 with the same receipt; a different body is 409', async () => {
    const body = qaReview({ decision_id: fixtureDecisionId });
    const first = await expectCreated(QA_REVIEWS, body);
    const again = await t.api(QA_REVIEWS, Object.fromEntries(Object.entries(body).reverse()));
    expect({ status: again.status, json: again.json }).toEqual({ status: 200, json: first.json });
    const changed = await t.api(QA_REVIEWS, { ...body, outcome: 'disagree', correct_action: 'no_violation' });
    expect(changed.status).toBe(409);
    expect(changed.json).toEqual({
      error: 'conflict',
      message: `external_id ${body.external_id} was already received with a different body`,
    });
    expect(await rowCount(QA_REVIEWS, body.external_id as string)).toBe(1);
  });

  const hostileRows = HOSTILE.flatMap((value) =>
    (['correct_policy', 'error_category', 'reviewer_id', 'external_id'] as const).map((field) => [field, value] as const),
  );
  it.each(hostileRows)('stores %s %j exactly as sent', async (field, value) => {
    const res = await expectCreated(QA_REVIEWS, qaReview({ decision_id: fixtureDecisionId }, { [field]: value }));
    const row = await t.db.prisma.qaReview.findUniqueOrThrow({ where: { id: res.json.id } });
    const stored = {
      correct_policy: row.correctPolicy,
      error_category: row.errorCategory,
      reviewer_id: row.reviewerId,
      external_id: row.externalId,
    }[field];
    expect(stored).toBe(value);
    await reportsTableExists();
  });
});

// ---------------------------------------------------------------------------------------------

describe('POST /api/v1/appeals', () => {
  const rows: Row[] = [
    // wrong types
    ['external_id as an array', { external_id: ['a'] }, ['external_id']],
    ['decision_id as a string', { decision_id: '1' }, ['decision_id']],
    ['decision_external_id as null', { decision_id: undefined, decision_external_id: null }, ['decision_external_id']],
    ['filed_at as epoch millis', { filed_at: 1_764_234_000_000 }, ['filed_at']],
    ['filed_at as null', { filed_at: null }, ['filed_at']],
    ['outcome as a number', { outcome: 1 }, ['outcome']],
    ['resolved_at as a boolean', { resolved_at: true }, ['resolved_at']],
    // missing
    ['no external_id', { external_id: undefined }, ['external_id']],
    ['no filed_at', { filed_at: undefined }, ['filed_at']],
    ['no decision reference', { decision_id: undefined }, ['decision_id']],
    ['both decision references', { decision_external_id: 'd-1' }, ['decision_id']],
    ['upheld without resolved_at', { outcome: 'upheld' }, ['resolved_at']],
    ['overturned without resolved_at', { outcome: 'overturned' }, ['resolved_at']],
    // unknown values
    ['an unknown outcome', { outcome: 'granted' }, ['outcome']],
    ['an outcome in the wrong case', { outcome: 'Upheld', resolved_at: '2026-11-27T11:30:00Z' }, ['outcome']],
    // dates
    ...dateRows('filed_at'),
    // filed_at early, so an impossible resolved_at that slips through is not caught as "before filed_at" either.
    ...dateRows('resolved_at', { outcome: 'upheld', filed_at: '2026-01-01T00:00:00Z' }),
    ['resolved_at before filed_at', { outcome: 'upheld', resolved_at: '2026-11-27T10:59:59Z' }, ['resolved_at']],
    // 10 kB strings
    ['a 10 kB external_id', { external_id: TEN_KB }, ['external_id']],
    ['a 10 kB decision_external_id', { decision_id: undefined, decision_external_id: TEN_KB }, ['decision_external_id']],
    // strict object
    ['an unknown field', { reason: 'unfair' }, ['(body)']],
  ];

  it.each(rows)('400 for %s', async (_label, over, paths) => {
    await expectInvalid(APPEALS, appeal({ decision_id: fixtureDecisionId }, over), paths);
  });

  it('lists every field error of a body with many mistakes at once', async () => {
    await expectInvalid(
      APPEALS,
      {
        external_id: '',
        decision_id: fixtureDecisionId,
        filed_at: '2026-11-27',
        outcome: 'upheld',
        resolved_at: 'later',
        channel: 'email',
      },
      ['(body)', 'external_id', 'filed_at', 'resolved_at'],
    );
  });

  // Regression: the decision reference and resolved_at rules are a superRefine that zod skips once a field has a
  // type or enum error, so both are missing here.
  it('lists a missing decision reference and resolved_at along with a wrongly typed field', async () => {
    await expectInvalid(APPEALS, appeal({}, { outcome: 'upheld', filed_at: 1_764_234_000_000 }), [
      'decision_id',
      'filed_at',
      'resolved_at',
    ]);
  });

  // Regression: filed_at and resolved_at have no future check at all: appeals dated next year are recorded.
  it.each([
    ['filed_at', { filed_at: '2027-11-27T12:00:00Z' }],
    ['resolved_at', { outcome: 'overturned', resolved_at: '2027-11-27T12:00:00Z' }],
  ])('400 for %s more than 5 minutes in the future', async (path, over) => {
    await expectInvalid(APPEALS, appeal({ decision_id: fixtureDecisionId }, over), [path]);
  });

  it.each([
    ['decision_id', { decision_id: 99_999_999 }, 'no decision 99999999'],
    ['decision_external_id', { decision_external_id: 'no-such-decision' }, 'no decision no-such-decision'],
  ])('404 naming %s when it is unknown', async (path, ref, message) => {
    const body = appeal(ref);
    const res = await t.api(APPEALS, body);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: 'not_found', errors: [{ path, message }] });
    expect(await rowCount(APPEALS, body.external_id as string)).toBe(0);
  });

  it('409 for filed_at before the decision was made', async () => {
    const body = appeal({ decision_id: fixtureDecisionId }, { filed_at: '2026-11-27T09:00:00Z' });
    const res = await t.api(APPEALS, body);
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ error: 'conflict', message: 'filed_at is before the decision was made (2026-11-27T10:00:00.000Z)' });
    expect(await rowCount(APPEALS, body.external_id as string)).toBe(0);
  });

  it('records a pending appeal (the default outcome) by decision_id: 201 receipt and row', async () => {
    const d = await newDecision();
    const body = appeal({ decision_id: d.decisionId }, { outcome: undefined });
    const res = await t.api(APPEALS, body);
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ id: expect.any(Number), decision_id: d.decisionId, outcome: 'pending' });
    const row = await t.db.prisma.appeal.findUniqueOrThrow({ where: { id: res.json.id } });
    expect(row).toMatchObject({ externalId: body.external_id, decisionId: d.decisionId, outcome: 'pending', resolvedAt: null });
    expect(row.filedAt.toISOString()).toBe('2026-11-27T11:00:00.000Z');
  });

  it.each(['upheld', 'overturned'])('records an %s appeal with resolved_at by decision_external_id', async (outcome) => {
    const d = await newDecision();
    const res = await t.api(APPEALS, appeal({ decision_external_id: d.externalId }, { outcome, resolved_at: '2026-11-27T11:45:00+00:00' }));
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ id: expect.any(Number), decision_id: d.decisionId, outcome });
    const row = await t.db.prisma.appeal.findUniqueOrThrow({ where: { id: res.json.id } });
    expect(row).toMatchObject({ decisionId: d.decisionId, outcome });
    expect(row.resolvedAt?.toISOString()).toBe('2026-11-27T11:45:00.000Z');
  });

  it('is idempotent: the same body answers 200 with the same receipt; a different body is 409', async () => {
    const body = appeal({ decision_id: fixtureDecisionId });
    const first = await expectCreated(APPEALS, body);
    const again = await t.api(APPEALS, Object.fromEntries(Object.entries(body).reverse()));
    expect({ status: again.status, json: again.json }).toEqual({ status: 200, json: first.json });
    const changed = await t.api(APPEALS, { ...body, outcome: 'upheld', resolved_at: '2026-11-27T11:30:00Z' });
    expect(changed.status).toBe(409);
    expect(changed.json).toEqual({
      error: 'conflict',
      message: `external_id ${body.external_id} was already received with a different body`,
    });
    expect(await rowCount(APPEALS, body.external_id as string)).toBe(1);
    expect((await t.db.prisma.appeal.findFirstOrThrow({ where: { externalId: body.external_id as string } })).outcome).toBe('pending');
  });

  it.each(HOSTILE)('stores external_id %j exactly as sent', async (value) => {
    const res = await expectCreated(APPEALS, appeal({ decision_id: fixtureDecisionId }, { external_id: value }));
    expect((await t.db.prisma.appeal.findUniqueOrThrow({ where: { id: res.json.id } })).externalId).toBe(value);
    await reportsTableExists();
  });
});

describe('POST /api/v1/escalations', () => {
  // Regression: the escalation schema had no NUL check: Postgres refused the reason (22021) and the answer was 500.
  it.each([
    ['reason', { reason: 'please look\u0000' }],
    ['requested_by', { requested_by: 'rev\u0000' }],
  ])('answers a NUL character in %s with 400 naming it, and stores nothing', async (path, over) => {
    const { caseId } = await newCase();
    const body = { external_id: `ev-${next()}`, case_id: caseId, severity: 'sev2', reason: 'needs a policy call', ...over };
    const res = await t.api('/api/v1/escalations', body);
    expect({ status: res.status, json: res.json }).toEqual({
      status: 400,
      json: { error: 'invalid_request', errors: [{ path, message: 'contains a NUL character' }] },
    });
    expect(await t.db.prisma.escalation.count({ where: { caseId } })).toBe(0);
  });
});
