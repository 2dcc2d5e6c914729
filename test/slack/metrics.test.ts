import { Client } from 'pg';
import { fixedClock } from '../../src/clock';
import { BUILDING_NOTICE, simulateBuild } from '../support/analytics';
import { ADMIN, startTestApp, type TestApp } from '../support/app';
import { databaseUrl } from '../support/postgres';
import { waitUntil } from '../support/process';

// Friday 2026-11-27, noon UTC. The data: three reports on two surfaces, two decisions.
const clock = fixedClock('2026-11-27T12:00:00Z');
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
  const report = (id: string, surface: string, at: string) =>
    t.api('/api/v1/reports', {
      external_id: id,
      surface,
      report_type: 'harmful_content',
      category: 'hate_speech',
      content_ref: `https://example.com/${id}`,
      received_at: at,
    });
  const a = await report('m-1', 'claude_ai', '2026-11-25T09:00:00Z');
  await report('m-2', 'claude_ai', '2026-11-26T09:00:00Z');
  await report('m-3', 'api', '2026-11-26T10:00:00Z');
  const decide = (id: string, caseId: number, action: string, at: string, automated = false) =>
    t.api('/api/v1/decisions', { external_id: id, case_id: caseId, action, policy: 'hate_speech', decided_at: at, automated });
  expect((await decide('d-1', a.json.case_id, 'content_removed', '2026-11-25T10:00:00Z')).status).toBe(201);
  const b = await t.db.prisma.report.findUniqueOrThrow({ where: { externalId: 'm-3' } });
  expect((await decide('d-2', b.caseId!, 'no_violation', '2026-11-26T14:00:00Z', true)).status).toBe(201);
});
afterAll(async () => {
  await t.stop();
});

const blocksOf = (reply: { blocks?: unknown[] }) => JSON.stringify(reply.blocks);

describe('/trustops metrics', () => {
  it('answers the figures for a range, with Export CSV and Post to channel', async () => {
    const reply = await t.command('metrics last 7d');
    const json = blocksOf(reply);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain('3 reports, 2 decisions, action rate 50.0 %');
    for (const s of [
      '*Reports received*\\n3',
      '*Decisions*\\n2',
      '*Automated share*\\n50.0 % (1 automated, 1 human)',
      'content_removed 1',
      'no_violation 1',
    ])
      expect(json).toContain(s);
    expect(json).toContain('"Export CSV"');
    expect(json).toContain('"Post to channel"');
    expect(json).not.toContain('NaN');
  });

  it('shows "—", never NaN, for an empty range', async () => {
    const reply = await t.command('metrics 2026-10');
    expect(blocksOf(reply)).toContain('*Action rate*\\n—');
    expect(blocksOf(reply)).not.toContain('NaN');
  });

  it('groups by a dimension', async () => {
    const json = blocksOf(await t.command('metrics last 7d by:surface'));
    expect(json).toContain('*By surface*');
    expect(json).toMatch(/\*claude_ai\* — 2 reports · 1 decisions/);
    expect(json).toMatch(/\*api\* — 1 reports · 1 decisions/);
  });

  it.each([
    ['metrics', 'Say which dates'],
    ['metrics last week', '`last week` is not a date range I understand'],
    ['metrics 2026-12', 'starts in the future'],
    ['metrics last 7d surface:nowhere', 'Unknown surface `nowhere`'],
    ['metrics last 7d by:colour', 'colour'],
    ['metrics last 7d tz:Mars/Olympus', '`Mars/Olympus` is not a time zone'],
    ['metrics last 7d colour:red', '`colour:red` is not an option'],
  ])('%s ⇒ an ephemeral explanation with an example', async (text, message) => {
    const reply = await t.command(text);
    expect(reply.text).toContain(message);
    expect(reply.text).toMatch(/Try: \/trustops metrics /);
  });

  it('Export CSV uploads the figures as a file to the conversation', async () => {
    const sent = await t.slack.command('metrics last 7d by:surface', { userId: ADMIN, channelId: 'trustops-sla' });
    const [answer] = (await t.slack.waitForResponse(sent.responseUrl!, 5000)) as {
      blocks: { elements?: { action_id: string; value: string }[] }[];
    }[];
    const button = answer!.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'metrics_export')!;
    const click = await t.slack.blockAction({ userId: ADMIN, actionId: 'metrics_export', channelId: 'trustops-sla', value: button.value });
    const [done] = (await t.slack.waitForResponse(click.responseUrl!, 10_000)) as { text: string }[];
    expect(done?.text).toContain('Uploaded trustops-metrics-2026-11-21_2026-11-27-by-surface.csv (6 rows');
    const upload = t.emulator.callsTo('files.completeUploadExternal').at(-1)!;
    const fileId = upload.args.files as { id: string }[] | string as unknown;
    const id = typeof fileId === 'string' ? (JSON.parse(fileId) as { id: string }[])[0]!.id : (fileId as { id: string }[])[0]!.id;
    const csv = t.emulator.file(id)!.bytes!.toString('utf8').split('\r\n');
    expect(csv[0]).toMatch(/^group,reports_received,decisions,cases_decided,action_rate,/);
    expect(csv[1]).toMatch(/^total,3,2,2,0.5,/);
    expect(csv.some((l) => l.startsWith('surface:claude_ai,2,1,'))).toBe(true);
  });

  it('Post to channel shares the figures without the buttons', async () => {
    const sent = await t.slack.command('metrics last 7d', { userId: ADMIN, channelId: 'trustops-sla' });
    const [answer] = (await t.slack.waitForResponse(sent.responseUrl!, 5000)) as {
      blocks: { elements?: { action_id: string; value: string }[] }[];
    }[];
    const button = answer!.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'metrics_post')!;
    await t.slack.blockAction({ userId: ADMIN, actionId: 'metrics_post', channelId: 'trustops-sla', value: button.value });
    const posted = await waitUntil(
      'the shared figures',
      async () => t.emulator.messages('trustops-sla').find((m) => m.text?.startsWith('Enforcement metrics')),
      5000,
    );
    expect(JSON.stringify(posted.blocks)).toContain(`Shared by <@${ADMIN}>`);
    expect(JSON.stringify(posted.blocks)).not.toContain('metrics_export');
  });
});

