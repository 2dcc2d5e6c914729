import { type CsvError as ParseError, parse } from 'csv-parse';
import { AppError } from '../../errors';

/** One CSV record. The header is the first row yielded, as record 0. */
export type CsvRow = {
  /** 1-based physical line where the record starts (quoted newlines and blank lines count). */
  line: number;
  /** 1-based data row number; the header is 0 and blank lines are not numbered. */
  record: number;
  fields: string[];
};

/** A file the reader refuses. A bad_input AppError, so its message reaches the person who uploaded the file. */
export class CsvError extends AppError {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super('bad_input', message);
    this.name = 'CsvError';
  }
}

export type CsvReadOptions = {
  /** Longest row accepted, in bytes; a longer one means a broken file, and we stop before buffering it. */
  maxRecordBytes?: number;
};

const LF = 10;

/** Where the parser failed, for a person: what is wrong and how to write it instead. */
function describeParseError(err: ParseError, line: number, maxRecordBytes: number): CsvError {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new CsvError(`unterminated quoted field in the row starting at line ${line}`, line);
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new CsvError(
        `unexpected text after a closing quote in the row starting at line ${line} (a quote inside a quoted field is written "")`,
        line,
      );
    case 'INVALID_OPENING_QUOTE':
      return new CsvError(
        `a quote inside an unquoted field in the row starting at line ${line} (quote the whole field and write the quote as "")`,
        line,
      );
    case 'CSV_MAX_RECORD_SIZE':
      return new CsvError(`the row starting at line ${line} is longer than ${maxRecordBytes} bytes`, line);
    default:
      return new CsvError(`the file is not valid CSV in the row starting at line ${line}: ${err.message}`, line);
  }
}

/**
 * Offset of the first byte of an invalid UTF-8 sequence in a chunk, or 0 when the fault lies in bytes
 * carried over from the previous chunk. Only used to put a line number on the error.
 */
function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  // Continuation bytes at the very start finish a character begun in the previous chunk.
  while (i < 3 && i < b.length && (b[i]! & 0xc0) === 0x80) i++;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      // Cut off by the end of the chunk, which is allowed: the fault must be in the carried-over bytes.
      if (i + k >= b.length) return 0;
      const d = b[i + k]!;
      if (d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return 0;
}

function countLfBytes(b: Uint8Array, to: number): number {
  let count = 0;
  for (let k = b.indexOf(LF); k !== -1 && k < to; k = b.indexOf(LF, k + 1)) count++;
  return count;
}

function countLf(s: string): number {
  let count = 0;
  for (let k = s.indexOf('\n'); k !== -1; k = s.indexOf('\n', k + 1)) count++;
  return count;
}

/**
 * Streams the records of a CSV file (RFC 4180, UTF-8, comma-separated, CRLF or LF) with csv-parse. The
 * first row yielded is the header. Chunks may split anything, a quote, a CRLF or a character, and the
 * output does not change: the same rows, then the same error (the first problem in the file) if there is
 * one. Bytes are checked to be UTF-8 before the parser sees them; strings are taken as already decoded.
 */
export async function* readCsv(input: AsyncIterable<Uint8Array | string>, opts: CsvReadOptions = {}): AsyncGenerator<CsvRow> {
  for await (const rows of readCsvBatches(input, opts)) yield* rows;
}

/**
 * readCsv's rows as one array per chunk of input: the same rows and the same error, for readers of
 * large files to whom an await per row would cost more than the parsing.
 */
