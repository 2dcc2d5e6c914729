import type { Client } from 'pg';
import type { Prisma } from '../../generated/prisma/client';

/** The one connection the seed writes through: a pg Client (fast path) or a Prisma transaction. */
export type Sql = {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  execute(text: string, params?: unknown[]): Promise<number>;
};

export function sqlFromPg(client: Client): Sql {
  return {
    async query<T>(text: string, params: unknown[] = []) {
      return (await client.query(text, params)).rows as T[];
    },
    async execute(text, params = []) {
      return (await client.query(text, params)).rowCount ?? 0;
    },
  };
}

export function sqlFromPrisma(tx: Prisma.TransactionClient): Sql {
  return {
    query: <T>(text: string, params: unknown[] = []) => tx.$queryRawUnsafe<T[]>(text, ...params),
    execute: (text, params = []) => tx.$executeRawUnsafe(text, ...params),
  };
}

/**
 * A column of a bulk insert: `type` is the element type of the array parameter; `expr` turns the
 * unnested value `u.<name>` into the column value (timestamps travel as epoch seconds, enums as text).
 */
type PgType = 'int4' | 'int8' | 'float8' | 'text' | 'bool';
type Column = readonly [name: string, type: PgType, expr?: string];
type JsOf<T extends PgType> = T extends 'bool' ? boolean : T extends 'text' ? string : number;
type RowOf<C extends readonly Column[]> = { [K in C[number] as K[0]]: JsOf<K[1]> | null };

export const ts = (name: string) => `to_timestamp(u.${name})`;

export type TableSpec<C extends readonly Column[]> = {
  table: string;
  columns: C;
  /** Columns computed on the server from the unnested ones, e.g. a hash or a copied timestamp. */
  derived?: readonly (readonly [name: string, expr: string])[];
};

export function tableSpec<const C extends readonly Column[]>(spec: TableSpec<C>): TableSpec<C> {
  return spec;
}

const NEEDS_ESCAPE = /["\\]/;
const ESCAPE = /["\\]/g;

/** `{1,2,NULL}` / `{"a","b",NULL}`: what the driver would send for an array, built ahead of time. */
function arrayLiteral(values: readonly unknown[], quoted: boolean): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'boolean') parts[i] = v ? 't' : 'f';
    else if (!quoted) parts[i] = String(v);
    else {
      const text = String(v);
      parts[i] = NEEDS_ESCAPE.test(text) ? `"${text.replace(ESCAPE, '\\$&')}"` : `"${text}"`;
    }
  }
  return `{${parts.join(',')}}`;
}

class TableBuffer<C extends readonly Column[]> {
  readonly sql: string;
  columns: unknown[][];
  count = 0;

  constructor(readonly spec: TableSpec<C>) {
    const cols = spec.columns;
    const derived = spec.derived ?? [];
    const names = [...cols.map((c) => c[0]), ...derived.map((d) => d[0])].map((n) => `"${n}"`).join(', ');
    const exprs = [...cols.map((c) => c[2] ?? `u.${c[0]}`), ...derived.map((d) => d[1])].join(', ');
    const arrays = cols.map((c, i) => `$${i + 1}::${c[1]}[]`).join(', ');
    const aliases = cols.map((c) => c[0]).join(', ');
    this.sql = `INSERT INTO "${spec.table}" (${names}) SELECT ${exprs} FROM unnest(${arrays}) AS u(${aliases})`;
    this.columns = cols.map(() => []);
  }

  get length(): number {
    return this.columns[0]?.length ?? 0;
  }

  push(row: RowOf<C>): void {
    const values = row as Record<string, unknown>;
    const cols = this.spec.columns;
    for (let i = 0; i < cols.length; i++) (this.columns[i] as unknown[]).push(values[(cols[i] as Column)[0]]);
    this.count++;
  }

  /** The buffered rows as one Postgres array literal per column; the buffer starts over. */
  take(): string[] {
    const taken = this.columns.map((values, i) => arrayLiteral(values, (this.spec.columns[i] as Column)[1] === 'text'));
    this.columns = this.spec.columns.map(() => []);
    return taken;
  }
}

/**
 * Buffers rows per table and writes them with one `INSERT … SELECT FROM unnest(…)` per table and
 * batch. Tables flush in the order they were registered (parents first), so every foreign key
 * points at a row written earlier. One batch is written while the next one is generated.
 */
export class BulkWriter {
  private readonly buffers: TableBuffer<readonly Column[]>[] = [];
  private pending: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly sql: Sql,
    private readonly batchSize: number,
  ) {}

  table<const C extends readonly Column[]>(spec: TableSpec<C>): { push(row: RowOf<C>): void; readonly count: number } {
    const buffer = new TableBuffer(spec);
    this.buffers.push(buffer as unknown as TableBuffer<readonly Column[]>);
    return {
      push: (row) => buffer.push(row),
      get count() {
        return buffer.count;
      },
    };
  }

  /** True when some table has a full batch waiting. */
  get full(): boolean {
    return this.buffers.some((b) => b.length >= this.batchSize);
  }

  async flush(): Promise<void> {
    // Array literals are built before waiting on the batch in flight, so the server never sits
    // idle while this thread serialises parameters.
    const work = this.buffers.filter((b) => b.length > 0).map((b) => ({ sql: b.sql, params: b.take() }));
    await this.settle();
    if (work.length === 0) return;
    // A handler is attached at once: a failed batch must not surface as an unhandled rejection.
    this.pending = (async () => {
      for (const w of work) await this.sql.execute(w.sql, w.params);
    })().catch((err: unknown) => {
      this.failure = err;
    });
  }

  /** Waits for the batch in flight; rethrows its error. */
  async settle(): Promise<void> {
    await this.pending;
    if (this.failure !== undefined) throw this.failure;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.settle();
  }
}
