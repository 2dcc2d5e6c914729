import type { FieldError } from '../schemas';

export const IMPORT_KINDS = ['reports', 'decisions', 'qa-reviews'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export type RowError = { row: number; line: number; column: string; message: string };

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

export function rowErrors(row: number, line: number, errors: readonly FieldError[]): RowError[] {
  return errors.map((e) => ({ row, line, column: columnOf(e.path), message: e.message }));
}