describe('/trustops export', () => {
  it('uploads the metrics CSV to the conversation it was asked from', async () => {
    const reply = await t.command('export metrics 2026-11-01..2026-11-30', ADMIN);
    expect(reply.text).toContain('Uploaded trustops-metrics-2026-11-01_2026-11-30.csv (1 rows');
  });

  /** The files the last completed upload shared, by name. */
  const uploaded = (name: RegExp) => {
    const call = t.emulator.callsTo('files.completeUploadExternal').filter((c) => {
      const files = typeof c.args.files === 'string' ? JSON.parse(c.args.files) : c.args.files;
      return name.test(t.emulator.file((files as { id: string }[])[0]!.id)?.name ?? '');
    });
    const files = call.at(-1)!.args.files;
    const id = ((typeof files === 'string' ? JSON.parse(files) : files) as { id: string }[])[0]!.id;
    return t.emulator.file(id)!.bytes!.toString('utf8');
  };

  it('dsa: the transparency aggregates as CSV and JSON', async () => {
    const reply = await t.command('export dsa 2026-11', ADMIN);
    expect(reply.text).toMatch(
      /Uploaded trustops-dsa-2026-11-01_2026-11-30\.csv \(\d+ rows, .*\) and trustops-dsa-2026-11-01_2026-11-30\.json \(\d+ (KB|B)\)/,
    );
    expect(uploaded(/^trustops-dsa-.*\.csv$/).split('\r\n')[0]).toBe('section,metric,dimension,key,value');
    const json = JSON.parse(uploaded(/^trustops-dsa-.*\.json$/));
    expect(json).toHaveProperty('notices');
    expect(JSON.stringify(json)).not.toContain('NaN');
  });

  it('decisions: one CSV row per decision, and a statement of reasons for each restriction', async () => {
    const reply = await t.command('export decisions last 7d', ADMIN);
    expect(reply.text).toContain('trustops-decisions-2026-11-21_2026-11-27.csv (2 rows');
    expect(reply.text).toContain('trustops-statements-of-reasons-2026-11-21_2026-11-27.jsonl (1 records');
    const csv = uploaded(/^trustops-decisions-/).split('\r\n');
    expect(csv).toHaveLength(4); // header, two decisions, the final CRLF
    const [sor] = uploaded(/^trustops-statements-of-reasons-/)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(sor).toMatchObject({
      decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
      decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
    });
    expect(JSON.stringify(sor)).not.toContain('example.com');
  });

  it('refuses filters on the DSA read-outs, which cover the whole service', async () => {
    const reply = await t.command('export dsa 2026-11 surface:api', ADMIN);
    expect(reply.text).toContain('filters and `by:` apply to `metrics` only');
  });

  it('names what it cannot export, with an example', async () => {
    const reply = await t.command('export pies 2026-Q3');
    expect(reply.text).toContain('`pies` is not an export: use `metrics`, `dsa`, `decisions`.');
    expect(reply.text).toContain('Try: /trustops export dsa 2026-H1');
  });
});

