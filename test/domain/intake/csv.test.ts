import { CsvError, readCsv, readCsvRecords } from '../../../src/domain/intake/csv';
import { AppError, userFacingMessage } from '../../../src/errors';

type Input = string | Buffer;

/** The same bytes, cut into pieces of `size` bytes (0: one piece), as an upload stream would deliver them. */
async function* chunked(input: Input, size: number): AsyncGenerator<Buffer> {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (size === 0) {
    yield bytes;
    return;
  }
  for (let k = 0; k < bytes.length; k += size) yield bytes.subarray(k, k + size);
}

async function* strings(...pieces: string[]): AsyncGenerator<string> {
  yield* pieces;
}

/** [line, record, fields] per row, or the error the reader threw after them. */
type Outcome = { rows: [number, number, string[]][]; error?: { message: string; line: number } };

async function outcome(input: AsyncIterable<Buffer | string>, maxRecordBytes?: number): Promise<Outcome> {
  const rows: Outcome['rows'] = [];
  try {
    for await (const row of readCsv(input, { maxRecordBytes })) rows.push([row.line, row.record, row.fields]);
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    return { rows, error: { message: err.message, line: err.line } };
  }
  return { rows };
}

/** Reads `input` whole, in 1-byte and in 7-byte pieces, checks all three agree, and returns the result. */
async function read(input: Input, maxRecordBytes?: number): Promise<Outcome> {
  const whole = await outcome(chunked(input, 0), maxRecordBytes);
  expect(await outcome(chunked(input, 1), maxRecordBytes)).toEqual(whole);
  expect(await outcome(chunked(input, 7), maxRecordBytes)).toEqual(whole);
  return whole;
}

async function rowsOf(input: Input): Promise<Outcome['rows']> {
  const { rows, error } = await read(input);
  expect(error).toBeUndefined();
  return rows;
}

async function errorOf(input: Input, maxRecordBytes?: number): Promise<{ message: string; line: number }> {
  const { error } = await read(input, maxRecordBytes);
  if (!error) throw new Error('expected a CsvError');
  return error;
}

