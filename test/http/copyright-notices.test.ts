import { runningClock } from '../../src/clock';
import { takeDownNotice } from '../../src/domain/copyright/notices-actions';
import { ADMIN, INTAKE_TOKEN, startTestApp, type TestApp } from '../support/app';
import { waitUntil } from '../support/process';

// Copyright notices through the intake API and the CSV import: recorded complete or incomplete, cases
// per item on the copyright queue, cards in the copyright channel, idempotency, every field error.
const clock = runningClock('2026-11-27T12:00:00Z');
jest.setTimeout(60_000);
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => {
  await t.stop();
});

let seq = 0;
const ref = (k: string) => `https://claude.ai/share/cr-${k}`;

function notice(over: Record<string, unknown> = {}) {
  seq++;
  return {
    external_id: `dmca-${seq}`,
    received_at: '2026-11-27T09:30:00Z',
    sender: { name: 'Jane Roe', organization: 'Northwind Pictures', email: 'legal@northwind.example', kind: 'agent' },
    work: 'Feature film "The Long Harbor" (2021)',
    items: [
      { content_ref: ref(`${seq}-a`), surface: 'claude_ai', account_id: 'acct_one' },
      { content_ref: ref(`${seq}-b`), surface: 'api', account_id: 'acct_two' },
    ],
    signature: '/Jane Roe/',
    good_faith: true,
    accurate_and_authorized: true,
    ...over,
  };
}

const post = (body: unknown) => t.api('/api/v1/copyright/notices', body);

async function cardOf(noticeId: number) {
  t.running.delivery.kick();
  return waitUntil(
    'the notice card to be posted',
    async () => {
      const a = await t.db.prisma.alert.findUnique({ where: { dedupeKey: `copyright:notice:${noticeId}:card` } });
      return a?.status === 'sent' ? a : undefined;
    },
    15_000,
  );
}
const cardText = (card: { slackChannel: string | null; slackTs: string | null }) =>
  JSON.stringify(t.emulator.message(card.slackChannel!, card.slackTs!)?.blocks);

