import { csvLine } from '../../../src/domain/exports/csv';
import { readCsv } from '../../../src/domain/intake/csv';

/** Parses CSV text with the project's own RFC 4180 reader. */
async function parse(text: string): Promise<string[][]> {
  async function* chunks() {
    yield text;
  }
  const rows: string[][] = [];
  for await (const row of readCsv(chunks())) rows.push(row.fields);
  return rows;
}

describe('csvLine', () => {
  it('ends every record with CRLF and leaves plain fields bare', () => {
    expect(csvLine(['case', 42, true, false])).toBe('case,42,true,false\r\n');
    expect(csvLine([])).toBe('\r\n');
  });

  it('quotes fields with a quote, comma, CR, LF or edge spaces, and doubles the quotes', () => {
    expect(csvLine(['say "hi"', 'a,b', 'two\nlines', 'cr\rhere', ' lead', 'trail ', 'in side'])).toBe(
      '"say ""hi""","a,b","two\nlines","cr\rhere"," lead","trail ",in side\r\n',
    );
  });

  it('writes null and undefined as empty fields', () => {
    expect(csvLine([null, 'x', undefined])).toBe(',x,\r\n');
  });

  it('writes dates as ISO 8601 in UTC, and an invalid date as empty', () => {
    expect(csvLine([new Date(Date.UTC(2026, 10, 27, 15, 4, 5, 6)), new Date(Number.NaN)])).toBe('2026-11-27T15:04:05.006Z,\r\n');
  });

  it('writes numbers without exponents, and NaN or Infinity as empty', () => {
    expect(csvLine([0, -0, -12.5, 0.1, 1e21, 1.5e-7, -2.5e22, Number.MAX_SAFE_INTEGER])).toBe(
      '0,0,-12.5,0.1,1000000000000000000000,0.00000015,-25000000000000000000000,9007199254740991\r\n',
    );
    expect(csvLine([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])).toBe(',,\r\n');
  });

  it('defuses text a spreadsheet would run as a formula, but leaves negative numbers alone', () => {
    expect(csvLine(['=HYPERLINK("http://x")', '+1', '-1', '@SUM(A1)', '\tcmd', '\r=1', -1])).toBe(
      `"'=HYPERLINK(""http://x"")",'+1,'-1,'@SUM(A1),'\tcmd,"'\r=1",-1\r\n`,
    );
    expect(csvLine(['a=b', ' =1'])).toBe('a=b," =1"\r\n');
  });

  it('keeps unicode as is', () => {
    expect(csvLine(['Zoë', '日本語', '🚀 launch', 'e\u0301'])).toBe('Zoë,日本語,🚀 launch,e\u0301\r\n');
  });

  it('round-trips through an RFC 4180 reader', async () => {
    const records = [
      ['id', 'note', 'reporter'],
      ['1', 'plain', 'Zoë'],
      ['2', 'with "quotes", commas\r\nand a CRLF', '日本語 🚀'],
      ['3', '', ' spaced '],
      ['4', 'lf\nonly', 'x'],
    ];
    const text = records.map((r) => csvLine(r)).join('');
    expect(await parse(text)).toEqual(records);
  });
});