describe('readCsv', () => {
  // biome-ignore format: one case per line reads as a table
  const cases: [string, string, Outcome['rows']][] = [
    ['reads LF line endings', 'a,b\n1,2\n', [[1, 0, ['a', 'b']], [2, 1, ['1', '2']]]],
    ['reads CRLF line endings', 'a,b\r\n1,2\r\n', [[1, 0, ['a', 'b']], [2, 1, ['1', '2']]]],
    ['reads a mix of CRLF and LF', 'a,b\r\n1,2\n3,4\r\n', [[1, 0, ['a', 'b']], [2, 1, ['1', '2']], [3, 2, ['3', '4']]]],
    ['reads a last row without a newline', 'a,b\n1,2', [[1, 0, ['a', 'b']], [2, 1, ['1', '2']]]],
    ['keeps a CR alone at the very end as data (no line ends there)', 'a,b\r\n1,2\r', [[1, 0, ['a', 'b']], [2, 1, ['1', '2\r']]]],
    ['ignores blank lines at the end', 'a\n1\n\n\r\n\n', [[1, 0, ['a']], [2, 1, ['1']]]],
    ['skips blank lines in the middle, keeping physical line numbers', 'a\n\n1\r\n\r\n\n2\n', [[1, 0, ['a']], [3, 1, ['1']], [6, 2, ['2']]]],
    ['skips blank lines before the header', '\n\na\n1\n', [[3, 0, ['a']], [4, 1, ['1']]]],
    ['drops a UTF-8 BOM', '\uFEFFname,id\nx,1\n', [[1, 0, ['name', 'id']], [2, 1, ['x', '1']]]],
    ['reads empty fields', 'a,b,c\n,,\n1,,\n', [[1, 0, ['a', 'b', 'c']], [2, 1, ['', '', '']], [3, 2, ['1', '', '']]]],
    ['reads an empty last field at the end of input', 'a,b\n1,', [[1, 0, ['a', 'b']], [2, 1, ['1', '']]]],
    ['keeps spaces around values', 'a,b\n  x , y  \n', [[1, 0, ['a', 'b']], [2, 1, ['  x ', ' y  ']]]],
    ['reads a comma inside quotes', 'a,b\n"x, y",z\n', [[1, 0, ['a', 'b']], [2, 1, ['x, y', 'z']]]],
    ['unescapes doubled quotes', 'a,b\n"say ""hi""","""",\n', [[1, 0, ['a', 'b']], [2, 1, ['say "hi"', '"', '']]]],
    ['reads empty quoted fields', 'a,b\n"",""\n""\n', [[1, 0, ['a', 'b']], [2, 1, ['', '']], [3, 2, ['']]]],
    ['reads a quoted field at the end of input', 'a,b\n1,"two"', [[1, 0, ['a', 'b']], [2, 1, ['1', 'two']]]],
    ['reads quoted fields before CRLF', 'a,b\r\n"1","2"\r\n3,4\r\n', [[1, 0, ['a', 'b']], [2, 1, ['1', '2']], [3, 2, ['3', '4']]]],
    ['counts newlines inside quotes as physical lines', 'id,note\n1,"one\ntwo"\n2,"a\r\n\r\nb",x\n3,z\n',
      [[1, 0, ['id', 'note']], [2, 1, ['1', 'one\ntwo']], [4, 2, ['2', 'a\r\n\r\nb', 'x']], [7, 3, ['3', 'z']]]],
    ['keeps a lone CR inside a field as data', 'a,b\nx\ry,z\n', [[1, 0, ['a', 'b']], [2, 1, ['x\ry', 'z']]]],
    ['reads multi-byte characters', 'name\ncafé\n日本語\n"😀, 👍"\n', [[1, 0, ['name']], [2, 1, ['café']], [3, 2, ['日本語']], [4, 3, ['😀, 👍']]]],
    ['yields nothing for an empty file', '', []],
    ['yields nothing for a file holding only a BOM', '\uFEFF', []],
  ];

  it.each(cases)('%s, whatever the chunk size', async (_name, text, expected) => {
    expect(await rowsOf(text)).toEqual(expected);
  });

  it('passes text that looks like a Slack mention, a formula or SQL through unchanged', async () => {
    const risky = ['<!channel>', '<@U123|admin>', "=cmd|' /C calc'!A0", '+1+1', "'; DROP TABLE cases; --", '@here <script>'];
    const text = `value\n${risky.map((v) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join('\n')}\n`;
    const rows = await rowsOf(text);
    expect(rows.slice(1).map(([, , fields]) => fields[0])).toEqual(risky);
  });

  it('gives the same rows for a realistic file in 1-byte, 7-byte and whole pieces', async () => {
    const text =
      '\uFEFFid,title,url,notes\r\n' +
      '1,"Résumé, ""final""",https://x.test/a?b=1,"two\r\nlines"\r\n' +
      '\r\n' +
      '2,日本語のタイトル,https://x.test/😀,plain\n' +
      '3,"",,"ends with a quote """\r\n' +
      '4,last,row,no newline';
    const rows = await rowsOf(text);
    expect(rows).toEqual([
      [1, 0, ['id', 'title', 'url', 'notes']],
      [2, 1, ['1', 'Résumé, "final"', 'https://x.test/a?b=1', 'two\r\nlines']],
      [5, 2, ['2', '日本語のタイトル', 'https://x.test/😀', 'plain']],
      [6, 3, ['3', '', '', 'ends with a quote "']],
      [7, 4, ['4', 'last', 'row', 'no newline']],
    ]);
    // Every cut position, and string pieces rather than bytes, read the same.
    for (const size of [2, 3, 4, 5, 13]) expect(await outcome(chunked(text, size))).toEqual({ rows });
    expect(await outcome(strings(...text.split('')))).toEqual({ rows });
  });

  describe('refuses a broken file, naming the line', () => {
    const errors: [string, string, number, RegExp][] = [
      ['an unterminated quoted field', 'a,b\n1,"abc\n2,3\n', 2, /^unterminated quoted field in the row starting at line 2$/],
      [
        'an unterminated quoted field right after its quote',
        'a,b\n1,2\n3,"',
        3,
        /^unterminated quoted field in the row starting at line 3$/,
      ],
      [
        'text after a closing quote',
        'a,b\n"ab"c,d\n',
        2,
        /^unexpected text after a closing quote in the row starting at line 2 \(a quote inside/,
      ],
      ['text after a closing quote, after quoted newlines', 'a\n"x\ny\nz"!\n', 2, /closing quote in the row starting at line 2/],
      ['a space after a closing quote', 'a,b\n"ab" ,c\n', 2, /closing quote in the row starting at line 2/],
      ['a CR alone after a closing quote', 'a,b\n"ab"\rc\n', 2, /closing quote in the row starting at line 2/],
      [
        'a quote inside an unquoted field',
        'a,b\n5" screen,x\n',
        2,
        /^a quote inside an unquoted field in the row starting at line 2 \(quote the whole field/,
      ],
      ['an unterminated quote after quoted newlines and blank lines', 'a\n"x\ny"\n\n\n"z\n', 6, /in the row starting at line 6$/],
    ];
    it.each(errors)('%s', async (_name, text, line, message) => {
      const error = await errorOf(text);
      expect(error.line).toBe(line);
      expect(error.message).toMatch(message);
    });

    it('yields the rows before the error, the same for every chunk size', async () => {
      const { rows, error } = await read('a\n1\n2\n"3"x\n4\n');
      expect(rows.map(([line]) => line)).toEqual([1, 2, 3]);
      expect(error?.line).toBe(4);
    });
  });

  describe('maxRecordBytes', () => {
    it('accepts a row of exactly the limit, counted in UTF-8 bytes', async () => {
      const { rows, error } = await read(`a\n${'x'.repeat(10)}\n"${'é'.repeat(5)}"\n`, 10);
      expect(error).toBeUndefined();
      expect(rows).toHaveLength(3);
    });

    it.each([
      ['unquoted', `a\nok\n${'x'.repeat(20)}\n`, 3],
      ['quoted, multi-byte', `a\nok\n"${'é'.repeat(6)}"\n`, 3],
      ['quoted, spanning lines', `a\n"${'x\n'.repeat(6)}"\n`, 2],
      ['last field without a newline', `a,b\n1,${'x'.repeat(20)}`, 2],
      // csv-parse checks the limit before it adds each byte: a row ending one byte past it may pass.
    ])('refuses a row over the limit (%s), naming the line where it starts', async (_name, text, line) => {
      const error = await errorOf(text, 10);
      expect(error).toEqual({ message: `the row starting at line ${line} is longer than 10 bytes`, line });
    });

    it.each([
      ['unquoted', 'a\nx'],
      ['quoted', 'a\n"x'],
    ])('stops reading a runaway %s field instead of buffering the whole stream', async (_name, start) => {
      let pieces = 0;
      async function* endless(): AsyncGenerator<string> {
        yield start;
        for (;;) {
          pieces++;
          yield 'x'.repeat(1000);
        }
      }
      await expect(outcome(endless(), 10_000)).resolves.toEqual({
        rows: [[1, 0, ['a']]],
        error: { message: 'the row starting at line 2 is longer than 10000 bytes', line: 2 },
      });
      expect(pieces).toBeLessThan(25);
    });
  });

  describe('non-UTF-8 input', () => {
    it.each([
      ['a Latin-1 é (0xE9)', Buffer.concat([Buffer.from('name\nok\ncaf'), Buffer.from([0xe9]), Buffer.from('\nnext\n')]), 3],
      ['a Latin-1 é just before a newline', Buffer.concat([Buffer.from('name\ncaf'), Buffer.from([0xe9]), Buffer.from('\nnext\n')]), 2],
      [
        'a Latin-1 é inside a quoted multi-line field',
        Buffer.concat([Buffer.from('name\n"a\nb'), Buffer.from([0xe9]), Buffer.from('"\n')]),
        3,
      ],
      ['UTF-16 with a BOM', Buffer.from('\uFEFFname\nx\n', 'utf16le'), 1],
      ['a character cut off at the end', Buffer.concat([Buffer.from('name\nx\ny'), Buffer.from([0xc3])]), 3],
      ['an encoded surrogate', Buffer.concat([Buffer.from('name\n'), Buffer.from([0xed, 0xa0, 0x80])]), 2],
    ])('refuses %s', async (_name, bytes, line) => {
      for (const size of [0, 1, 7]) {
        const { error } = await outcome(chunked(bytes, size));
        expect(error).toEqual({ message: `the file is not UTF-8 (invalid byte sequence at line ${line})`, line });
      }
    });
  });

  it.each([
    ['a parse error before a bad byte', Buffer.concat([Buffer.from('a\n"x"y\n'), Buffer.from([0xe9])]), undefined, 2, /closing quote/],
    [
      'a bad byte before a parse error',
      Buffer.concat([Buffer.from('a\n'), Buffer.from([0xe9]), Buffer.from('\n"x"y\n')]),
      undefined,
      2,
      /not UTF-8/,
    ],
    [
      'a field too long and broken after its quote',
      Buffer.from(`a\n"${'x'.repeat(30)}"y\n`),
      10,
      2,
      /the row starting at line 2 is longer than 10 bytes/,
    ],
  ])('reports the first problem in the file whatever the chunk size: %s', async (_name, bytes, max, line, message) => {
    const error = await errorOf(bytes, max);
    expect(error.line).toBe(line);
    expect(error.message).toMatch(message);
  });

  it('stops the underlying stream when the caller stops early', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<string> {
      try {
        yield 'a\n1\n';
        yield '2\n';
      } finally {
        closed = true;
      }
    }
    for await (const row of readCsv(source())) if (row.record === 1) break;
    expect(closed).toBe(true);
  });

  it('is an AppError whose message reaches the person who uploaded the file', async () => {
    const rows = readCsv(strings('a\n"b'));
    await rows.next(); // the header
    const err = await rows.next().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CsvError);
    expect(err).toBeInstanceOf(AppError);
    expect(userFacingMessage(err).text).toBe('unterminated quoted field in the row starting at line 2');
  });
});

