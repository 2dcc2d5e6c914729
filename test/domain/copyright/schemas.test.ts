import {
  COPYRIGHT_IMPORT_COLUMNS,
  type CopyrightImportKind,
  checkCounterNotice,
  checkNotice,
  groupCopyrightRows,
  resolveCounterNoticeItems,
  validateCounterNotice,
  validateNotice,
} from '../../../src/domain/copyright/schemas';
import { readCsvRecords } from '../../../src/domain/intake/csv';

const NOW = new Date('2026-12-02T12:00:00Z');

const notice = (over: Record<string, unknown> = {}) => ({
  external_id: 'dmca-1',
  received_at: '2026-12-01T15:00:00Z',
  sender: { name: 'Rights Co', organization: 'Rights Co LLC', email: 'legal@rights.example', kind: 'agent' },
  work: 'The Song, registration PA-1-234-567',
  items: [
    { content_ref: 'https://claude.ai/share/abc', surface: 'claude_ai', account_id: 'acct-1' },
    { content_ref: 'conv:42', surface: 'api' },
  ],
  signature: '/s/ Jane Roe',
  good_faith: true,
  accurate_and_authorized: true,
  ...over,
});

const counter = (over: Record<string, unknown> = {}) => ({
  external_id: 'cn-1',
  notice_external_id: 'dmca-1',
  received_at: '2026-12-02T11:00:00Z',
  subscriber: { name: 'Sam User', address: '1 Main St, Springfield', phone: '+1 212 555 0100', account_id: 'acct-1' },
  signature: 'Sam User',
  mistake_statement: true,
  consent_to_jurisdiction: true,
  accepts_service: true,
  ...over,
});

const paths = (r: { errors: { path: string }[] } | object) => ('errors' in r ? r.errors.map((e) => e.path).sort() : []);

