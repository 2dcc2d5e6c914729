import { Writable } from 'node:stream';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { OPEN_CASE_STATUSES } from '../reports';
import type { RowError } from './columns';
import { unescapeField } from './copy-text';

/**
 * The set-based half of a reports import, on one pg connection inside one transaction: COPY the
 * validated rows into a temporary staging table, then sort out replays and conflicts, open cases and
 * insert reports and triage alerts with a few statements over the whole file. Nothing of it is visible
 * before COMMIT, so a killed import leaves nothing (the temporary tables go with the session).
 *
 * No intake lock is taken: the unique index on reports.external_id and the partial unique index on
 * open cases per content reference (cases_open_content_ref_key) keep a concurrent API report from
 * making a second copy or a second open case; the statements below insert against them with
 * ON CONFLICT and then read what the other writer committed.
 */

const OPEN = OPEN_CASE_STATUSES.map((s) => `'${s}'`).join(', ');

/**
 * Opens the transaction and the staging table (`columns`: the import kind's, e.g. REPORT_STAGE_COLUMNS),
 * and returns a stream of COPY text lines into it: COPY itself, or (`copy: false`, the embedded PGlite)
 * INSERTs of the same lines in batches. Every import kind stages this way.
 */
export async function beginStaging(client: PoolClient, opts: { copy: boolean; columns: readonly string[] }): Promise<Writable> {
  await client.query('BEGIN');
  // Sorts and hashes over a whole file: give them memory rather than temporary files.
  await client.query(`SET LOCAL work_mem = '256MB'`);
  await client.query(`CREATE TEMP TABLE import_rows (${opts.columns.join(', ')}) ON COMMIT DROP`);
  return opts.copy ? client.query(copyFrom('COPY import_rows FROM STDIN')) : stageByInsert(client, opts.columns);
}

const INSERT_BATCH = 1000;

/** The same COPY lines written with INSERTs (json_populate_recordset casts each field to its column's type). */
function stageByInsert(client: PoolClient, columns: readonly string[]): Writable {
  const names = columns.map((c) => c.split(' ')[0]!);
  const json = new Set(columns.filter((c) => c.split(' ')[1] === 'jsonb').map((c) => c.split(' ')[0]!));
  let rest = '';
  let rows: Record<string, unknown>[] = [];
  // A jsonb column takes the JSON value itself, not the text of it.
  const field = (name: string, raw: string) => {
    const value = unescapeField(raw);
    return json.has(name) && value !== null ? JSON.parse(value) : value;
  };
  const flush = async () => {
    if (rows.length === 0) return;
    const batch = rows;
    rows = [];
    await client.query('INSERT INTO import_rows SELECT * FROM json_populate_recordset(NULL::import_rows, $1::json)', [
      JSON.stringify(batch),
    ]);
  };
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) rows.push(Object.fromEntries(line.split('\t').map((f, k) => [names[k]!, field(names[k]!, f)])));
      (rows.length >= INSERT_BATCH ? flush() : Promise.resolve()).then(() => done(), done);
    },
    final(done) {
      flush().then(() => done(), done);
    },
  });
}

export type Written = { imported: number; replayed: number; conflicts: RowError[] };

