// The contract between the analytics read model (src/analytics/) and the code that reads figures from
// it (src/domain/). Domain code sees only these types, through DomainDeps.analytics.

/** A value bound to a `$n` parameter of a DuckDB statement. Dates bind as TIMESTAMPTZ. */
export type AnalyticsParam = string | number | boolean | Date | null;

/**
 * A row as JavaScript sees it: integers and doubles as number (BIGINT too: our counts and ids stay far
 * below 2^53), TIMESTAMPTZ as Date, VARCHAR as string, BOOLEAN as boolean, NULL as null.
 */
export type AnalyticsRow = Record<string, unknown>;

/** Reads inside one DuckDB transaction: every statement of one `read` sees the same facts. */
export type AnalyticsReader = {
  query<R extends AnalyticsRow = AnalyticsRow>(sql: string, params?: readonly AnalyticsParam[]): Promise<R[]>;
  /** The rows of a statement in batches, for exports too large to hold at once. */
  stream<R extends AnalyticsRow = AnalyticsRow>(sql: string, params?: readonly AnalyticsParam[]): AsyncIterable<R[]>;
};

export type AnalyticsStatus = {
  state: 'building' | 'ready' | 'failed';
  /** While building: how far the load from Postgres has come. */
  progress?: { table: string; rowsLoaded: number; rowsExpected: number; fraction: number };
  /** Milliseconds since the copy was last known to hold every committed fact (null before the first build). */
  lagMs: number | null;
  /** Rows per fact table in the copy. */
  rows: Record<string, number>;
  file: string;
  error?: string;
};

export type Analytics = {
  /**
   * Catches up with Postgres — every transaction committed before this call is applied — then runs
   * `fn` in one DuckDB transaction. Waits for the initial build when one is running.
   */
  read<T>(fn: (reader: AnalyticsReader) => Promise<T>): Promise<T>;
  status(): AnalyticsStatus;
  close(): Promise<void>;
};
