import { runningClock } from '../../src/clock';
import { ADMIN, startTestApp, type TestApp } from '../support/app';
import { facts } from '../support/facts';

// Commands through signed requests to the real app and its emulator: `digest schedule|preview`, `vendor`,
// `queue set`. "Now" is Dec 2, 14:00 UTC; acme is in New York.
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock: runningClock('2026-12-02T14:00:00Z') });
  const db = t.db.prisma;
  const f = facts(db);
  const calendar = await db.businessCalendar.findUniqueOrThrow({ where: { key: 'always_open' } });
  for (const key of ['acme', 'beta']) await f.vendorQueue(key, { firstActionMinutes: 60, resolutionMinutes: 240, calendarId: calendar.id });
  await db.vendor.update({ where: { key: 'acme' }, data: { name: 'Acme Review', timezone: 'America/New_York' } });
  await db.vendor.update({ where: { key: 'beta' }, data: { slackChannel: 'beta-ops' } });
  t.emulator.addChannel('acme-ops');
  // acme on Nov 30 and Dec 1 (New York): a case each day, decided within its targets; one left open.
  await f.openCase('a1', '2026-11-30T15:00:00Z', { queue: 'acme', firstAction: '2026-11-30T15:10:00Z', resolved: '2026-11-30T15:10:00Z' });
  await f.decide('d1', 'a1', '2026-11-30T15:10:00Z', 'content_removed', 'hate', false);
  await f.openCase('a2', '2026-12-01T15:00:00Z', { queue: 'acme', firstAction: '2026-12-01T15:30:00Z', resolved: '2026-12-01T15:30:00Z' });
  await f.decide('d2', 'a2', '2026-12-01T15:30:00Z', 'no_violation', 'hate', false);
  await f.openCase('a3', '2026-12-01T18:00:00Z', { queue: 'acme' });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

const blocks = (reply: { text: string; blocks?: unknown[] }) => `${reply.text}\n${JSON.stringify(reply.blocks ?? [])}`;

describe('/trustops digest schedule', () => {
  it("sets a vendor's time, zone, channel and quiet-day setting (admins), audited", async () => {
    const reply = await t.command('digest schedule acme 08:15 <#C0ACME|acme-ops> tz:America/Chicago quiet:none', ADMIN);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain("acme's digest goes out daily at 08:15 America/Chicago to <#C0ACME>");
    const acme = await t.db.prisma.vendor.findUniqueOrThrow({ where: { key: 'acme' } });
    expect(acme).toMatchObject({ digestTime: '08:15', timezone: 'America/Chicago', slackChannel: 'C0ACME', digestQuiet: 'none' });
    const audit = await t.db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'digest.schedule' } });
    expect(audit).toMatchObject({
      actor: ADMIN,
      before: expect.objectContaining({ time: '09:00' }),
      after: expect.objectContaining({ time: '08:15' }),
    });
    // Put back for the other tests.
    await t.db.prisma.vendor.update({
      where: { key: 'acme' },
      data: { timezone: 'America/New_York', slackChannel: null, digestQuiet: 'one_line' },
    });
  });

  it('refuses a viewer, saying who can', async () => {
    const reply = await t.command('digest schedule acme 08:15', 'U0VIEWER1');
    expect(reply.text).toMatch(/admin/i);
    expect((await t.db.prisma.vendor.findUniqueOrThrow({ where: { key: 'acme' } })).digestTime).toBe('08:15');
  });

  it.each([
    ['digest schedule acme 8am', '`8am` is not a time of day: write it HH:MM'],
    ['digest schedule acme 24:00', '`24:00` is not a time of day'],
    ['digest schedule nobody 08:00', 'There is no vendor `nobody`. Vendors:'],
    ['digest schedule acme', '`digest schedule` needs a vendor and a time'],
    ['digest schedule acme 08:00 acme-ops', '`acme-ops` is not a channel'],
    ['digest schedule acme 08:00 #beta-ops', "That channel already gets beta's digest"],
    ['digest schedule acme 08:00 #vendor-ops', 'The vendor-ops channel gets the overview'],
    ['digest schedule acme 08:00 tz:Mars/Base', '`Mars/Base` is not a known time zone'],
    ['digest schedule acme 08:00 quiet:loud', '`quiet:loud` is not a quiet-day setting'],
    ['digest schedule acme 08:00 when:now', '`when:` is not an option here'],
    ['digest send acme', '`digest send` is not a digest command: use `schedule` or `preview`'],
  ])('answers `%s` with what is wrong and a correct example', async (text, problem) => {
    const reply = await t.command(text, ADMIN);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain(problem);
    expect(reply.text).toContain('/trustops digest schedule acme 08:30 #acme-ops');
  });
});

