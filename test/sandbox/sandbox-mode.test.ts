import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort, type Started, startMain, waitHealthy, waitUntil } from '../support/process';
import { accepts, externalAddresses, listeningAddresses } from '../support/sockets';

/** The JSON log line with this message, parsed. */
function logEntry(stdout: string, msg: string): Record<string, unknown> | undefined {
  const line = stdout.split('\n').find((l) => l.includes(`"msg":"${msg}"`));
  return line ? JSON.parse(line) : undefined;
}

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

// The newcomer's path: `npm start` with nothing set — embedded PGlite, migrations, demo data,
// the Slack emulator — and data that survives a restart.
describe('sandbox mode on the embedded database', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trustops-sandbox-'));
  let run: Started | undefined;
  afterAll(() => {
    run?.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** This run's key, from the page URL the banner prints. */
  const keyOf = (started: Started) => /\?key=([\w-]+)/.exec(started.stdout())?.[1] ?? '';

  async function start(): Promise<{ port: number; sandboxPort: number; started: Started }> {
    const [port, sandboxPort] = [await freePort(), await freePort()];
    const started = startMain({ PORT: String(port), TRUSTOPS_SANDBOX_PORT: String(sandboxPort), TRUSTOPS_DATA_DIR: dataDir });
    run = started;
    await waitUntil(
      'the sandbox banner',
      async () => (started.stdout().includes('TrustOps sandbox is running') ? true : undefined),
      90_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${started.stdout()}\n${started.stderr()}`);
    });
    await waitHealthy(port, 5000);
    return { port, sandboxPort, started };
  }

  async function command(sandboxPort: number, text: string, user = 'U0DEMOADMIN') {
    const res = await fetch(`http://127.0.0.1:${sandboxPort}/sandbox/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-sandbox-key': keyOf(run!) },
      body: new URLSearchParams({ text, user }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { ack_status: number; replies: { text: string }[] };
  }

  async function stop(started: Started) {
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  }

  it('starts healthy on loopback only, answers signed commands, and keeps its data across a restart, seeding it once', async () => {
    // A fixed span around the demo data's 90 days: the same figures on both starts mean nothing was written twice.
    const figures = `metrics ${day(-120)}..${day(2)}`;
    const first = await start();
    expect(first.started.stdout()).toContain(`http://127.0.0.1:${first.sandboxPort}/?key=`);
    expect(logEntry(first.started.stdout(), 'demo data written')).toMatchObject({
      vendors: 3,
      decisions: expect.any(Number),
      reports: expect.any(Number),
    });
    expect(logEntry(first.started.stdout(), 'demo data written')?.decisions).toBeGreaterThan(1000);
    for (const port of [first.port, first.sandboxPort]) {
      const bound = listeningAddresses(port);
      if (bound) expect(bound).toEqual(['127.0.0.1']);
      for (const address of externalAddresses()) expect(await accepts(address, port)).toBe(false);
    }
    const help = await command(first.sandboxPort, 'help');
    expect(help.ack_status).toBe(200);
    expect(help.replies[0]?.text).toContain('TrustOps commands');
    const added = await command(first.sandboxPort, 'surface add sandbox_test "Sandbox test"');
    expect(added.replies[0]?.text).toContain('Added surface `sandbox_test`');
    // The banner prints a made-up intake token; an urgent report posts its triage card to the emulator.
    const token = /Bearer ([0-9a-f]{32})/.exec(first.started.stdout())?.[1];
    const report = await fetch(`http://127.0.0.1:${first.port}/api/v1/reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        external_id: 'sandbox-1',
        surface: 'mcp_directory',
        report_type: 'mcp_server',
        content_ref: 'https://example.com/mcp/1',
        mcp_server: { name: 'Demo', url: 'https://example.com/mcp', issue: 'other' },
      }),
    });
    expect(report.status).toBe(201);
    await waitUntil(
      'the triage card in the emulator',
      async () => {
        const state = (await (
          await fetch(`http://127.0.0.1:${first.sandboxPort}/sandbox/state`, { headers: { 'x-sandbox-key': keyOf(first.started) } })
        ).json()) as {
          channels: { name: string; messages: unknown[] }[];
        };
        return state.channels.find((c) => c.name === 'trustops-triage')?.messages.length ? true : undefined;
      },
      10_000,
    );
    // A CSV import on the embedded database (its socket server does not speak COPY FROM STDIN): the rows
    // are staged with INSERTs instead, quoted fields and an mcp_server's details included; again, it replays.
    const csv = [
      'external_id,surface,report_type,content_ref,description,mcp_server_name,mcp_server_url,mcp_server_issue',
      'sandbox-csv-1,mcp_directory,mcp_server,https://example.com/mcp/csv-1,"a tab\there, ""quoted""",Csv,https://example.com/mcp,other',
      'sandbox-csv-2,mcp_directory,mcp_server,https://example.com/mcp/csv-1,,Csv,https://example.com/mcp,other',
    ].join('\n');
    const importCsv = async () =>
      (
        await fetch(`http://127.0.0.1:${first.port}/api/v1/imports/reports`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
          body: csv,
        })
      ).json();
    expect(await importCsv()).toMatchObject({ rows: 2, imported: 2, replayed: 0, failed: 0 });
    expect(await importCsv()).toMatchObject({ rows: 2, imported: 0, replayed: 2, failed: 0 });
    expect(first.started.child.exitCode).toBeNull();
    const firstFigures = await command(first.sandboxPort, figures);
    expect(firstFigures.replies[0]?.text).toMatch(/decision/i);
    await stop(first.started);

    const second = await start();
    const list = await command(second.sandboxPort, 'surface list');
    expect(list.replies[0]?.text).toContain('sandbox_test');
    // Demo data was written once: the second start found it, wrote nothing, and the figures are unchanged.
    expect(logEntry(second.started.stdout(), 'demo data already present')).toBeDefined();
    expect(second.started.stdout()).not.toContain('demo data written');
    // The figures only: a slow look-up replaces its "⏳" placeholder (replace_original), a fast one does not.
    const shown = (r: { replies: unknown[] }) =>
      r.replies.map((m) => ({ text: (m as { text?: string }).text, blocks: (m as { blocks?: unknown }).blocks }));
    expect(shown(await command(second.sandboxPort, figures))).toEqual(shown(firstFigures));

    // Two days later, by the sandbox's clock: the SLA scan runs at once, at the moved time, and what was
    // at risk is breached when someone asks.
    const breached = async () => {
      const reply = (await command(second.sandboxPort, 'sla')).replies[0];
      return Number(/\*Breached\*\\n(\d+)/.exec(JSON.stringify(reply))?.[1]);
    };
    const breachedBefore = await breached();
    const moved = await fetch(`http://127.0.0.1:${second.sandboxPort}/sandbox/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sandbox-key': keyOf(second.started) },
      body: JSON.stringify({ by: '2d' }),
    });
    expect(moved.status).toBe(200);
    const now = new Date(((await moved.json()) as { now: string }).now).getTime();
    expect(now - Date.now()).toBeGreaterThan(2 * 86_400_000 - 60_000);
    expect(second.started.stdout()).toContain('"msg":"sandbox clock moved"');
    expect(await breached()).toBeGreaterThan(breachedBefore);
    await stop(second.started);
  }, 240_000);
});

// `TRUSTOPS_SANDBOX=true` on a server database, delivering over Socket Mode: the database may hold more
// than the demo, so the page's Reset is refused and nothing is emptied.
describe('sandbox mode on a DATABASE_URL, over Socket Mode', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trustops-sandbox-url-'));
  let db: TestDatabase | undefined;
  let run: Started | undefined;
  afterAll(async () => {
    run?.child.kill('SIGKILL');
    await run?.exited;
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers commands over the WebSocket, serves HTTP on loopback only, and refuses Reset, leaving the data', async () => {
    db = await createTestDatabase();
    const [port, sandboxPort] = [await freePort(), await freePort()];
    const started = startMain({
      PORT: String(port),
      TRUSTOPS_SANDBOX_PORT: String(sandboxPort),
      TRUSTOPS_DATA_DIR: dataDir,
      TRUSTOPS_ANALYTICS_MEMORY: '512MB',
      TRUSTOPS_ANALYTICS_THREADS: '1',
      DATABASE_URL: db.url,
      TRUSTOPS_SANDBOX: 'true',
      TRUSTOPS_SANDBOX_SOCKET_MODE: 'true',
    });
    run = started;
    await waitUntil(
      'the sandbox banner',
      async () => (started.stdout().includes('TrustOps sandbox is running') ? true : undefined),
      90_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${started.stdout()}\n${started.stderr()}`);
    });
    await waitHealthy(port, 5000);
    expect(logEntry(started.stdout(), 'TrustOps is listening')).toMatchObject({ mode: 'socket', port });
    const bound = listeningAddresses(port);
    if (bound) expect(bound).toEqual(['127.0.0.1']);

    const key = /\?key=([\w-]+)/.exec(started.stdout())?.[1] ?? '';
    const post = (route: string, body: Record<string, string>) =>
      fetch(`http://127.0.0.1:${sandboxPort}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sandbox-key': key },
        body: JSON.stringify(body),
      });
    const help = await post('/sandbox/command', { text: 'help', user: 'U0DEMOADMIN' });
    expect(((await help.json()) as { replies: { text: string }[] }).replies[0]?.text).toContain('TrustOps commands');

    const before = await db.prisma.report.count();
    expect(before).toBeGreaterThan(0);
    const reset = await post('/sandbox/reset', {});
    expect(reset.status).toBe(409);
    expect(((await reset.json()) as { error: string }).error).toContain('embedded database only');
    expect(await db.prisma.report.count()).toBe(before);
    expect(started.stdout()).not.toContain('"msg":"sandbox reset"');

    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  }, 180_000);
});
