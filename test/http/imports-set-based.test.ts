// Decisions and QA-reviews imports are validated in the import's worker thread, staged and written
// set-based. They must answer and write exactly what posting each row to the JSON API in file order
// would (that is what the row-by-row import did), and they must not hold the intake locks while the
// file is still arriving.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importCsv } from '../../src/domain/intake/import';
import { INTAKE_TOKEN, startTestApp, type TestApp } from '../support/app';
import { importBehindApiLock } from '../support/intake-locks';
import { runScript } from '../support/process';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: the answers are JSON of many shapes, read field by field in tests
type Json = any;

async function upload(kind: string, csv: string): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${t.baseUrl}/api/v1/imports/${kind}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'text/csv' },
    body: csv,
  });
  return { status: res.status, json: await res.json() };
}

const T = Date.parse('2026-11-20T10:00:00Z');
/** T plus some hours, as a request would send it. */
const at = (hours: number) => new Date(T + hours * 3_600_000).toISOString().replace('.000Z', 'Z');
/** The same instant as JSON.stringify writes a Date (as the audit stores it). */
const json = (hours: number) => new Date(T + hours * 3_600_000).toISOString();

type Body = Record<string, string | number>;

/** Bodies as CSV rows under `columns` (every body's keys among them). */
function csv(columns: string[], bodies: Body[]): string {
  const cell = (v: string | number | undefined) => (v === undefined ? '' : String(v));
  return [columns.join(','), ...bodies.map((b) => columns.map((c) => cell(b[c])).join(','))].join('\n');
}

async function importReports(ids: string[]): Promise<void> {
  const rows = ids.map((id) => ({
    external_id: id,
    surface: 'claude_ai',
    report_type: 'harmful_content',
    content_ref: `https://claude.ai/share/${id}`,
    received_at: at(0),
  }));
  const res = await upload('reports', csv(['external_id', 'surface', 'report_type', 'content_ref', 'received_at'], rows));
  expect(res.json).toMatchObject({ imported: ids.length, failed: 0 });
}

const caseOf = async (reportId: string) => (await t.db.prisma.report.findUniqueOrThrow({ where: { externalId: reportId } })).caseId!;

/** What an import answers, rebuilt from the JSON API's answers to the same rows posted one by one. */
async function postOneByOne(path: string, bodies: Body[]) {
  const result = { rows: bodies.length, imported: 0, replayed: 0, failed: 0, errors: [] as Json[] };
  for (const [k, body] of bodies.entries()) {
    const res = await t.api(path, body);
    const where = { row: k + 1, line: k + 2 };
    if (res.status === 201) result.imported++;
    else if (res.status === 200) result.replayed++;
    else {
      result.failed++;
      if (res.json.error === 'conflict') result.errors.push({ ...where, column: 'external_id', message: res.json.message });
      else if (res.json.error === 'not_found')
        result.errors.push({ ...where, column: res.json.errors[0].path, message: res.json.errors[0].message });
      else throw new Error(`unexpected answer ${res.status} ${JSON.stringify(res.json)}`);
    }
  }
  return result;
}

