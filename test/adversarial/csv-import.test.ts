// Adversarial CSV imports against the real app (POST /api/v1/imports/{kind}, real Postgres, the delivery
// worker posting to the Slack emulator). A file that cannot be read as a whole (encoding, header, quoting)
// is refused with a 4xx and nothing of it is stored; a readable file imports its good rows and names each
// bad row with its column, storing nothing of the bad ones. Never a 5xx, never a crash.

import { changed, healthStatus, lastAlertId, liveMarkupSince, mark, rowCounts, settledAlerts } from '../support/adversarial-checks';
import { INTAKE_TOKEN, startTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

const REPORT_HEADER =
  'external_id,surface,report_type,content_ref,received_at,language,description,mcp_server_name,mcp_server_url,mcp_server_issue';
const DECISION_HEADER = 'external_id,case_id,action,policy,decided_at';
const QA_HEADER = 'external_id,decision_id,outcome,reviewed_at';

let seq = 0;
const WHEN = '2026-11-20T10:00:00Z';
/** A valid reports row; `over` replaces cells by column name. */
function reportRow(id: string, over: Record<string, string> = {}): string {
  const cells: Record<string, string> = {
    external_id: id,
    surface: 'claude_ai',
    report_type: 'harmful_content',
    content_ref: `https://claude.ai/share/${id}`,
    received_at: WHEN,
    language: '',
    description: '',
    mcp_server_name: '',
    mcp_server_url: '',
    mcp_server_issue: '',
    ...over,
  };
  return REPORT_HEADER.split(',')
    .map((c) => cells[c] ?? '')
    .join(',');
}
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${++seq}-${i}`);
const file = (header: string, lines: string[]) => [header, ...lines].join('\r\n');

type Body = string | Buffer;
type Row = {
  name: string;
  kind?: string;
  body: () => Body;
  headers?: Record<string, string>;
  /** The whole file is refused with this status. */
  refused?: number;
  /** Readable: the good rows are imported; these rows fail, named with row number and column, and are not stored. */
  rowErrors?: { imported: number; errors: { row: number; column?: string }[]; notStored: string[] };
};

const refuse = (name: string, body: () => Body, status = 400, more: Partial<Row> = {}): Row => ({ name, body, refused: status, ...more });

/** Good rows around one bad row (at `at`, 1-based); the bad row's id is `bad-…`. */
function oneBadRow(name: string, total: number, at: number, over: Record<string, string>, column: string): Row {
  const good = ids('good', total - 1);
  const bad = over.external_id ?? `bad-${++seq}`;
  const lines = good.map((id) => reportRow(id));
  lines.splice(at - 1, 0, reportRow(bad, over));
  return {
    name,
    body: () => file(REPORT_HEADER, lines),
    rowErrors: { imported: total - 1, errors: [{ row: at, column }], notStored: [bad] },
  };
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const withBytes = (before: string, bytes: number[], after: string) => Buffer.concat([utf8(before), Buffer.from(bytes), utf8(after)]);
const utf16 = (s: string, bigEndian: boolean) => {
  const le = Buffer.from(s, 'utf16le');
  return bigEndian ? Buffer.from(le.map((_, i) => le[i % 2 === 0 ? i + 1 : i - 1]!)) : le;
};

const rows: Row[] = [
  // Encodings: strict UTF-8 only (a UTF-8 BOM is allowed once, at the start).
  refuse('a 0xFF byte in a cell', () =>
    withBytes(`${REPORT_HEADER}\r\n${reportRow(`enc-${++seq}`, { description: 'caf' })}`, [0xff], '\r\n'),
  ),
  refuse('Latin-1 "é" in a cell', () =>
    withBytes(`${REPORT_HEADER}\r\n${reportRow(`enc-${++seq}`).replace(',,,,', ',caf')}`, [0xe9], ',,,\r\n'),
  ),
  refuse('an overlong encoding in a cell', () => withBytes(`${REPORT_HEADER}\r\n${reportRow(`enc-${++seq}`)}`, [0xc0, 0xaf], '\r\n')),
  refuse('a UTF-8-encoded surrogate', () => withBytes(`${REPORT_HEADER}\r\n${reportRow(`enc-${++seq}`)}`, [0xed, 0xa0, 0x80], '\r\n')),
  refuse('a multi-byte sequence cut off at the end of the file', () =>
    withBytes(`${REPORT_HEADER}\r\n${reportRow(`enc-${++seq}`)}`, [0xe2, 0x82], ''),
  ),
  refuse('UTF-16LE with its BOM', () =>
    Buffer.concat([Buffer.from([0xff, 0xfe]), utf16(file(REPORT_HEADER, [reportRow(`enc-${++seq}`)]), false)]),
  ),
  refuse('UTF-16BE with its BOM', () =>
    Buffer.concat([Buffer.from([0xfe, 0xff]), utf16(file(REPORT_HEADER, [reportRow(`enc-${++seq}`)]), true)]),
  ),
  refuse('UTF-32LE with its BOM', () =>
    Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x00]), utf8(file(REPORT_HEADER, [reportRow(`enc-${++seq}`)]))]),
  ),
  refuse('binary garbage with NULs', () => Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff, 0x00, 0x0a, 0x00, 0x01])),

  // Headers.
  refuse('an empty file', () => ''),
  refuse('only a BOM', () => '\uFEFF'),
  refuse('only blank lines', () => '\r\n\r\n\r\n'),
  refuse('a missing required column', () => file(REPORT_HEADER.replace('content_ref,', ''), [`x-${++seq},claude_ai,other,${WHEN},,,,,`])),
  refuse('an unknown column named like a mention', () => file(`${REPORT_HEADER},<!channel>`, [`${reportRow(`hdr-${++seq}`)},x`])),
  refuse('a column twice', () => file(`${REPORT_HEADER},external_id`, [`${reportRow(`hdr-${++seq}`)},again`])),
  refuse('an empty column name', () => file(`${REPORT_HEADER},`, [`${reportRow(`hdr-${++seq}`)},x`])),
  refuse('a NUL in the header', () => file(REPORT_HEADER.replace('surface', 'sur\u0000face'), [reportRow(`hdr-${++seq}`)])),
  refuse('a __proto__ column', () => file(`${REPORT_HEADER},__proto__`, [`${reportRow(`hdr-${++seq}`)},x`])),
  refuse('the header of another kind', () => file(DECISION_HEADER, [`hdr-${++seq},1,content_removed,spam,${WHEN}`])),

  // Quoting that leaves the rest of the file unreadable.
  refuse('an unterminated quote in the first row', () =>
    file(REPORT_HEADER, [reportRow(`q-${++seq}`, { description: '"never closed' }), reportRow(`q-${++seq}`)]),
  ),
  refuse('an unterminated quote in the last cell', () => file(REPORT_HEADER, [reportRow(`q-${++seq}`), `${reportRow(`q-${++seq}`)}"`])),
  refuse('a quote inside an unquoted cell', () => file(REPORT_HEADER, [reportRow(`q-${++seq}`, { description: 'say "hi" now' })])),
  refuse('text after a closing quote', () => file(REPORT_HEADER, [reportRow(`q-${++seq}`, { description: '"quoted"trailing' })])),

  // Transport.
  refuse('text/plain', () => file(REPORT_HEADER, [reportRow(`tp-${++seq}`)]), 415, { headers: { 'content-type': 'text/plain' } }),
  refuse('no bearer token', () => file(REPORT_HEADER, [reportRow(`tp-${++seq}`)]), 401, { headers: { authorization: '' } }),
  refuse('an unknown kind named like a mention', () => file(REPORT_HEADER, [reportRow(`tp-${++seq}`)]), 404, {
    kind: encodeURIComponent('<!channel>'),
  }),
  refuse('the kind __proto__', () => file(REPORT_HEADER, [reportRow(`tp-${++seq}`)]), 404, { kind: '__proto__' }),
  refuse('the kind constructor', () => file(REPORT_HEADER, [reportRow(`tp-${++seq}`)]), 404, { kind: 'constructor' }),

  // Readable files with bad rows: the row is named, the rest imported.
  oneBadRow('a received_at of year 0000 among good rows', 3, 2, { received_at: '0000-01-01T00:00:00Z' }, 'received_at'),
  oneBadRow('a received_at before 2000 among good rows', 3, 1, { received_at: '1999-12-31T23:59:59Z' }, 'received_at'),
  oneBadRow('a NUL in a cell among good rows', 3, 3, { description: 'a\u0000b' }, 'description'),
  oneBadRow('a NUL in external_id among good rows', 3, 2, { external_id: `nul\u0000-${++seq}`, content_ref: 'msg_nul' }, 'external_id'),
  oneBadRow('a language that is not BCP 47', 3, 2, { language: 'en-US-US' }, 'language'),
  oneBadRow('an unknown surface named like a mention', 3, 2, { surface: '<!channel>' }, 'surface'),
  oneBadRow('a 100 kB description', 2, 1, { description: 'x'.repeat(100_000) }, 'description'),
  oneBadRow('a received_at in year 275760', 2, 2, { received_at: '275760-09-13T00:00:00Z' }, 'received_at'),
  oneBadRow('10,000 rows with one year-0000 row', 10_000, 7_777, { received_at: '0000-01-01T00:00:00Z' }, 'received_at'),
  oneBadRow('1,000 rows with a NUL in the last', 1_000, 1_000, { description: '\u0000' }, 'description'),
  {
    name: 'decisions with case ids of 1e400, -1 and past int4',
    kind: 'decisions',
    body: () =>
      file(DECISION_HEADER, [
        `d-${++seq},1e400,content_removed,spam,${WHEN}`,
        `d-${++seq},-1,content_removed,spam,${WHEN}`,
        `d-${++seq},99999999999,content_removed,spam,${WHEN}`,
      ]),
    rowErrors: { imported: 0, errors: [{ row: 1 }, { row: 2 }, { row: 3 }], notStored: [] },
  },
  {
    name: 'qa-reviews with a decision id named like a mention',
    kind: 'qa-reviews',
    body: () => file(QA_HEADER, [`qa-${++seq},<!channel>,agree,${WHEN}`]),
    rowErrors: { imported: 0, errors: [{ row: 1, column: 'decision_id' }], notStored: [] },
  },
  {
    name: 'decisions dated year 0000',
    kind: 'decisions',
    body: () => file(DECISION_HEADER, [`d-${++seq},1,content_removed,spam,0000-01-01T00:00:00Z`]),
    rowErrors: { imported: 0, errors: [{ row: 1, column: 'decided_at' }], notStored: [] },
  },
  (() => {
    const id = `dup-${++seq}`;
    return {
      name: 'the same external_id twice with different cells',
      body: () => file(REPORT_HEADER, [reportRow(id), reportRow(id, { report_type: 'other' })]),
      rowErrors: { imported: 1, errors: [{ row: 2 }], notStored: [] },
    };
  })(),
  {
    name: 'a UTF-8 BOM before the header (read as no BOM)',
    body: () => `\uFEFF${file(REPORT_HEADER, [reportRow(`bom-${++seq}`)])}`,
    rowErrors: { imported: 1, errors: [], notStored: [] },
  },
  // Hostile text in good rows is stored as sent; an urgent MCP row's triage card shows it inert.
  {
    name: 'an urgent MCP row whose server name is an @channel mention and a disguised link',
    body: () =>
      file(REPORT_HEADER, [
        reportRow(`mcp-${++seq}`, {
          surface: 'mcp_directory',
          report_type: 'mcp_server',
          mcp_server_name: '"<!channel> <https://evil.example|click me>"',
          mcp_server_url: 'https://mcp.example.com/sse',
          mcp_server_issue: 'malicious_tool',
        }),
      ]),
    rowErrors: { imported: 1, errors: [], notStored: [] },
  },
  {
    name: 'a formula and a mention in a description',
    body: () => file(REPORT_HEADER, [reportRow(`f-${++seq}`, { description: '"=HYPERLINK(""http://evil.example"") <@U0EVIL1>"' })]),
    rowErrors: { imported: 1, errors: [], notStored: [] },
  },
];

