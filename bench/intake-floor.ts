// The floor for the intake benchmark: the same writes as the bot's POST /api/v1/reports (the one
// statement of fileReport: replay check, open case or join, report, audit row, triage alert) through
// a bare Node HTTP server and a pg pool of the bot's size. No Bolt, no validation, no routing: queue,
// policy and due times are fixed, looked up once at start.
import { createServer } from 'node:http';
import { Pool } from 'pg';
import { FILE_REPORT_SQL } from '../src/domain/intake/reports';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const HOUR = 3600_000;

async function main() {
  const [q] = (
    await pool.query<{ queue_id: number; policy_id: number; key: string }>(
      `SELECT q.id AS queue_id, p.id AS policy_id, q.key FROM queues q JOIN sla_policies p ON p.queue_id = q.id
        WHERE q.key = 'default' ORDER BY p.version DESC LIMIT 1`,
    )
  ).rows;
  const surfaces = new Map((await pool.query<{ key: string; id: number }>('SELECT key, id FROM surfaces')).rows.map((r) => [r.key, r.id]));
  const types = new Map(
    (await pool.query<{ key: string; id: number; urgent: boolean }>('SELECT key, id, urgent FROM report_types')).rows.map((r) => [
      r.key,
      r,
    ]),
  );
  if (!q) throw new Error('no default queue');

  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') return void res.writeHead(200).end('{"status":"ok"}');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const b = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const now = new Date();
        const type = types.get(b.report_type)!;
        const at = (h: number) => new Date(now.getTime() + h * HOUR);
        const alert = type.urgent ? JSON.stringify({ reportType: b.report_type, surface: b.surface, contentRef: b.content_ref }) : null;
        const [row] = (
          await pool.query({ name: 'intake_file_report', text: FILE_REPORT_SQL }, [
            b.external_id,
            b.external_id, // stands in for the body hash
            b.content_ref,
            surfaces.get(b.surface),
            type.id,
            null,
            null,
            b.jurisdiction ?? null,
            null,
            null,
            b.mcp_server ? JSON.stringify({ mcp_server: b.mcp_server }) : null,
            false,
            false,
            now,
            1,
            now,
            q.queue_id,
            q.policy_id,
            'normal',
            at(24),
            at(72),
            at(18),
            at(54),
            true,
            q.key,
            null,
            null,
            'api:intake',
            'api',
            'trustops-triage',
            alert,
          ])
        ).rows;
        res.writeHead(row?.filed ? 201 : 200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ id: row?.id, case_id: row?.case_id, queue: row?.queue }));
      } catch (err) {
        res.writeHead(500).end(String((err as Error).message));
      }
    });
  });
  server.listen(Number(process.env.PORT), '127.0.0.1');
}

void main();