describe('/trustops digest preview', () => {
  it('shows the digest of the previous local day as it would be sent, only to the asker, recording nothing', async () => {
    const counts = async () => [
      await t.db.prisma.alert.count(),
      await t.db.prisma.digestLedger.count(),
      await t.db.prisma.auditEvent.count({ where: { action: { startsWith: 'digest' } } }),
    ];
    const before = await counts();
    const reply = await t.command('digest preview acme', 'U0VIEWER1');
    expect(reply.response_type).toBe('ephemeral');
    expect(blocks(reply)).toContain('Preview only');
    expect(blocks(reply)).toContain('Daily digest — Acme Review — 2026-12-01');
    expect(reply.text).toContain('Digest for Acme Review, 2026-12-01: 1 decisions');
    expect(await counts()).toEqual(before);
    expect(t.emulator.allMessages().filter((m) => m.text.includes('Acme Review'))).toEqual([]);
  });

  it('takes a date, and refuses one not begun yet or not a date', async () => {
    expect((await t.command('digest preview acme 2026-11-30')).text).toContain('2026-11-30: 1 decisions');
    expect((await t.command('digest preview acme 2026-12-05')).text).toContain('2026-12-05 has not begun yet in America/New_York');
    expect((await t.command('digest preview acme yesterday')).text).toContain('`yesterday` is not a date: write it YYYY-MM-DD');
  });
});