describe('POST /api/v1/copyright/notices', () => {
  it('records a complete notice: a case per item on the copyright queue, a notice card with Take down and Reject', async () => {
    const body = notice();
    const res = await post(body);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ external_id: body.external_id, status: 'received', missing: [] });
    expect(res.json.items).toHaveLength(2);
    const caseIds = res.json.items.map((i: { case_id: number }) => i.case_id);
    expect(caseIds.every((c: unknown) => typeof c === 'number')).toBe(true);
    const cases = await t.db.prisma.case.findMany({ where: { id: { in: caseIds } }, include: { queue: true, reports: true } });
    expect(cases.map((c) => c.queue.key)).toEqual(['copyright', 'copyright']);
    expect(cases.flatMap((c) => c.reports.map((r) => r.category))).toEqual(['ip_infringement', 'ip_infringement']);
    // The copyright queue's own SLA: 24 h to first action.
    expect(cases[0]!.firstActionDueAt.toISOString()).toBe('2026-11-28T09:30:00.000Z');
    const n = await t.db.prisma.copyrightNotice.findUniqueOrThrow({ where: { externalId: body.external_id }, include: { items: true } });
    expect(n).toMatchObject({
      status: 'received',
      claimant: 'Northwind Pictures',
      senderName: 'Jane Roe',
      senderKind: 'agent',
      itemCount: 2,
      goodFaith: true,
      accurateAndAuthorized: true,
      missingElements: [],
    });
    expect(n.items.map((i) => [i.contentRef, i.surface, i.accountId])).toEqual([
      [ref(`${seq}-a`), 'claude_ai', 'acct_one'],
      [ref(`${seq}-b`), 'api', 'acct_two'],
    ]);
    const card = await cardOf(n.id);
    expect(card.slackChannel).toBeTruthy();
    const json = cardText(card);
    for (const s of [
      'Copyright notice',
      'Northwind Pictures',
      'agent',
      'The Long Harbor',
      'acct_one',
      'acct_two',
      'SLA clock',
      '"Take down"',
      '"Reject notice"',
    ])
      expect(json).toContain(s);
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'copyright_notice.receive', entityId: String(n.id) } })).toBe(1);
  });

  it('joins an item to the open case about the same content', async () => {
    const report = await t.api('/api/v1/reports', {
      external_id: 'user-report-shared',
      surface: 'claude_ai',
      report_type: 'harmful_content',
      content_ref: ref('shared'),
      received_at: '2026-11-27T08:00:00Z',
    });
    expect(report.status).toBe(201);
    const res = await post(notice({ items: [{ content_ref: ref('shared'), surface: 'claude_ai' }] }));
    expect(res.status).toBe(201);
    expect(res.json.items[0].case_id).toBe(report.json.case_id);
  });

  it('records an incomplete notice, naming every missing element, and posts a card saying there is no one to ask', async () => {
    const body = notice({
      sender: { name: 'Anon', kind: 'rights_holder' },
      work: '',
      items: [],
      signature: undefined,
      good_faith: false,
      accurate_and_authorized: undefined,
    });
    const res = await post(body);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      status: 'incomplete',
      missing: ['signature', 'work', 'material', 'contact', 'good_faith', 'accurate_and_authorized'],
      items: [],
    });
    const n = await t.db.prisma.copyrightNotice.findUniqueOrThrow({ where: { externalId: body.external_id } });
    expect(n.status).toBe('incomplete');
    expect(await t.db.prisma.case.count({ where: { contentRef: { startsWith: ref(`${seq}-`) } } })).toBe(0);
    const json = cardText(await cardOf(n.id));
    expect(json).toContain('Incomplete copyright notice');
    expect(json).toContain('No one to ask');
    expect(json).not.toContain('"Request info"');
  });

  it('an incomplete notice with the work, the material and a contact: the card says §512(c)(3)(B)(ii) expects us to reach out', async () => {
    const body = notice({ signature: '  ', good_faith: false });
    const res = await post(body);
    expect(res.json).toMatchObject({ status: 'incomplete', missing: ['signature', 'good_faith'] });
    expect(res.json.items.every((i: { case_id: unknown }) => i.case_id === null)).toBe(true);
    const json = cardText(await cardOf(res.json.id));
    expect(json).toContain('Reach out');
    expect(json).toContain('§512(c)(3)(B)(ii)');
    expect(json).toContain('"Request info"');
    // The channel sees which kinds of contact exist, never their values.
    expect(json).not.toContain('legal@northwind.example');
  });

  it('is idempotent on external_id: the same body again answers the same, a different body is a 409', async () => {
    const body = notice();
    const first = await post(body);
    expect(first.status).toBe(201);
    const again = await post(body);
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);
    const changed = await post({ ...body, work: 'Another work' });
    expect(changed.status).toBe(409);
    expect(changed.json).toEqual({
      error: 'conflict',
      message: `external_id ${body.external_id} was already received with a different body`,
    });
    expect(await t.db.prisma.copyrightNotice.count({ where: { externalId: body.external_id } })).toBe(1);
  });

  it('two copies racing record one notice', async () => {
    const body = notice();
    const answers = await Promise.all([post(body), post(body), post(body)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
    expect(await t.db.prisma.copyrightNotice.count({ where: { externalId: body.external_id } })).toBe(1);
    expect(await t.db.prisma.copyrightNoticeItem.count({ where: { notice: { externalId: body.external_id } } })).toBe(2);
  });

  it('answers malformed input with 400 and every field error', async () => {
    const res = await post({
      external_id: '',
      received_at: 'yesterday',
      sender: { name: 7, kind: 'lawyer', email: 'not-an-email' },
      work: 12,
      items: [{ content_ref: 'https://claude.ai/share/x', surface: 'nowhere' }, { surface: 'api' }],
      good_faith: 'yes',
      extra: 1,
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_request');
    const paths = res.json.errors.map((e: { path: string }) => e.path);
    for (const p of [
      'external_id',
      'received_at',
      'sender.name',
      'sender.kind',
      'sender.email',
      'work',
      'items.1.content_ref',
      'items.0.surface',
      'good_faith',
    ])
      expect(paths).toContain(p);
    expect(paths.some((p: string) => p === '(body)' || p === 'extra')).toBe(true);
    const bad = await t.api('/api/v1/copyright/notices', '{"external_id": ');
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe('invalid_json');
    expect(await t.db.prisma.copyrightNotice.count({ where: { externalId: '' } })).toBe(0);
  });

  it('refuses a request without the intake token', async () => {
    const none = await t.api('/api/v1/copyright/notices', notice(), { 'content-type': 'application/json' });
    expect(none.status).toBe(401);
  });
});

describe('POST /api/v1/copyright/notices/{external_id}/retraction', () => {
  it('is 404 for an unknown notice, 201 then 200 for the same retraction', async () => {
    const missing = await t.api('/api/v1/copyright/notices/no-such-notice/retraction', {});
    expect(missing.status).toBe(404);
    const body = notice();
    expect((await post(body)).status).toBe(201);
    const first = await t.api(`/api/v1/copyright/notices/${body.external_id}/retraction`, { reason: 'Licensed after all' });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ external_id: body.external_id, status: 'retracted', restored_items: 0, strikes_removed: 0 });
    const again = await t.api(`/api/v1/copyright/notices/${body.external_id}/retraction`, { reason: 'Licensed after all' });
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);
    const wrong = await t.api(`/api/v1/copyright/notices/${body.external_id}/retraction`, { why: 1 });
    expect(wrong.status).toBe(400);
    const n = await t.db.prisma.copyrightNotice.findUniqueOrThrow({ where: { externalId: body.external_id } });
    expect(n).toMatchObject({ status: 'retracted', retractedBy: 'api:intake', retractionReason: 'Licensed after all' });
    // Withdrawn before anyone acted: its cases are closed as no violation, so no SLA runs on them.
    const caseIds = (await t.db.prisma.copyrightNoticeItem.findMany({ where: { noticeId: n.id } })).map((i) => i.caseId!);
    const decisions = await t.db.prisma.decision.findMany({ where: { caseId: { in: caseIds } } });
    expect(decisions.map((d) => [d.action, d.actorType, d.automated])).toEqual([
      ['no_violation', 'automated', true],
      ['no_violation', 'automated', true],
    ]);
    expect((await t.db.prisma.case.findMany({ where: { id: { in: caseIds } } })).map((c) => c.status)).toEqual(['decided', 'decided']);
  });
});

