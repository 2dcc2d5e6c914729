import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type CopiedTable, duckDdl, rowsWithDerived, SOURCE_COLUMNS, SOURCES, TABLES, tableNamed } from '../../src/analytics/schema';

// A build stages only SOURCE_COLUMNS of decisions and reports (10 M rows each) and computes the derived
// columns from them; a derived column reading any other source column would make every build fail while
// catch-ups (which read the whole tables) still work. This binds the build's SQL against exactly what is staged.

let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  for (const t of TABLES) await conn.run(duckDdl(t));
});

afterAll(() => {
  conn?.closeSync();
  instance?.closeSync();
});

/** Stages each source as a build does, with the columns given, then plans every table's build SQL. */
async function planBuild(columns: Record<(typeof SOURCES)[number], readonly string[]>): Promise<void> {
  for (const name of SOURCES) {
    const t = tableNamed(name) as CopiedTable;
    const typed = columns[name].map((c) => `${c} ${t.columns.find((x) => x.name === c)?.type ?? 'VARCHAR'}`);
    await conn.run(`CREATE OR REPLACE TEMP TABLE _src_${name} (${typed.join(', ')})`);
  }
  const staged = Object.fromEntries(SOURCES.map((name) => [name, `_src_${name}`]));
  for (const t of TABLES) await conn.run(`EXPLAIN ${rowsWithDerived(t, t.name, staged)}`);
}

describe('the columns a build stages', () => {
  it('are all the derived columns read of decisions and reports', async () => {
    await expect(planBuild(SOURCE_COLUMNS)).resolves.toBeUndefined();
  });

  const checked = SOURCES.flatMap((name) => SOURCE_COLUMNS[name].map((column) => [name, column] as const));
  it.each(checked)('would fail a build without %s.%s (the check can fail)', async (name, column) => {
    const fewer = { ...SOURCE_COLUMNS, [name]: SOURCE_COLUMNS[name].filter((c) => c !== column) };
    await expect(planBuild(fewer)).rejects.toThrow(new RegExp(column));
  });
});
