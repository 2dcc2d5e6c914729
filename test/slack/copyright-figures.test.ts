import { fixedClock } from '../../src/clock';
import { rejectNotice, retractNotice, takeDownNotice } from '../../src/domain/copyright/notices-actions';
import { settledAlerts } from '../support/adversarial-checks';
import { BUILDING_NOTICE, simulateBuild } from '../support/analytics';
import { ADMIN, startTestApp, type TestApp } from '../support/app';
import { waitUntil } from '../support/process';

// `/trustops copyright [range] [by:…]` on a hand-built set of notices, against figures computed by hand,
// and its Export CSV button.
const NOW = '2026-11-27T12:00:00Z';
jest.setTimeout(60_000);
const ANALYST = 'U0ANALYST1';
const VIEWER = 'U0VIEWER1';
let t: TestApp;

type Over = { id: string; org: string; kind: string; items: [string, string][]; signature?: string };

async function notice(o: Over): Promise<number> {
  const res = await t.api('/api/v1/copyright/notices', {
    external_id: o.id,
    received_at: '2026-11-27T09:00:00Z',
    sender: { name: 'Desk', organization: o.org, email: 'desk@claimant.example', kind: o.kind },
    work: 'A work',
    items: o.items.map(([ref, surface]) => ({ content_ref: `https://claude.ai/share/${ref}`, surface, account_id: `acct_${ref}` })),
    signature: o.signature ?? '/Desk/',
    good_faith: true,
    accurate_and_authorized: true,
  });
  expect(res.status).toBe(201);
  return res.json.id;
}

beforeAll(async () => {
  t = await startTestApp({ clock: fixedClock(NOW) });
  await t.command(`role <@${ANALYST}> analyst`, ADMIN);
  const deps = t.running.deps;
  const analyst = { id: ANALYST, origin: 'slack' as const };
  // N1 Northwind (agent), 2 items, taken down. N2 Northwind, 1 item, taken down, then restored as a false
  // positive on a counter-notice. N3 Harbor (automated agent), rejected. N4 Harbor, incomplete.
  // N5 Lumen (rights holder), taken down, then retracted. Everything acted on at 12:00, 3 h after receipt.
  const n1 = await notice({
    id: 'fig-1',
    org: 'Northwind',
    kind: 'agent',
    items: [
      ['f1a', 'claude_ai'],
      ['f1b', 'api'],
    ],
  });
  const n2 = await notice({ id: 'fig-2', org: 'Northwind', kind: 'agent', items: [['f2a', 'claude_ai']] });
  const n3 = await notice({ id: 'fig-3', org: 'Harbor', kind: 'automated_agent', items: [['f3a', 'api']] });
  await notice({ id: 'fig-4', org: 'Harbor', kind: 'automated_agent', items: [['f4a', 'api']], signature: '' });
  const n5 = await notice({ id: 'fig-5', org: 'Lumen', kind: 'rights_holder', items: [['f5a', 'mobile']] });
  for (const id of [n1, n2, n5]) await takeDownNotice(deps, { actor: analyst, noticeId: id });
  await rejectNotice(deps, { actor: analyst, noticeId: n3, reason: 'invalid' });
  await retractNotice(deps, { actor: { id: 'api:intake', origin: 'api' }, noticeId: n5 });
  await t.db.prisma.counterNotice.create({
    data: {
      externalId: 'fig-cn-2',
      noticeId: n2,
      accountId: 'acct_f2a',
      receivedAt: new Date('2026-11-27T10:00:00Z'),
      status: 'restored',
      outcome: 'restored_false_positive',
      resolvedAt: new Date('2026-11-27T11:00:00Z'),
    },
  });
  // An open dispute, with its latest restore date 5 business days ahead (Thanksgiving was the 26th).
  await t.db.prisma.counterNotice.create({
    data: {
      externalId: 'fig-cn-open',
      noticeId: n1,
      accountId: 'acct_f1a',
      receivedAt: new Date('2026-11-20T15:00:00Z'),
      latestRestoreOn: new Date('2026-12-04T00:00:00Z'),
      status: 'pending',
    },
  });
  // The figures read the app's analytics copy: built (and caught up) before the first command, whose answer
  // is awaited for a few seconds only.
  await deps.analytics.read(async () => undefined);
});
afterAll(async () => {
  await t.stop();
});

const text = (m: { text: string; blocks?: unknown[] }) => JSON.stringify(m.blocks ?? m.text);

