import type { PoolClient } from 'pg';
import type { RowError } from '../intake/import/columns';
import { iso, lockBuckets } from '../intake/import/outcomes-stage';
import { openImportCases } from '../intake/import/stage';

/**
 * The set-based half of a copyright notices import, on the connection and in the transaction the
 * import's staging opened, after the validated notices were staged in import_rows (one row per item,
 * see notice-rows.ts). A few statements over the whole file write what ingestNotices (notices.ts) writes
 * for the same notices as one batch, in file order: replays and conflicts on the notice's external id;
 * the notices; for each item of a new complete notice a copyright report that joins the open case about
 * its content or opens one (routed and timed by the worker), as ingestReports does; an urgent report
 * type's triage alert; the items with their cases. Nothing is visible before COMMIT.
 *
 * Locks: only now, for this short write, the intake lock buckets of the file's keys (noticeLockKeys:
 * `copyright_notice:<id>`, `ref:<content_ref>`, `ext:<report external id>`, the keys the JSON API locks
 * for a notice), in ascending order, held to COMMIT. An API submission holds the buckets of its notice
 * from before it looks its external id up until it commits; the import takes them before its first
 * statement that reads notices, so whichever comes second waits, then (READ COMMITTED) finds the other's
 * notice and answers replay or conflict. Reports and cases need no lock (the unique indexes on
 * reports.external_id and on open cases per content reference keep them apart, see intake/reports.ts):
 * a case or report another writer committed meanwhile is joined or answered as ingestReports does.
 */

export type NoticesWritten = {
  /** Notices staged (the file's notices that passed validation). */
  staged: number;
  imported: number;
  replayed: number;
  incomplete: number;
  /** Notices whose external id is recorded with another body, in file order. */
  conflicts: RowError[];
  /** The first `incompleteLimit` new incomplete notices, in file order. */
  incompleteNotices: { externalId: string; missing: string[] }[];
};

