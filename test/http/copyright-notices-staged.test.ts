// The copyright notices import is validated in the import's worker thread, staged and written
// set-based. It must write and answer exactly what the batched import did (ingestNotices over the file in
// one transaction holding every intake lock), which is what posting each notice to the JSON API in file
// order writes, less the card and audit event per notice; and it must not hold the intake locks while
// the file is still arriving.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runningClock } from '../../src/clock';
import { recordAudit } from '../../src/db/repositories/audit';
import { enqueueAlerts } from '../../src/domain/alerts/outbox';
import { ingestNotices, type NoticeItemIn, surfaceErrors } from '../../src/domain/copyright/notices';
import { IMPORT_CARD_INCOMPLETE_LIMIT, importNotices, NOTICE_IMPORT_KIND } from '../../src/domain/copyright/notices-import';
import { COPYRIGHT_IMPORT_COLUMNS, type CopyrightCsvRecord, checkNotice, groupCopyrightRows } from '../../src/domain/copyright/schemas';
import type { Actor, DomainDeps } from '../../src/domain/deps';
import { loadIntakeContext } from '../../src/domain/intake/context';
import { invalidateIntakeContext } from '../../src/domain/intake/context-cache';
import { readCsvRecords } from '../../src/domain/intake/csv';
import type { RowError } from '../../src/domain/intake/import';
import { ALL_BUCKETS, lockIntakeBuckets } from '../../src/domain/intake/locks';
import { bodyHash } from '../../src/domain/intake/schemas';
import { INTAKE_TOKEN, startTestApp, type TestApp } from '../support/app';
import { importBehindApiLock } from '../support/intake-locks';
import { ROOT, runScript } from '../support/process';

const clock = runningClock('2026-11-27T12:00:00Z');
jest.setTimeout(120_000);
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => {
  await t.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: the answers are JSON of many shapes, read field by field in tests
type Json = any;

const ACTOR: Actor = { id: 'api:intake', origin: 'api' };
const COLUMNS = [
  'external_id',
  'received_at',
  'sender_name',
  'sender_organization',
  'sender_email',
  'sender_address',
  'sender_phone',
  'sender_kind',
  'work',
  'signature',
  'good_faith',
  'accurate_and_authorized',
  'content_ref',
  'surface',
  'account_id',
] as const;
type Row = Partial<Record<(typeof COLUMNS)[number], string>>;

/** A CSV cell, quoted when it must be. */
const cell = (v: string | undefined) => (v === undefined ? '' : /[",\n\t]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const csvOf = (rows: Row[]) => [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => cell(r[c])).join(','))].join('\n');

/** A notice as CSV rows (one per item) and as the JSON body the API takes (the same body the import builds). */
type Notice = { rows: Row[]; body: Record<string, unknown> };
function notice(
  id: string,
  items: { ref: string; surface?: string; account?: string }[],
  over: Partial<Record<string, string>> = {},
): Notice {
  const base: Record<string, string> = {
    received_at: '2026-11-26T10:00:00Z',
    sender_name: 'Rights Desk',
    sender_organization: 'Harbor Music Group',
    sender_email: 'copyright@harbor.example',
    sender_kind: 'agent',
    work: 'Song "Paper Lanterns"',
    signature: '/RD/',
    good_faith: 'true',
    accurate_and_authorized: 'true',
    ...over,
  };
  const rows = items.map((i) => ({
    ...base,
    external_id: id,
    content_ref: i.ref,
    surface: i.surface ?? 'claude_ai',
    ...(i.account ? { account_id: i.account } : {}),
  }));
  const sender: Record<string, string> = {};
  const body: Record<string, unknown> = { external_id: id };
  for (const [k, v] of Object.entries(base)) {
    if (v === '') continue;
    if (k.startsWith('sender_')) sender[k.slice('sender_'.length)] = v;
    else body[k] = k === 'good_faith' || k === 'accurate_and_authorized' ? v === 'true' : v;
  }
  body.sender = sender;
  body.items = items.map((i) => ({
    content_ref: i.ref,
    surface: i.surface ?? 'claude_ai',
    ...(i.account ? { account_id: i.account } : {}),
  }));
  return { rows, body };
}

async function* text(s: string): AsyncGenerator<string> {
  yield s;
}
const recordsOf = (csv: string) =>
  readCsvRecords(text(csv), {
    requiredColumns: COPYRIGHT_IMPORT_COLUMNS.notices.required,
    optionalColumns: COPYRIGHT_IMPORT_COLUMNS.notices.optional,
  }) as AsyncIterable<CopyrightCsvRecord>;

async function upload(csv: string): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${t.baseUrl}/api/v1/imports/notices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'text/csv' },
    body: csv,
  });
  return { status: res.status, json: await res.json() };
}