describe('a decisions import and a QA-reviews import, against the same rows posted one by one to the JSON API', () => {
  // Two worlds alike: "imp" gets the files, "api" the same rows as single requests, in file order.
  const worlds = ['imp', 'api'] as const;
  type World = (typeof worlds)[number];
  const cases: Record<World, Record<string, number>> = { imp: {}, api: {} };
  const answers: Record<World, Record<'decisions' | 'qa', Json>> = { imp: { decisions: {}, qa: {} }, api: { decisions: {}, qa: {} } };
  const DECISION_COLUMNS = ['external_id', 'case_id', 'report_external_id', 'action', 'policy', 'decided_at', 'reviewer_id'];
  const QA_COLUMNS = ['external_id', 'decision_id', 'decision_external_id', 'outcome', 'correct_action', 'error_severity', 'reviewed_at'];

  const decisionRows = (w: World): Body[] => {
    const d = (id: string, ref: Body, action: string, policy: string, hours: number): Body => ({
      external_id: `${w}-${id}`,
      ...ref,
      action,
      policy,
      decided_at: at(hours),
    });
    const r = (k: string) => ({ report_external_id: `${w}-${k}` });
    return [
      d('d1', r('r1'), 'content_removed', 'hate_speech', 2),
      d('d2', r('r1'), 'account_warned', 'harassment', 1),
      d('d1', r('r1'), 'content_removed', 'hate_speech', 2), // the same row again: a replay
      d('d3', r('r1'), 'no_violation', 'spam', 4),
      d('d4', r('r3'), 'content_removed', 'spam', 2), // r3's case is closed
      d('d5', r('r2'), 'content_removed', 'spam', -1), // before the report arrived
      d('d6', r('missing'), 'content_removed', 'spam', 2), // no such report
      d('d1', r('r1'), 'content_removed', 'other_policy', 2), // d1 with another body: a conflict
      { ...d('d7', { case_id: cases[w].r4! }, 'content_removed', 'spam', 5), reviewer_id: 'rev-1' },
      d('d8', r('r4'), 'content_removed', 'spam', 1), // earlier than r4's first action so far
      d('d9', { case_id: 99_999_999 }, 'content_removed', 'spam', 2), // no such case
      d('d6', r('r2'), 'content_removed', 'spam', 2), // d6 again, now good: the first good row is written
      d('d2', r('r1'), 'account_warned', 'other_policy', 1), // a conflict with row 2
      d('d10', r('r2'), 'no_violation', 'spam', 0.5), // r2's first action moves back, its resolution stays
    ];
  };

  const qaRows = async (w: World): Promise<Body[]> => {
    const d2 = (await t.db.prisma.decision.findUniqueOrThrow({ where: { externalId: `${w}-d2` } })).id;
    const q = (id: string, ref: Body, rest: Body): Body => ({ external_id: `${w}-${id}`, ...ref, ...rest });
    const byExt = (id: string) => ({ decision_external_id: `${w}-${id}` });
    return [
      q('q1', byExt('d1'), { outcome: 'agree', reviewed_at: at(6) }),
      q('q2', { decision_id: d2 }, { outcome: 'disagree', correct_action: 'content_removed', error_severity: 'major', reviewed_at: at(6) }),
      q('q3', byExt('d3'), { outcome: 'agree', reviewed_at: at(3) }), // before the decision
      q('q4', byExt('nope'), { outcome: 'agree', reviewed_at: at(6) }),
      q('q5', { decision_id: 99_999_999 }, { outcome: 'agree', reviewed_at: at(6) }),
      q('q1', byExt('d1'), { outcome: 'agree', reviewed_at: at(6) }), // a replay
      q('q1', byExt('d1'), { outcome: 'disagree', correct_action: 'no_violation', reviewed_at: at(6) }), // a conflict
      q('q3', byExt('d3'), { outcome: 'agree', reviewed_at: at(5) }), // q3 again, now good
    ];
  };

  beforeAll(async () => {
    for (const w of worlds) {
      await importReports(['r1', 'r2', 'r3', 'r4'].map((k) => `${w}-${k}`));
      for (const k of ['r1', 'r2', 'r3', 'r4']) cases[w][k] = await caseOf(`${w}-${k}`);
      await t.db.prisma.case.update({ where: { id: cases[w].r3! }, data: { status: 'closed', closedAt: new Date(T + 3_600_000) } });
      await t.db.prisma.case.update({
        where: { id: cases[w].r4! },
        data: { status: 'decided', firstActionAt: new Date(T + 3 * 3_600_000), resolvedAt: new Date(T + 3 * 3_600_000) },
      });
    }
    answers.imp.decisions = (await upload('decisions', csv(DECISION_COLUMNS, decisionRows('imp')))).json;
    answers.api.decisions = await postOneByOne('/api/v1/decisions', decisionRows('api'));
    answers.imp.qa = (await upload('qa-reviews', csv(QA_COLUMNS, await qaRows('imp')))).json;
    answers.api.qa = await postOneByOne('/api/v1/qa-reviews', await qaRows('api'));
  });

  /** A world's names and ids made alike: "imp-d1" and "api-d1" are "d1", a case id is its report's name. */
  const normalizer = (w: World) => {
    const label = new Map(Object.entries(cases[w]).map(([k, id]) => [id, k]));
    return (v: unknown): unknown =>
      JSON.parse(
        JSON.stringify(v)
          .replaceAll(`${w}-`, '')
          .replace(/case (\d+) is closed/g, (_, id: string) => `case ${label.get(Number(id))} is closed`),
      );
  };

  async function written(w: World) {
    const norm = normalizer(w);
    const caseIds = Object.values(cases[w]);
    const label = new Map(Object.entries(cases[w]).map(([k, id]) => [id, k]));
    const decisions = await t.db.prisma.decision.findMany({ where: { caseId: { in: caseIds } }, orderBy: { id: 'asc' } });
    const decisionName = new Map(decisions.map((d) => [d.id, d.externalId]));
    const reviews = await t.db.prisma.qaReview.findMany({
      where: { decisionId: { in: [...decisionName.keys()] } },
      orderBy: { id: 'asc' },
    });
    const reviewName = new Map(reviews.map((r) => [r.id, r.externalId]));
    const audit = await t.db.prisma.auditEvent.findMany({
      where: {
        OR: [
          { action: 'decision.record', entityId: { in: caseIds.map(String) } },
          { action: 'qa_review.record', entityId: { in: [...decisionName.keys()].map(String) } },
        ],
      },
      orderBy: { id: 'asc' },
    });
    const byLabel = await t.db.prisma.case.findMany({ where: { id: { in: caseIds } } });
    return norm({
      cases: Object.fromEntries(byLabel.map((c) => [label.get(c.id), [c.status, c.firstActionAt, c.resolvedAt]])),
      decisions: decisions.map((d) => ({ ...d, id: undefined, bodyHash: undefined, createdAt: undefined, caseId: label.get(d.caseId) })),
      reviews: reviews.map((r) => ({ ...r, id: undefined, bodyHash: undefined, decisionId: decisionName.get(r.decisionId) })),
      audit: audit.map((a) => {
        const after = a.after as Json;
        return {
          actor: a.actor,
          origin: a.origin,
          action: a.action,
          entity: a.action === 'decision.record' ? label.get(Number(a.entityId)) : decisionName.get(Number(a.entityId)),
          before: a.before,
          after: {
            ...after,
            ...(after.decisionId ? { decisionId: decisionName.get(after.decisionId) } : {}),
            ...(after.qaReviewId ? { qaReviewId: reviewName.get(after.qaReviewId) } : {}),
          },
        };
      }),
    });
  }

  it('answers each decision row as the API answers it: replays, conflicts and refusals by row, in the same words', () => {
    const { kind, ...imported } = answers.imp.decisions;
    expect(kind).toBe('decisions');
    expect(normalizer('imp')(imported)).toEqual(normalizer('api')(answers.api.decisions));
    expect(imported).toMatchObject({ rows: 14, imported: 7, replayed: 1, failed: 6 });
    expect(imported.errors.map((e: Json) => [e.row, e.column])).toEqual([
      [5, 'external_id'],
      [6, 'external_id'],
      [7, 'report_external_id'],
      [8, 'external_id'],
      [11, 'case_id'],
      [13, 'external_id'],
    ]);
  });

  it('answers each QA-review row as the API answers it', () => {
    const { kind, ...imported } = answers.imp.qa;
    expect(kind).toBe('qa-reviews');
    expect(normalizer('imp')(imported)).toEqual(normalizer('api')(answers.api.qa));
    expect(imported).toMatchObject({ rows: 8, imported: 3, replayed: 1, failed: 4 });
  });

  it('writes the same decisions, case updates, QA reviews and audit events, in the same order', async () => {
    const imp = (await written('imp')) as Json;
    expect([imp.decisions.length, imp.reviews.length, imp.audit.length]).toEqual([7, 3, 10]);
    expect(imp).toEqual(await written('api'));
  });

  it('several decisions for one case: first action the earliest, resolution the first in file order, audit step by step', async () => {
    const c = await t.db.prisma.case.findUniqueOrThrow({ where: { id: cases.imp.r1! } });
    expect([c.status, c.firstActionAt, c.resolvedAt]).toEqual(['decided', new Date(json(1)), new Date(json(2))]);
    const audit = await t.db.prisma.auditEvent.findMany({
      where: { action: 'decision.record', entityId: String(cases.imp.r1) },
      orderBy: { id: 'asc' },
    });
    const ids = await t.db.prisma.decision.findMany({ where: { caseId: cases.imp.r1! }, orderBy: { id: 'asc' } });
    expect(ids.map((d) => d.externalId)).toEqual(['imp-d1', 'imp-d2', 'imp-d3']);
    expect(audit.map((a) => [a.before, a.after])).toEqual([
      [
        { status: 'queued', firstActionAt: null, resolvedAt: null },
        {
          status: 'decided',
          firstActionAt: json(2),
          resolvedAt: json(2),
          decisionId: ids[0]!.id,
          action: 'content_removed',
          policy: 'hate_speech',
        },
      ],
      [
        { status: 'decided', firstActionAt: json(2), resolvedAt: json(2) },
        {
          status: 'decided',
          firstActionAt: json(1),
          resolvedAt: json(2),
          decisionId: ids[1]!.id,
          action: 'account_warned',
          policy: 'harassment',
        },
      ],
      [
        { status: 'decided', firstActionAt: json(1), resolvedAt: json(2) },
        { status: 'decided', firstActionAt: json(1), resolvedAt: json(2), decisionId: ids[2]!.id, action: 'no_violation', policy: 'spam' },
      ],
    ]);
    // r2: d6 then d10 (earlier): the first action moves back, the resolution stays d6's.
    const r2 = await t.db.prisma.case.findUniqueOrThrow({ where: { id: cases.imp.r2! } });
    expect([r2.firstActionAt, r2.resolvedAt]).toEqual([new Date(json(0.5)), new Date(json(2))]);
  });

  it('a replay of a whole file writes nothing but its import audit event', async () => {
    const snapshot = async () => ({
      decisions: await t.db.prisma.decision.findMany({ orderBy: { id: 'asc' } }),
      reviews: await t.db.prisma.qaReview.findMany({ orderBy: { id: 'asc' } }),
      cases: await t.db.prisma.case.findMany({ orderBy: { id: 'asc' } }),
      audit: await t.db.prisma.auditEvent.findMany({ where: { action: { not: { startsWith: 'import.' } } }, orderBy: { id: 'asc' } }),
    });
    const before = await snapshot();
    const imports = await t.db.prisma.auditEvent.count({ where: { action: { startsWith: 'import.' } } });
    const again = await upload('decisions', csv(DECISION_COLUMNS, decisionRows('imp')));
    // Every row written or replayed the first time is a replay now; refusals stay refusals, but row 7 (d6,
    // no such report) now meets d6 as row 12 wrote it: a conflict, as the API would answer.
    expect(again.json).toMatchObject({ rows: 14, imported: 0, replayed: 8, failed: 6 });
    expect(again.json.errors.map((e: Json) => [e.row, e.column])).toEqual([
      [5, 'external_id'],
      [6, 'external_id'],
      [7, 'external_id'],
      [8, 'external_id'],
      [11, 'case_id'],
      [13, 'external_id'],
    ]);
    const qaAgain = await upload('qa-reviews', csv(QA_COLUMNS, await qaRows('imp')));
    expect(qaAgain.json).toMatchObject({ rows: 8, imported: 0, replayed: 4, failed: 4 });
    expect(await snapshot()).toEqual(before);
    expect(await t.db.prisma.auditEvent.count({ where: { action: { startsWith: 'import.' } } })).toBe(imports + 2);
  });
});

