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
  /** Longest field accepted, in UTF-8 bytes; a longer one means a broken file, and we stop before buffering it. */
  maxFieldBytes?: number;
};

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

type RawRow = { line: number; fields: string[] };

/**
 * RFC 4180 reader over decoded text that arrives in pieces. It scans with indexOf and slices, so the
 * cost per character is native; the only text it keeps between pieces is the one field still open.
 */
class CsvParser {
  /** Text of the field still open at the end of the last piece, from its first character. */
  private carry = '';
  /** Offset in `carry` where scanning resumes, so a long field split across pieces is scanned once. */
  private resume = 0;
  /** Whether the open quoted field has a `""` before `resume`. */
  private doubled = false;
  private fields: string[] = [];
  /** Physical line where the open field starts. */
  private line = 1;
  private recordLine = 1;

  /**
   * Raw length (quotes included) past which a quoted field's value is surely over the limit: escaped
   * quotes at most halve the text. Checked on every field at the same point whatever the chunking, so
   * a broken file gets the same error however it arrives.
   */
  private readonly maxRaw: number;

  constructor(private readonly maxFieldBytes: number) {
    this.maxRaw = 2 * maxFieldBytes + 2;
  }

  /** Lines fully read so far plus one: where a byte that has not been parsed yet would sit. */
  currentLine(): number {
    return this.line + countLf(this.carry, 0, this.carry.length);
  }

  /** Parses `text` after what is open; completed records go to `out`. `final` means the input has ended. */
  feed(text: string, final: boolean, out: RawRow[]): void {
    const s = this.carry.length === 0 ? text : this.carry + text;
    const n = s.length;
    const max = this.maxFieldBytes;
    let i = 0;
    let resume = this.resume;
    let doubled = this.doubled;
    this.carry = '';
    this.resume = 0;
    this.doubled = false;
    // Next comma / LF at or after the last place we looked; n when there is none. Caching them keeps a
    // line with many fields linear instead of rescanning to its end for every field.
    let comma = -1;
    let nl = -1;

    for (;;) {
      if (i >= n) {
        if (final && this.fields.length > 0) this.endRecord('', out);
        return;
      }

      if (s.charCodeAt(i) !== QUOTE) {
        const from = i + resume;
        resume = 0;
        if (comma < from) comma = indexOrEnd(s, ',', from);
        if (nl < from) nl = indexOrEnd(s, '\n', from);
        if (comma < nl) {
          this.push(s.slice(i, comma), max);
          i = comma + 1;
          continue;
        }
        if (nl === n && !final) {
          this.suspend(s, i, n - i, false, n - i);
          return;
        }
        let end = nl;
        if (end > i && s.charCodeAt(end - 1) === CR) end--;
        if (end === i && this.fields.length === 0) {
          // A blank line is no record, but it is a physical line.
          if (nl === n) return;
          this.line++;
          this.recordLine = this.line;
        } else {
          this.endRecord(s.slice(i, end), out);
          this.line++;
          this.recordLine = this.line;
        }
        i = nl + 1;
        continue;
      }

      // Quoted field: find the closing quote, stepping over each doubled one.
      let j = i + Math.max(1, resume);
      resume = 0;
      let close: number;
      for (;;) {
        const q = s.indexOf('"', j);
        if (q === -1) {
          // The closing quote, if any, comes after all of this.
          if (n - i + 1 > this.maxRaw) throw this.tooLong();
          if (final) throw new CsvError(`unterminated quoted field starting at line ${this.line}`, this.line);
          this.suspend(s, i, n - i, doubled, n - i + 1);
          return;
        }
        if (q + 1 === n && !final) {
          this.suspend(s, i, q - i, doubled, q - i + 1);
          return;
        }
        if (s.charCodeAt(q + 1) === QUOTE) {
          doubled = true;
          j = q + 2;
          continue;
        }
        close = q;
        break;
      }
      if (close - i + 1 > this.maxRaw) throw this.tooLong();
      const after = close + 1;
      let next = after;
      let endsRecord = true;
      const c = after < n ? s.charCodeAt(after) : -1;
      if (c === COMMA) {
        endsRecord = false;
        next = after + 1;
      } else if (c === LF) {
        next = after + 1;
      } else if (c === CR) {
        if (after + 1 === n && !final) {
          this.suspend(s, i, close - i, doubled, close - i + 1);
          return;
        }
        const c2 = after + 1 < n ? s.charCodeAt(after + 1) : -1;
        if (c2 !== LF && c2 !== -1) throw this.textAfterQuote(s, i, close);
        next = after + 2;
      } else if (c !== -1) {
        throw this.textAfterQuote(s, i, close);
      }

      let value = s.slice(i + 1, close);
      if (doubled) value = value.replaceAll('""', '"');
      doubled = false;
      if (endsRecord) this.endRecord(value, out);
      else this.push(value, max);
      // Newlines inside the quotes are physical lines too.
      if (nl < i) nl = indexOrEnd(s, '\n', i);
      while (nl < close) {
        this.line++;
        nl = indexOrEnd(s, '\n', nl + 1);
      }
      if (endsRecord) {
        if (c === LF || c === CR) this.line++;
        this.recordLine = this.line;
      }
      i = next;
    }
  }

  private push(value: string, max: number): void {
    // A UTF-16 unit is at most 3 UTF-8 bytes, so only long strings need measuring.
    if (value.length * 3 > max && Buffer.byteLength(value) > max) throw this.tooLong();
    this.fields.push(value);
  }