describe('POST /api/v1/copyright/notices/{external_id}/retraction while a counter-notice is pending', () => {
  it('ends the dispute in the same transaction: outcome notice_retracted, its complaint overturned, no reminder left to run', async () => {
    const body = notice({ items: [{ content_ref: ref('retract-cn'), surface: 'claude_ai', account_id: 'acct_cn' }] });
    const created = await post(body);
    expect(created.status).toBe(201);
    await takeDownNotice(t.running.deps, { actor: { id: ADMIN, origin: 'slack' }, noticeId: created.json.id });
    const cn = await t.api('/api/v1/copyright/counter-notices', {
      external_id: `cn-${body.external_id}`,
      notice_external_id: body.external_id,
      received_at: '2026-11-27T10:00:00Z',
      subscriber: { name: 'Sam', address: '1 Main St', phone: '+1 212 555 0100', account_id: 'acct_cn' },
      signature: '/Sam/',
      mistake_statement: true,
      consent_to_jurisdiction: true,
      accepts_service: true,
    });
    expect(cn.status).toBe(201);
    const pending = await t.db.prisma.counterNotice.findUniqueOrThrow({ where: { externalId: `cn-${body.external_id}` } });
    expect(pending.outcome).toBeNull();

    const retracted = await t.api(`/api/v1/copyright/notices/${body.external_id}/retraction`, {});
    expect(retracted.status).toBe(201);
    expect(retracted.json).toMatchObject({ restored_items: 1, strikes_removed: 1 });
    // Read right after the answer: no reminder scan has had the chance to close it.
    const closed = await t.db.prisma.counterNotice.findUniqueOrThrow({ where: { id: pending.id } });
    expect(closed).toMatchObject({ outcome: 'notice_retracted', decidedBy: 'api:intake' });
    expect(closed.resolvedAt).not.toBeNull();
    const complaints = await t.db.prisma.appeal.findMany({ where: { externalId: { startsWith: `counter-notice:${pending.id}:` } } });
    expect(complaints.length).toBeGreaterThan(0);
    for (const a of complaints) expect(a.outcome).toBe('overturned');
  });
});

