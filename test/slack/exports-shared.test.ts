import { ADMIN, startTestApp, type TestApp } from '../support/app';

// No export is uploaded to a conversation shared outside the workspace (Slack Connect): the files hold
// claimants, accounts and every vendor's figures, and a vendor or claimant may be a member there.
jest.setTimeout(60_000);
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

const uploads = () => t.emulator.callsTo('files.completeUploadExternal').length;

async function answers(text: string, channelId: string): Promise<string[]> {
  const sent = await t.slack.command(text, { userId: ADMIN, channelId });
  const replies = (await t.slack.waitForResponse(sent.responseUrl!, 10_000)) as { text: string }[];
  return replies.map((r) => r.text);
}

describe('exports and Slack Connect', () => {
  it.each([['export metrics 2026-11-01..2026-11-30'], ['export decisions 2026-11-01..2026-11-30']])(
    '`%s` in a channel shared with another organisation uploads nothing and says why',
    async (command) => {
      const shared = t.emulator.addChannel('vendor-connect', { externallyShared: true });
      const before = uploads();
      const [answer] = await answers(command, shared.id);
      expect(answer).toContain('shared outside the workspace (Slack Connect), so no export is uploaded here');
      expect(uploads()).toBe(before);
    },
  );

  it('the same export in an internal channel is uploaded', async () => {
    const internal = t.emulator.addChannel('trust-internal');
    const before = uploads();
    const sent = await t.slack.command('export metrics 2026-11-01..2026-11-30', { userId: ADMIN, channelId: internal.id });
    const replies = (await t.slack.waitForResponse(sent.responseUrl!, 10_000)) as { text: string }[];
    expect(replies.at(-1)?.text).toContain('Uploaded trustops-metrics-2026-11-01_2026-11-30.csv');
    expect(uploads()).toBe(before + 1);
    expect(t.emulator.callsTo('files.completeUploadExternal').at(-1)!.args.channel_id).toBe(internal.id);
  });

  it('the copyright figures’ Export CSV is refused in a shared channel too', async () => {
    const shared = t.emulator.addChannel('claimant-connect', { externallyShared: true });
    const before = uploads();
    const click = await t.slack.blockAction({
      userId: ADMIN,
      actionId: 'copyright_figures_export',
      channelId: shared.id,
      value: JSON.stringify({ q: 'last 7d by:claimant' }),
    });
    const [refused] = (await t.slack.waitForResponse(click.responseUrl!, 10_000)) as { text: string }[];
    expect(refused?.text).toContain('shared outside the workspace (Slack Connect)');
    expect(uploads()).toBe(before);
  });
});