export async function writeStagedNotices(
  client: PoolClient,
  opts: { now: Date; buckets: readonly number[]; triageChannel: string; incompleteLimit: number },
): Promise<NoticesWritten> {
  const at = opts.now.toISOString();
  // Temporary tables are never analyzed by autovacuum: without statistics the joins below go wrong.
  await client.query('ANALYZE import_rows');
  await lockBuckets(client, opts.buckets);

  // 1. Each notice's fate: new, a replay (the same body recorded), or a conflict. A file cannot hold one
  //    external id twice (groupCopyrightRows refuses the second run of rows).
  await client.query(`
    CREATE TEMP TABLE import_fates ON COMMIT DROP AS
    SELECT s.notice_no, s.line_no, s.external_id, s.complete, s.missing_elements,
           CASE WHEN n.id IS NULL THEN 'fresh' WHEN n.body_hash = s.body_hash THEN 'replayed' ELSE 'conflict' END AS fate
      FROM import_rows s LEFT JOIN copyright_notices n ON n.external_id = s.external_id
     WHERE s.position = 0`);
  await client.query('ANALYZE import_fates');

  // 2. The new notices, in file order.
  await client.query(
    `CREATE TEMP TABLE import_notices ON COMMIT DROP AS
     WITH inserted AS (
       INSERT INTO copyright_notices (external_id, body_hash, claimant, claimant_contact, sender_name, sender_organization, sender_email,
                                      sender_address, sender_phone, sender_kind, work, item_count, signature, good_faith,
                                      accurate_and_authorized, elements_present, missing_elements, detection_source, account_id,
                                      status, received_at, created_at)
       SELECT s.external_id, s.body_hash, s.claimant, s.claimant_contact, s.sender_name, s.sender_organization, s.sender_email,
              s.sender_address, s.sender_phone, s.sender_kind::"SenderKind", s.work, s.item_count, s.signature, s.good_faith,
              s.accurate_and_authorized, string_to_array(s.elements_present, ','), string_to_array(s.missing_elements, ','),
              s.sender_kind, s.account_id, s.status::"NoticeStatus", s.received_at, $1::timestamptz
         FROM import_rows s JOIN import_fates f USING (notice_no)
        WHERE s.position = 0 AND f.fate = 'fresh'
        ORDER BY s.notice_no
       RETURNING id, external_id)
     SELECT f.notice_no, i.id FROM inserted i JOIN import_fates f ON f.external_id = i.external_id`,
    [at],
  );
  await client.query('ANALYZE import_notices');

  // 3. The copyright report of each item of a new complete notice: new, or one already recorded.
  await client.query(`
    CREATE TEMP TABLE import_reports ON COMMIT DROP AS
    SELECT s.row_no, s.notice_no, s.position, s.report_external_id, s.report_hash, s.content_ref,
           r.id AS prior_id, r.case_id AS prior_case_id, r.body_hash AS prior_hash
      FROM import_rows s JOIN import_fates f USING (notice_no)
      LEFT JOIN reports r ON r.external_id = s.report_external_id
     WHERE f.fate = 'fresh' AND s.complete AND s.content_ref IS NOT NULL`);
  await client.query('ANALYZE import_reports');

  // 4. The open case of each new report's content: the one there is, else one opened by the item that
  //    comes first in the file, routed and timed by the worker.
  await openImportCases(client, at, '(SELECT row_no FROM import_reports WHERE prior_id IS NULL)', 's.notice_no, s.position');

  // 5. The reports, in file order, and the case each item's report has. One already recorded with the
  //    same body is a replay and gives its case; with another body, a conflict: the item has no case.
  await client.query(`CREATE TEMP TABLE import_item_cases (row_no int PRIMARY KEY, report_id int NOT NULL, case_id int) ON COMMIT DROP`);
  const fresh = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM import_reports WHERE prior_id IS NULL');
  const inserted = await client.query(
    `WITH inserted AS (
       INSERT INTO reports (external_id, body_hash, surface_id, report_type_id, category, content_ref, reporter_contact, jurisdiction,
                            language, description, details, own_initiative, trusted_flagger, received_at, case_id, items, created_at)
       SELECT s.report_external_id, s.report_hash, s.surface_id, s.report_type_id, 'ip_infringement', s.content_ref, NULL::text, NULL::text,
              NULL::text, NULL::text, NULL::jsonb, false, false, s.received_at, o.case_id, 1, $1::timestamptz
         FROM import_rows s JOIN import_reports p USING (row_no) JOIN import_cases o ON o.content_ref = s.content_ref
        WHERE p.prior_id IS NULL
        ORDER BY s.notice_no, s.position
       ON CONFLICT (external_id) DO NOTHING
       RETURNING id, external_id, case_id)
     INSERT INTO import_item_cases
     SELECT p.row_no, i.id, i.case_id FROM inserted i JOIN import_reports p ON p.report_external_id = i.external_id`,
    [at],
  );
  await client.query(
    `INSERT INTO import_item_cases
     SELECT row_no, prior_id, prior_case_id FROM import_reports WHERE prior_id IS NOT NULL AND prior_hash = report_hash`,
  );
  if ((inserted.rowCount ?? 0) < (fresh.rows[0]?.n ?? 0)) {
    // Another writer committed some of these report ids while the import ran (rare): as ingestReports
    // answers, the same body is a replay with its case, another body a conflict; a case opened for none
    // of ours goes.
    await client.query(
      `INSERT INTO import_item_cases
       SELECT p.row_no, r.id, r.case_id FROM import_reports p JOIN reports r ON r.external_id = p.report_external_id
        WHERE p.prior_id IS NULL AND r.body_hash = p.report_hash
       ON CONFLICT (row_no) DO NOTHING`,
    );
    await client.query(
      `DELETE FROM cases c USING import_cases o
        WHERE o.opened AND c.id = o.case_id AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.case_id = c.id)`,
    );
  }
  await client.query('ANALYZE import_item_cases');

  // 6. An urgent report type announces a case this import opened, once, with its first report.
  await client.query(
    `INSERT INTO alerts (kind, dedupe_key, channel, message, entity_type, entity_id, created_at, next_attempt_at)
     SELECT 'triage', 'triage:case:' || c.id, $2, jsonb_build_object(
              'caseId', c.id, 'reportId', u.report_id, 'reportType', t.key, 'reportTypeName', t.name, 'surface', s.surface,
              'queue', q.key, 'priority', c.priority,
              'firstActionDueAt', ${iso('c.first_action_due_at')}, 'resolutionDueAt', ${iso('c.resolution_due_at')},
              'contentRef', s.content_ref, 'jurisdiction', NULL::text, 'mcpServer', NULL::jsonb),
            'case', c.id::text, $1::timestamptz, $1::timestamptz
       FROM (SELECT DISTINCT ON (o.case_id) o.case_id, ic.report_id, p.row_no, p.notice_no, p.position
               FROM import_reports p JOIN import_item_cases ic USING (row_no) JOIN import_cases o ON o.case_id = ic.case_id
              WHERE p.prior_id IS NULL AND o.opened
              ORDER BY o.case_id, p.notice_no, p.position) u
       JOIN import_rows s ON s.row_no = u.row_no
       JOIN report_types t ON t.id = s.report_type_id
       JOIN cases c ON c.id = u.case_id JOIN queues q ON q.id = c.queue_id
      WHERE t.urgent
      ORDER BY u.notice_no, u.position
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [at, opts.triageChannel],
  );

  // 7. The items of the new notices (complete or not), in file order, with their cases.
  await client.query(
    `INSERT INTO copyright_notice_items (notice_id, position, content_ref, surface, account_id, case_id)
     SELECT n.id, s.position, s.content_ref, s.surface, s.item_account_id, ic.case_id
       FROM import_rows s JOIN import_notices n USING (notice_no) LEFT JOIN import_item_cases ic USING (row_no)
      WHERE s.content_ref IS NOT NULL
      ORDER BY s.notice_no, s.position`,
  );

  // 8. What the answer says.
  const counts = await client.query<{ staged: number; imported: number; replayed: number; incomplete: number }>(
    `SELECT count(*)::int AS staged, count(*) FILTER (WHERE fate = 'fresh')::int AS imported,
            count(*) FILTER (WHERE fate = 'replayed')::int AS replayed,
            count(*) FILTER (WHERE fate = 'fresh' AND NOT complete)::int AS incomplete
       FROM import_fates`,
  );
  const conflicts = await client.query<{ notice_no: number; line_no: number; external_id: string }>(
    `SELECT notice_no, line_no, external_id FROM import_fates WHERE fate = 'conflict' ORDER BY notice_no`,
  );
  const incomplete = await client.query<{ external_id: string; missing_elements: string }>(
    `SELECT external_id, missing_elements FROM import_fates WHERE fate = 'fresh' AND NOT complete ORDER BY notice_no LIMIT $1`,
    [opts.incompleteLimit],
  );
  const c = counts.rows[0] ?? { staged: 0, imported: 0, replayed: 0, incomplete: 0 };
  return {
    ...c,
    conflicts: conflicts.rows.map((r) => ({
      row: r.notice_no,
      line: r.line_no,
      column: 'external_id',
      message: `external_id ${r.external_id} was already received with a different body`,
    })),
    incompleteNotices: incomplete.rows.map((r) => ({
      externalId: r.external_id,
      missing: r.missing_elements === '' ? [] : r.missing_elements.split(','),
    })),
  };
}