describe('a vendor token on the copyright endpoints', () => {
  it('is refused with 403 on every copyright endpoint, each refusal audited, nothing recorded', async () => {
    await t.db.prisma.vendor.create({ data: { key: 'cr_vendor', name: 'Copyright test vendor' } });
    const reply = await t.command('token create cr_vendor', ADMIN);
    const token = /`(tov_[A-Za-z0-9_-]{40,})`/.exec(reply.text)?.[1];
    expect(token).toBeDefined();
    const asVendor = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const body = notice();
    expect((await post(body)).status).toBe(201); // a notice to retract, recorded with the intake token
    const before = await t.db.prisma.auditEvent.count({ where: { action: 'token.refused' } });
    const vendorNotice = notice();
    const attempts: [string, unknown, Record<string, string>][] = [
      ['/api/v1/copyright/notices', vendorNotice, asVendor],
      [`/api/v1/copyright/notices/${body.external_id}/retraction`, {}, asVendor],
      ['/api/v1/imports/notices', 'external_id\nx', { ...asVendor, 'content-type': 'text/csv' }],
      ['/api/v1/copyright/counter-notices', { external_id: 'cn-vendor', notice_external_id: body.external_id }, asVendor],
    ];
    for (const [path, payload, headers] of attempts) {
      const res = await t.api(path, payload, headers);
      expect([path, res.status]).toEqual([path, 403]);
    }
    const refusals = await t.db.prisma.auditEvent.findMany({ where: { action: 'token.refused' }, orderBy: { id: 'asc' } });
    expect(refusals.slice(before).map((a) => (a.after as { vendor?: string }).vendor)).toEqual([
      'cr_vendor',
      'cr_vendor',
      'cr_vendor',
      'cr_vendor',
    ]);
    expect(await t.db.prisma.copyrightNotice.count({ where: { externalId: vendorNotice.external_id } })).toBe(0);
    expect((await t.db.prisma.copyrightNotice.findUniqueOrThrow({ where: { externalId: body.external_id } })).status).toBe('received');
    expect(await t.db.prisma.counterNotice.count({ where: { externalId: 'cn-vendor' } })).toBe(0);
  });
});