export async function* readCsvBatches(input: AsyncIterable<Uint8Array | string>, opts: CsvReadOptions = {}): AsyncGenerator<CsvRow[]> {
  const maxRecordBytes = opts.maxRecordBytes ?? 1024 * 1024;
  if (!Number.isInteger(maxRecordBytes) || maxRecordBytes < 1)
    throw new RangeError(`maxRecordBytes must be a positive integer, got ${maxRecordBytes}`);
  // Records are collected as the parser meets them, so the rows before an error are kept.
  const parsed: { fields: string[]; emptyLines: number }[] = [];
  const parser = parse({
    bom: true,
    // Strict RFC 4180 quoting; rows of the wrong length are the importer's to report, row by row.
    relax_column_count: true,
    relax_quotes: false,
    skip_empty_lines: true,
    record_delimiter: ['\r\n', '\n'],
    max_record_size: maxRecordBytes,
    on_record: (fields: string[], info) => {
      parsed.push({ fields, emptyLines: info.empty_lines });
      return null;
    },
  });
  // The parser stops at its first error; it is read from `parser.errored` after each write.
  parser.on('error', () => {});
  // Physical lines of the rows yielded so far (newlines inside quotes count) and the blank lines the
  // parser skipped: the next row begins on the line after them.
  let linesBefore = 0;
  let emptyLines = 0;
  let record = 0;
  const nextLine = () => 1 + linesBefore + emptyLines;
  function drain(): CsvRow[] {
    const rows: CsvRow[] = new Array(parsed.length);
    for (let k = 0; k < parsed.length; k++) {
      const row = parsed[k]!;
      emptyLines = row.emptyLines;
      rows[k] = { line: nextLine(), record: record++, fields: row.fields };
      let lines = 1;
      for (const f of row.fields) lines += countLf(f);
      linesBefore += lines;
    }
    parsed.length = 0;
    return rows;
  }
  const parseFailure = (): CsvError | undefined => {
    const err = parser.errored as ParseError | null;
    if (!err) return undefined;
    if (typeof err.empty_lines === 'number') emptyLines = err.empty_lines;
    return describeParseError(err, nextLine(), maxRecordBytes);
  };

  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const notUtf8 = (line: number) => new CsvError(`the file is not UTF-8 (invalid byte sequence at line ${line})`, line);
  // LF bytes given to the parser so far: a bad byte sits on the line after them.
  let lfs = 0;
  // A string piece may end in the first half of a surrogate pair: it waits for the second.
  let highSurrogate = '';
  let done = false;
  const iterator = input[Symbol.asyncIterator]();
  try {
    for (;;) {
      const step = await iterator.next();
      if (step.done) {
        done = true;
        break;
      }
      let chunk = step.value;
      let badBytes: CsvError | undefined;
      if (typeof chunk === 'string') {
        chunk = highSurrogate + chunk;
        const last = chunk.charCodeAt(chunk.length - 1);
        highSurrogate = last >= 0xd800 && last <= 0xdbff ? chunk.slice(-1) : '';
        if (highSurrogate) chunk = chunk.slice(0, -1);
      } else {
        try {
          decoder.decode(chunk, { stream: true });
        } catch {
          // The good bytes before the bad one are parsed first: a parse error there comes earlier in the file.
          const bad = firstInvalidByte(chunk);
          badBytes = notUtf8(1 + lfs + countLfBytes(chunk, bad));
          chunk = chunk.subarray(0, bad);
        }
        lfs += countLfBytes(chunk, chunk.length);
      }
      parser.write(chunk);
      const rows = drain();
      if (rows.length > 0) yield rows;
      const failure = parseFailure() ?? badBytes;
      if (failure) throw failure;
    }
    try {
      decoder.decode();
    } catch {
      throw notUtf8(1 + lfs);
    }
    if (highSurrogate) parser.write(highSurrogate);
    await new Promise<void>((resolve) => parser.end(() => resolve()));
    const rows = drain();
    if (rows.length > 0) yield rows;
    const failure = parseFailure();
    if (failure) throw failure;
  } finally {
    parser.destroy();
    // A caller that stops early (or an error) must still release the underlying stream.
    if (!done) await iterator.return?.();
  }
}

export type CsvRecord<Required extends string, Optional extends string = never> =
  | { ok: true; record: number; line: number; values: Record<Required, string> & Partial<Record<Optional, string>> }
  | { ok: false; record: number; line: number; error: string };

export type CsvRecordOptions<Required extends string, Optional extends string> = CsvReadOptions & {
  requiredColumns: readonly Required[];
  optionalColumns?: readonly Optional[];
};

