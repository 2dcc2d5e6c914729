// `export dsa-report <period>`: the transparency report in the Commission's template, one CSV per sheet,
// checked before any file is made. See template.ts (sheets, headers, rows), figures.ts (what is counted)
// and sheets.ts (the tables and their checks).
import { AppError } from '../../../errors';
import type { Actor, DomainDeps } from '../../deps';
import type { DateRange } from '../../metrics/range';
import { requireRole } from '../../roles/roles';
import { localDate } from '../../time';
import { csvLine } from '../csv';
import type { ExportFile } from '../files';
import { type ReportFigures, reportFigures } from './figures';
import { readReportSettings } from './settings';
import { buildSheets, checkSheets, describeFailure, type ReportSettings, type Sheet } from './sheets';
import { KEYWORD_CATEGORY, KEYWORD_OTHER } from './template';

export type DsaReport = { sheets: Sheet[]; warnings: string[]; startDate: string; endDate: string };

/** The reporting periods of the template: a calendar year or one of its halves. Anything else is allowed, with a warning. */
export function periodWarning(startDate: string, endDate: string): string | null {
  const y = startDate.slice(0, 4);
  const ok = [
    [`${y}-01-01`, `${y}-06-30`],
    [`${y}-07-01`, `${y}-12-31`],
    [`${y}-01-01`, `${y}-12-31`],
  ].some(([s, e]) => s === startDate && e === endDate);
  return ok
    ? null
    : `${startDate}/${endDate} is not a reporting period of the template (a calendar year, or 1 January–30 June / 1 July–31 December): the files are made all the same.`;
}

/**
 * The names a regulator reads on every sheet: when not configured the files are made (blank there) but the
 * export says so and how to set them (review #27).
 */
export function unsetWarnings(s: ReportSettings): string[] {
  const missing = [
    ...(s.serviceName ? [] : ['`service` (the Service column of every sheet)']),
    ...(s.providerName ? [] : ['`provider` (the provider name on 1_report_identification)']),
  ];
  return missing.length
    ? [
        `Not configured, so left blank: ${missing.join(' and ')}. Set them with \`/trustops dsa report-config service "…"\` and \`/trustops dsa report-config provider "…"\` (admins) before publishing.`,
      ]
    : [];
}

/** Keyword-less and unmapped policies, for each KEYWORD_OTHER row's description. */
async function policyLists(deps: Pick<DomainDeps, 'analytics'>, f: ReportFigures) {
  const rows = await deps.analytics.read((r) => r.query('SELECT policy, category, keyword FROM dsa_category_map ORDER BY policy'));
  const otherPolicies: Record<string, string[]> = {};
  for (const r of rows) {
    const keyword = r.keyword === null ? KEYWORD_OTHER : String(r.keyword);
    if (keyword !== KEYWORD_OTHER && KEYWORD_CATEGORY.has(keyword)) continue;
    const category = String(r.category);
    otherPolicies[category] = [...(otherPolicies[category] ?? []), String(r.policy)];
  }
  return { otherPolicies, unmappedPolicies: Object.keys(f.aggregates.unmappedPolicies).sort() };
}

/** The report's sheets for a range, checked; throws naming sheet, row and column when a check fails. */
export async function buildDsaReport(
  deps: Pick<DomainDeps, 'analytics' | 'db' | 'clock'>,
  range: DateRange,
  settings?: ReportSettings,
): Promise<DsaReport> {
  const startDate = localDate(range.start, range.timeZone);
  const endDate = localDate(new Date(range.end.getTime() - 1), range.timeZone);
  const figures = await reportFigures(deps, range);
  const used = settings ?? (await readReportSettings(deps));
  const lists = await policyLists(deps, figures);
  const sheets = buildSheets(figures, {
    startDate,
    endDate,
    publishedOn: localDate(deps.clock.now(), range.timeZone),
    settings: used,
    ...lists,
  });
  const failures = checkSheets(sheets, figures);
  if (failures.length)
    throw new AppError(
      'bad_input',
      `The DSA report does not add up, so no file was written:\n${failures
        .slice(0, 10)
        .map((x) => `• ${describeFailure(x)}`)
        .join(
          '\n',
        )}${failures.length > 10 ? `\n…and ${failures.length - 10} more.` : ''}\nCheck the policy mapping (\`/trustops dsa map\`).`,
      '/trustops dsa map',
    );
  const warnings = [periodWarning(startDate, endDate), ...unsetWarnings(used)].filter((w): w is string => w !== null);
  return { sheets, warnings, startDate, endDate };
}

/** One sheet as CSV lines (RFC 4180, CRLF), header first. */
export function* sheetCsvLines(sheet: Sheet): Iterable<string> {
  yield csvLine(sheet.header);
  for (const row of sheet.rows) yield csvLine(row);
}

/** The report's files, one per sheet, named `<sheet>_<start>_<end>.csv`. Viewers and above. */
export async function dsaReportFiles(
  deps: DomainDeps,
  actor: Actor,
  range: DateRange,
): Promise<{ files: ExportFile[]; warnings: string[] }> {
  await requireRole(deps, actor, 'viewer', 'export the DSA transparency report');
  const report = await buildDsaReport(deps, range);
  const files = report.sheets.map(
    (sheet): ExportFile => ({
      filename: `${sheet.name}_${report.startDate}_${report.endDate}.csv`,
      title: `DSA transparency report ${sheet.name}, ${report.startDate}/${report.endDate}`,
      lines: sheetCsvLines(sheet),
      records: 'csv',
    }),
  );
  return { files, warnings: report.warnings };
}