describe('notice bodies', () => {
  it('accept a complete notice, which the check finds complete', () => {
    const r = validateNotice(notice(), NOW);
    if (!('data' in r)) throw new Error(JSON.stringify(r));
    expect(r.data.received_at).toEqual(new Date('2026-12-01T15:00:00Z'));
    expect(checkNotice(r.data)).toEqual({
      complete: true,
      present: ['signature', 'work', 'material', 'contact', 'good_faith', 'accurate_and_authorized'],
      missing: [],
      outreach: 'none',
    });
  });

  it('answer wrong types with every field error at once', () => {
    const r = validateNotice(
      {
        external_id: 5,
        received_at: 'yesterday',
        sender: { name: 3, kind: 'robot', email: 'not-an-email', phone: 'call me' },
        work: 7,
        items: [{ content_ref: 'the full text of the song, pasted', surface: '' }, 'x'],
        signature: true,
        good_faith: 'yes',
        accurate_and_authorized: 1,
        note: 'extra',
      },
      NOW,
    );
    expect(paths(r)).toEqual(
      [
        '(body)', // the unknown key `note`
        'accurate_and_authorized',
        'external_id',
        'good_faith',
        'items.0.content_ref',
        'items.0.surface',
        'items.1',
        'received_at',
        'sender.email',
        'sender.kind',
        'sender.name',
        'sender.phone',
        'signature',
        'work',
      ].sort(),
    );
  });

  it('record a notice missing its elements instead of refusing it, naming each one', () => {
    const r = validateNotice(
      notice({
        sender: { name: 'Someone', kind: 'rights_holder', email: '  ' },
        work: '   ',
        items: undefined,
        signature: undefined,
        good_faith: false,
        accurate_and_authorized: undefined,
      }),
      NOW,
    );
    if (!('data' in r)) throw new Error(JSON.stringify(r));
    expect(checkNotice(r.data)).toEqual({
      complete: false,
      present: [],
      missing: ['signature', 'work', 'material', 'contact', 'good_faith', 'accurate_and_authorized'],
      outreach: 'no_contact',
    });
    // An empty list of items is the same missing element.
    const empty = validateNotice(notice({ items: [] }), NOW);
    expect('data' in empty && checkNotice(empty.data).missing).toEqual(['material']);
  });

  it('say outreach is expected when the work, the material and a contact are there (§512(c)(3)(B)(ii))', () => {
    const check = (over: Record<string, unknown>) => {
      const r = validateNotice(notice(over), NOW);
      if (!('data' in r)) throw new Error(JSON.stringify(r));
      return checkNotice(r.data);
    };
    expect(check({ signature: undefined, good_faith: false })).toMatchObject({
      missing: ['signature', 'good_faith'],
      outreach: 'expected',
    });
    // A postal address alone is a contact.
    expect(check({ sender: { name: 'A', kind: 'agent', address: '1 Law Plaza' }, signature: '' }).outreach).toBe('expected');
    // Someone to ask, but not the statutory case: the work is missing.
    expect(check({ work: undefined })).toMatchObject({ missing: ['work'], outreach: 'possible' });
    expect(check({ sender: { name: 'A', kind: 'automated_agent' } })).toMatchObject({ missing: ['contact'], outreach: 'no_contact' });
  });

  it('refuse more than 1,000 items, the same item twice, a future receipt and text Postgres cannot keep', () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ content_ref: `c:${i}`, surface: 'api' }));
    expect(paths(validateNotice(notice({ items: many }), NOW))).toEqual(['items']);
    const twice = validateNotice(
      notice({
        items: [
          { content_ref: 'c:1', surface: 'api' },
          { content_ref: ' c:1 ', surface: 'mobile' },
        ],
      }),
      NOW,
    );
    expect('errors' in twice && twice.errors).toEqual([{ path: 'items.1.content_ref', message: 'listed twice (also item 1)' }]);
    expect(paths(validateNotice(notice({ received_at: '2026-12-02T12:10:00Z' }), NOW))).toEqual(['received_at']);
    expect(paths(validateNotice(notice({ signature: 'Jane\u0000Roe' }), NOW))).toEqual(['signature']);
  });
});

describe('counter-notice bodies', () => {
  it('accept a complete counter-notice; with no items it disputes everything taken down', () => {
    const r = validateCounterNotice(counter(), NOW);
    if (!('data' in r)) throw new Error(JSON.stringify(r));
    const { items, notTakenDown } = resolveCounterNoticeItems(r.data.items, ['conv:42', 'conv:43']);
    expect(items).toEqual(['conv:42', 'conv:43']);
    expect(notTakenDown).toEqual([]);
    expect(checkCounterNotice(r.data, items)).toMatchObject({ complete: true, missing: [] });
  });

  it('name each missing element of §512(g)(3)', () => {
    const r = validateCounterNotice(
      counter({
        subscriber: { account_id: 'acct-1', name: 'Sam', phone: '' },
        signature: ' ',
        mistake_statement: false,
        consent_to_jurisdiction: undefined,
      }),
      NOW,
    );
    if (!('data' in r)) throw new Error(JSON.stringify(r));
    expect(checkCounterNotice(r.data, ['conv:42']).missing).toEqual([
      'signature',
      'mistake_statement',
      'subscriber_address',
      'subscriber_phone',
      'consent_to_jurisdiction',
    ]);
    expect(checkCounterNotice(r.data, []).missing).toContain('material');
  });

  it('list the named items the notice did not take down, for the 409', () => {
    expect(resolveCounterNoticeItems(['conv:42', 'conv:99'], ['conv:42', 'conv:43'])).toEqual({
      items: ['conv:42'],
      notTakenDown: ['conv:99'],
    });
  });

  it('answer wrong types and an empty item list with every field error', () => {
    const r = validateCounterNotice(
      { external_id: 'cn-2', received_at: 3, subscriber: { name: 1 }, items: [], mistake_statement: 'yes', accepts_service: null },
      NOW,
    );
    expect(paths(r)).toEqual(
      [
        'accepts_service',
        'items',
        'mistake_statement',
        'notice_external_id',
        'received_at',
        'subscriber.account_id',
        'subscriber.name',
      ].sort(),
    );
  });
});

