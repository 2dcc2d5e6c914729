import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { INTAKE_TOKEN, startTestApp, type TestApp } from '../support/app';
import { ROOT } from '../support/process';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

async function upload(kind: string, csv: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.baseUrl}/api/v1/imports/${kind}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'text/csv', ...headers },
    body: csv,
  });
  // biome-ignore lint/suspicious/noExplicitAny: the answers are JSON of many shapes, read field by field in tests
  return { status: res.status, json: (await res.json()) as any };
}

const HEADER =
  'external_id,surface,report_type,content_ref,received_at,jurisdiction,description,mcp_server_name,mcp_server_url,mcp_server_issue';

describe('POST /api/v1/imports/reports', () => {
  const csv = [
    `\uFEFF${HEADER}`,
    'csv-1,claude_ai,harmful_content,https://claude.ai/share/csv-1,2026-11-20T10:00:00Z,DE,"quoted, with comma",,,',
    'csv-2,api,other,msg_csv_2,2026-11-20T10:00:00+01:00,,"two\r\nlines",,,',
    'csv-3,moon,harmful_content,https://claude.ai/share/csv-3,2026-11-20T10:00:00Z,,,,,',
    'csv-4,mcp_directory,mcp_server,https://mcp.example.com/s/4,2026-11-20T10:00:00Z,,,Tool <!here>,https://t.example.com,malicious_tool',
    'csv-5,mcp_directory,mcp_server,https://mcp.example.com/s/5,2026-11-20,,,,,',
    'csv-6,claude_ai,harmful_content,https://claude.ai/share/csv-1,2026-11-21T10:00:00Z,,,,,',
  ].join('\r\n');

  it('imports the good rows in one go and lists every bad row with its column', async () => {
    const res = await upload('reports', csv);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: 'reports', rows: 6, imported: 4, replayed: 0, failed: 2 });
    expect(res.json.errors).toEqual(
      expect.arrayContaining([
        { row: 3, line: 5, column: 'surface', message: expect.stringContaining('unknown surface; known: api, claude_ai') },
        { row: 4 + 1, line: 7, column: 'received_at', message: expect.stringContaining('ISO 8601') },
        { row: 5, line: 7, column: 'mcp_server_name', message: expect.stringContaining('required for report_type mcp_server') },
      ]),
    );
    const two = await t.db.prisma.report.findUniqueOrThrow({ where: { externalId: 'csv-2' } });
    expect(two.description).toBe('two\r\nlines');
    const one = await t.db.prisma.report.findUniqueOrThrow({ where: { externalId: 'csv-1' } });
    const six = await t.db.prisma.report.findUniqueOrThrow({ where: { externalId: 'csv-6' } });
    expect(six.caseId).toBe(one.caseId);
    const four = await t.db.prisma.report.findUniqueOrThrow({ where: { externalId: 'csv-4' } });
    expect(four.details).toEqual({ mcp_server: { name: 'Tool <!here>', url: 'https://t.example.com', issue: 'malicious_tool' } });
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'import.reports' } })).toBe(1);
  });

  it('changes nothing when the same file is imported again', async () => {
    const counts = async () => [await t.db.prisma.report.count(), await t.db.prisma.case.count(), await t.db.prisma.alert.count()];
    const before = await counts();
    const res = await upload('reports', csv);
    expect(res.json).toMatchObject({ rows: 6, imported: 0, replayed: 4, failed: 2 });
    expect(await counts()).toEqual(before);
  });

  it('refuses a file whose header is wrong before reading any row', async () => {
    const res = await upload('reports', 'external_id,surfce,report_type\nx,api,other\n');
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/missing columns "surface", "content_ref"; unknown column "surfce" \(column 2\)/);
  });

  it('refuses a file that is not UTF-8, and writes nothing from it', async () => {
    const latin1 = Buffer.concat([
      Buffer.from(`${HEADER}\nlatin-1,claude_ai,other,ref_1,2026-11-20T10:00:00Z,,caf`),
      Buffer.from([0xe9]),
      Buffer.from(',,,\n'),
    ]);
    const res = await upload('reports', latin1);
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('not UTF-8');
    expect(await t.db.prisma.report.findUnique({ where: { externalId: 'latin-1' } })).toBeNull();
  });

  // Regression: a received_at of year 0000 passed validation and failed in Postgres (22008), which turned the
  // whole import into a 500; a NUL in a cell (22021) did the same. Each is now that row's error.
  it('refuses rows with a year-0000 date, a NUL or a language that is no BCP 47 tag, naming row and column, and imports the rest', async () => {
    const file = [
      HEADER.replace('description', 'description,language'),
      'bad-1,claude_ai,harmful_content,https://claude.ai/share/bad-1,0000-01-01T00:00:00Z,,,,,,',
      'bad-2,claude_ai,harmful_content,https://claude.ai/share/bad-2,1999-12-31T23:59:59Z,,,,,,',
      'bad-3,claude_ai,harmful_content,https://claude.ai/share/bad-3,2026-11-20T10:00:00Z,,a\u0000b,,,,',
      'bad-4,claude_ai,harmful_content,https://claude.ai/share/bad-4,2026-11-20T10:00:00Z,,,en-US-US,,,',
      'good-1,claude_ai,harmful_content,https://claude.ai/share/good-1,2026-11-20T10:00:00Z,,,pt-BR,,,',
    ].join('\n');
    const res = await upload('reports', file);
    expect({ status: res.status, json: res.json }).toEqual({
      status: 200,
      json: {
        kind: 'reports',
        rows: 5,
        imported: 1,
        replayed: 0,
        failed: 4,
        errors: [
          { row: 1, line: 2, column: 'received_at', message: 'before 2000-01-01' },
          { row: 2, line: 3, column: 'received_at', message: 'before 2000-01-01' },
          { row: 3, line: 4, column: 'description', message: 'contains a NUL character' },
          { row: 4, line: 5, column: 'language', message: 'not a BCP 47 language tag, e.g. en or pt-BR' },
        ],
      },
    });
    const stored = await t.db.prisma.report.findMany({ where: { externalId: { in: ['bad-1', 'bad-2', 'bad-3', 'bad-4', 'good-1'] } } });
    expect(stored.map((r) => r.externalId)).toEqual(['good-1']);
  });

  it('answers 401, 415 and 404 for a missing token, a wrong type and an unknown import', async () => {
    expect((await upload('reports', csv, { authorization: '' })).status).toBe(401);
    expect((await upload('reports', csv, { 'content-type': 'application/json' })).status).toBe(415);
    const unknown = await upload('spreadsheets', csv);
    expect(unknown.status).toBe(404);
    expect(unknown.json.message).toContain('known: reports, decisions, qa-reviews');
  });
});