/**
 * The import as it was before it was staged (kept here as the reference): every intake lock bucket for
 * the whole run, the notices written by ingestNotices in batches inside one transaction.
 */
async function batchedImport(deps: DomainDeps, actor: Actor, records: AsyncIterable<CopyrightCsvRecord>) {
  const now = deps.clock.now();
  const result = { kind: 'notices', rows: 0, notices: 0, imported: 0, replayed: 0, failed: 0, incomplete: 0, errors: [] as RowError[] };
  async function* counted(): AsyncGenerator<CopyrightCsvRecord> {
    for await (const r of records) {
      result.rows++;
      yield r;
    }
  }
  const incompleteNotices: { externalId: string; missing: string[] }[] = [];
  await deps.db.$transaction(
    async (tx) => {
      await lockIntakeBuckets(tx, ALL_BUCKETS);
      const ctx = await loadIntakeContext(tx, now, deps.channels.triage);
      const batch: { item: NoticeItemIn; rows: { record: number; line: number }[] }[] = [];
      for await (const group of groupCopyrightRows('notices', counted(), now)) {
        result.notices++;
        if (!group.ok) {
          result.failed++;
          result.errors.push(...group.errors);
          continue;
        }
        const unknown = surfaceErrors(ctx, group.data);
        if (unknown.length) {
          result.failed++;
          result.errors.push(
            ...unknown.map((e) => {
              const row = group.rows[Number(/^items\.(\d+)/.exec(e.path)?.[1] ?? 0)] ?? group.rows[0]!;
              return { row: row.record, line: row.line, column: 'surface', message: e.message };
            }),
          );
          continue;
        }
        batch.push({ item: { input: group.data, hash: bodyHash(group.body), check: checkNotice(group.data) }, rows: group.rows });
      }
      const outcomes = await ingestNotices(
        tx,
        ctx,
        batch.map((b) => b.item),
        { actor, copyrightChannel: deps.channels.copyright, audit: 'none', cards: 'none' },
      );
      outcomes.forEach((o, k) => {
        const first = batch[k]!.rows[0]!;
        if (o.status === 'created') {
          result.imported++;
          if (o.receipt.status === 'incomplete') {
            result.incomplete++;
            if (incompleteNotices.length < IMPORT_CARD_INCOMPLETE_LIMIT)
              incompleteNotices.push({ externalId: o.receipt.external_id, missing: [...o.receipt.missing] });
          }
        } else if (o.status === 'replayed') result.replayed++;
        else {
          result.failed++;
          const message =
            o.status === 'conflict' ? o.message : o.status === 'invalid' ? o.errors.map((e) => e.message).join('; ') : o.status;
          result.errors.push({ row: first.record, line: first.line, column: 'external_id', message });
        }
      });
      if (result.imported > 0) {
        const { kind: _, errors: __, ...counts } = result;
        await enqueueAlerts(
          tx,
          [
            {
              kind: NOTICE_IMPORT_KIND,
              dedupeKey: `copyright:import:reference:${now.getTime()}`,
              channel: deps.channels.copyright,
              message: {
                by: actor.id,
                at: now.toISOString(),
                ...counts,
                complete: result.imported - result.incomplete,
                incompleteNotices,
              },
              entityType: 'import',
            },
          ],
          now,
        );
      }
      const { kind: _, errors: __, ...after } = result;
      await recordAudit(tx, { actor: actor.id, origin: actor.origin, action: 'import.notices', entityType: 'import', after, at: now });
    },
    { timeout: 60_000 },
  );
  return result;
}