describe('a duplicate external id within one file', () => {
  it('the same body again is a replay, another body a conflict, and a row before the first good one keeps its own refusal', async () => {
    await importReports(['dup-r1', 'dup-r2']);
    const columns = ['external_id', 'report_external_id', 'action', 'policy', 'decided_at'];
    const res = await upload(
      'decisions',
      csv(columns, [
        { external_id: 'dup-a', report_external_id: 'dup-r1', action: 'content_removed', policy: 'spam', decided_at: at(1) },
        { external_id: 'dup-b', report_external_id: 'dup-missing', action: 'content_removed', policy: 'spam', decided_at: at(1) },
        { external_id: 'dup-a', report_external_id: 'dup-r1', action: 'content_removed', policy: 'spam', decided_at: at(1) },
        { external_id: 'dup-a', report_external_id: 'dup-r1', action: 'no_violation', policy: 'spam', decided_at: at(1) },
        { external_id: 'dup-b', report_external_id: 'dup-r2', action: 'content_removed', policy: 'spam', decided_at: at(1) },
        { external_id: 'dup-b', report_external_id: 'dup-r2', action: 'content_removed', policy: 'spam', decided_at: at(1) },
      ]),
    );
    expect(res.json).toEqual({
      kind: 'decisions',
      rows: 6,
      imported: 2,
      replayed: 2,
      failed: 2,
      errors: [
        { row: 2, line: 3, column: 'report_external_id', message: 'no report dup-missing' },
        { row: 4, line: 5, column: 'external_id', message: 'external_id dup-a was already received with a different body' },
      ],
    });
    const stored = await t.db.prisma.decision.findMany({ where: { externalId: { in: ['dup-a', 'dup-b'] } }, orderBy: { id: 'asc' } });
    expect(stored.map((d) => [d.externalId, d.action, d.caseId])).toEqual([
      ['dup-a', 'content_removed', await caseOf('dup-r1')],
      ['dup-b', 'content_removed', await caseOf('dup-r2')],
    ]);
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'decision.record', entityId: String(await caseOf('dup-r1')) } })).toBe(1);
  });
});

