import { badInput } from '../../errors';
import type { DomainDeps } from '../deps';

/** What `/trustops metrics` can filter on: `surface:X type:Y policy:Z vendor:V`. */
export const FILTER_DIMENSIONS = ['surface', 'type', 'policy', 'vendor'] as const;
export type FilterDimension = (typeof FILTER_DIMENSIONS)[number];
export type MetricsFilters = Partial<Record<FilterDimension, string>>;

/** What `by:` can group on. */
export const DIMENSIONS = ['surface', 'type', 'policy', 'action', 'vendor', 'day', 'week'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

const EXAMPLE = '/trustops metrics last 7d surface:claude_ai by:policy';
const PLURAL: Record<FilterDimension, string> = { surface: 'surfaces', type: 'report types', policy: 'policies', vendor: 'vendors' };

export function parseDimension(raw: string): Dimension {
  const by = raw.trim().toLowerCase();
  if ((DIMENSIONS as readonly string[]).includes(by)) return by as Dimension;
  throw badInput(
    `\`by:${raw.trim()}\` is not something I can group by. Use one of: ${DIMENSIONS.map((d) => `\`by:${d}\``).join(', ')}.`,
    EXAMPLE,
  );
}

/** Keys of a catalog table with their ids (policies have no table: their id is the key). */
export type Catalog = Map<string, number | string>;

export async function loadCatalog(deps: Pick<DomainDeps, 'db'>, dim: FilterDimension): Promise<Catalog> {
  const rows =
    dim === 'surface'
      ? await deps.db.surface.findMany({ select: { id: true, key: true } })
      : dim === 'type'
        ? await deps.db.reportType.findMany({ select: { id: true, key: true } })
        : dim === 'vendor'
          ? await deps.db.vendor.findMany({ select: { id: true, key: true } })
          : (await knownPolicies(deps)).map((key) => ({ id: key, key }));
  return new Map(rows.map((r): [string, number | string] => [r.key, r.id]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Policies are not a table: every decisions.policy (a loose index scan of decisions(policy, decided_at),
 * one probe per policy — Postgres 15 has no skip scan of its own) and every reports.category (no index:
 * a full read, so only done to list the valid values after a miss).
 */
async function knownPolicies(deps: Pick<DomainDeps, 'db'>): Promise<string[]> {
  const rows = await deps.db.$queryRawUnsafe<{ policy: string }[]>(
    `WITH RECURSIVE p AS (
       SELECT (SELECT min(policy) FROM decisions) AS policy
        UNION ALL
       SELECT (SELECT min(d.policy) FROM decisions d WHERE d.policy > p.policy) FROM p WHERE p.policy IS NOT NULL)
     SELECT policy FROM p WHERE policy IS NOT NULL
      UNION
     SELECT DISTINCT category FROM reports WHERE category IS NOT NULL`,
  );
  return rows.map((r) => r.policy);
}

/** The fast path for a policy typed exactly: one index probe on decisions, else the first report with that category. */
async function policyExists(deps: Pick<DomainDeps, 'db'>, policy: string): Promise<boolean> {
  const [row] = await deps.db.$queryRawUnsafe<{ found: boolean }[]>(
    `SELECT EXISTS (SELECT 1 FROM decisions WHERE policy = $1::text) OR EXISTS (SELECT 1 FROM reports WHERE category = $1::text) AS found`,
    policy,
  );
  return row?.found === true;
}

/** A filter value resolved against its catalog: the canonical key and the id the SQL compares with. */
export type ResolvedFilters = Partial<Record<FilterDimension, { key: string; id: number | string }>>;

/**
 * Checks each filter value against what exists — surfaces, report types and vendors from their tables,
 * policies from the decisions and report categories recorded — case-insensitively. Unknown values ⇒ one bad-input error that
 * lists, for each, the valid ones.
 */
export async function resolveFilters(deps: Pick<DomainDeps, 'db'>, raw: MetricsFilters): Promise<ResolvedFilters> {
  const out: ResolvedFilters = {};
  const problems: string[] = [];
  for (const dim of FILTER_DIMENSIONS) {
    const value = raw[dim];
    if (value === undefined) continue;
    if (dim === 'policy' && (await policyExists(deps, value.trim()))) {
      out.policy = { key: value.trim(), id: value.trim() };
      continue;
    }
    const catalog = await loadCatalog(deps, dim);
    const wanted = value.trim().toLowerCase();
    const key = [...catalog.keys()].find((k) => k.toLowerCase() === wanted);
    if (key !== undefined) {
      out[dim] = { key, id: catalog.get(key)! };
      continue;
    }
    const valid = [...catalog.keys()];
    problems.push(
      valid.length
        ? `Unknown ${dim} \`${value.trim()}\`. Valid ${PLURAL[dim]}: ${valid.map((k) => `\`${k}\``).join(', ')}.`
        : `Unknown ${dim} \`${value.trim()}\`: there are no ${PLURAL[dim]} yet.`,
    );
  }
  if (problems.length) throw badInput(problems.join('\n'), EXAMPLE);
  return out;
}

/** The filters with their canonical keys; throws bad input listing the valid values for each unknown one. */
export async function validateFilters(deps: Pick<DomainDeps, 'db'>, raw: MetricsFilters): Promise<MetricsFilters> {
  const resolved = await resolveFilters(deps, raw);
  return Object.fromEntries(Object.entries(resolved).map(([dim, v]) => [dim, v.key]));
}
