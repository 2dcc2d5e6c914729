import { randomBytes } from 'node:crypto';
import { SlackEmulator } from '../src/sandbox/emulator';
import { SignedSlackClient } from '../src/sandbox/slack-client';
import { createTestDatabase, type TestDatabase } from './support/database';
import { freePort, type Started, startMain, waitHealthy, waitUntil } from './support/process';
import { accepts, externalAddresses, listeningAddresses } from './support/sockets';

/** Rows that say whether demo data went in: the demo vendor, and everything a seed fills. */
async function demoTrace(db: TestDatabase) {
  const prisma = db.prisma;
  return {
    vendors: (await prisma.vendor.findMany({ orderBy: { key: 'asc' } })).map((v) => v.key),
    reports: await prisma.report.count(),
    decisions: await prisma.decision.count(),
    roles: await prisma.roleAssignment.count(),
    audit: await prisma.auditEvent.count(),
  };
}

/** A report filed by real use: what a production database holds. */
async function fileRealReport(db: TestDatabase): Promise<void> {
  const surface = await db.prisma.surface.findUniqueOrThrow({ where: { key: 'claude_ai' } });
  const type = await db.prisma.reportType.findUniqueOrThrow({ where: { key: 'harmful_content' } });
  await db.prisma.report.create({
    data: {
      externalId: 'real-1',
      bodyHash: 'x',
      surfaceId: surface.id,
      reportTypeId: type.id,
      contentRef: 'https://example.com/c/1',
      receivedAt: new Date(),
    },
  });
}

