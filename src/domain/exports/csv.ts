/** A value a CSV export cell can hold. */
export type CsvValue = string | number | boolean | null | undefined | Date;

/** Text a spreadsheet would run as a formula (or that hides one after a control character). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Text RFC 4180 only allows inside quotes; edge spaces are quoted so no reader trims them. */
const NEEDS_QUOTES = /[",\r\n]|^ | $/;

/** One CSV record (RFC 4180), CRLF-terminated. */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? plainNumber(value) : '';
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  // Exports are opened in spreadsheets: a leading ' keeps `=HYPERLINK(...)` and friends as text (CSV injection).
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The number's shortest round-trip digits, with String's exponent form (1e+21, 1e-7) written out in full. */
function plainNumber(n: number): string {
  const text = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text;
  const [, sign = '', lead = '', rest = '', exp = '0'] = m;
  const digits = lead + rest;
  const point = 1 + Number(exp); // where the decimal point falls in `digits`
  // String() only uses exponents past 1e21 or below 1e-6, so the point is always outside the digits.
  return point <= 0 ? `${sign}0.${'0'.repeat(-point)}${digits}` : `${sign}${digits}${'0'.repeat(point - digits.length)}`;
}