describe('App Home', () => {
  it("shows today's and the last 7 days' headline figures when opened", async () => {
    await t.slack.event({ type: 'app_home_opened', user: 'U0VIEWER1', channel: 'D0VIEWER1', tab: 'home' });
    const home = await waitUntil('the home view', async () => t.emulator.homeView('U0VIEWER1'), 5000);
    const json = JSON.stringify(home.blocks);
    expect(json).toContain('Enforcement at a glance');
    expect(json).toContain('*Today*\\n0 reports · 0 decisions\\naction rate — · time to action —');
    expect(json).toContain('*Last 7 days*\\n3 reports · 2 decisions\\naction rate 50.0 %');
  });
});

describe("Slack's 3-second rule", () => {
  it('acks at once, says "working…" when the look-up is slow, then replaces it with the figures', async () => {
    // Hold the surfaces table, which a surface filter is checked against, so the look-up has to wait, as a
    // slow database would make it.
    const blocker = new Client({ connectionString: databaseUrl(t.db.name) });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE surfaces IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const sent = await t.slack.command('metrics last 7d surface:claude_ai', { userId: ADMIN });
      expect(sent.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1000);
      await waitUntil('the working message', async () => (t.emulator.responses(sent.responseUrl!).length ? true : undefined), 5000);
      await blocker.query('ROLLBACK');
      const answers = await waitUntil(
        'the figures',
        async () => {
          const all = t.emulator.responses(sent.responseUrl!).map((r) => r.body as { text: string; replace_original?: boolean });
          return all.length >= 2 ? all : undefined;
        },
        10_000,
      );
      expect(answers[0]?.text).toBe('⏳ Working on it…');
      expect(answers.at(-1)).toMatchObject({ replace_original: true });
      expect(answers.at(-1)?.text).toContain('Enforcement metrics');
    } finally {
      await blocker.end();
    }
  });
});