describe('/trustops copyright', () => {
  it('answers the cohort figures by claimant, with the false-positive rate by detection source', async () => {
    const reply = await t.command('copyright last 7d by:claimant', ANALYST);
    const json = text(reply);
    expect(reply.text).toContain('5 notices, 3 taken down, false-positive rate 66.7%');
    for (const s of [
      'Notices received*\\n5',
      'Complete / incomplete*\\n4 / 1',
      'Taken down*\\n3 (4 items)',
      'Rejected*\\n1',
      'median 3 h · p90 3 h',
      'Retractions*\\n1',
      'Counter-notices*\\n2',
      'false positive 1',
      'False-positive rate*\\n66.7% (2 of 3 taken down)',
      '*Northwind* — 2 notices · 2 taken down · 0 rejected · 2 counter-notices · false positives 50.0% (1)',
      '*Harbor* — 2 notices · 0 taken down · 1 rejected · 0 counter-notices · false positives — (0)',
      '*Lumen* — 1 notices · 1 taken down · 0 rejected · 0 counter-notices · false positives 100.0% (1)',
      'False-positive rate by detection source',
      'agent 50.0%',
      'automated agent —',
      'rights holder 100.0%',
      'Open disputes*: 1',
      'fig-cn-open on fig-1 — 5 business days to 2026-12-04',
      '"Export CSV"',
    ])
      expect(json).toContain(s);
  });

  it('by:surface counts each notice under the surfaces of its items', async () => {
    const json = text(await t.command('copyright last 7d by:surface', ANALYST));
    expect(json).toContain('*claude_ai* — 2 notices · 2 taken down');
    expect(json).toContain('*api* — 3 notices · 1 taken down · 1 rejected');
    expect(json).toContain('False-positive rate by claimant');
  });

  it('while the analytics copy is being built, first says how far it has come, then answers the figures', async () => {
    const build = simulateBuild(t.running.deps);
    try {
      const sent = await t.slack.command('copyright last 7d', { userId: ANALYST });
      const texts = () => t.emulator.responses(sent.responseUrl!).map((r) => (r.body as { text: string }).text);
      await waitUntil('the progress', async () => (texts().includes(BUILDING_NOTICE) ? true : undefined), 10_000);
      expect(texts().some((x) => x.includes('5 notices, 3 taken down'))).toBe(false);
      build.finish();
      await waitUntil('the figures', async () => (texts().at(-1)?.includes('5 notices, 3 taken down') ? true : undefined), 10_000);
    } finally {
      build.finish();
    }
  });

  it('says what is wrong with an option or a range', async () => {
    expect((await t.command('copyright last 7d by:vendor', ANALYST)).text).toContain('`by:vendor` is not a grouping');
    expect((await t.command('copyright last 7d color:red', ANALYST)).text).toContain('`color:red` is not an option');
    expect((await t.command('copyright next week', ANALYST)).text).toContain('is not a date range I understand');
  });

  it('refuses a viewer the figures and the Export CSV (repeat infringers, claimants), audited, nothing posted (review #4)', async () => {
    const posted = () => t.emulator.callsTo('chat.postMessage').length + t.emulator.callsTo('files.completeUploadExternal').length;
    // The notice cards leave the outbox in the background: count only once it is empty.
    expect((await settledAlerts(t, 0, 20_000)).every((s) => s === 'sent')).toBe(true);
    const before = posted();
    const refusedBefore = await t.db.prisma.auditEvent.count({ where: { action: 'access.refused', actor: VIEWER } });
    const reply = await t.command('copyright last 7d by:claimant', VIEWER);
    expect(reply.text).toContain('Only analysts can see the copyright figures; your role is viewer.');
    expect(reply.response_type).toBe('ephemeral');
    for (const secret of ['acct_f', 'Northwind', 'fig-cn-open']) expect(text(reply)).not.toContain(secret);
    // A button copied from an analyst's answer does not work for a viewer either.
    const click = await t.slack.blockAction({
      userId: VIEWER,
      actionId: 'copyright_figures_export',
      channelId: 'trustops-copyright',
      value: JSON.stringify({ q: 'last 7d by:claimant' }),
    });
    const [refused] = (await t.slack.waitForResponse(click.responseUrl!, 10_000)) as { text: string }[];
    expect(refused?.text).toContain('Only analysts can export copyright figures');
    expect(posted()).toBe(before);
    const audited = await t.db.prisma.auditEvent.findMany({ where: { action: 'access.refused', actor: VIEWER }, orderBy: { id: 'asc' } });
    expect(audited.slice(refusedBefore).map((a) => a.entityId)).toEqual(['see the copyright figures', 'export copyright figures']);
    // An analyst still gets them.
    expect((await t.command('copyright last 7d', ANALYST)).text).toContain('5 notices, 3 taken down');
  });

  it('Export CSV uploads the figures to the conversation', async () => {
    const sent = await t.slack.command('copyright last 7d by:sender_kind', { userId: ADMIN, channelId: 'trustops-copyright' });
    const [answer] = (await t.slack.waitForResponse(sent.responseUrl!, 5000)) as {
      blocks: { elements?: { action_id: string; value: string }[] }[];
    }[];
    const button = answer!.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'copyright_figures_export')!;
    const click = await t.slack.blockAction({
      userId: ADMIN,
      actionId: 'copyright_figures_export',
      channelId: 'trustops-copyright',
      value: button.value,
    });
    const [done] = (await t.slack.waitForResponse(click.responseUrl!, 10_000)) as { text: string }[];
    expect(done?.text).toContain('Uploaded trustops-copyright-2026-11-21_2026-11-27-by-sender_kind.csv');
    const upload = t.emulator.callsTo('files.completeUploadExternal').at(-1)!;
    const files = upload.args.files;
    const id = ((typeof files === 'string' ? JSON.parse(files) : files) as { id: string }[])[0]!.id;
    const csv = t.emulator.file(id)!.bytes!.toString('utf8').split('\r\n');
    expect(csv[0]).toMatch(/^group,key,notices,complete,incomplete,taken_down,rejected,items_taken_down,/);
    expect(csv[1]).toMatch(/^total,,5,4,1,3,1,4,3,3,2,0,0,1,0,1,2,0.6667$/);
    expect(csv.some((l) => l.startsWith('sender_kind,agent,2,2,0,2,0,3,'))).toBe(true);
    expect(csv.some((l) => l.startsWith('claimant,Lumen,1,1,0,1,0,1,'))).toBe(true);
  });
});