describe('a notices import against the batched import and against the same notices posted one by one to the JSON API', () => {
  // Three worlds alike: "imp" gets the file through POST /api/v1/imports/notices, "old" the same file
  // through the batched import above, "api" each notice as one request, in file order.
  const worlds = ['imp', 'old', 'api'] as const;
  type World = (typeof worlds)[number];
  const answers = {} as Record<World, Json>;
  const alertFloor = {} as Record<World, number>;

  const notices = (w: World): Notice[] => {
    const r = (k: string) => `https://claude.ai/share/${w}-${k}`;
    return [
      notice(`${w}-n1`, [{ ref: r('a'), account: 'acct_1' }, { ref: r('b'), surface: 'api', account: 'acct_1' }, { ref: r('c') }]),
      notice(`${w}-n2`, [{ ref: r('e') }, { ref: r('f') }], { signature: '' }), // incomplete
      notice(`${w}-n3`, [{ ref: r('d') }, { ref: r('b') }]), // b: joins n1's case
      notice(`${w}-n4`, [{ ref: r('g') }, { ref: r('h'), surface: 'nowhere' }]), // an unknown surface
      notice(`${w}-n5`, [{ ref: r('pre') }, { ref: r('i'), account: 'acct_5' }], { sender_organization: '' }), // joins an open case
      notice(`${w}-n6`, [{ ref: r('j') }], { sender_email: '', sender_phone: '+1 212 555 0100' }),
      notice(`${w}-n7`, [{ ref: r('k') }]), // recorded before with the same body: a replay
      notice(`${w}-n8`, [{ ref: r('l') }]), // recorded before with another body: a conflict
      notice(`${w}-n9`, [{ ref: r('m') }], { sender_email: '', good_faith: 'false', work: '' }), // incomplete, no one to ask
      notice(`${w}-n10`, [{ ref: r('n') }, { ref: r('o') }], { signature: '"a\tb" \\ c' }),
    ];
  };
  const split = (w: World) => notice(`${w}-n12`, [{ ref: `https://claude.ai/share/${w}-s` }]);
  /** The file: the notices, with a broken notice (rows that differ) and a notice split in two runs. */
  const fileRows = (w: World): Row[] => {
    const all = notices(w);
    const broken = notice(`${w}-n11`, [{ ref: `https://claude.ai/share/${w}-p` }, { ref: `https://claude.ai/share/${w}-q` }]).rows;
    broken[1] = { ...broken[1]!, work: 'Another work' };
    const twice = split(w).rows;
    return [...all.slice(0, 5).flatMap((n) => n.rows), ...broken, ...twice, ...all.slice(5).flatMap((n) => n.rows), ...twice];
  };

  beforeAll(async () => {
    // An urgent report type announces the cases its reports open: the copyright type made urgent here, so
    // the triage alerts are compared too.
    await t.db.prisma.reportType.update({ where: { key: 'copyright' }, data: { urgent: true } });
    invalidateIntakeContext(t.running.deps.db);
    for (const w of worlds) {
      const pre = await t.api('/api/v1/reports', {
        external_id: `${w}-user-report`,
        surface: 'claude_ai',
        report_type: 'harmful_content',
        content_ref: `https://claude.ai/share/${w}-pre`,
        received_at: '2026-11-26T08:00:00Z',
      });
      expect(pre.status).toBe(201);
      const all = notices(w);
      expect((await t.api('/api/v1/copyright/notices', all[6]!.body)).status).toBe(201);
      expect((await t.api('/api/v1/copyright/notices', { ...all[7]!.body, work: 'Something else' })).status).toBe(201);
      alertFloor[w] = (await t.db.prisma.alert.aggregate({ _max: { id: true } }))._max.id ?? 0;
    }
    answers.imp = (await upload(csvOf(fileRows('imp')))).json;
    answers.old = await batchedImport(t.running.deps, ACTOR, recordsOf(csvOf(fileRows('old'))));
    const posted = { imported: 0, replayed: 0, failed: 0, incomplete: 0 };
    // In file order: n12 (its first run) after n5.
    const inOrder = notices('api');
    for (const n of [...inOrder.slice(0, 5), split('api'), ...inOrder.slice(5)]) {
      const res = await t.api('/api/v1/copyright/notices', n.body);
      if (res.status === 201) {
        posted.imported++;
        if (res.json.status === 'incomplete') posted.incomplete++;
      } else if (res.status === 200) posted.replayed++;
      else posted.failed++;
    }
    answers.api = posted;
  });

  afterAll(async () => {
    await t.db.prisma.reportType.update({ where: { key: 'copyright' }, data: { urgent: false } });
    invalidateIntakeContext(t.running.deps.db);
  });

  const norm = (w: World) => (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll(`${w}-`, ''));

  /** What a world wrote, its ids made names: a notice by its external id, a case by its content reference. */
  async function written(w: World) {
    const prefix = `https://claude.ai/share/${w}-`;
    const noticeRows = await t.db.prisma.copyrightNotice.findMany({
      where: { externalId: { startsWith: `${w}-` } },
      orderBy: { id: 'asc' },
    });
    const noticeName = new Map(noticeRows.map((n) => [n.id, n.externalId]));
    const cases = await t.db.prisma.case.findMany({ where: { contentRef: { startsWith: prefix } }, orderBy: { id: 'asc' } });
    const caseName = new Map(cases.map((c) => [c.id, c.contentRef]));
    const items = await t.db.prisma.copyrightNoticeItem.findMany({
      where: { noticeId: { in: [...noticeName.keys()] } },
      orderBy: { id: 'asc' },
    });
    const reports = await t.db.prisma.report.findMany({ where: { contentRef: { startsWith: prefix } }, orderBy: { id: 'asc' } });
    const reportName = new Map(reports.map((r) => [r.id, r.externalId]));
    const triage = await t.db.prisma.alert.findMany({
      where: { kind: 'triage', entityId: { in: [...caseName.keys()].map(String) } },
      orderBy: { id: 'asc' },
    });
    return norm(w)({
      // The card a notice posted through the API is stored on it once sent: not written by an import.
      notices: noticeRows.map((n) => ({
        ...n,
        id: undefined,
        bodyHash: undefined,
        createdAt: undefined,
        cardChannel: undefined,
        cardTs: undefined,
      })),
      items: items.map((i) => ({ ...i, id: undefined, noticeId: noticeName.get(i.noticeId), caseId: i.caseId && caseName.get(i.caseId) })),
      cases: cases.map((c) => ({
        ...c,
        id: undefined,
        createdAt: undefined,
        updatedAt: undefined,
        firstReportId: c.firstReportId && reportName.get(c.firstReportId),
      })),
      reports: reports.map((r) => ({
        ...r,
        id: undefined,
        bodyHash: undefined,
        createdAt: undefined,
        caseId: r.caseId && caseName.get(r.caseId),
      })),
      triage: triage.map((a) => {
        const m = a.message as Json;
        return {
          kind: a.kind,
          channel: a.channel,
          entity: caseName.get(Number(a.entityId)),
          message: { ...m, caseId: caseName.get(m.caseId), reportId: reportName.get(m.reportId) },
        };
      }),
    });
  }

  it('answers as the batched import did: the same counts, and every error by row, line and column, in the same words', () => {
    expect(norm('imp')(answers.imp)).toEqual(norm('old')(answers.old));
    expect(answers.imp).toMatchObject({ rows: 21, notices: 13, imported: 8, replayed: 1, failed: 4, incomplete: 2 });
    expect(answers.imp.errors.map((e: Json) => [e.row, e.line, e.column])).toEqual([
      [9, 10, 'surface'],
      [13, 14, 'work'],
      [21, 22, 'external_id'],
      [17, 18, 'external_id'],
    ]);
    expect(answers.imp.errors[2].message).toBe('notice imp-n12 already started at line 15: the rows of one notice must be consecutive');
    expect(answers.imp.errors[3].message).toBe('external_id imp-n8 was already received with a different body');
  });

  it('counts what the API answers for the same notices posted one by one', () => {
    const { imported, replayed, incomplete } = answers.imp;
    // The API world has no broken notices nor a notice split in two: n4 (unknown surface) and n8 (conflict) are its refusals.
    expect({ imported, replayed, incomplete, failed: 2 }).toEqual(answers.api);
  });

  it('writes the same notices, items, reports, cases and triage alerts as the batched import and as the API, in the same order', async () => {
    const imp = (await written('imp')) as Json;
    // Notices: n7 and n8 recorded before, 8 imported; reports: the user's and one per item of a complete notice.
    expect([imp.notices.length, imp.items.length, imp.reports.length, imp.cases.length]).toEqual([10, 16, 14, 12]);
    expect(imp.triage.length).toBeGreaterThan(0);
    expect(imp).toEqual(await written('old'));
    expect(imp).toEqual(await written('api'));
    // n3's b joined n1's case; n5's pre the case the user report opened.
    const n3 = await t.db.prisma.copyrightNotice.findUniqueOrThrow({ where: { externalId: 'imp-n3' }, include: { items: true } });
    const n1 = await t.db.prisma.copyrightNotice.findUniqueOrThrow({ where: { externalId: 'imp-n1' }, include: { items: true } });
    expect(n3.items[1]!.caseId).toBe(n1.items[1]!.caseId);
    const pre = await t.db.prisma.report.findUniqueOrThrow({ where: { externalId: 'imp-user-report' } });
    const n5 = await t.db.prisma.copyrightNotice.findUniqueOrThrow({ where: { externalId: 'imp-n5' }, include: { items: true } });
    expect(n5.items[0]!.caseId).toBe(pre.caseId);
    expect((await t.db.prisma.copyrightNotice.findUniqueOrThrow({ where: { externalId: 'imp-n10' } })).signature).toBe('"a\tb" \\ c');
  });

  it('queues one summary card and records one import audit event, as the batched import did', async () => {
    const cards = async (w: World) =>
      (await t.db.prisma.alert.findMany({ where: { id: { gt: alertFloor[w] }, kind: { not: 'triage' } }, orderBy: { id: 'asc' } })).filter(
        (a) => JSON.stringify(a.message).includes(`${w}-`),
      );
    const imp = await cards('imp');
    const old = await cards('old');
    expect(imp.map((a) => a.kind)).toEqual([NOTICE_IMPORT_KIND]);
    const view = (w: World, a: (typeof imp)[number]) =>
      norm(w)({
        kind: a.kind,
        channel: a.channel,
        entityType: a.entityType,
        entityId: a.entityId,
        message: { ...(a.message as Json), at: undefined },
      });
    expect(view('imp', imp[0]!)).toEqual(view('old', old[0]!));
    expect((imp[0]!.message as Json).incompleteNotices).toEqual([
      { externalId: 'imp-n2', missing: ['signature'] },
      { externalId: 'imp-n9', missing: ['work', 'contact', 'good_faith'] },
    ]);
    const audits = await t.db.prisma.auditEvent.findMany({ where: { action: 'import.notices' }, orderBy: { id: 'asc' } });
    expect(audits).toHaveLength(2);
    const [a, b] = audits.map((x) => ({ ...x, id: undefined, createdAt: undefined }));
    expect(a).toEqual(b);
    expect(a!.after).toEqual({ rows: 21, notices: 13, imported: 8, replayed: 1, failed: 4, incomplete: 2 });
  });

  it('the same file again writes nothing but its import audit event', async () => {
    const snapshot = async () => ({
      notices: await t.db.prisma.copyrightNotice.findMany({ orderBy: { id: 'asc' } }),
      items: await t.db.prisma.copyrightNoticeItem.findMany({ orderBy: { id: 'asc' } }),
      reports: await t.db.prisma.report.findMany({ orderBy: { id: 'asc' } }),
      cases: await t.db.prisma.case.findMany({ orderBy: { id: 'asc' } }),
      alerts: await t.db.prisma.alert.count(),
      audit: await t.db.prisma.auditEvent.findMany({ where: { action: { not: 'import.notices' } }, orderBy: { id: 'asc' } }),
    });
    const before = await snapshot();
    const again = await upload(csvOf(fileRows('imp')));
    expect(again.json).toMatchObject({ rows: 21, notices: 13, imported: 0, replayed: 9, failed: 4, incomplete: 0 });
    expect(again.json.errors).toEqual(answers.imp.errors);
    expect(await snapshot()).toEqual(before);
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'import.notices' } })).toBe(3);
  });
});