describe('while the analytics copy is being built', () => {
  /** Makes the app's copy look mid-build (42 % of 10 M decisions) until `finish` is called; reads wait for it. */
  const building = () => simulateBuild(t.running.deps);
  const PROGRESS = BUILDING_NOTICE;
  const texts = (responseUrl: string) => t.emulator.responses(responseUrl).map((r) => (r.body as { text: string }).text);

  it('a look-up first says how far the build has come, then answers the figures', async () => {
    const build = building();
    try {
      const sent = await t.slack.command('metrics last 7d', { userId: ADMIN });
      await waitUntil('the progress', async () => (texts(sent.responseUrl!).includes(PROGRESS) ? true : undefined), 5000);
      // The progress is the first answer: no "working…" placeholder before it.
      expect(texts(sent.responseUrl!)[0]).toBe(PROGRESS);
      expect(texts(sent.responseUrl!).some((text) => text.includes('Enforcement metrics'))).toBe(false);
      build.finish();
      const answers = await waitUntil(
        'the figures',
        async () => {
          const all = t.emulator.responses(sent.responseUrl!).map((r) => r.body as { text: string; replace_original?: boolean });
          return all.at(-1)?.text.includes('Enforcement metrics') ? all : undefined;
        },
        10_000,
      );
      expect(answers.at(-1)).toMatchObject({ replace_original: true });
      expect(answers.at(-1)?.text).toContain('3 reports, 2 decisions');
    } finally {
      build.finish();
    }
  });

  it('an export first says how far the build has come, then uploads', async () => {
    const build = building();
    try {
      const sent = await t.slack.command('export metrics 2026-11-01..2026-11-30', { userId: ADMIN });
      await waitUntil('the progress', async () => (texts(sent.responseUrl!).includes(PROGRESS) ? true : undefined), 5000);
      expect(texts(sent.responseUrl!).some((text) => text.includes('Uploaded'))).toBe(false);
      build.finish();
      await waitUntil(
        'the upload',
        async () => (texts(sent.responseUrl!).at(-1)?.includes('Uploaded trustops-metrics-2026-11-01_2026-11-30.csv') ? true : undefined),
        10_000,
      );
    } finally {
      build.finish();
    }
  });

  it('a metrics button answers the progress beside the figures, then does what it was clicked for', async () => {
    const sent = await t.slack.command('metrics last 7d', { userId: ADMIN, channelId: 'trustops-sla' });
    const [answer] = (await t.slack.waitForResponse(sent.responseUrl!, 5000)) as {
      blocks: { elements?: { action_id: string; value: string }[] }[];
    }[];
    const button = answer!.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'metrics_post')!;
    const build = building();
    try {
      const shared = () => t.emulator.messages('trustops-sla').filter((m) => m.text?.startsWith('Enforcement metrics')).length;
      const before = shared();
      const click = await t.slack.blockAction({ userId: ADMIN, actionId: 'metrics_post', channelId: 'trustops-sla', value: button.value });
      await waitUntil('the progress', async () => (texts(click.responseUrl!)[0] === PROGRESS ? true : undefined), 5000);
      expect(t.emulator.responses(click.responseUrl!)[0]?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
      expect(shared()).toBe(before);
      build.finish();
      await waitUntil('the shared figures', async () => (shared() > before ? true : undefined), 10_000);
    } finally {
      build.finish();
    }
  });

  it('App Home shows at once without the figures, then again with them', async () => {
    const build = building();
    try {
      await t.slack.event({ type: 'app_home_opened', user: 'U0VIEWER2', channel: 'D0VIEWER2', tab: 'home' });
      const first = await waitUntil('the home view', async () => t.emulator.homeView('U0VIEWER2'), 5000);
      expect(JSON.stringify(first.blocks)).toContain('Surfaces tracked');
      expect(JSON.stringify(first.blocks)).not.toContain('Enforcement at a glance');
      build.finish();
      const second = await waitUntil(
        'the figures in App Home',
        async () => {
          const view = t.emulator.homeView('U0VIEWER2');
          return JSON.stringify(view?.blocks).includes('Enforcement at a glance') ? view : undefined;
        },
        10_000,
      );
      expect(JSON.stringify(second!.blocks)).toContain('*Last 7 days*\\n3 reports · 2 decisions');
    } finally {
      build.finish();
    }
  });
});

describe('/trustops dsa map', () => {
  it('lists the mapping, lets an admin change it (audited), and refuses others', async () => {
    const list = await t.command('dsa map');
    expect(JSON.stringify(list.blocks)).toContain('`hate_speech` → ILLEGAL_OR_HARMFUL_SPEECH');
    const refused = await t.command('dsa map hate_speech CYBER_VIOLENCE incompatible', 'U0VIEWER1');
    expect(refused.text).toContain('Only admins can change the DSA category mapping');
    const changed = await t.command('dsa map hate_speech CYBER_VIOLENCE incompatible', ADMIN);
    expect(changed.text).toContain('Policy `hate_speech` is now reported as STATEMENT_CATEGORY_CYBER_VIOLENCE');
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'dsa_mapping.set', entityId: 'hate_speech' } })).toBe(1);
    const bad = await t.command('dsa map hate_speech NOT_A_CATEGORY incompatible', ADMIN);
    expect(bad.text).toContain('NOT_A_CATEGORY');
  });
});
