import { recordAudit } from '../../db/repositories/audit';
import { AppError, forbidden } from '../../errors';
import type { Actor, DomainDeps } from '../deps';

/** The roles that can be given; each includes what the ones before it may do. */
export const ROLES = ['viewer', 'analyst', 'approver', 'admin'] as const;
export type AssignedRole = (typeof ROLES)[number];
/** Someone's effective role: `none` when TRUSTOPS_DEFAULT_ROLE=none and nothing gives them one. */
export type RoleName = AssignedRole | 'none';

const RANK: Record<RoleName, number> = { none: -1, viewer: 0, analyst: 1, approver: 2, admin: 3 };

type RoleDeps = Pick<DomainDeps, 'db' | 'configuredAdmins' | 'defaultRole' | 'groups' | 'log'>;

/** A Slack user group id (Slack calls them subteams). */
export const isGroupId = (id: string) => /^S[A-Z0-9]{2,}$/.test(id);

/**
 * The highest of the user's own role (or the default) and the roles of the user groups they are in.
 * Configured admins are admins whatever the tables say. A group whose members cannot be read right
 * now gives nothing: a role is never granted on a guess.
 */
export async function getRole(deps: RoleDeps, userId: string): Promise<RoleName> {
  if (deps.configuredAdmins.includes(userId)) return 'admin';
  const [own, groups] = await Promise.all([
    deps.db.roleAssignment.findUnique({ where: { slackId: userId } }),
    deps.db.groupRole.findMany({ select: { groupId: true, role: true } }),
  ]);
  let role: RoleName = own?.role ?? deps.defaultRole;
  // Highest first: the first group the user is in decides, and groups that cannot raise the role are not read.
  for (const g of groups.sort((a, b) => RANK[b.role] - RANK[a.role])) {
    if (RANK[g.role] <= RANK[role]) break;
    try {
      if ((await deps.groups.members(g.groupId))?.includes(userId)) {
        role = g.role;
        break;
      }
    } catch (err) {
      deps.log.warn('user group members could not be read; its role is not applied', { groupId: g.groupId, err });
    }
  }
  return role;
}

export function hasRole(role: RoleName, atLeast: RoleName): boolean {
  return RANK[role] >= RANK[atLeast];
}

/** Who can grant access: the ids of configured admins, admins in the table and groups holding admin. */
async function adminIds(deps: Pick<DomainDeps, 'db' | 'configuredAdmins'>): Promise<{ users: string[]; groups: string[] }> {
  const [users, groups] = await Promise.all([
    deps.db.roleAssignment.findMany({ where: { role: 'admin' }, select: { slackId: true }, orderBy: { id: 'asc' }, take: 10 }),
    deps.db.groupRole.findMany({ where: { role: 'admin' }, select: { groupId: true }, orderBy: { groupId: 'asc' }, take: 5 }),
  ]);
  const ids = [...new Set([...deps.configuredAdmins, ...users.map((u) => u.slackId)])].slice(0, 10);
  return { users: ids, groups: groups.map((g) => g.groupId) };
}

/**
 * Throws a `forbidden` AppError (and audits the refused attempt) unless the actor holds the role.
 * Call it before reading anything the refusal could give away (whether a case exists, for one).
 */
export async function requireRole(deps: DomainDeps, actor: Actor, atLeast: RoleName, attempted: string): Promise<void> {
  // Everyone has at least the default role: no need to look anything up.
  if (hasRole(deps.defaultRole, atLeast)) return;
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
  const who = atLeast === 'viewer' ? 'people with a TrustOps role' : `${atLeast}s`;
  const mine = role === 'none' ? 'you have no TrustOps role' : `your role is ${role}`;
  const admins = await adminIds(deps);
  const mentions = [...admins.users.map((id) => `<@${id}>`), ...admins.groups.map((id) => `<!subteam^${id}>`)];
  const grant = mentions.length
    ? `Admins who can grant access: ${mentions.join(', ')}.`
    : 'Ask an admin (`/trustops role`) if you need access.';
  throw forbidden(`Only ${who} can ${attempted}; ${mine}. ${grant}`, [...admins.users, ...admins.groups]);
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

/** `before` is the user's own role, or the default role when they had none. */
export type SetRoleResult = { userId: string; before: RoleName; after: AssignedRole; changed: boolean };

export async function setRole(deps: DomainDeps, input: { actor: Actor; userId: string; role: AssignedRole }): Promise<SetRoleResult> {
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
    const before: RoleName = existing?.role ?? deps.defaultRole;
    // Giving the default role explicitly still stores it: the default may change later.
    if (existing?.role === input.role) return { userId: input.userId, before, after: input.role, changed: false };
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

export type SetGroupRoleResult = { groupId: string; before: AssignedRole | undefined; after: AssignedRole; changed: boolean };

/** Gives a Slack user group a role: its members get it (or keep their own, if higher). */
export async function setGroupRole(
  deps: DomainDeps,
  input: { actor: Actor; groupId: string; role: AssignedRole },
): Promise<SetGroupRoleResult> {
  await requireRole(deps, input.actor, 'admin', 'change roles');
  if (!isGroupId(input.groupId)) throw new AppError('bad_input', `\`${input.groupId}\` is not a user group id.`);
  let members: readonly string[] | undefined;
  try {
    members = await deps.groups.members(input.groupId);
  } catch (err) {
    deps.log.warn('user group look-up failed', { groupId: input.groupId, err });
    throw new AppError('unavailable', 'Slack did not say who is in that user group; nothing was changed. Try again in a minute.');
  }
  if (!members) throw new AppError('not_found', `There is no user group ${input.groupId} in this workspace; nothing was changed.`);
  return deps.db.$transaction(async (tx) => {
    const existing = await tx.groupRole.findUnique({ where: { groupId: input.groupId } });
    if (existing?.role === input.role) return { groupId: input.groupId, before: existing.role, after: existing.role, changed: false };
    await tx.groupRole.upsert({
      where: { groupId: input.groupId },
      create: { groupId: input.groupId, role: input.role, grantedBy: input.actor.id },
      update: { role: input.role, grantedBy: input.actor.id },
    });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'role.set',
      entityType: 'group_role',
      entityId: input.groupId,
      before: existing ? { role: existing.role } : null,
      after: { role: input.role, members: members.length },
      at: deps.clock.now(),
    });
    return { groupId: input.groupId, before: existing?.role, after: input.role, changed: true };
  });
}