describe('/trustops vendor', () => {
  it('gives the scorecard over a range and uploads its 30-day chart to the conversation', async () => {
    const sent = await t.slack.command('vendor acme 2026-11-30..2026-12-01', { userId: 'U0VIEWER1', channelId: 'C0GENERAL' });
    const [reply] = (await t.slack.waitForResponse(sent.responseUrl!, 20_000)) as { text: string; blocks?: unknown[] }[];
    expect(blocks(reply!)).toContain('Scorecard — Acme Review — 2026-11-30 to 2026-12-01');
    expect(reply!.text).toContain('2 decisions');
    expect(blocks(reply!)).toContain('is uploaded to this conversation');
    const posted = t.emulator.messages('C0GENERAL').find((m) => m.files?.length);
    const file = t.emulator.file((posted!.files![0] as { id: string }).id);
    expect(file?.name).toBe('digest-acme-2026-12-01.png');
    expect(file?.bytes?.subarray(0, 8).equals(PNG)).toBe(true);
  }, 30_000);

  // Review #10: a vendor channel may be shared with that vendor (Slack Connect); another vendor's chart
  // must never land there, nor in any conversation shared outside the workspace.
  const uploads = () => t.emulator.callsTo('files.getUploadURLExternal').length;
  const chartsIn = (channel: string) => t.emulator.messages(channel).filter((m) => m.files?.length).length;

  it("posts no chart of acme in beta's channel: the figures only to the asker, and why", async () => {
    const channel = t.emulator.addChannel('beta-ops');
    const before = uploads();
    const sent = await t.slack.command('vendor acme 2026-11-30..2026-12-01', { userId: 'U0VIEWER1', channelId: channel.id });
    const [reply] = (await t.slack.waitForResponse(sent.responseUrl!, 20_000)) as {
      text: string;
      response_type?: string;
      blocks?: unknown[];
    }[];
    expect(reply!.response_type).toBe('ephemeral');
    expect(blocks(reply!)).toContain("The 30-day chart is not posted here: this is beta's digest channel");
    expect(blocks(reply!)).toContain('in a direct message with the bot');
    expect(uploads()).toBe(before);
    expect(t.emulator.messages(channel.id)).toHaveLength(0);
  }, 30_000);

  it('posts no chart in a channel shared outside the workspace that is no vendor channel', async () => {
    const channel = t.emulator.addChannel('partner-connect', { externallyShared: true });
    const before = uploads();
    const sent = await t.slack.command('vendor acme 2026-11-30..2026-12-01', { userId: 'U0VIEWER1', channelId: channel.id });
    const [reply] = (await t.slack.waitForResponse(sent.responseUrl!, 20_000)) as { text: string; blocks?: unknown[] }[];
    expect(blocks(reply!)).toContain('this conversation is shared outside the workspace (Slack Connect)');
    expect(uploads()).toBe(before);
    expect(chartsIn(channel.id)).toBe(0);
  }, 30_000);

  it("posts acme's own chart in acme's own (shared) channel, where its digest goes anyway", async () => {
    const channel = t.emulator.addChannel('acme-connect', { externallyShared: true });
    await t.db.prisma.vendor.update({ where: { key: 'acme' }, data: { slackChannel: channel.id } });
    try {
      const sent = await t.slack.command('vendor acme 2026-11-30..2026-12-01', { userId: 'U0VIEWER1', channelId: channel.id });
      const [reply] = (await t.slack.waitForResponse(sent.responseUrl!, 20_000)) as { text: string; blocks?: unknown[] }[];
      expect(blocks(reply!)).toContain('is uploaded to this conversation');
      expect(chartsIn(channel.id)).toBe(1);
    } finally {
      await t.db.prisma.vendor.update({ where: { key: 'acme' }, data: { slackChannel: null } });
    }
  }, 30_000);

  it('explains an unknown vendor or range with an example', async () => {
    expect((await t.command('vendor nobody')).text).toContain('There is no vendor `nobody`');
    const bad = await t.command('vendor acme fortnight');
    expect(bad.text).toContain('`fortnight` is not a date range I understand');
    expect(bad.text).toContain('/trustops vendor acme last 7d');
    expect((await t.command('vendor')).text).toContain('`vendor` needs a vendor key');
  });
});

describe('/trustops queue set', () => {
  it("sets a queue's minutes per case (admins), audited, and the digest reckons reviewer-hours with it", async () => {
    const reply = await t.command('queue set acme_q minutes:30', ADMIN);
    expect(reply.text).toContain('Queue `acme_q`: 30 reviewer minutes per case (was unset: 10 by default)');
    expect((await t.db.prisma.queue.findUniqueOrThrow({ where: { key: 'acme_q' } })).minutesPerCase).toBe(30);
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'queue.minutes_per_case', actor: ADMIN } })).toBe(1);
    // One case open at the end of Dec 1: 30 minutes = 0.5 reviewer-hours.
    expect(blocks(await t.command('digest preview acme'))).toContain('0.5 reviewer-hours needed');
  });

  it.each([
    ['queue set acme_q minutes:0', 'Minutes per case are a whole number from 1 to 480'],
    ['queue set acme_q minutes:ten', '`minutes:ten` is not a whole number of minutes'],
    ['queue set nowhere minutes:5', 'There is no queue `nowhere`'],
    ['queue set acme_q', '`queue set` needs a queue and `minutes:'],
    ['queue list', '`queue list` is not a queue command: use `set`'],
  ])('answers `%s` with what is wrong and a correct example', async (text, problem) => {
    const reply = await t.command(text, ADMIN);
    expect(reply.text).toContain(problem);
    expect(reply.text).toContain('/trustops queue set acme_general minutes:12');
  });

  it('refuses a viewer', async () => {
    const reply = await t.command('queue set acme_q minutes:5', 'U0VIEWER1');
    expect(reply.text).toMatch(/admin/i);
    expect((await t.db.prisma.queue.findUniqueOrThrow({ where: { key: 'acme_q' } })).minutesPerCase).toBe(30);
  });
});