describe('readCsvRecords', () => {
  const columns = { requiredColumns: ['email', 'name', 'surface'], optionalColumns: ['notes'] } as const;

  async function collect(text: string) {
    const out = [];
    for await (const r of readCsvRecords(chunked(text, 7), columns)) out.push(r);
    return out;
  }

  async function headerError(text: string): Promise<CsvError> {
    const err = await collect(text).catch((e: unknown) => e);
    if (!(err instanceof CsvError)) throw new Error(`expected a CsvError, got ${String(err)}`);
    return err;
  }

  it('keys values by the canonical column name, matching the header trimmed and case-insensitively', async () => {
    const records = await collect(' Surface ,EMAIL,name\r\nmcp_apps,a@x.test,  Ann  \r\n');
    expect(records).toEqual([{ ok: true, record: 1, line: 2, values: { surface: 'mcp_apps', email: 'a@x.test', name: '  Ann  ' } }]);
    const first = records[0];
    // The type knows the columns: required ones are strings, optional ones may be absent.
    if (first?.ok) {
      const email: string = first.values.email;
      const notes: string | undefined = first.values.notes;
      expect([email, notes]).toEqual(['a@x.test', undefined]);
    }
  });

  it('includes an optional column when the file has it', async () => {
    const records = await collect('email,name,surface,Notes\na@x.test,Ann,web,"see ""ticket"""\n');
    expect(records).toEqual([
      { ok: true, record: 1, line: 2, values: { email: 'a@x.test', name: 'Ann', surface: 'web', notes: 'see "ticket"' } },
    ]);
  });

  it('passes a mention, a formula or SQL through as sent', async () => {
    const records = await collect('email,name,surface\n<!channel>,"=HYPERLINK(""http://x"")",\'; DROP TABLE t; --\n');
    expect(records).toEqual([
      { ok: true, record: 1, line: 2, values: { email: '<!channel>', name: '=HYPERLINK("http://x")', surface: "'; DROP TABLE t; --" } },
    ]);
  });

  it('reports a row with the wrong number of fields and goes on', async () => {
    const records = await collect('email,name,surface\na@x.test,Ann\n\nb@x.test,"Bob\nJr",web,extra\nc@x.test,Cy,web\n');
    expect(records).toEqual([
      { ok: false, record: 1, line: 2, error: 'expected 3 fields, found 2' },
      { ok: false, record: 2, line: 4, error: 'expected 3 fields, found 4' },
      { ok: true, record: 3, line: 6, values: { email: 'c@x.test', name: 'Cy', surface: 'web' } },
    ]);
  });

  it('yields nothing for a header with no rows', async () => {
    expect(await collect('email,name,surface\r\n\r\n')).toEqual([]);
  });

  it('lists every header problem at once, before reading any row', async () => {
    const err = await headerError('Email, emial ,surface,email,,name,NAME\na,b,c,d,e,f,g\n');
    expect(err.line).toBe(1);
    expect(err.message).toBe(
      'the header row at line 1 does not match: unknown columns "emial" (column 2), an unnamed column (column 5); ' +
        'duplicate columns "email" (columns 1, 4), "name" (columns 6, 7). Expected columns: email, name, surface (optional: notes)',
    );
  });

  it('names missing columns', async () => {
    const err = await headerError('email,notes\n');
    expect(err.message).toMatch(/^the header row at line 1 does not match: missing columns "name", "surface"\. /);
  });

  it('shortens a long header name in the message', async () => {
    const err = await headerError(`email,name,surface,${'z'.repeat(500)}\n`);
    expect(err.message).toContain(`unknown column "${'z'.repeat(40)}…" (column 4)`);
  });

  it.each([
    ['empty', ''],
    ['blank', '\r\n\n'],
  ])('refuses a file that is %s', async (_name, text) => {
    const err = await headerError(text);
    expect(err).toMatchObject({ line: 1, message: 'the file is empty: expected a header row naming email, name, surface' });
  });

  it('passes errors from the reader on', async () => {
    const err = await headerError('email,name,surface\n"a@x.test\n');
    expect(err.message).toBe('unterminated quoted field in the row starting at line 2');
  });
});
