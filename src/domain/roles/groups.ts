import type { Clock } from '../../clock';

/** Where the members of a Slack user group come from (Slack's usergroups.users.list). */
export type GroupDirectory = {
  /** The member user ids; undefined when there is no such group. Throws when it cannot tell. */
  members(groupId: string): Promise<readonly string[] | undefined>;
};

/** Knows no groups: for processes with no Slack connection (CLI). */
export const NO_GROUPS: GroupDirectory = { members: async () => undefined };

/** How long a group's member list is trusted before it is read again. */
export const GROUP_MEMBERS_TTL_MS = 5 * 60_000;

/**
 * Remembers each group's members for a while, so a role check does not call Slack every time; a
 * burst of checks shares one read, and a failed read is not remembered.
 */
export function cachedGroupDirectory(source: GroupDirectory, clock: Clock, ttlMs = GROUP_MEMBERS_TTL_MS): GroupDirectory {
  const cache = new Map<string, { at: number; members: Promise<readonly string[] | undefined> }>();
  return {
    members(groupId) {
      const now = clock.now().getTime();
      const hit = cache.get(groupId);
      if (hit && now - hit.at < ttlMs) return hit.members;
      const members = source.members(groupId);
      cache.set(groupId, { at: now, members });
      members.catch(() => {
        if (cache.get(groupId)?.members === members) cache.delete(groupId);
      });
      return members;
    },
  };
}
