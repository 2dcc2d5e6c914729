// The analytics read model: a columnar copy of the facts (reports, cases, decisions, appeals, QA reviews,
// escalations and the small tables they point at) in an embedded DuckDB file, one per process, kept in step
// with Postgres exactly, on which every aggregate runs. Postgres stays the record. This is infrastructure,
// like src/db/: it may import src/db/, src/logger.ts, src/metrics.ts and packages, never src/domain/,
// src/slack/, src/http/, src/jobs/ or src/sandbox/. Domain code reads through `Analytics` (types.ts), given
// to it as DomainDeps.analytics; the meaning of each figure and its SQL live in the domain.
//
// How it stays exact: triggers log each changed row with the id of its transaction (analytics_changes); a
// catch-up takes a Postgres snapshot and applies the logged rows whose transactions the previous snapshot
// did not show as committed, so commits out of id order, updates and deletes all arrive, and a long open
// transaction holds nothing back (its rows arrive once it commits). See engine.ts.

export { type AnalyticsEngine, type AnalyticsOptions, openAnalyticsEngine as openAnalytics, type VerifyDifference } from './engine';
export { FACT_TABLES, TABLES } from './schema';
export { removeFile, slotFile, slotHeld } from './slots';
export type { Analytics, AnalyticsParam, AnalyticsReader, AnalyticsRow, AnalyticsStatus } from './types';
