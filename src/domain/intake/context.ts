import type { Db, Tx } from '../../db/client';
import { dueTimes, PolicyBook } from '../sla/policies';
import { atRiskTimes } from '../sla/state';
import { intakeContextVersion } from './context-cache';
import { Router } from './routing';
import type { FieldError, ReportInput } from './schemas';

/** Everything intake looks up once per batch: catalog, routing rules, SLA policies. */
export type IntakeContext = {
  now: Date;
  router: Router;
  policies: PolicyBook;
  surfaces: Map<string, number>;
  types: Map<string, { id: number; urgent: boolean; name: string }>;
  triageChannel: string;
};

export async function loadIntakeContext(tx: Tx, now: Date, triageChannel: string): Promise<IntakeContext> {
  const [router, policies, surfaces, types] = await Promise.all([
    Router.load(tx),
    PolicyBook.load(tx, now),
    tx.surface.findMany({ where: { active: true } }),
    tx.reportType.findMany(),
  ]);
  return {
    now,
    router,
    policies,
    surfaces: new Map(surfaces.map((s) => [s.key, s.id])),
    types: new Map(types.map((t) => [t.key, { id: t.id, urgent: t.urgent, name: t.name }])),
    triageChannel,
  };
}

// Catalog, routing rules and SLA policies change rarely, and loading them is most of the work of
// a single report: intake reuses them for a few seconds. Changes made through TrustOps clear the
// cache at once; edits made straight in the database show within CONTEXT_TTL_MS.
const CONTEXT_TTL_MS = 5000;
const contextCache = new WeakMap<object, { loadedAt: number; version: number; ctx: Promise<IntakeContext> }>();

export async function cachedIntakeContext(db: Db, now: Date, triageChannel: string): Promise<IntakeContext> {
  const hit = contextCache.get(db);
  const version = intakeContextVersion(db);
  const fresh = hit && hit.version === version && now.getTime() - hit.loadedAt < CONTEXT_TTL_MS && now.getTime() >= hit.loadedAt;
  if (fresh) return { ...(await hit.ctx), now };
  const ctx = loadIntakeContext(db, now, triageChannel);
  contextCache.set(db, { loadedAt: now.getTime(), version, ctx });
  ctx.catch(() => contextCache.delete(db));
  return ctx;
}

/** Surface and report type are data: an unknown one is a field error that lists the known ones. */
export function catalogErrors(ctx: IntakeContext, raw: { surface?: unknown; report_type?: unknown }): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof raw.surface === 'string' && raw.surface.trim() && !ctx.surfaces.has(raw.surface.trim())) {
    errors.push({ path: 'surface', message: `unknown surface; known: ${[...ctx.surfaces.keys()].sort().join(', ')}` });
  }
  if (typeof raw.report_type === 'string' && raw.report_type.trim() && !ctx.types.has(raw.report_type.trim())) {
    errors.push({ path: 'report_type', message: `unknown report type; known: ${[...ctx.types.keys()].sort().join(', ')}` });
  }
  return errors;
}

/**
 * Where a report goes and when a case it opens is due: the routing rules, the queue's SLA policy, the clock
 * started when the report was received (not when it reached us). The one routing step of every intake path.
 */
export function routeReport(ctx: IntakeContext, input: ReportInput) {
  const target = ctx.router.route({
    reportType: input.report_type,
    surface: input.surface,
    language: input.language,
    jurisdiction: input.jurisdiction,
  });
  const policy = ctx.policies.policyFor(target.queueId, target.priority);
  const openedAt = input.received_at ?? ctx.now;
  return { target, policy, openedAt, due: dueTimes(policy, openedAt), risk: atRiskTimes(policy, openedAt) };
}