  private endRecord(last: string, out: RawRow[]): void {
    this.push(last, this.maxFieldBytes);
    out.push({ line: this.recordLine, fields: this.fields });
    this.fields = [];
  }

  /**
   * Keeps the open field for the next piece. `atLeast` is a length its raw text is sure to reach: past
   * maxRaw it is refused now, as it would be once complete, so memory stays bounded on a broken file.
   */
  private suspend(s: string, start: number, resume: number, doubled: boolean, atLeast: number): void {
    if (atLeast > this.maxRaw) throw this.tooLong();
    this.carry = s.slice(start);
    this.resume = resume;
    this.doubled = doubled;
  }

  private tooLong(): CsvError {
    return new CsvError(`field longer than ${this.maxFieldBytes} bytes at line ${this.line}`, this.line);
  }

  private textAfterQuote(s: string, start: number, close: number): CsvError {
    const line = this.line + countLf(s, start, close);
    return new CsvError(`unexpected text after a closing quote at line ${line} (a quote inside a quoted field is written "")`, line);
  }
}

function indexOrEnd(s: string, needle: string, from: number): number {
  const k = s.indexOf(needle, from);
  return k === -1 ? s.length : k;
}

function countLf(s: string, from: number, to: number): number {
  let count = 0;
  for (let k = s.indexOf('\n', from); k !== -1 && k < to; k = s.indexOf('\n', k + 1)) count++;
  return count;
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

function notUtf8(line: number): CsvError {
  return new CsvError(`the file is not UTF-8 (invalid byte sequence at line ${line})`, line);
}

/**
 * Streams the records of a CSV file (RFC 4180, UTF-8, comma-separated). The first row yielded is the
 * header. Chunks may split anything, a quote, a CRLF or a character, and the output does not change:
 * the same rows, then the same error (the first problem in the file) if there is one. Buffers and web
 * stream chunks (Uint8Array) are decoded as UTF-8; strings are taken as already decoded.
 */
export async function* readCsv(input: AsyncIterable<Uint8Array | string>, opts: CsvReadOptions = {}): AsyncGenerator<CsvRow> {
  const maxFieldBytes = opts.maxFieldBytes ?? 100_000;
  if (!Number.isInteger(maxFieldBytes) || maxFieldBytes < 1)
    throw new RangeError(`maxFieldBytes must be a positive integer, got ${maxFieldBytes}`);
  const parser = new CsvParser(maxFieldBytes);
  // The BOM is dropped by hand below, the same way for Buffer and string chunks.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const out: RawRow[] = [];
  let started = false;
  let record = 0;
  let done = false;
  // The last bytes decoded: they may hold a character the decoder is still waiting to finish.
  let recent: Uint8Array = new Uint8Array(0);

  const iterator = input[Symbol.asyncIterator]();
  try {
    while (!done) {
      const step = await iterator.next();
      let text: string;
      let failure: unknown;
      if (step.done) {
        done = true;
        try {
          text = decoder.decode();
        } catch {
          throw notUtf8(parser.currentLine());
        }
      } else if (typeof step.value === 'string') {
        text = step.value;
      } else {
        const chunk = step.value;
        try {
          text = decoder.decode(chunk, { stream: true });
          recent = chunk.length >= 3 ? chunk.subarray(chunk.length - 3) : Buffer.concat([recent, chunk]).subarray(-3);
        } catch {
          // Parse the good bytes before the bad one first: a parse error there comes earlier in the
          // file, and the first problem in the file must be the one reported whatever the chunking.
          const bad = firstInvalidByte(chunk);
          failure = notUtf8(parser.currentLine() + countLfBytes(chunk, bad));
          text = decodePrefix(recent, chunk.subarray(0, bad));
        }
      }
      if (!started && text.length > 0) {
        started = true;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      try {
        parser.feed(text, done, out);
      } catch (err) {
        failure = err;
      }
      for (const row of out) yield { line: row.line, record: record++, fields: row.fields };
      out.length = 0;
      if (failure !== undefined) throw failure;
    }
  } finally {
    // A caller that stops early (or an error) must still release the underlying stream.
    if (!done) await iterator.return?.();
  }
}

/** Decodes the valid bytes before an invalid one, with the character the failed decoder had begun. */
function decodePrefix(recent: Uint8Array, prefix: Uint8Array): string {
  let start = recent.length;
  while (start > 0 && (recent[start - 1]! & 0xc0) === 0x80) start--;
  const lead = start > 0 ? recent[start - 1]! : 0;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  const pending = start > 0 && recent.length - (start - 1) < length ? recent.subarray(start - 1) : new Uint8Array(0);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.concat([pending, prefix]), { stream: true });
  } catch {
    return '';
  }
}

function countLfBytes(b: Uint8Array, to: number): number {
  let count = 0;
  for (let k = b.indexOf(LF); k !== -1 && k < to; k = b.indexOf(LF, k + 1)) count++;
  return count;
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
  let columns: string[] | undefined;
  for await (const row of readCsv(input, opts)) {
    if (columns === undefined) {
      columns = checkHeader(row, opts.requiredColumns, opts.optionalColumns ?? []);
      continue;
    }
    const { record, line, fields } = row;
    if (fields.length !== columns.length) {
      yield { ok: false, record, line, error: `expected ${columns.length} fields, found ${fields.length}` };
      continue;
    }
    const values: Record<string, string> = {};
    for (let k = 0; k < columns.length; k++) values[columns[k]!] = fields[k]!;
    yield { ok: true, record, line, values: values as Record<Required, string> & Partial<Record<Optional, string>> };
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