describe('a decision posted to the API while a large decisions import is still streaming', () => {
  it('is answered at once: the import takes no intake lock before its file is in', async () => {
    await importReports(['stream-r1']);
    const caseId = await caseOf('stream-r1');
    const ROWS = 16_000;
    const PAUSE_AT = 14_000; // past the first 4 MB the validator looks at, and past the first progress report
    const CHUNK = 1_000;
    // Long cells make a large file of few rows.
    const row = (k: number) => `stream-${k},${caseId},content_removed,${'p'.repeat(100)},${at(1)},${'r'.repeat(200)}`;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let released = false;
    async function* file(): AsyncGenerator<string> {
      yield 'external_id,case_id,action,policy,decided_at,reviewer_id\n';
      for (let k = 0; k < ROWS; k += CHUNK) {
        if (k === PAUSE_AT) await gate;
        yield `${Array.from({ length: CHUNK }, (_, i) => row(k + i)).join('\n')}\n`;
      }
    }
    let progressed!: () => void;
    const firstProgress = new Promise<void>((resolve) => {
      progressed = resolve;
    });
    const progress: number[] = [];
    const imported = importCsv(t.running.deps, { id: 'api:intake', origin: 'api' }, 'decisions', file(), (rows) => {
      progress.push(rows);
      progressed();
    });
    imported.catch(() => {});
    await firstProgress;

    // Should the API wait for the import after all, the file is let go after a while so the test ends (and fails).
    const fallback = setTimeout(() => {
      released = true;
      release();
    }, 20_000);
    const started = Date.now();
    const answer = await t.api('/api/v1/decisions', {
      external_id: 'stream-api-1',
      case_id: caseId,
      action: 'content_removed',
      policy: 'spam',
      decided_at: at(0.5),
    });
    const waited = Date.now() - started;
    const answeredWhileStreaming = !released;
    clearTimeout(fallback);
    released = true;
    release();

    expect({ status: answer.status, answeredWhileStreaming }).toEqual({ status: 201, answeredWhileStreaming: true });
    expect(waited).toBeLessThan(5_000);
    const result = await imported;
    expect(result).toMatchObject({ rows: ROWS, imported: ROWS, replayed: 0, failed: 0 });
    expect(progress.at(-1)).toBe(ROWS);
    // The import's case update took the API's decision, committed first, into account.
    const c = await t.db.prisma.case.findUniqueOrThrow({ where: { id: caseId } });
    expect([c.firstActionAt, c.resolvedAt]).toEqual([new Date(json(0.5)), new Date(json(0.5))]);
  }, 120_000);
});

