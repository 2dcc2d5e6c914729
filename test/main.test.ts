import { randomBytes } from 'node:crypto';
import { SlackEmulator } from '../src/sandbox/emulator';
import { SignedSlackClient } from '../src/sandbox/slack-client';
import { createTestDatabase, type TestDatabase } from './support/database';
import { freePort, startMain, waitHealthy } from './support/process';

describe('npm start', () => {
  it('stops with one line naming a bad variable, and exit code 1', async () => {
    const run = startMain({ PORT: 'eighty' });
    expect(await run.exited).toBe(1);
    expect(run.stderr().trim()).toBe('configuration error: PORT: Invalid input: expected number, received NaN (got "eighty")');
  });

  it('stops with one clear line when the database cannot be reached', async () => {
    const run = startMain({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/trustops' });
    expect(await run.exited).toBe(1);
    const lines = run.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^TrustOps could not start: cannot reach the database \(127\.0\.0\.1:1\/trustops\)/);
  });

  describe('in HTTP mode against a Slack API', () => {
    let db: TestDatabase;
    let emulator: SlackEmulator;
    beforeAll(async () => {
      db = await createTestDatabase();
      emulator = await SlackEmulator.start();
    });
    afterAll(async () => {
      await emulator.stop();
      await db.drop();
    });

    it('serves signed commands, keeps secrets out of its logs, and stops cleanly on SIGTERM', async () => {
      const port = await freePort();
      const signingSecret = randomBytes(16).toString('hex');
      const run = startMain({
        PORT: String(port),
        DATABASE_URL: db.url,
        TRUSTOPS_MIGRATE_ON_START: 'false',
        SLACK_BOT_TOKEN: emulator.botToken,
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_API_URL: emulator.apiUrl,
        TRUSTOPS_ADMINS: 'U0ALICE',
        LOG_LEVEL: 'debug',
      });
      try {
        expect(await waitHealthy(port, 30_000).catch((e) => `${e.message}\n${run.stdout()}${run.stderr()}`)).toEqual({
          status: 'ok',
          db: 'ok',
        });
        const slack = new SignedSlackClient({ botUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret, emulator });
        const sent = await slack.command('help', { userId: 'U0ALICE' });
        expect(sent.status).toBe(200);
        const [reply] = (await slack.waitForResponse(sent.responseUrl!, 5000)) as { text: string }[];
        expect(reply?.text).toContain('TrustOps commands');
        expect(await db.prisma.roleAssignment.findUnique({ where: { slackId: 'U0ALICE' } })).toMatchObject({ role: 'admin' });
      } finally {
        run.child.kill('SIGTERM');
      }
      expect(await run.exited).toBe(0);
      const logs = run.stdout() + run.stderr();
      expect(logs).toContain('TrustOps is listening');
      expect(logs).not.toContain(signingSecret);
      expect(logs).not.toContain(emulator.botToken);
    });
  });
});