describe('npm start', () => {
  it('stops with one line naming a bad variable, and exit code 1', async () => {
    const run = startMain({ PORT: 'eighty' });
    expect(await run.exited).toBe(1);
    expect(run.stderr().trim()).toBe('configuration error: PORT: Invalid input: expected number, received NaN (got "eighty")');
  });

  it('stops with one clear line when the database cannot be reached', async () => {
    const run = startMain({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/trustops', TRUSTOPS_SANDBOX: 'true' });
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

    // Regression: Bolt asked auth.test from its constructor; a refused token was an unhandled rejection
    // that ended the process with a stack trace.
    it('stops with one line when Slack refuses the bot token, without printing it', async () => {
      const token = `xoxb-${randomBytes(8).toString('hex')}-refused`;
      const run = startMain({
        PORT: String(await freePort()),
        DATABASE_URL: db.url,
        TRUSTOPS_MIGRATE_ON_START: 'false',
        SLACK_BOT_TOKEN: token,
        SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
        SLACK_API_URL: emulator.apiUrl,
      });
      expect(await run.exited).toBe(1);
      expect(run.stderr().trim().split('\n')).toEqual(['configuration error: SLACK_BOT_TOKEN: Slack refused the token (invalid_auth)']);
      expect(run.stdout() + run.stderr()).not.toContain(token);
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

    it("writes only JSON lines: the Slack client's warnings when Slack is unreachable go through the JSON logger, secrets redacted", async () => {
      const port = await freePort();
      const nowhere = await freePort();
      const intakeToken = randomBytes(16).toString('hex');
      const run = startMain({
        PORT: String(port),
        DATABASE_URL: db.url,
        TRUSTOPS_MIGRATE_ON_START: 'false',
        SLACK_BOT_TOKEN: emulator.botToken,
        SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
        // Nothing listens here: every Slack call fails at the network.
        SLACK_API_URL: `http://127.0.0.1:${nowhere}/api/`,
        TRUSTOPS_INTAKE_TOKEN: intakeToken,
      });
      try {
        await waitHealthy(port, 30_000);
        // An urgent report queues a triage card; delivering it finds Slack unreachable.
        const filed = await fetch(`http://127.0.0.1:${port}/api/v1/reports`, {
          method: 'POST',
          headers: { authorization: `Bearer ${intakeToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            external_id: 'unreachable-1',
            surface: 'mcp_directory',
            report_type: 'mcp_server',
            content_ref: 'https://example.com/mcp/1',
            mcp_server: { name: 'Demo', url: 'https://example.com/mcp', issue: 'other' },
          }),
        });
        expect(filed.status).toBe(201);
        await waitUntil('the Slack client warning', async () => (run.stdout().includes('http request failed') ? true : undefined), 20_000);
      } finally {
        run.child.kill('SIGTERM');
      }
      await run.exited;
      const lines = (run.stdout() + run.stderr()).split('\n').filter((l) => l.trim());
      const entries = lines.map((line) => {
        try {
          return JSON.parse(line) as { msg: string; source?: string; level: string };
        } catch {
          throw new Error(`not a JSON log line: ${line}`);
        }
      });
      expect(entries).toContainEqual(
        expect.objectContaining({ level: 'warn', source: 'slack', msg: expect.stringMatching(/^http request failed/) }),
      );
      expect(lines.join('\n')).not.toContain(intakeToken);
      expect(lines.join('\n')).not.toContain(emulator.botToken);
    }, 60_000);
  });

  describe('sandbox mode on a server database', () => {
    let db: TestDatabase;
    const runs: Started[] = [];
    const start = (env: Record<string, string>, script?: string) => {
      const run = startMain(env, script);
      runs.push(run);
      return run;
    };
    beforeEach(async () => {
      db = await createTestDatabase();
    });
    afterEach(async () => {
      for (const run of runs.splice(0)) run.child.kill('SIGKILL');
      await db.drop();
    });

    it('stops with one line naming TRUSTOPS_SANDBOX when DATABASE_URL is set with no Slack token, and writes nothing', async () => {
      const before = await demoTrace(db);
      const run = start({ PORT: String(await freePort()), DATABASE_URL: db.url });
      expect(await run.exited).toBe(1);
      expect(run.stderr().trim()).toBe(
        'configuration error: TRUSTOPS_SANDBOX: DATABASE_URL is set but SLACK_BOT_TOKEN is not; set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET for Slack mode, or TRUSTOPS_SANDBOX=true to run the sandbox on this database',
      );
      expect(before).toEqual({ vendors: ['default'], reports: 0, decisions: 0, roles: 0, audit: 0 });
      expect(await demoTrace(db)).toEqual(before);
    });

    it('with TRUSTOPS_SANDBOX=true, neither npm start nor npm run db:seed writes demo data into a database holding a real report', async () => {
      await fileRealReport(db);
      const before = await demoTrace(db);
      expect(before).toEqual({ vendors: ['default'], reports: 1, decisions: 0, roles: 0, audit: 0 });
      const refusal =
        'demo data not written: the database holds data that is not demo data (rows in reports); demo data goes only into a new, empty database';

      const sandbox = start({
        PORT: String(await freePort()),
        DATABASE_URL: db.url,
        TRUSTOPS_SANDBOX: 'true',
        TRUSTOPS_MIGRATE_ON_START: 'false',
      });
      expect(await sandbox.exited).toBe(1);
      expect(sandbox.stderr().trim()).toBe(`TrustOps could not start: ${refusal}`);
      expect(sandbox.stdout()).not.toContain('Slack emulator');

      const seed = start({ DATABASE_URL: db.url }, 'src/cli/db-seed.ts');
      expect(await seed.exited).toBe(1);
      expect(seed.stderr().trim()).toBe(`error: ${refusal}`);
      expect(await demoTrace(db)).toEqual(before);
    }, 60_000);

    it('with TRUSTOPS_SANDBOX=true on a new database: seeds demo data, listens on loopback only, never prints the configured intake token', async () => {
      const [port, sandboxPort] = [await freePort(), await freePort()];
      const token = `configured-${randomBytes(12).toString('hex')}`;
      const run = start({
        PORT: String(port),
        TRUSTOPS_SANDBOX_PORT: String(sandboxPort),
        DATABASE_URL: db.url,
        TRUSTOPS_SANDBOX: 'true',
        TRUSTOPS_MIGRATE_ON_START: 'false',
        TRUSTOPS_INTAKE_TOKEN: token,
      });
      await waitUntil(
        'the sandbox banner',
        async () => (run.stdout().includes('TrustOps sandbox is running') ? true : undefined),
        90_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${run.stdout()}\n${run.stderr()}`);
      });
      await waitHealthy(port, 5000);

      const seeded = await demoTrace(db);
      expect(seeded.vendors).toContain('acme_review');
      expect(seeded.decisions).toBeGreaterThan(1000);

      // Bound to loopback, whatever the banner says: the kernel's socket table, and a connection from outside.
      for (const p of [port, sandboxPort]) {
        const bound = listeningAddresses(p);
        if (bound) expect(bound).toEqual(['127.0.0.1']);
        expect(await accepts('127.0.0.1', p)).toBe(true);
        for (const address of externalAddresses()) expect(await accepts(address, p)).toBe(false);
      }

      // The banner names the variable; the token itself works and appears nowhere in the output.
      expect(run.stdout()).toContain('-H "authorization: Bearer $TRUSTOPS_INTAKE_TOKEN"');
      const filed = await fetch(`http://127.0.0.1:${port}/api/v1/reports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          external_id: 'sandbox-token-1',
          surface: 'api',
          report_type: 'other',
          content_ref: 'https://example.com/1',
        }),
      });
      expect(filed.status).toBe(201);
      run.child.kill('SIGTERM');
      await run.exited;
      expect(run.stdout() + run.stderr()).not.toContain(token);
    }, 120_000);
  });
});
