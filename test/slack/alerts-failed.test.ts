import { enqueueAlerts } from '../../src/domain/alerts/outbox';
import { ActionId } from '../../src/slack/ids';
import { ALERT_EVENT_TYPE } from '../../src/slack/notifier';
import { triageAlerts } from '../support/alerts';
import { ADMIN, startTestApp, type TestApp } from '../support/app';
import { waitUntil } from '../support/process';

const ANALYST = 'U0ANALYST1';
const VIEWER = 'U0VIEWER1';
// The bot was configured with a channel Slack does not have (yet): its alerts fail with channel_not_found.
const CHANNEL = 'ops-late';

let t: TestApp;
let failedId: number;
beforeAll(async () => {
  t = await startTestApp({ env: { TRUSTOPS_DEFAULT_ROLE: 'viewer' } });
  await t.command(`role <@${ANALYST}> analyst`, ADMIN);
  await t.db.prisma.$transaction((tx) => enqueueAlerts(tx, triageAlerts(1, [CHANNEL], 'alerts-failed'), new Date()));
  t.running.delivery.kick();
  const row = await waitUntil(
    'the alert to fail',
    async () => {
      const a = await t.db.prisma.alert.findFirst({ where: { channel: CHANNEL } });
      return a?.status === 'failed' ? a : undefined;
    },
    10_000,
  );
  expect(row.lastError).toBe('channel_not_found');
  failedId = row.id;
});
afterAll(async () => {
  await t.stop();
});

type Answer = { text: string; blocks?: { type: string; text?: { text: string }; accessory?: { action_id: string; value: string } }[] };
const list = (userId: string) => t.command('alerts failed', userId) as Promise<Answer>;
const retryButtons = (a: Answer) => (a.blocks ?? []).flatMap((b) => (b.accessory?.action_id === ActionId.alertRetry ? [b.accessory] : []));

async function clickRetry(userId: string, alertId: number): Promise<string> {
  const res = await t.slack.blockAction({
    userId,
    actionId: ActionId.alertRetry,
    value: JSON.stringify({ alertId }),
    channelId: 'C0GENERAL',
  });
  expect(res.status).toBe(200);
  const [answer] = (await t.slack.waitForResponse(res.responseUrl!, 5000)) as { text: string }[];
  return answer?.text ?? '';
}

describe('/trustops alerts failed', () => {
  it('shows an analyst each failed alert with where it was going and why, without Retry', async () => {
    const answer = await list(ANALYST);
    const json = JSON.stringify(answer.blocks);
    expect(json).toContain('Failed alerts (1)');
    expect(json).toContain(`*Alert ${failedId}* · triage to \`${CHANNEL}\` · case #1`);
    expect(json).toContain('channel_not_found');
    expect(retryButtons(answer)).toEqual([]);
  });

  it('refuses a viewer, and says what the command takes', async () => {
    expect((await list(VIEWER)).text).toMatch(/^Only analysts can see failed alerts; your role is viewer\./);
    expect((await t.command('alerts', ANALYST)).text).toBe('`alerts` has one command: `failed`. Try: /trustops alerts failed');
  });

  it('gives an admin Retry; a Retry by anyone else is refused and changes nothing', async () => {
    expect(retryButtons(await list(ADMIN))).toEqual(
      [{ action_id: ActionId.alertRetry, value: JSON.stringify({ alertId: failedId }) }].map(expect.objectContaining),
    );
    expect(await clickRetry(ANALYST, failedId)).toMatch(/^Only admins can retry failed alerts; your role is analyst\./);
    expect(await t.db.prisma.alert.findUniqueOrThrow({ where: { id: failedId } })).toMatchObject({
      status: 'failed',
      lastError: 'channel_not_found',
    });
  });

  it('once the cause is mended, an admin’s Retry queues the alert again (audited) and it is posted once; a second Retry is told so', async () => {
    t.emulator.addChannel(CHANNEL);
    expect(await clickRetry(ADMIN, failedId)).toBe(`Alert ${failedId} is queued again for \`${CHANNEL}\`.`);
    const sent = await waitUntil(
      'the alert to be sent',
      async () => {
        const a = await t.db.prisma.alert.findUniqueOrThrow({ where: { id: failedId } });
        return a.status === 'sent' ? a : undefined;
      },
      10_000,
    );
    const posted = t.emulator.messages(CHANNEL);
    expect(
      posted.map((m) => [m.ts, (m.metadata as { event_type: string; event_payload: { alert_id: number } }).event_payload.alert_id]),
    ).toEqual([[sent.slackTs, failedId]]);
    expect(posted[0]?.metadata).toMatchObject({ event_type: ALERT_EVENT_TYPE });
    expect(
      await t.db.prisma.auditEvent.findMany({
        where: { action: 'alert.retry' },
        select: { actor: true, entityId: true, before: true, after: true },
      }),
    ).toEqual([
      {
        actor: ADMIN,
        entityId: String(failedId),
        before: { status: 'failed', lastError: 'channel_not_found' },
        after: { status: 'pending' },
      },
    ]);
    expect(await clickRetry(ADMIN, failedId)).toBe(`Alert ${failedId} is sent, not failed: there is nothing to retry.`);
    expect((await list(ADMIN)).text).toBe('No failed alerts: everything queued was delivered or is still on its way.');
  });

  it('answers a Retry that names no alert, or one that does not exist, plainly', async () => {
    const res = await t.slack.blockAction({ userId: ADMIN, actionId: ActionId.alertRetry, value: 'not json', channelId: 'C0GENERAL' });
    const [bad] = (await t.slack.waitForResponse(res.responseUrl!, 5000)) as { text: string }[];
    expect(bad?.text).toBe('That Retry button does not name an alert: list them again with `/trustops alerts failed`.');
    expect(await clickRetry(ADMIN, 999_999)).toBe('There is no alert 999999.');
  });
});
