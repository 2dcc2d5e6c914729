import type { Tx } from '../../db/client';
import { recordAudit } from '../../db/repositories/audit';
import { AppError, badInput } from '../../errors';
import type { Actor, DomainDeps } from '../deps';
import { requireRole } from '../roles/roles';
import { PolicyBook } from '../sla/policies';
import { invalidateIntakeContext } from './context-cache';
import { ZCountry, ZLanguage } from './schemas';

export type RouteCriteria = { reportType?: string | null; surface?: string | null; language?: string | null; jurisdiction?: string | null };
export type RoutingRule = RouteCriteria & {
  id: number;
  position: number;
  queueId: number;
  queueKey: string;
  priority: string;
  /** The queue's vendor (null: TrustOps' own queues): a vendor token may only file into its own. */
  vendorId?: number | null;
};
export type RouteTarget = { queueId: number; queueKey: string; priority: string; ruleId: number | null; vendorId?: number | null };

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const ROUTE_ADD_EXAMPLE = '/trustops route add queue:urgent priority:high type:mcp_server surface:mcp_directory';

/** A rule's language matches the report's primary language subtag: `de` matches `de-AT`. */
function languageMatches(rule: string, report: string | null | undefined): boolean {
  if (!report) return false;
  const r = report.toLowerCase();
  const want = rule.toLowerCase();
  return r === want || r.startsWith(`${want}-`);
}

export function ruleMatches(rule: RouteCriteria, report: RouteCriteria): boolean {
  return (
    (!rule.reportType || rule.reportType === report.reportType) &&
    (!rule.surface || rule.surface === report.surface) &&
    (!rule.language || languageMatches(rule.language, report.language)) &&
    (!rule.jurisdiction || rule.jurisdiction === report.jurisdiction?.toUpperCase())
  );
}

/** Routing rules are data: first match by position wins, otherwise the `default` queue. */
export class Router {
  private constructor(
    readonly rules: readonly RoutingRule[],
    private readonly fallback: RouteTarget,
  ) {}

  static async load(db: Tx): Promise<Router> {
    const [rows, fallback] = await Promise.all([
      db.routingRule.findMany({ where: { enabled: true }, include: { queue: true }, orderBy: [{ position: 'asc' }, { id: 'asc' }] }),
      db.queue.findUnique({ where: { key: 'default' } }),
    ]);
    if (!fallback) throw new AppError('conflict', 'the `default` queue is missing; run the migrations (npm run db:migrate)');
    return new Router(
      rows.map((r) => ({
        id: r.id,
        position: r.position,
        reportType: r.reportType,
        surface: r.surface,
        language: r.language,
        jurisdiction: r.jurisdiction,
        queueId: r.queueId,
        queueKey: r.queue.key,
        priority: r.priority,
        vendorId: r.queue.vendorId,
      })),
      { queueId: fallback.id, queueKey: fallback.key, priority: 'normal', ruleId: null, vendorId: fallback.vendorId },
    );
  }

  route(report: RouteCriteria): RouteTarget {
    const rule = this.rules.find((r) => ruleMatches(r, report));
    return rule
      ? { queueId: rule.queueId, queueKey: rule.queueKey, priority: rule.priority, ruleId: rule.id, vendorId: rule.vendorId }
      : this.fallback;
  }
}

export async function listRoutes(deps: Pick<DomainDeps, 'db'>): Promise<RoutingRule[]> {
  return [...(await Router.load(deps.db)).rules];
}

export type AddRouteInput = RouteCriteria & { actor: Actor; queue: string; priority?: string; position?: number };