async function upload(row: Row) {
  const res = await fetch(`${t.baseUrl}/api/v1/imports/${row.kind ?? 'reports'}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'text/csv', ...row.headers },
    body: row.body(),
  });
  const text = await res.text();
  try {
    return { status: res.status, json: JSON.parse(text) as { imported?: number; errors?: { row: number; column: string }[] } };
  } catch {
    return { status: res.status, json: {} };
  }
}

describe(`${rows.length} adversarial CSV files`, () => {
  it.each(rows)('$name', async (row) => {
    const m = mark(t);
    const alertsFrom = await lastAlertId(t);
    const before = await rowCounts(t);

    const res = await upload(row);
    const delivered = await settledAlerts(t, alertsFrom).catch((err: Error) => [err.message]);
    const { audit, ...tables } = changed(before, await rowCounts(t));
    const health = await healthStatus(t);
    const common = { undelivered: delivered.filter((d) => d !== 'sent'), liveMarkup: liveMarkupSince(t, m), health };
    const expectedCommon = { undelivered: [], liveMarkup: [], health: 200 };

    if (row.refused) {
      // Nothing of a refused file: no rows, no audit entry.
      expect({ status: res.status, stored: { ...tables, ...(audit ? { audit } : {}) }, ...common }).toEqual({
        status: row.refused,
        stored: {},
        ...expectedCommon,
      });
      return;
    }
    const r = row.rowErrors!;
    // An id with a NUL cannot be stored (or looked up) at all.
    const lookUp = r.notStored.filter((id) => !id.includes('\u0000'));
    const stillThere = await t.db.prisma.report.count({ where: { externalId: { in: lookUp } } });
    const storedRows = (tables.reports ?? 0) + (tables.decisions ?? 0) + (tables.qaReviews ?? 0);
    expect({
      status: res.status,
      imported: res.json.imported,
      storedRows,
      errors: (res.json.errors ?? []).map((e) => ({
        row: e.row,
        ...(r.errors.find((x) => x.row === e.row)?.column ? { column: e.column } : {}),
      })),
      badRowsStored: stillThere,
      ...common,
    }).toEqual({
      status: 200,
      imported: r.imported,
      storedRows: r.imported,
      errors: r.errors,
      badRowsStored: 0,
      ...expectedCommon,
    });
  });
});