describe('POST /api/v1/imports/notices', () => {
  const header =
    'external_id,received_at,sender_name,sender_organization,sender_email,sender_kind,work,signature,good_faith,accurate_and_authorized,content_ref,surface,account_id';
  const row = (id: string, refTail: string, extra: Partial<Record<string, string>> = {}) => {
    const v = {
      received_at: '2026-11-26T10:00:00Z',
      sender_name: 'Rights Desk',
      sender_organization: 'Harbor Music Group',
      sender_email: 'copyright@harbor.example',
      sender_kind: 'automated_agent',
      work: 'Song Paper Lanterns',
      signature: '/RD/',
      good_faith: 'true',
      accurate_and_authorized: 'yes',
      account_id: 'acct_csv',
      ...extra,
    };
    return [
      id,
      v.received_at,
      v.sender_name,
      v.sender_organization,
      v.sender_email,
      v.sender_kind,
      v.work,
      v.signature,
      v.good_faith,
      v.accurate_and_authorized,
      ref(refTail),
      extra.surface ?? 'claude_ai',
      v.account_id,
    ].join(',');
  };
  const importCsv = async (csv: string) => {
    const res = await fetch(`${t.baseUrl}/api/v1/imports/notices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'text/csv' },
      body: csv,
    });
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers read field by field
    return { status: res.status, json: (await res.json()) as any };
  };

  it('takes one row per item, the notice columns repeated; a bad notice fails whole with its line and column', async () => {
    const csv = [
      header,
      row('csv-1', 'csv-1-a'),
      row('csv-1', 'csv-1-b'),
      row('csv-1', 'csv-1-c'),
      row('csv-2', 'csv-2-a', { signature: '' }),
      row('csv-3', 'csv-3-a'),
      row('csv-3', 'csv-3-b', { surface: 'nowhere' }),
      row('csv-4', 'csv-4-a'),
      row('csv-4', 'csv-4-b', { work: 'A different work' }),
    ].join('\n');
    const res = await importCsv(csv);
    expect([res.status, res.json.message]).toEqual([200, undefined]);
    expect(res.json).toMatchObject({ kind: 'notices', rows: 8, notices: 4, imported: 2, replayed: 0, failed: 2, incomplete: 1 });
    expect(res.json.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 7, column: 'surface' }),
        expect.objectContaining({ line: 9, column: 'work' }),
      ]),
    );
    const n = await t.db.prisma.copyrightNotice.findUniqueOrThrow({ where: { externalId: 'csv-1' }, include: { items: true } });
    expect(n).toMatchObject({ status: 'received', itemCount: 3, senderKind: 'automated_agent', claimant: 'Harbor Music Group' });
    expect(n.items.every((i) => i.caseId !== null)).toBe(true);
    expect((await t.db.prisma.copyrightNotice.findUniqueOrThrow({ where: { externalId: 'csv-2' } })).missingElements).toEqual([
      'signature',
    ]);
    expect(await t.db.prisma.copyrightNotice.count({ where: { externalId: { in: ['csv-3', 'csv-4'] } } })).toBe(0);
    // The same file again changes nothing.
    const again = await importCsv(csv);
    expect(again.json).toMatchObject({ imported: 0, replayed: 2, failed: 2 });
    expect(await t.db.prisma.copyrightNoticeItem.count({ where: { notice: { externalId: 'csv-1' } } })).toBe(3);
  });

  it('an import of 50 notices queues one summary card in the copyright channel, not a card per notice (review #15)', async () => {
    const lines = [header];
    for (let k = 1; k <= 50; k++) lines.push(row(`bulk-${k}`, `bulk-${k}-a`, k % 2 === 0 ? { signature: '' } : {}));
    const lastAlert = (await t.db.prisma.alert.aggregate({ _max: { id: true } }))._max.id ?? 0;
    const res = await importCsv(lines.join('\n'));
    expect(res.json).toMatchObject({ notices: 50, imported: 50, incomplete: 25, failed: 0 });
    const ids = (await t.db.prisma.copyrightNotice.findMany({ where: { externalId: { startsWith: 'bulk-' } } })).map((n) => n.id);
    expect(ids).toHaveLength(50);
    expect(await t.db.prisma.alert.count({ where: { dedupeKey: { in: ids.map((id) => `copyright:notice:${id}:card`) } } })).toBe(0);
    const queued = await t.db.prisma.alert.findMany({ where: { channel: t.running.deps.channels.copyright, id: { gt: lastAlert } } });
    expect(queued.map((a) => a.kind)).toEqual(['copyright_notice_import']);
    t.running.delivery.kick();
    const sent = await waitUntil(
      'the import card to be posted',
      async () => {
        const a = await t.db.prisma.alert.findUniqueOrThrow({ where: { id: queued[0]!.id } });
        return a.status === 'sent' ? a : undefined;
      },
      15_000,
    );
    const card = cardText(sent);
    expect(card).toContain('imported 50 notices');
    expect(card).toContain('25 complete, on the copyright queue (a case per item), 25 incomplete; 0 already recorded, 0 failed.');
    expect(card).toContain('`bulk-2` — missing signature');
    expect(card).toContain('`bulk-40` — missing signature');
    expect(card).not.toContain('`bulk-42`');
    expect(card).toContain('…and 5 more');
    // An imported notice is acted on from its card, asked for by an analyst (only they see it).
    const asked = await t.command('copyright notice bulk-1', ADMIN);
    expect(asked.response_type).toBe('ephemeral');
    expect(JSON.stringify(asked.blocks)).toContain('"action_id":"copyright_take_down"');
    expect(JSON.stringify(asked.blocks)).toContain('Copyright notice bulk-1');
    expect((await t.command('copyright notice bulk-1')).text).toContain('Only analysts can see copyright notices');
  });

  it('refuses a file without the element columns, naming them', async () => {
    const res = await importCsv('external_id,received_at,content_ref,surface\nx,2026-11-26T10:00:00Z,https://claude.ai/share/q,api');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toContain('sender_name');
  });
});
