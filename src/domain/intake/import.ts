import type { Tx } from '../../db/client';
import { recordAudit } from '../../db/repositories/audit';
import type { Actor, DomainDeps } from '../deps';
import { catalogErrors, type IntakeContext, loadIntakeContext } from './context';
import { readCsvRecords } from './csv';
import { ALL_BUCKETS, lockIntakeBuckets } from './locks';
import { type Item, type Outcome, recordDecision, recordQaReview } from './outcomes';
import { type IntakeItem, ingestReports } from './reports';
import { bodyHash, type FieldError, validateIntake } from './schemas';

export const IMPORT_KINDS = ['reports', 'decisions', 'qa-reviews'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export type RowError = { row: number; line: number; column: string; message: string };
export type ImportResult = { kind: ImportKind; rows: number; imported: number; replayed: number; failed: number; errors: RowError[] };

// The columns of each spreadsheet; their values become the same request the JSON API takes.
const COLUMNS = {
  reports: {
    required: ['external_id', 'surface', 'report_type', 'content_ref'],
    optional: [
      'category',
      'received_at',
      'jurisdiction',
      'language',
      'reporter',
      'description',
      'own_initiative',
      'trusted_flagger',
      'items',
      'mcp_server_name',
      'mcp_server_url',
      'mcp_server_issue',
    ],
  },
  decisions: {
    required: ['external_id', 'action', 'policy', 'decided_at'],
    optional: ['case_id', 'report_external_id', 'reviewer_id', 'actor_type', 'automated', 'suspension_reason'],
  },
  'qa-reviews': {
    required: ['external_id', 'outcome', 'reviewed_at'],
    optional: [
      'decision_id',
      'decision_external_id',
      'correct_action',
      'correct_policy',
      'error_severity',
      'error_category',
      'reviewer_id',
    ],
  },
} as const satisfies Record<ImportKind, { required: readonly string[]; optional: readonly string[] }>;

export function importColumns(kind: ImportKind): { required: readonly string[]; optional: readonly string[] } {
  return COLUMNS[kind];
}

const NUMERIC = new Set(['case_id', 'decision_id', 'items']);
const BOOLEAN = new Set(['own_initiative', 'trusted_flagger', 'automated']);
const BOOLEANS: Record<string, boolean> = { true: true, yes: true, '1': true, false: false, no: false, '0': false };

/** A CSV row as the JSON body the API would have received: empty cells are absent, typed cells typed. */
export function rowToBody(values: Record<string, string | undefined>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const mcp: Record<string, string> = {};
  for (const [column, cell] of Object.entries(values)) {
    if (cell === undefined || cell === '') continue;
    if (column.startsWith('mcp_server_')) mcp[column.slice('mcp_server_'.length)] = cell;
    else if (NUMERIC.has(column)) body[column] = /^\d+$/.test(cell.trim()) ? Number(cell.trim()) : cell;
    else if (BOOLEAN.has(column)) body[column] = BOOLEANS[cell.trim().toLowerCase()] ?? cell;
    else body[column] = cell;
  }
  if (Object.keys(mcp).length) body.mcp_server = mcp;
  return body;
}

/** Error paths name the spreadsheet's column: `mcp_server.url` is the `mcp_server_url` column. */
function columnOf(path: string): string {
  if (path === 'mcp_server') return 'mcp_server_name';
  return path.replace(/^mcp_server\./, 'mcp_server_');
}

const CHUNK = 10_000;
// A large import is one transaction: every good row lands, or (on a broken file) none does.
const IMPORT_TX = { maxWait: 60_000, timeout: 30 * 60_000 };

/**
 * Imports a vendor spreadsheet: header checked first, every row validated as the JSON API would,
 * good rows written in one transaction, every bad row listed. Re-importing a file changes nothing
 * (rows are idempotent on external_id).
 */
export async function importCsv(
  deps: DomainDeps,
  actor: Actor,
  kind: ImportKind,
  input: AsyncIterable<Uint8Array | string>,
  onProgress?: (rows: number) => void,
): Promise<ImportResult> {
  const now = deps.clock.now();
  const result: ImportResult = { kind, rows: 0, imported: 0, replayed: 0, failed: 0, errors: [] };
  const fail = (row: number, line: number, errors: FieldError[]) => {
    result.failed++;
    for (const e of errors) result.errors.push({ row, line, column: columnOf(e.path), message: e.message });
  };
  const count = (status: Outcome<unknown>['status'] | 'created' | 'replayed') => {
    if (status === 'created') result.imported++;
    else result.replayed++;
  };

  await deps.db.$transaction(async (tx) => {
    // Imports take every intake lock bucket, in order: they may touch any content reference.
    await lockIntakeBuckets(tx, ALL_BUCKETS);
    const ctx = kind === 'reports' ? await loadIntakeContext(tx, now, deps.channels.triage) : undefined;
    let batch: { row: number; line: number; item: IntakeItem }[] = [];
    // While the database writes one batch, the next is parsed and validated: the two overlap.
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      await writing;
      if (!ctx || batch.length === 0) return;
      const rows = batch;
      batch = [];
      writing = ingestReports(
        tx,
        ctx,
        rows.map((b) => b.item),
      ).then((outcomes) =>
        outcomes.forEach((o, i) => {
          const b = rows[i]!;
          if (o.status === 'conflict') fail(b.row, b.line, [{ path: 'external_id', message: o.message }]);
          else count(o.status);
        }),
      );
      // Keep an early failure from surfacing as an unhandled rejection; it is awaited below.
      writing.catch(() => {});
    };

    const { required, optional } = COLUMNS[kind];
    for await (const rec of readCsvRecords(input, { requiredColumns: required, optionalColumns: optional })) {
      result.rows++;
      if (!rec.ok) {
        fail(rec.record, rec.line, [{ path: '(row)', message: rec.error }]);
      } else {
        const body = rowToBody(rec.values);
        if (ctx) {
          const checked = validateReport(ctx, now, body);
          if ('errors' in checked) fail(rec.record, rec.line, checked.errors);
          else batch.push({ row: rec.record, line: rec.line, item: checked });
          if (batch.length >= CHUNK) await flush();
        } else if (kind !== 'reports') {
          const outcome = await recordRow(tx, now, actor, kind, body);
          if ('errors' in outcome) fail(rec.record, rec.line, outcome.errors);
          else count(outcome.status);
        }
      }
      if (result.rows % CHUNK === 0) onProgress?.(result.rows);
    }
    await flush();
    await writing;
    onProgress?.(result.rows);
    await recordAudit(tx, {
      actor: actor.id,
      origin: actor.origin,
      action: `import.${kind}`,
      entityType: 'import',
      after: { rows: result.rows, imported: result.imported, replayed: result.replayed, failed: result.failed },
      at: now,
    });
  }, IMPORT_TX);
  if (result.imported > 0) deps.alertsQueued();
  return result;
}