export async function addRoute(deps: DomainDeps, input: AddRouteInput): Promise<RoutingRule> {
  await requireRole(deps, input.actor, 'admin', 'change routing rules');
  const priority = input.priority ?? 'normal';
  if (!(PRIORITIES as readonly string[]).includes(priority))
    throw badInput(`The priority must be one of ${PRIORITIES.join(', ')}.`, ROUTE_ADD_EXAMPLE);
  if (!input.reportType && !input.surface && !input.language && !input.jurisdiction) {
    throw badInput(
      'A rule needs at least one of type:, surface:, language:, jurisdiction: (everything else goes to the default queue).',
      ROUTE_ADD_EXAMPLE,
    );
  }
  // The same checks as intake's, so a rule can only name values a report could carry.
  const language = input.language === undefined ? undefined : ZLanguage.safeParse(input.language);
  if (language && !language.success)
    throw badInput('`language:` must be a BCP 47 language tag such as `de` or `pt-BR`.', ROUTE_ADD_EXAMPLE);
  const jurisdiction = input.jurisdiction === undefined ? undefined : ZCountry.safeParse(input.jurisdiction);
  if (jurisdiction && !jurisdiction.success)
    throw badInput('`jurisdiction:` must be an ISO 3166-1 alpha-2 country code such as `DE`.', ROUTE_ADD_EXAMPLE);
  const added = await deps.db.$transaction(async (tx) => {
    const queue = await tx.queue.findUnique({ where: { key: input.queue } });
    if (!queue) {
      const known = (await tx.queue.findMany({ orderBy: { key: 'asc' } })).map((q) => q.key);
      throw badInput(`There is no queue \`${input.queue}\`. Known queues: ${known.join(', ')}.`, ROUTE_ADD_EXAMPLE);
    }
    if (!(await PolicyBook.load(tx, deps.clock.now())).hasPolicy(queue.id)) {
      throw badInput(`The queue \`${queue.key}\` has no SLA policy yet, so its cases could not get due times.`);
    }
    await checkKnown(
      'surface',
      input.surface,
      (key) => tx.surface.findUnique({ where: { key } }),
      () => tx.surface.findMany(),
    );
    await checkKnown(
      'type',
      input.reportType,
      (key) => tx.reportType.findUnique({ where: { key } }),
      () => tx.reportType.findMany(),
    );
    const last = await tx.routingRule.aggregate({ _max: { position: true } });
    const position = input.position ?? (last._max.position ?? 0) + 10;
    const row = await tx.routingRule.create({
      data: {
        position,
        reportType: input.reportType ?? null,
        surface: input.surface ?? null,
        language: language?.data ?? null,
        jurisdiction: jurisdiction?.data ?? null,
        queueId: queue.id,
        priority,
      },
    });
    const rule: RoutingRule = {
      id: row.id,
      position,
      reportType: row.reportType,
      surface: row.surface,
      language: row.language,
      jurisdiction: row.jurisdiction,
      queueId: queue.id,
      queueKey: queue.key,
      priority,
    };
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'route.add',
      entityType: 'routing_rule',
      entityId: String(row.id),
      after: rule,
      at: deps.clock.now(),
    });
    return rule;
  });
  invalidateIntakeContext(deps.db);
  return added;
}

async function checkKnown(
  what: string,
  key: string | null | undefined,
  find: (key: string) => Promise<unknown>,
  all: () => Promise<{ key: string }[]>,
): Promise<void> {
  if (!key || (await find(key))) return;
  const known = (await all()).map((r) => r.key).sort();
  throw badInput(`There is no ${what} \`${key}\`. Known: ${known.join(', ')}.`, ROUTE_ADD_EXAMPLE);
}

export async function removeRoute(deps: DomainDeps, input: { actor: Actor; id: number }): Promise<void> {
  await requireRole(deps, input.actor, 'admin', 'change routing rules');
  await deps.db.$transaction(async (tx) => {
    const row = await tx.routingRule.findUnique({ where: { id: input.id } });
    if (!row) throw new AppError('not_found', `There is no routing rule ${input.id} (see \`/trustops route list\`).`);
    await tx.routingRule.delete({ where: { id: input.id } });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'route.remove',
      entityType: 'routing_rule',
      entityId: String(row.id),
      before: row,
      at: deps.clock.now(),
    });
  });
  invalidateIntakeContext(deps.db);
}