/**
 * Reads a CSV file whose header names its columns. The header is checked before any row is yielded:
 * missing, unknown and duplicate columns are reported together in one CsvError. Header names are
 * trimmed and matched case-insensitively; values are keyed by the names given here and kept exactly as
 * sent. An optional column absent from the file is absent from `values`. A row whose field count differs
 * from the header's is yielded with `ok: false` so the importer can report it and go on.
 */
export async function* readCsvRecords<const Required extends string, const Optional extends string = never>(
  input: AsyncIterable<Uint8Array | string>,
  opts: CsvRecordOptions<Required, Optional>,
): AsyncGenerator<CsvRecord<Required, Optional>> {
  for await (const records of readCsvRecordBatches(input, opts)) yield* records;
}

/** readCsvRecords' records as one array per chunk of input (see readCsvBatches). */
export async function* readCsvRecordBatches<const Required extends string, const Optional extends string = never>(
  input: AsyncIterable<Uint8Array | string>,
  opts: CsvRecordOptions<Required, Optional>,
): AsyncGenerator<CsvRecord<Required, Optional>[]> {
  let columns: string[] | undefined;
  for await (const rows of readCsvBatches(input, opts)) {
    const records: CsvRecord<Required, Optional>[] = [];
    for (const row of rows) {
      if (columns === undefined) {
        columns = checkHeader(row, opts.requiredColumns, opts.optionalColumns ?? []);
        continue;
      }
      const { record, line, fields } = row;
      if (fields.length !== columns.length) {
        records.push({ ok: false, record, line, error: `expected ${columns.length} fields, found ${fields.length}` });
        continue;
      }
      const values: Record<string, string> = {};
      for (let k = 0; k < columns.length; k++) values[columns[k]!] = fields[k]!;
      records.push({ ok: true, record, line, values: values as Record<Required, string> & Partial<Record<Optional, string>> });
    }
    if (records.length > 0) yield records;
  }
  if (columns === undefined) {
    throw new CsvError(`the file is empty: expected a header row naming ${opts.requiredColumns.join(', ')}`, 1);
  }
}

/** Returns the canonical column name at each header position, or throws listing every problem. */
function checkHeader(header: CsvRow, required: readonly string[], optional: readonly string[]): string[] {
  const canonical = new Map<string, string>();
  for (const name of [...required, ...optional]) canonical.set(name.trim().toLowerCase(), name);

  const columns: string[] = [];
  const unknown: string[] = [];
  const positions = new Map<string, number[]>();
  header.fields.forEach((raw, k) => {
    const name = raw.trim();
    const known = canonical.get(name.toLowerCase());
    if (known === undefined) {
      unknown.push(name === '' ? `an unnamed column (column ${k + 1})` : `${quoteName(name)} (column ${k + 1})`);
      return;
    }
    columns.push(known);
    positions.set(known, [...(positions.get(known) ?? []), k + 1]);
  });
  const missing = required.filter((name) => !positions.has(name));
  const duplicate = [...positions].filter(([, at]) => at.length > 1).map(([name, at]) => `${quoteName(name)} (columns ${at.join(', ')})`);

  const problems = [
    missing.length > 0 ? `missing ${plural(missing.length, 'column')} ${missing.map(quoteName).join(', ')}` : '',
    unknown.length > 0 ? `unknown ${plural(unknown.length, 'column')} ${unknown.join(', ')}` : '',
    duplicate.length > 0 ? `duplicate ${plural(duplicate.length, 'column')} ${duplicate.join(', ')}` : '',
  ].filter((p) => p !== '');
  if (problems.length > 0) {
    const expected = required.join(', ') + (optional.length > 0 ? ` (optional: ${optional.join(', ')})` : '');
    throw new CsvError(
      `the header row at line ${header.line} does not match: ${problems.join('; ')}. Expected columns: ${expected}`,
      header.line,
    );
  }
  return columns;
}

/** Header text comes from the file: cut it short so a broken header cannot flood the error message. */
function quoteName(name: string): string {
  return JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}
