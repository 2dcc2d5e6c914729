import { offsetSegments } from './time';

/**
 * SQL for the local wall-clock time (a naive TIMESTAMP) of instant column `at`, for instants in
 * [start, end) in `timeZone`. The analytics engine only adds the offsets time.ts gives: its own zone
 * data may be another version than Node's, which made the range's boundaries and calendar keys, and
 * the two must agree on which local day a fact falls on. Usually one to three offsets per range;
 * numbers only, no user text. Cast the result to DATE for a local date.
 */
export function localTimeSql(at: string, start: Date, end: Date, timeZone: string): string {
  const [first, ...later] = offsetSegments(start, end, timeZone);
  const ms = `epoch_ms(${at})`;
  const offset = later.length
    ? `CASE ${later
        .reverse()
        .map((s) => `WHEN ${ms} >= ${s.from.getTime()} THEN ${s.offsetMs}`)
        .join(' ')} ELSE ${first!.offsetMs} END`
    : String(first!.offsetMs);
  return `epoch_ms(${ms} + ${offset})`;
}
