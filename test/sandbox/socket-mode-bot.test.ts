import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningApp, startApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { seedDemoData } from '../../src/db/seed';
import { createLogger } from '../../src/logger';
import { SANDBOX_USERS, type Sandbox, startSandbox } from '../../src/sandbox';
import { wireSandbox } from '../../src/sandbox/wire';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { listeningAddresses } from '../support/sockets';

const [{ id: ADMIN }, { id: APPROVER }, { id: ANALYST }] = SANDBOX_USERS;
const INTAKE_TOKEN = 'socket-intake-token-0123456789';
jest.setTimeout(60_000);

// TrustOps itself (startApp, every listener) in Socket Mode, with the sandbox delivering over the emulator's
// WebSocket instead of signed HTTP: what a team behind a firewall runs. The receiver opens its connection
// on SLACK_API_URL (here the emulator's), never on slack.com.
describe('TrustOps over Socket Mode, driven from the sandbox', () => {
  let db: TestDatabase;
  let sandbox: Sandbox;
  let running: RunningApp;
  const logLines: string[] = [];
  let analyticsDir: string | undefined;

  beforeAll(async () => {
    analyticsDir = mkdtempSync(path.join(tmpdir(), 'trustops-socket-analytics-'));
    db = await createTestDatabase();
    await seedDemoData(db.prisma, { scale: 0.02 });
    const log = createLogger({ level: 'info', write: (line) => logLines.push(line) });
    sandbox = await startSandbox({ port: 0, log, transport: 'socket' });
    running = await startApp({
      config: loadConfig({
        PORT: '0',
        TRUSTOPS_INTAKE_TOKEN: INTAKE_TOKEN,
        TRUSTOPS_ANALYTICS_DIR: analyticsDir,
        TRUSTOPS_ANALYTICS_MEMORY: '512MB',
        TRUSTOPS_ANALYTICS_THREADS: '1',
      }),
      db,
      log,
      host: '127.0.0.1',
      clock: sandbox.clock,
      slack: { botToken: sandbox.botToken, appToken: sandbox.appToken, apiUrl: sandbox.apiUrl },
    });
    await sandbox.emulator.socketMode.waitForConnection();
    await wireSandbox(sandbox, {
      running,
      db,
      log,
      signingSecret: randomBytes(8).toString('hex'),
      jobs: () => undefined,
      ownsDatabase: true,
    });
  }, 120_000);
  afterAll(async () => {
    await running?.stop();
    await sandbox?.emulator.waitUntil(() => !sandbox.emulator.socketMode.connected, 5000, 'the bot to hang up').catch(() => {});
    await sandbox?.stop();
    await db?.drop();
    if (analyticsDir) rmSync(analyticsDir, { recursive: true, force: true });
  });

  async function post(path: string, body: Record<string, unknown>) {
    const res = await fetch(`${sandbox.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sandbox-key': sandbox.key },
      body: JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: answers of several shapes, read field by field
    return { status: res.status, json: (await res.json()) as any };
  }

  it('answers a slash command delivered as a Socket Mode envelope', async () => {
    const { status, json } = await post('/sandbox/command', { user: ADMIN, text: 'help' });
    expect(status).toBe(200);
    expect(json.replies[0].text).toContain('TrustOps commands');
    expect(logLines.join('\n')).toContain('"mode":"socket"');
  });

  it('runs an escalation through clicks and a modal: the Reject errors come back in the acknowledgement', async () => {
    const free = await db.prisma.case.findFirstOrThrow({
      where: { status: { in: ['queued', 'in_review'] }, escalations: { none: { status: 'pending' } } },
      orderBy: { id: 'desc' },
      select: { id: true },
    });
    const raised = await post('/sandbox/command', { user: ANALYST, text: `escalate ${free.id} sev2 Over the socket` });
    expect(raised.json.replies[0].text).toContain(`raised on case #${free.id}`);
    running.delivery.kick();
    const card = await sandbox.emulator.waitUntil(
      () => sandbox.emulator.messages('trustops-escalations').find((m) => JSON.stringify(m.blocks).includes('Over the socket')),
      15_000,
      'the escalation card',
    );
    await post('/sandbox/action', { user: APPROVER, channel: 'C0ESCALATIONS', ts: card.ts, action_id: 'escalation_reject' });
    const modal = await sandbox.emulator.waitUntil(() => sandbox.emulator.openModals(APPROVER).at(-1), 5000, 'the Reject modal');
    const blank = await post('/sandbox/submit', { user: APPROVER, view_id: modal.id, values: { reason: { text: '   ' } } });
    expect(blank.json.ack).toMatchObject({ response_action: 'errors', errors: { reason: expect.stringMatching(/reason/i) } });
    const given = await post('/sandbox/submit', { user: APPROVER, view_id: modal.id, values: { reason: { text: 'Duplicate' } } });
    expect(given.json.ack_status).toBe(200);
    await sandbox.emulator.waitUntil(
      () => /rejected/i.test(JSON.stringify(sandbox.emulator.message('trustops-escalations', card.ts)?.blocks)),
      10_000,
      'the card to show the rejection',
    );
  });

  it('serves health, metrics and the intake API over HTTP on the given host only, path parameters and request labels as in HTTP mode', async () => {
    const bound = listeningAddresses(running.port);
    if (bound) expect(bound).toEqual(['127.0.0.1']);
    expect(running.port).toBeGreaterThan(0);
    const base = `http://127.0.0.1:${running.port}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    // The `:kind` route reads req.params, as Bolt's receivers set it.
    const unknown = await fetch(`${base}/api/v1/imports/widgets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'text/csv' },
      body: 'a,b\n',
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'unknown_import', message: expect.stringContaining('no import of "widgets"') });
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/trustops_http_requests_total\{route="\/healthz",method="GET",status="200"\} 1/);
    expect(metrics).toMatch(/trustops_http_requests_total\{route="\/api\/v1\/imports\/:kind",method="POST",status="404"\} 1/);
    expect(metrics).toMatch(/trustops_http_requests_total\{route="other",method="GET",status="404"\} 1/);
  });

  it('recovers when asked to reconnect, as Slack asks every few hours', async () => {
    const before = sandbox.emulator.socketMode.connectionsMade;
    sandbox.emulator.socketMode.requestReconnect();
    await sandbox.emulator.socketMode.waitForConnection(20_000, before);
    const { json } = await post('/sandbox/command', { user: ADMIN, text: 'help' });
    expect(json.replies[0].text).toContain('TrustOps commands');
  }, 40_000);
});