describe('POST /api/v1/imports/decisions and qa-reviews', () => {
  it('records decisions that move their cases on, then the QA reviews of those decisions', async () => {
    const decisions = [
      'external_id,report_external_id,action,policy,decided_at,automated,reviewer_id',
      'dec-1,csv-1,content_removed,hate_speech,2026-11-20T12:00:00Z,no,rev-7',
      'dec-2,csv-2,no_violation,spam,2026-11-20T12:00:00Z,yes,',
      'dec-3,csv-404,no_violation,spam,2026-11-20T12:00:00Z,no,',
      'dec-4,csv-4,content_removed,malware,2026-11-19T12:00:00Z,no,',
    ].join('\n');
    const res = await upload('decisions', decisions);
    expect(res.json).toMatchObject({ rows: 4, imported: 2, failed: 2 });
    expect(res.json.errors).toEqual([
      { row: 3, line: 4, column: 'report_external_id', message: 'no report csv-404' },
      { row: 4, line: 5, column: 'external_id', message: expect.stringContaining('before the report arrived') },
    ]);
    const one = await t.db.prisma.report.findUniqueOrThrow({ where: { externalId: 'csv-1' }, include: { case: true } });
    expect(one.case).toMatchObject({ status: 'decided', firstActionAt: new Date('2026-11-20T12:00:00Z') });
    const automated = await t.db.prisma.decision.findUniqueOrThrow({ where: { externalId: 'dec-2' } });
    expect(automated).toMatchObject({ automated: true, actorType: 'automated' });

    const qa = [
      'external_id,decision_external_id,outcome,correct_action,reviewed_at',
      'qa-1,dec-1,agree,,2026-11-21T09:00:00Z',
      'qa-2,dec-2,disagree,,2026-11-21T09:00:00Z',
    ].join('\n');
    const qaRes = await upload('qa-reviews', qa);
    expect(qaRes.json).toMatchObject({ rows: 2, imported: 1, failed: 1, errors: [{ row: 2, column: 'correct_action' }] });
  });
});

describe('npm run import', () => {
  it('imports a file from the command line with a progress line and a summary', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trustops-import-'));
    const file = path.join(dir, 'reports.csv');
    writeFileSync(
      file,
      `${HEADER}\ncli-1,claude_code,privacy,https://claude.ai/share/cli-1,2026-11-22T08:00:00Z,,,,,\ncli-2,nowhere,privacy,x,2026-11-22T08:00:00Z,,,,,\n`,
    );
    const run = promisify(execFile);
    const out = await run(process.execPath, [require.resolve('tsx/cli'), 'src/cli/import.ts', 'reports', file], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: t.db.url },
    }).catch((err: { code: number; stdout: string; stderr: string }) => err);
    expect(['code' in out ? out.code : 0, out.stderr]).toEqual([2, '']);
    expect(out.stdout).toContain('importing reports: 100 % of the file, 2 rows');
    expect(out.stdout).toContain('2 rows in');
    expect(out.stdout).toContain('1 imported, 0 already there, 1 refused');
    expect(out.stdout).toContain('row 2 (line 3), surface: unknown surface');
    expect(await t.db.prisma.report.findUnique({ where: { externalId: 'cli-1' } })).not.toBeNull();
  });
});

describe('upload limits', () => {
  it('answers 413 at once when a CSV declares more than 50 MB', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${t.baseUrl}/api/v1/imports/reports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'text/csv', 'content-length': String(60 * 1024 * 1024) },
      });
      req.on('response', (res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write(`${HEADER}\n`);
    });
    expect(status).toBe(413);
  });
});