describe('a notice posted to the API while a large notices import is still streaming', () => {
  it('is answered at once: the import takes no intake lock before its file is in, then joins the case the API opened', async () => {
    const NOTICES = 800;
    const ITEMS = 5;
    const PAUSE_AT = 3_000; // rows handed over before the file stops arriving for a while
    const shared = 'https://claude.ai/share/stream-0-0';
    const rowsOf = (k: number) =>
      notice(
        `stream-${k}`,
        Array.from({ length: ITEMS }, (_, p) => ({ ref: `https://claude.ai/share/stream-${k}-${p}` })),
      ).rows;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reached!: () => void;
    const streaming = new Promise<void>((resolve) => {
      reached = resolve;
    });
    let released = false;
    // The file's records, as the HTTP route reads them; it stops at PAUSE_AT until released.
    async function* records(): AsyncGenerator<CopyrightCsvRecord> {
      let record = 0;
      for (let k = 0; k < NOTICES; k++) {
        for (const row of rowsOf(k)) {
          if (record === PAUSE_AT) {
            reached();
            await gate;
          }
          record++;
          yield { ok: true, record, line: record + 1, values: row as Partial<Record<string, string>> };
        }
      }
    }
    const imported = importNotices(t.running.deps, ACTOR, records());
    imported.catch(() => {});
    await streaming;

    // Should the API wait for the import after all, the file is let go after a while so the test ends (and fails).
    const fallback = setTimeout(() => {
      released = true;
      release();
    }, 20_000);
    const started = Date.now();
    const answer = await t.api('/api/v1/copyright/notices', notice('stream-api', [{ ref: shared }]).body);
    const waited = Date.now() - started;
    const answeredWhileStreaming = !released;
    clearTimeout(fallback);
    released = true;
    release();

    expect({ status: answer.status, answeredWhileStreaming }).toEqual({ status: 201, answeredWhileStreaming: true });
    expect(waited).toBeLessThan(5_000);
    const result = await imported;
    expect(result).toMatchObject({ rows: NOTICES * ITEMS, notices: NOTICES, imported: NOTICES, failed: 0, errors: [] });
    // The import's item about the same content joined the case the API's notice opened, committed first.
    const item = await t.db.prisma.copyrightNoticeItem.findFirstOrThrow({ where: { notice: { externalId: 'stream-0' }, position: 0 } });
    expect(item.caseId).toBe(answer.json.items[0].case_id);
    expect(await t.db.prisma.case.count({ where: { contentRef: shared } })).toBe(1);
    expect(await t.db.prisma.copyrightNoticeItem.count({ where: { notice: { externalId: { startsWith: 'stream-' } } } })).toBe(
      NOTICES * ITEMS + 1,
    );
  });
});

