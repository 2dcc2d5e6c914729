import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { openTestAnalytics, type TestAnalytics } from '../support/analytics';

// The embedded database (PGlite behind pglite-socket) has everything the copy relies on: xid8 change rows,
// snapshots, statement triggers with transition tables, COPY TO STDOUT.

jest.setTimeout(180_000);

let dataDir: string;
let server: ChildProcess;
let url: string;
let client: Client;
let analytics: TestAnalytics;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'trustops-analytics-pglite-'));
  const root = path.resolve(__dirname, '../..');
  server = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, 'embedded-server.ts'), dataDir], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  for await (const line of createInterface({ input: server.stdout! })) {
    url = line;
    break;
  }
  // Migrations run in a child process too (the schema engine is an ES module).
  await promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), 'src/cli/db-migrate.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
  });
  client = new Client({ connectionString: url });
  await client.connect();
});

afterAll(async () => {
  await analytics?.close();
  await client?.end();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.stdin?.end();
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

async function decide(caseId: number, action: string, at: string): Promise<number> {
  const res = await client.query<{ id: number }>(
    `INSERT INTO decisions (case_id, action, policy, actor_type, automated, decided_at) VALUES ($1, $2, 'spam', 'automated', true, $3) RETURNING id`,
    [caseId, action, at],
  );
  return res.rows[0]!.id;
}

const count = (table: string) => analytics.read(async (r) => (await r.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n);

describe('the analytics copy of the embedded database', () => {
  let caseId: number;

  it('loads what is there, through COPY in one snapshot', async () => {
    const opened = await client.query<{ id: number }>(
      `INSERT INTO cases (queue_id, sla_policy_id, content_ref, opened_at, first_action_due_at, resolution_due_at,
                          first_action_at_risk_at, resolution_at_risk_at, updated_at)
       SELECT q.id, p.id, 'ref-1', t, t + interval '1 hour', t + interval '4 hours', t + interval '45 minutes', t + interval '3 hours', t
         FROM queues q JOIN sla_policies p ON p.queue_id = q.id, (SELECT timestamptz '2026-11-01 10:00+00' AS t) x
        WHERE q.key = 'default' RETURNING cases.id`,
    );
    caseId = opened.rows[0]!.id;
    await client.query(
      `INSERT INTO reports (external_id, body_hash, surface_id, report_type_id, content_ref, received_at, case_id, language)
       SELECT 'r-1', 'h', s.id, t.id, 'ref-1', '2026-11-01T09:00:00Z', $1, 'de' FROM surfaces s, report_types t
        WHERE s.key = 'api' AND t.key = 'harmful_content'`,
      [caseId],
    );
    await decide(caseId, 'remove', '2026-11-01T11:00:00Z');
    analytics = await openTestAnalytics({ url }, { copyStreams: 1 });
    expect(await count('decisions')).toBe(1);
    expect(await analytics.read((r) => r.query('SELECT first_decision_action, first_report_language FROM cases'))).toEqual([
      { first_decision_action: 'remove', first_report_language: 'de' },
    ]);
  });

  it('catches up with inserts, updates and deletes, and verifies against it', async () => {
    const early = await decide(caseId, 'warn', '2026-11-01T10:30:00Z');
    await client.query(`UPDATE cases SET status = 'decided' WHERE id = $1`, [caseId]);
    expect(await count('decisions')).toBe(2);
    expect(await analytics.read((r) => r.query('SELECT status, first_decision_action FROM cases'))).toEqual([
      { status: 'decided', first_decision_action: 'warn' },
    ]);
    await client.query('DELETE FROM decisions WHERE id = $1', [early]);
    expect(await analytics.read((r) => r.query('SELECT case_first_decision_action AS a FROM reports'))).toEqual([{ a: 'remove' }]);
    expect((await analytics.verify()).differences).toEqual([]);
  });
});