describe('on the embedded database (no COPY FROM STDIN: staged with INSERTs)', () => {
  it('imports decisions and QA reviews from the command line with the same answers, and replays them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trustops-import-embedded-'));
    try {
      const env = { PATH: process.env.PATH ?? '', TRUSTOPS_DATA_DIR: path.join(dir, 'data') };
      const run = (script: string, ...args: string[]) => runScript(env, script, ...args);
      const importFile = (kind: string, columns: string[], bodies: Body[]) => {
        const file = path.join(dir, `${kind}.csv`);
        writeFileSync(file, csv(columns, bodies));
        return run('src/cli/import.ts', kind, file);
      };
      expect((await run('src/cli/db-migrate.ts')).code).toBe(0);
      const report = {
        external_id: 'pg-r1',
        surface: 'claude_ai',
        report_type: 'harmful_content',
        content_ref: 'msg_pg_r1',
        received_at: at(0),
      };
      expect((await importFile('reports', Object.keys(report), [report])).stdout).toContain('1 imported');
      // A quoted cell with a tab and quotes goes through COPY's escapes and back into the INSERTs.
      const d1 = {
        external_id: 'pg-d1',
        report_external_id: 'pg-r1',
        action: 'content_removed',
        policy: 'spam',
        decided_at: at(2),
        reviewer_id: '"a\tb ""q"""',
      };
      const decisions: Body[] = [
        d1,
        { external_id: 'pg-d2', report_external_id: 'pg-r1', action: 'no_violation', policy: 'spam', decided_at: at(1) },
        d1,
        { external_id: 'pg-d3', report_external_id: 'pg-missing', action: 'content_removed', policy: 'spam', decided_at: at(2) },
      ];
      const columns = ['external_id', 'report_external_id', 'action', 'policy', 'decided_at', 'reviewer_id'];
      const first = await importFile('decisions', columns, decisions);
      expect([first.code, first.stderr]).toEqual([2, '']);
      expect(first.stdout).toContain('importing decisions: 100 % of the file, 4 rows');
      expect(first.stdout).toContain('2 imported, 1 already there, 1 refused');
      expect(first.stdout).toContain('row 4 (line 5), report_external_id: no report pg-missing');
      const qa = await importFile(
        'qa-reviews',
        ['external_id', 'decision_external_id', 'outcome', 'reviewed_at'],
        [
          { external_id: 'pg-q1', decision_external_id: 'pg-d1', outcome: 'agree', reviewed_at: at(3) },
          { external_id: 'pg-q2', decision_external_id: 'pg-d2', outcome: 'agree', reviewed_at: at(0.5) },
        ],
      );
      expect(qa.stdout).toContain('1 imported, 0 already there, 1 refused');
      expect(qa.stdout).toContain(`row 2 (line 3), external_id: reviewed_at is before the decision was made (${json(1)})`);
      // The same file again writes nothing.
      expect((await importFile('decisions', columns, decisions)).stdout).toContain('0 imported, 3 already there, 1 refused');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('an import and an API submission of the same external id at once', () => {
  it('the import waits for the intake lock bucket the API holds, then answers a conflict rather than writing a second row', async () => {
    await importReports(['lock-r1']);
    // The JSON API's transaction, held open: it has locked the id's bucket and written the decision. The
    // import, its file staged, waits for that bucket.
    const caseId = await caseOf('lock-r1');
    const columns = ['external_id', 'report_external_id', 'action', 'policy', 'decided_at'];
    const imported = await importBehindApiLock(
      t.db.prisma,
      'decision:lock-x',
      (tx) =>
        tx.decision.create({
          data: {
            externalId: 'lock-x',
            bodyHash: 'another body',
            caseId,
            action: 'no_violation',
            policy: 'spam',
            actorType: 'automated',
            decidedAt: new Date(T),
          },
        }),
      () =>
        upload(
          'decisions',
          csv(columns, [
            { external_id: 'lock-x', report_external_id: 'lock-r1', action: 'content_removed', policy: 'spam', decided_at: at(1) },
          ]),
        ),
    );
    expect(imported.json).toMatchObject({
      imported: 0,
      failed: 1,
      errors: [{ row: 1, column: 'external_id', message: 'external_id lock-x was already received with a different body' }],
    });
    expect(await t.db.prisma.decision.findMany({ where: { externalId: 'lock-x' }, select: { bodyHash: true } })).toEqual([
      { bodyHash: 'another body' },
    ]);
  });
});