async function* text(s: string) {
  yield s;
}

async function grouped<K extends CopyrightImportKind>(kind: K, csv: string) {
  const { required, optional } = COPYRIGHT_IMPORT_COLUMNS[kind];
  const out = [];
  for await (const g of groupCopyrightRows(
    kind,
    readCsvRecords(text(csv), { requiredColumns: required, optionalColumns: optional }),
    NOW,
  )) {
    out.push(g);
  }
  return out;
}

const NOTICE_HEADER =
  'external_id,received_at,sender_name,sender_kind,sender_email,work,signature,good_faith,accurate_and_authorized,content_ref,surface,account_id';
const noticeRow = (id: string, ref: string, over: Partial<Record<string, string>> = {}) => {
  const v: Record<string, string> = {
    external_id: id,
    received_at: '2026-12-01T15:00:00Z',
    sender_name: 'Rights Co',
    sender_kind: 'agent',
    sender_email: 'legal@rights.example',
    work: 'The Song',
    signature: 'Jane Roe',
    good_faith: 'yes',
    accurate_and_authorized: 'TRUE',
    content_ref: ref,
    surface: 'api',
    account_id: 'acct-1',
    ...over,
  };
  return NOTICE_HEADER.split(',')
    .map((c) => v[c])
    .join(',');
};

describe('CSV rows of notices', () => {
  it('group consecutive rows into one notice per external_id, one item per row', async () => {
    const csv = [NOTICE_HEADER, noticeRow('n-1', 'c:1'), noticeRow('n-1', 'c:2', { account_id: '' }), noticeRow('n-2', 'c:3')].join('\n');
    const groups = await grouped('notices', csv);
    expect(groups.map((g) => g.ok && [g.externalId, g.rows.map((r) => r.line)])).toEqual([
      ['n-1', [2, 3]],
      ['n-2', [4]],
    ]);
    const first = groups[0]!;
    if (!first.ok) throw new Error('expected a notice');
    expect(first.body).toMatchObject({
      sender: { name: 'Rights Co', kind: 'agent', email: 'legal@rights.example' },
      good_faith: true,
      accurate_and_authorized: true,
      items: [
        { content_ref: 'c:1', surface: 'api', account_id: 'acct-1' },
        { content_ref: 'c:2', surface: 'api' },
      ],
    });
    expect(checkNotice(first.data).complete).toBe(true);
  });

  it('import a notice with empty element cells as incomplete, not as an error', async () => {
    const csv = [NOTICE_HEADER, noticeRow('n-1', 'c:1', { signature: '', good_faith: '' })].join('\n');
    const [g] = await grouped('notices', csv);
    if (!g?.ok) throw new Error(JSON.stringify(g));
    expect(checkNotice(g.data).missing).toEqual(['signature', 'good_faith']);
  });

  it('name the line and column of each bad cell, item cells on their own row', async () => {
    const csv = [
      NOTICE_HEADER,
      noticeRow('n-1', 'c:1', { received_at: 'last tuesday', sender_kind: 'bot' }),
      noticeRow('n-1', 'has spaces in it', { received_at: 'last tuesday', sender_kind: 'bot' }),
      noticeRow('n-1', 'c:3', { received_at: 'last tuesday', sender_kind: 'bot', good_faith: 'maybe' }),
    ].join('\n');
    const [g] = await grouped('notices', csv);
    expect(g?.ok).toBe(false);
    const errors = g && !g.ok ? g.errors.map((e) => [e.line, e.column]) : [];
    expect(errors).toEqual(
      expect.arrayContaining([
        [2, 'received_at'],
        [2, 'sender_kind'],
        [3, 'content_ref'],
        [4, 'good_faith'], // differs from line 2
      ]),
    );
    expect(errors).toHaveLength(4);
  });

  it('fail a notice whose rows disagree on a notice column, or that is split in two', async () => {
    const csv = [
      NOTICE_HEADER,
      noticeRow('n-1', 'c:1'),
      noticeRow('n-1', 'c:2', { work: 'Another Song' }),
      noticeRow('n-2', 'c:3'),
      noticeRow('n-1', 'c:4'),
    ].join('\n');
    const groups = await grouped('notices', csv);
    expect(groups.map((g) => g.ok)).toEqual([false, true, false]);
    const [a, , c] = groups;
    expect(a && !a.ok && a.errors).toEqual([
      { row: 2, line: 3, column: 'work', message: 'differs from line 2: every row of notice n-1 repeats its notice columns' },
    ]);
    expect(c && !c.ok && c.errors[0]).toMatchObject({
      line: 5,
      column: 'external_id',
      message: expect.stringMatching(/already started at line 2/),
    });
  });

  it('report a row without an external_id, and fail the notice around a row that could not be read', async () => {
    const csv = [NOTICE_HEADER, noticeRow('', 'c:0'), noticeRow('n-1', 'c:1'), 'n-1,too,few,fields', noticeRow('n-1', 'c:2')].join('\n');
    const groups = await grouped('notices', csv);
    expect(groups.map((g) => (g.ok ? 'ok' : g.errors.map((e) => `${e.line}:${e.column}`).join(' ')))).toEqual([
      '2:external_id',
      '4:(row)',
      '5:(row)', // n-1 fails: its item on line 4 is lost
    ]);
    const last = groups[2]!;
    expect(!last.ok && last.errors[0]?.message).toBe('line 4 of notice n-1 could not be read');
  });

  it('refuse a notice of more than 1,000 rows without holding them all', async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => noticeRow('big', `c:${i}`));
    const [g] = await grouped('notices', [NOTICE_HEADER, ...rows].join('\n'));
    expect(g?.ok).toBe(false);
    expect(g && !g.ok && g.errors.map((e) => e.message)).toContain('notice big has 1500 rows: at most 1000 items each');
  });
});

