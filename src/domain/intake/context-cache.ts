/**
 * How many times the intake context (catalog, routing rules, SLA policies) of a database was changed
 * through TrustOps. Apart from context.ts so that routing.ts, which context.ts imports, can mark a
 * change without an import circle.
 */
const changes = new WeakMap<object, number>();

/** The cached intake context of this database is stale: the next intake loads it afresh. */
export function invalidateIntakeContext(db: object): void {
  changes.set(db, intakeContextVersion(db) + 1);
}

export function intakeContextVersion(db: object): number {
  return changes.get(db) ?? 0;
}