describe('an import and an API submission of the same notice at once', () => {
  it('the import waits for the intake lock bucket the API holds, then answers a conflict rather than writing a second notice', async () => {
    // The JSON API's transaction, held open: it has locked the notice's bucket and written the notice. The
    // import, its file staged, waits for that bucket.
    const imported = await importBehindApiLock(
      t.db.prisma,
      'copyright_notice:lock-n',
      (tx) =>
        tx.copyrightNotice.create({
          data: {
            externalId: 'lock-n',
            bodyHash: 'another body',
            claimant: 'Someone',
            elementsPresent: [],
            missingElements: [],
            receivedAt: new Date('2026-11-26T10:00:00Z'),
          },
        }),
      () => upload(csvOf(notice('lock-n', [{ ref: 'https://claude.ai/share/lock-n-a' }]).rows)),
    );
    expect(imported.json).toMatchObject({
      imported: 0,
      failed: 1,
      errors: [{ row: 1, line: 2, column: 'external_id', message: 'external_id lock-n was already received with a different body' }],
    });
    expect(await t.db.prisma.copyrightNotice.findMany({ where: { externalId: 'lock-n' }, select: { bodyHash: true } })).toEqual([
      { bodyHash: 'another body' },
    ]);
    expect(await t.db.prisma.report.count({ where: { contentRef: 'https://claude.ai/share/lock-n-a' } })).toBe(0);
  });
});

