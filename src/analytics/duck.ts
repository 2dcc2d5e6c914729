import {
  type DuckDBConnection,
  DuckDBTypeId,
  type DuckDBValue,
  type DuckDBValueConverter,
  type JS,
  JSDuckDBValueConverter,
  timestampTZValue,
} from '@duckdb/node-api';
import type { AnalyticsParam, AnalyticsReader, AnalyticsRow } from './types';

// DuckDB values as the contract promises them: every integer kind as number (our counts and ids stay far below
// 2^53; sums of integers come out as HUGEINT), decimals as number, dates and timestamps as Date; lists and
// structs through the same conversion.
const WIDE = new Set<DuckDBTypeId>([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.BIGNUM,
]);
const PLAIN: DuckDBValueConverter<unknown> = (value, type, converter) =>
  value !== null && WIDE.has(type.typeId)
    ? Number(value as bigint)
    : JSDuckDBValueConverter(value, type, converter as unknown as DuckDBValueConverter<JS>);

/** Plain values bound to `$n`: a Date becomes a TIMESTAMPTZ (microseconds since the epoch). */
export function duckParams(params: readonly AnalyticsParam[] | undefined): DuckDBValue[] | undefined {
  return params?.map((p) => (p instanceof Date ? timestampTZValue(BigInt(p.getTime()) * 1000n) : p));
}

export function readerOn(conn: DuckDBConnection): AnalyticsReader {
  return {
    async query<R extends AnalyticsRow>(sql: string, params?: readonly AnalyticsParam[]) {
      const result = await conn.runAndReadAll(sql, duckParams(params));
      return result.convertRowObjects(PLAIN) as R[];
    },
    async *stream<R extends AnalyticsRow>(sql: string, params?: readonly AnalyticsParam[]) {
      const result = await conn.stream(sql, duckParams(params));
      for await (const batch of result.yieldConvertedRowObjects(PLAIN)) yield batch as R[];
    },
  };
}

/** A string literal for DuckDB SQL (file paths we build ourselves). */
export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