const COUNTER_HEADER =
  'external_id,notice_external_id,received_at,subscriber_account_id,subscriber_name,subscriber_address,subscriber_phone,signature,mistake_statement,consent_to_jurisdiction,accepts_service,content_ref';
const counterRow = (id: string, ref: string) =>
  `${id},n-1,2026-12-02T11:00:00Z,acct-1,Sam,1 Main St,+1 212 555 0100,Sam,yes,yes,yes,${ref}`;

describe('CSV rows of counter-notices', () => {
  it('take one row with no content_ref as everything the notice took down', async () => {
    const [g] = await grouped('counter-notices', [COUNTER_HEADER, counterRow('cn-1', '')].join('\n'));
    if (!g?.ok) throw new Error(JSON.stringify(g));
    expect(g.data.items).toBeUndefined();
    expect(g.body.subscriber).toEqual({ account_id: 'acct-1', name: 'Sam', address: '1 Main St', phone: '+1 212 555 0100' });
  });

  it('list named items, and refuse an empty content_ref among named ones', async () => {
    const ok = await grouped('counter-notices', [COUNTER_HEADER, counterRow('cn-1', 'c:1'), counterRow('cn-1', 'c:2')].join('\n'));
    expect(ok[0]?.ok && ok[0].data.items).toEqual(['c:1', 'c:2']);
    const bad = await grouped('counter-notices', [COUNTER_HEADER, counterRow('cn-2', 'c:1'), counterRow('cn-2', '')].join('\n'));
    expect(bad[0] && !bad[0].ok && bad[0].errors.map((e) => [e.line, e.column])).toEqual([[3, 'content_ref']]);
  });
});
