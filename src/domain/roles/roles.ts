import { recordAudit } from '../../db/repositories/audit';
import { AppError, forbidden } from '../../errors';
import type { Actor, DomainDeps } from '../deps';

export const ROLES = ['viewer', 'analyst', 'approver', 'admin'] as const;
export type RoleName = (typeof ROLES)[number];

const RANK: Record<RoleName, number> = { viewer: 0, analyst: 1, approver: 2, admin: 3 };

/** Unknown users are viewers; configured admins are admins whatever the table says. */
export async function getRole(deps: Pick<DomainDeps, 'db' | 'configuredAdmins'>, userId: string): Promise<RoleName> {
  if (deps.configuredAdmins.includes(userId)) return 'admin';
  const row = await deps.db.roleAssignment.findUnique({ where: { slackId: userId } });
  return row?.role ?? 'viewer';
}

export function hasRole(role: RoleName, atLeast: RoleName): boolean {
  return RANK[role] >= RANK[atLeast];
}

/** Throws a `forbidden` AppError (and audits the refused attempt) unless the actor holds the role. */
export async function requireRole(deps: DomainDeps, actor: Actor, atLeast: RoleName, attempted: string): Promise<void> {
  const role = await getRole(deps, actor.id);
  if (hasRole(role, atLeast)) return;
  await recordAudit(deps.db, {
    actor: actor.id,
    origin: actor.origin,
    action: 'access.refused',
    entityType: 'permission',
    entityId: attempted,
    after: { role, required: atLeast },
    at: deps.clock.now(),
  });
  throw forbidden(`Only ${atLeast}s can ${attempted}; your role is ${role}. Ask an admin (\`/trustops role\`) if you need access.`);
}

/** Records the configured admins in the roles table at start-up, so the table tells the whole story. */
export async function syncConfiguredAdmins(deps: DomainDeps): Promise<void> {
  for (const id of deps.configuredAdmins) {
    const existing = await deps.db.roleAssignment.findUnique({ where: { slackId: id } });
    if (existing?.role === 'admin') continue;
    await deps.db.$transaction(async (tx) => {
      await tx.roleAssignment.upsert({
        where: { slackId: id },
        create: { slackId: id, role: 'admin', grantedBy: 'config:TRUSTOPS_ADMINS' },
        update: { role: 'admin', grantedBy: 'config:TRUSTOPS_ADMINS' },
      });
      await recordAudit(tx, {
        actor: 'system',
        origin: 'system',
        action: 'role.set',
        entityType: 'role_assignment',
        entityId: id,
        before: existing ? { role: existing.role } : null,
        after: { role: 'admin', source: 'TRUSTOPS_ADMINS' },
        at: deps.clock.now(),
      });
    });
  }
}

export type SetRoleResult = { userId: string; before: RoleName; after: RoleName; changed: boolean };

export async function setRole(deps: DomainDeps, input: { actor: Actor; userId: string; role: RoleName }): Promise<SetRoleResult> {
  await requireRole(deps, input.actor, 'admin', 'change roles');
  if (deps.configuredAdmins.includes(input.userId) && input.role !== 'admin') {
    throw new AppError(
      'conflict',
      `<@${input.userId}> is an admin through TRUSTOPS_ADMINS; change that setting to demote them.`,
      undefined,
      [input.userId],
    );
  }
  return deps.db.$transaction(async (tx) => {
    const existing = await tx.roleAssignment.findUnique({ where: { slackId: input.userId } });
    const before: RoleName = existing?.role ?? 'viewer';
    if (before === input.role) return { userId: input.userId, before, after: before, changed: false };
    if (before === 'admin') {
      const admins = await tx.roleAssignment.count({ where: { role: 'admin' } });
      if (admins <= 1 && deps.configuredAdmins.length === 0) {
        throw new AppError('conflict', `<@${input.userId}> is the last admin; make someone else admin first.`, undefined, [input.userId]);
      }
    }
    await tx.roleAssignment.upsert({
      where: { slackId: input.userId },
      create: { slackId: input.userId, role: input.role, grantedBy: input.actor.id },
      update: { role: input.role, grantedBy: input.actor.id },
    });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'role.set',
      entityType: 'role_assignment',
      entityId: input.userId,
      before: { role: before },
      after: { role: input.role },
      at: deps.clock.now(),
    });
    return { userId: input.userId, before, after: input.role, changed: true };
  });
}