/** Writes the staged rows. `now` stamps the rows as the single-report path does. */
export async function writeStaged(client: PoolClient, now: Date, triageChannel: string): Promise<Written> {
  const at = now.toISOString();
  // Temporary tables are never analyzed by autovacuum: without statistics the joins below go wrong.
  await client.query('ANALYZE import_rows');

  // 1. Each row's fate by external id: the first row of an id the database does not hold is new; a later
  //    row, or one the database holds, is a replay when its body hashes the same, a conflict otherwise.
  await client.query(`
    CREATE TEMP TABLE import_fates ON COMMIT DROP AS
    SELECT s.row_no, s.line_no, s.external_id, s.content_ref,
           r.id IS NULL AND row_number() OVER w = 1 AS fresh,
           coalesce(r.body_hash, first_value(s.body_hash) OVER w) <> s.body_hash AS conflict
      FROM import_rows s LEFT JOIN reports r ON r.external_id = s.external_id
    WINDOW w AS (PARTITION BY s.external_id ORDER BY s.row_no)`);
  await client.query('ANALYZE import_fates');

  // 2. The open case of each new report's content: the one there is, else one opened by the report
  //    that comes first in the file, routed and timed by the worker.
  await openImportCases(client, at, '(SELECT row_no FROM import_fates WHERE fresh)', 's.row_no');

  // 3. The reports, in file order.
  const fresh = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM import_fates WHERE fresh');
  const inserted = await client.query(
    `INSERT INTO reports (external_id, body_hash, surface_id, report_type_id, category, content_ref, reporter_contact, jurisdiction,
                          language, description, details, own_initiative, trusted_flagger, received_at, case_id, items, created_at)
     SELECT s.external_id, s.body_hash, s.surface_id, s.report_type_id, s.category, s.content_ref, s.reporter_contact, s.jurisdiction,
            s.language, s.description, s.details, s.own_initiative, s.trusted_flagger, s.received_at, o.case_id, s.items, $1::timestamptz
       FROM import_rows s JOIN import_fates f USING (row_no) JOIN import_cases o ON o.content_ref = s.content_ref
      WHERE f.fresh
      ORDER BY s.row_no
     ON CONFLICT (external_id) DO NOTHING`,
    [at],
  );
  let imported = inserted.rowCount ?? 0;
  const late: RowError[] = [];
  let lateReplays = 0;
  if (imported < (fresh.rows[0]?.n ?? 0)) {
    // Another writer committed some of these external ids while the import ran (rare): like any
    // replay, the same body is a replay and another body a conflict; a case opened for none of ours goes.
    const mine = '(SELECT backend_xid FROM pg_stat_activity WHERE pid = pg_backend_pid())';
    const theirs = await client.query<{ row_no: number; line_no: number; external_id: string; same: boolean }>(
      `SELECT s.row_no, s.line_no, s.external_id, r.body_hash = s.body_hash AS same
         FROM import_rows s JOIN import_fates f USING (row_no) JOIN reports r ON r.external_id = s.external_id
        WHERE f.fresh AND r.xmin <> ${mine}`,
    );
    for (const r of theirs.rows) {
      if (r.same) lateReplays++;
      else late.push(conflictError(r));
    }
    imported -= theirs.rows.length;
    await client.query(
      `DELETE FROM cases c USING import_cases o
        WHERE o.opened AND c.id = o.case_id AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.case_id = c.id)`,
    );
  }

  // 4. Urgent types announce a case this import opened, once, with its first urgent report.
  await client.query(
    `INSERT INTO alerts (kind, dedupe_key, channel, message, entity_type, entity_id, created_at, next_attempt_at)
     SELECT 'triage', 'triage:case:' || c.id, $2, jsonb_build_object(
              'caseId', c.id, 'reportId', r.id, 'reportType', t.key, 'reportTypeName', t.name, 'surface', sf.key,
              'queue', q.key, 'priority', c.priority,
              'firstActionDueAt', to_char(c.first_action_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              'resolutionDueAt', to_char(c.resolution_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              'contentRef', s.content_ref, 'jurisdiction', s.jurisdiction, 'mcpServer', s.details -> 'mcp_server'),
            'case', c.id::text, $1::timestamptz, $1::timestamptz
       FROM (SELECT DISTINCT ON (o.case_id) o.case_id, s.row_no
               FROM import_rows s JOIN import_fates f USING (row_no) JOIN import_cases o ON o.content_ref = s.content_ref
               JOIN report_types t ON t.id = s.report_type_id
              WHERE f.fresh AND o.opened AND t.urgent
              ORDER BY o.case_id, s.row_no) u
       JOIN import_rows s ON s.row_no = u.row_no
       JOIN reports r ON r.external_id = s.external_id AND r.case_id = u.case_id
       JOIN cases c ON c.id = u.case_id JOIN queues q ON q.id = c.queue_id
       JOIN report_types t ON t.id = s.report_type_id JOIN surfaces sf ON sf.id = s.surface_id
      ORDER BY u.row_no
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [at, triageChannel],
  );

  // 5. What the answer says: replays, and conflicts by row.
  const counts = await client.query<{ replayed: number }>(
    'SELECT count(*) FILTER (WHERE NOT fresh AND NOT conflict)::int AS replayed FROM import_fates',
  );
  const conflicts = await client.query<{ row_no: number; line_no: number; external_id: string }>(
    'SELECT row_no, line_no, external_id FROM import_fates WHERE conflict ORDER BY row_no',
  );
  return {
    imported,
    replayed: (counts.rows[0]?.replayed ?? 0) + lateReplays,
    conflicts: [...conflicts.rows.map(conflictError), ...late],
  };
}

function conflictError(r: { row_no: number; line_no: number; external_id: string }): RowError {
  return {
    row: r.row_no,
    line: r.line_no,
    column: 'external_id',
    message: `external_id ${r.external_id} was already received with a different body`,
  };
}

/**
 * Fills import_cases (content_ref → case_id, opened) for the staged rows whose row_no `wanted` (a relation)
 * names: the open case about each row's content, else one opened, routed and timed as the worker staged it, by
 * the row that comes first in `order`. Inserted against the partial unique index on open cases, then read
 * again: a ref whose insert met an open case another writer committed meanwhile takes that case.
 */
export async function openImportCases(client: PoolClient, at: string, wanted: string, order: string): Promise<void> {
  await client.query(
    `CREATE TEMP TABLE import_cases (content_ref text PRIMARY KEY, case_id int NOT NULL, opened bool NOT NULL) ON COMMIT DROP`,
  );
  const needing = `SELECT s.content_ref FROM import_rows s
                    WHERE s.row_no IN ${wanted} AND NOT EXISTS (SELECT 1 FROM import_cases o WHERE o.content_ref = s.content_ref)`;
  const openCases = `
    INSERT INTO import_cases
    SELECT c.content_ref, c.id, false FROM cases c WHERE c.status IN (${OPEN}) AND c.content_ref IN (${needing})
    ON CONFLICT DO NOTHING`;
  await client.query(openCases);
  await client.query(
    `WITH firsts AS (
       SELECT DISTINCT ON (s.content_ref) s.*
         FROM import_rows s
        WHERE s.row_no IN ${wanted} AND NOT EXISTS (SELECT 1 FROM import_cases o WHERE o.content_ref = s.content_ref)
        ORDER BY s.content_ref, ${order}),
     opened AS (
       INSERT INTO cases (queue_id, sla_policy_id, priority, status, content_ref, opened_at, first_action_due_at, resolution_due_at,
                          first_action_at_risk_at, resolution_at_risk_at, updated_at)
       SELECT queue_id, sla_policy_id, priority, 'queued', content_ref, received_at, first_action_due_at, resolution_due_at,
              first_action_at_risk_at, resolution_at_risk_at, $1::timestamptz
         FROM firsts s ORDER BY ${order}
       ON CONFLICT (content_ref) WHERE status IN (${OPEN}) DO NOTHING
       RETURNING id, content_ref)
     INSERT INTO import_cases SELECT content_ref, id, true FROM opened`,
    [at],
  );
  await client.query(openCases);
}
