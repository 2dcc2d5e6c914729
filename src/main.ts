// Composition root: config → database (+ migrations) → Bolt app → jobs. `npm start` runs this.
import { randomBytes } from 'node:crypto';
import { startApp } from './app';
import { systemClock } from './clock';
import { ConfigError, checkRunMode, loadConfig } from './config';
import { openDatabase } from './db/client';
import { applyMigrations } from './db/migrate';
import { seedDemoData } from './db/seed';
import { type Jobs, startJobs } from './jobs';
import { copyrightRemindersJob } from './jobs/copyright-reminders';
import { digestsJob } from './jobs/digests';
import { escalationExpiryJob } from './jobs/escalation-expiry';
import { slaScanJob } from './jobs/sla-scan';
import { createLogger, redact } from './logger';
import { startSandbox } from './sandbox';
import { wireSandbox } from './sandbox/wire';
import { digestPorts } from './slack/digest-files';

// Known once the configuration is read, so even the last error line is redacted.
let secrets: readonly string[] = [];

async function main(): Promise<void> {
  const startedAt = Date.now();
  const loaded = loadConfig();
  checkRunMode(loaded);
  const sandbox = loaded.mode === 'sandbox';
  // Sandbox mode: a local Slack emulator stands in for Slack, with a signing secret made up for this
  // run, and an intake token made up too unless one is configured, so the API can be tried at once.
  const signingSecret = sandbox ? randomBytes(16).toString('hex') : loaded.SLACK_SIGNING_SECRET;
  const madeUpToken = sandbox && !loaded.TRUSTOPS_INTAKE_TOKEN ? randomBytes(16).toString('hex') : undefined;
  const config = madeUpToken ? { ...loaded, TRUSTOPS_INTAKE_TOKEN: madeUpToken } : loaded;
  // The sandbox page's key for this run: printed once in the banner, redacted from every log line.
  const pageKey = sandbox ? randomBytes(18).toString('base64url') : undefined;
  secrets = [...config.secrets, ...[signingSecret, config.TRUSTOPS_INTAKE_TOKEN, pageKey].filter((x): x is string => Boolean(x))];
  const log = createLogger({ level: config.LOG_LEVEL, secrets });

  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.TRUSTOPS_DATA_DIR, log });
  log.info('database ready', { embedded: db.embedded, dataDir: db.embedded ? config.TRUSTOPS_DATA_DIR : undefined });
  if (config.TRUSTOPS_MIGRATE_ON_START) {
    const applied = await applyMigrations(db.url);
    if (applied.length) log.info('migrations applied', { applied });
  }

  if (sandbox) {
    // Refuses (and start-up stops) if the database holds anything but demo data.
    const summary = await seedDemoData(db.prisma, { databaseUrl: db.url });
    if (summary.skipped) log.info('demo data already present', { anchor: summary.anchor });
    else log.info('demo data written', { ...summary.counts });
  }
  const emulator = sandbox
    ? await startSandbox({
        port: config.TRUSTOPS_SANDBOX_PORT,
        log,
        key: pageKey,
        transport: config.TRUSTOPS_SANDBOX_SOCKET_MODE ? 'socket' : 'http',
      })
    : undefined;
  // The sandbox's time can be moved forward from its page: the bot, its jobs and the emulator all read it.
  const clock = emulator?.clock ?? systemClock;

  let jobs: Jobs | undefined;

  const running = await startApp({
    config,
    db,
    log,
    // The sandbox takes commands from anyone who can reach it: loopback only.
    host: sandbox ? '127.0.0.1' : undefined,
    clock,
    jobs: () => jobs?.schedules ?? [],
    slack: {
      botToken: config.SLACK_BOT_TOKEN ?? emulator!.botToken,
      signingSecret,
      // The sandbox over Socket Mode: the emulator's app-level token opens the WebSocket.
      appToken: config.SLACK_APP_TOKEN ?? (config.TRUSTOPS_SANDBOX_SOCKET_MODE ? emulator?.appToken : undefined),
      apiUrl: emulator?.apiUrl ?? config.SLACK_API_URL,
    },
  });
  jobs = startJobs({ db: db.prisma, log, metrics: running.metrics, clock: running.deps.clock }, [
    slaScanJob(config, { alertsQueued: running.deps.alertsQueued }),
    escalationExpiryJob(config, running.deps),
    copyrightRemindersJob(config, running.deps),
    digestsJob(config, running.deps, digestPorts(running.app.client)),
  ]);
  if (emulator)
    await wireSandbox(emulator, { running, db, log, signingSecret: signingSecret!, jobs: () => jobs, ownsDatabase: db.embedded });

  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  if (emulator) {
    // Written past the logger's redaction on purpose, for the one value it must show: a token made up
    // for this run (the only way to try the API; it dies with the process and the bot listens on loopback
    // only). A configured token is never printed: the banner names its variable instead.
    const bearer = madeUpToken ?? '$TRUSTOPS_INTAKE_TOKEN';
    process.stdout.write(
      [
        `\nTrustOps sandbox is running (started in ${seconds} s).`,
        `  Open the sandbox: ${emulator.pageUrl}`,
        '                   (a Slack-like workspace: run /trustops commands and click buttons as any demo user;',
        '                    the key in the URL is made up for this run and the page listens on 127.0.0.1 only)',
        `  Bot:             http://127.0.0.1:${running.port}/healthz`,
        `  Try a command:   curl -s -XPOST ${emulator.baseUrl}/sandbox/command -H 'x-sandbox-key: ${emulator.key}' -d 'text=help'`,
        `  Intake API:      curl -s -XPOST http://127.0.0.1:${running.port}/api/v1/reports \\`,
        `                     -H "authorization: Bearer ${bearer}" -H 'content-type: application/json' \\`,
        `                     -d '{"external_id":"demo-1","surface":"mcp_directory","report_type":"mcp_server","content_ref":"https://example.com/mcp/1","mcp_server":{"name":"Demo","url":"https://example.com/mcp","issue":"other"}}'\n\n`,
      ].join('\n'),
    );
  } else {
    log.info('TrustOps started', { mode: config.mode, seconds });
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    await jobs?.stop();
    await running.stop();
    await emulator?.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  // One line, no stack trace: the message names what is wrong.
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  const prefix = err instanceof ConfigError ? 'configuration error: ' : 'TrustOps could not start: ';
  process.stderr.write(`${redact(prefix + message, secrets)}\n`);
  process.exit(1);
});
