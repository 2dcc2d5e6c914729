import { recordAudit } from '../../db/repositories/audit';
import { AppError, badInput, isUniqueViolation } from '../../errors';
import type { Actor, DomainDeps } from '../deps';
import { invalidateIntakeContext } from '../intake/context-cache';
import { requireRole } from '../roles/roles';

export type Surface = { key: string; name: string; active: boolean; createdAt: Date };

export const SURFACE_KEY = /^[a-z0-9_]{2,40}$/;
const ADD_EXAMPLE = '/trustops surface add mcp_apps "MCP Apps"';

export async function listSurfaces(deps: Pick<DomainDeps, 'db'>): Promise<Surface[]> {
  const rows = await deps.db.surface.findMany({ orderBy: { key: 'asc' } });
  return rows.map((r) => ({ key: r.key, name: r.name, active: r.active, createdAt: r.createdAt }));
}

/** A surface is data: once added, intake, routing and metrics accept it with no code change. */
export async function addSurface(deps: DomainDeps, input: { actor: Actor; key: string; name: string }): Promise<Surface> {
  await requireRole(deps, input.actor, 'admin', 'add surfaces');
  const key = input.key.trim();
  const name = input.name.trim();
  if (!SURFACE_KEY.test(key)) {
    throw badInput(`\`${key}\` is not a valid surface key: use 2–40 lower-case letters, digits and \`_\`.`, ADD_EXAMPLE);
  }
  if (name.length === 0 || name.length > 80) throw badInput('The display name must be 1–80 characters.', ADD_EXAMPLE);
  try {
    const surface = await deps.db.$transaction(async (tx) => {
      const row = await tx.surface.create({ data: { key, name, createdAt: deps.clock.now() } });
      await recordAudit(tx, {
        actor: input.actor.id,
        origin: input.actor.origin,
        action: 'surface.add',
        entityType: 'surface',
        entityId: key,
        after: { key, name },
        at: deps.clock.now(),
      });
      return { key: row.key, name: row.name, active: row.active, createdAt: row.createdAt };
    });
    invalidateIntakeContext(deps.db);
    return surface;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('conflict', `The surface \`${key}\` already exists (see \`/trustops surface list\`).`);
    throw err;
  }
}