describe('on the embedded database (no COPY FROM STDIN: staged with INSERTs)', () => {
  it('imports notices with the same answers, and replays them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trustops-notices-embedded-'));
    try {
      const env = { PATH: process.env.PATH ?? '', TRUSTOPS_DATA_DIR: path.join(dir, 'data') };
      const run = (script: string, ...args: string[]) => runScript(env, script, ...args);
      expect((await run('src/cli/db-migrate.ts')).code).toBe(0);
      const file = path.join(dir, 'notices.csv');
      const rows = [
        ...notice('pg-n1', [{ ref: 'msg_pg_a' }, { ref: 'msg_pg_b', surface: 'api' }], { signature: '"a\tb" \\ c' }).rows,
        ...notice('pg-n2', [{ ref: 'msg_pg_c' }], { signature: '' }).rows,
        ...notice('pg-n3', [{ ref: 'msg_pg_d', surface: 'nowhere' }]).rows,
      ];
      writeFileSync(file, csvOf(rows));
      const script = path.join(dir, 'import.ts');
      const src = (p: string) => JSON.stringify(path.join(ROOT, 'src', p));
      writeFileSync(
        script,
        `import { createReadStream } from 'node:fs';
import { systemClock } from ${src('clock')};
import { loadConfig } from ${src('config')};
import { openDatabase } from ${src('db/client')};
import { importNotices } from ${src('domain/copyright/notices-import')};
import { COPYRIGHT_IMPORT_COLUMNS } from ${src('domain/copyright/schemas')};
import { domainDeps } from ${src('domain/deps')};
import { readCsvRecords } from ${src('domain/intake/csv')};
import { silentLogger } from ${src('logger')};
(async () => {
  const db = await openDatabase({ dataDir: process.env.TRUSTOPS_DATA_DIR! });
  try {
    const deps = domainDeps(loadConfig({}), { db: db.prisma, clock: systemClock, log: silentLogger });
    const records = readCsvRecords(createReadStream(process.argv[2]!), {
      requiredColumns: COPYRIGHT_IMPORT_COLUMNS.notices.required,
      optionalColumns: COPYRIGHT_IMPORT_COLUMNS.notices.optional,
    }) as never;
    const result = await importNotices(deps, { id: 'cli', origin: 'cli' }, records);
    const notices = await db.prisma.copyrightNotice.findMany({ orderBy: { id: 'asc' }, include: { items: { orderBy: { position: 'asc' } } } });
    console.log(JSON.stringify({ result, notices: notices.map((n) => [n.externalId, n.status, n.signature, n.items.map((i) => [i.contentRef, i.caseId !== null])]) }));
  } finally {
    await db.close();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
`,
      );
      const first = await run(script, file);
      expect([first.code, first.stderr]).toEqual([0, '']);
      const out = JSON.parse(first.stdout);
      expect(out.result).toMatchObject({ rows: 4, notices: 3, imported: 2, replayed: 0, failed: 1, incomplete: 1 });
      expect(out.result.errors.map((e: Json) => [e.row, e.line, e.column])).toEqual([[4, 5, 'surface']]);
      expect(out.notices).toEqual([
        [
          'pg-n1',
          'received',
          '"a\tb" \\ c',
          [
            ['msg_pg_a', true],
            ['msg_pg_b', true],
          ],
        ],
        ['pg-n2', 'incomplete', null, [['msg_pg_c', false]]],
      ]);
      // The same file again writes nothing.
      const again = JSON.parse((await run(script, file)).stdout);
      expect(again.result).toMatchObject({ imported: 0, replayed: 2, failed: 1 });
      expect(again.notices).toEqual(out.notices);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