function validateReport(ctx: IntakeContext, now: Date, body: Record<string, unknown>): IntakeItem | { errors: FieldError[] } {
  const checked = validateIntake('report', body, now);
  const unknown = catalogErrors(ctx, body);
  if ('errors' in checked || unknown.length) return { errors: [...('errors' in checked ? checked.errors : []), ...unknown] };
  return { input: checked.data, hash: bodyHash(body) };
}

async function recordRow(
  tx: Tx,
  now: Date,
  actor: Actor,
  kind: Exclude<ImportKind, 'reports'>,
  body: Record<string, unknown>,
): Promise<{ status: 'created' | 'replayed' } | { errors: FieldError[] }> {
  const item = <I>(input: I): Item<I> => ({ input, hash: bodyHash(body), actor: actor.id, origin: actor.origin === 'cli' ? 'cli' : 'api' });
  let outcome: Outcome<unknown>;
  if (kind === 'decisions') {
    const checked = validateIntake('decision', body, now);
    if ('errors' in checked) return checked;
    outcome = await recordDecision(tx, now, item(checked.data));
  } else {
    const checked = validateIntake('qa_review', body, now);
    if ('errors' in checked) return checked;
    outcome = await recordQaReview(tx, now, item(checked.data));
  }
  if (outcome.status === 'conflict') return { errors: [{ path: 'external_id', message: outcome.message }] };
  if (outcome.status === 'not_found') return { errors: [{ path: outcome.path, message: outcome.message }] };
  return { status: outcome.status };
}
