import { fixedClock } from '../../src/clock';
import { ADMIN, startTestApp, type TestApp } from '../support/app';

const clock = fixedClock('2026-11-27T18:00:00Z');
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
  // A vendor queue on a business-hours calendar: Mon–Fri 09:00–17:00 Dublin time.
  const vendor = await t.db.prisma.vendor.create({ data: { key: 'dublin_mod', name: 'Dublin Moderation', timezone: 'Europe/Dublin' } });
  const calendar = await t.db.prisma.businessCalendar.create({
    data: {
      key: 'dublin_hours',
      timezone: 'Europe/Dublin',
      hours: Object.fromEntries(['1', '2', '3', '4', '5'].map((d) => [d, [['09:00', '17:00']]])),
      holidays: { create: [{ date: '2026-12-25', name: 'Christmas Day' }] },
    },
  });
  for (const key of ['eu_review', 'urgent']) {
    const queue = await t.db.prisma.queue.create({ data: { key, name: key, vendorId: vendor.id } });
    await t.db.prisma.slaPolicy.create({
      data: {
        queueId: queue.id,
        priority: 'normal',
        firstActionMinutes: 8 * 60,
        resolutionMinutes: 24 * 60,
        calendarId: calendar.id,
        effectiveFrom: new Date('2020-01-01'),
      },
    });
  }
});
afterAll(async () => {
  await t.stop();
});

let seq = 0;
const report = (over: Record<string, unknown> = {}) => ({
  external_id: `route-${++seq}`,
  surface: 'claude_ai',
  report_type: 'harmful_content',
  content_ref: `https://claude.ai/share/route-${seq}`,
  received_at: '2026-11-27T16:00:00Z',
  ...over,
});

describe('/trustops route', () => {
  it('lets an admin add rules; the first match by position wins, else the default queue', async () => {
    expect((await t.command('route add queue:eu_review language:de', ADMIN)).text).toContain('Added routing rule');
    expect((await t.command('route add queue:urgent priority:high type:harmful_content jurisdiction:de position:1', ADMIN)).text).toContain(
      '`type:harmful_content` `jurisdiction:DE` → queue `urgent`, priority high',
    );
    const list = await t.command('route list');
    expect(list.text).toBe('2 routing rules');
    expect(JSON.stringify(list.blocks)).toMatch(/position 1.*queue `urgent`.*position 10.*queue `eu_review`/);

    const both = await t.api('/api/v1/reports', report({ language: 'de-AT', jurisdiction: 'DE' }));
    expect(both.json).toMatchObject({ queue: 'urgent', priority: 'high' });
    const german = await t.api('/api/v1/reports', report({ language: 'de-AT' }));
    expect(german.json).toMatchObject({ queue: 'eu_review', priority: 'normal' });
    const other = await t.api('/api/v1/reports', report({ language: 'fr' }));
    expect(other.json).toMatchObject({ queue: 'default', priority: 'normal' });
  });

  it('gives due times on the queue’s business-hours calendar', async () => {
    // Friday 16:00 Dublin: 1 h left that day, then Monday; 24 open hours end on Wednesday 16:00.
    const res = await t.api('/api/v1/reports', report({ language: 'de' }));
    expect(res.json).toMatchObject({
      queue: 'eu_review',
      first_action_due_at: '2026-11-30T16:00:00.000Z',
      resolution_due_at: '2026-12-02T16:00:00.000Z',
    });
  });

  it('removes a rule, and says which rules exist when asked for a missing one', async () => {
    const rules = await t.db.prisma.routingRule.findMany({ orderBy: { position: 'asc' } });
    expect((await t.command(`route remove ${rules[0]!.id}`, ADMIN)).text).toContain(`Removed routing rule ${rules[0]!.id}`);
    expect((await t.api('/api/v1/reports', report({ language: 'de', jurisdiction: 'DE' }))).json.queue).toBe('eu_review');
    expect((await t.command('route remove 9999', ADMIN)).text).toContain('There is no routing rule 9999');
    const audit = await t.db.prisma.auditEvent.findMany({ where: { action: { in: ['route.add', 'route.remove'] } } });
    expect(audit.map((a) => a.action).sort()).toEqual(['route.add', 'route.add', 'route.remove']);
  });

  it.each([
    ['route add priority:high type:other', /needs `queue:&lt;queue&gt;`/],
    ['route add queue:nowhere type:other', /There is no queue `nowhere`. Known queues: copyright, default, eu_review, urgent/],
    ['route add queue:eu_review', /needs at least one of type:, surface:/],
    ['route add queue:eu_review priority:asap type:other', /priority must be one of low, normal, high, urgent/],
    ['route add queue:eu_review colour:red', /`colour:red` is not one of/],
    ['route add queue:eu_review type:gossip', /There is no type `gossip`. Known: copyright, harmful_content/],
    ['route remove first', /needs the rule id/],
  ])('explains %s', async (text, message) => {
    const reply = await t.command(text, ADMIN);
    expect(reply.text).toMatch(message);
    expect(reply.text).toContain('Try: /trustops route');
  });

  it('refuses a language or jurisdiction no report could carry, and stores no rule', async () => {
    const before = await t.db.prisma.routingRule.count();
    for (const [option, problem] of [
      ['language:en_US', '`language:` must be a BCP 47 language tag'],
      ['language:abc-de-fg', '`language:` must be a BCP 47 language tag'],
      ['jurisdiction:XX', '`jurisdiction:` must be an ISO 3166-1 alpha-2 country code'],
      ['jurisdiction:<!channel>', '`jurisdiction:` must be an ISO 3166-1 alpha-2 country code'],
    ]) {
      const answer = await t.command(`route add queue:eu_review ${option}`, ADMIN);
      expect(answer.text).toContain(problem);
      expect(answer.text).toContain('/trustops route add queue:');
    }
    expect(await t.db.prisma.routingRule.count()).toBe(before);
  });

  it('refuses a non-admin', async () => {
    expect((await t.command('route add queue:eu_review type:other', 'U0VIEWER2')).text).toContain('Only admins can change routing rules');
  });
});

describe('new surfaces and report types are data', () => {
  it('flow through intake and routing as soon as they are added, with no restart', async () => {
    const before = await t.api('/api/v1/reports', report({ surface: 'claude_desktop', report_type: 'deepfake' }));
    expect(before.status).toBe(400);
    expect((await t.command('surface add claude_desktop "Claude Desktop"', ADMIN)).text).toContain('Added surface `claude_desktop`');
    expect((await t.command('type add deepfake "Deep & fake <media>" urgent', ADMIN)).text).toContain(
      'Added report type `deepfake` (Deep &amp; fake &lt;media&gt;), urgent',
    );
    expect((await t.command('type list')).text).toContain('deepfake');
    await t.command('route add queue:urgent type:deepfake surface:claude_desktop', ADMIN);

    const res = await t.api('/api/v1/reports', report({ surface: 'claude_desktop', report_type: 'deepfake' }));
    expect(res.status).toBe(201);
    expect(res.json.queue).toBe('urgent');
    // Added as urgent: its first case posts a triage card.
    await t.emulator.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes(`#${res.json.case_id}`), 5000);
  });

  it('explains type mistakes with an example', async () => {
    expect((await t.command('type add Bad-Key "x"', ADMIN)).text).toMatch(/not a valid type key[\s\S]*Try: \/trustops type add deepfake/);
    expect((await t.command('type add deepfake "again"', ADMIN)).text).toContain('already exists');
    expect((await t.command('type add solo', ADMIN)).text).toContain('needs a key and a display name');
  });
});
