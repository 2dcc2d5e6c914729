import { type Logger as SlackLogger, WebClient } from '@slack/web-api';
import type { Clock } from '../clock';
import { cachedGroupDirectory, type GroupDirectory } from '../domain/roles/groups';

/**
 * User group members from Slack (`usergroups.users.list`, scope `usergroups:read`), cached for a
 * while. Slack's `no_such_subteam` means there is no such group; any other failure is thrown.
 */
export function slackGroupDirectory(opts: { token: string; apiUrl?: string; clock: Clock; logger: SlackLogger }): GroupDirectory {
  // A role check waits on this: fail fast rather than retry behind the user's back.
  const client = new WebClient(opts.token, {
    slackApiUrl: opts.apiUrl,
    retryConfig: { retries: 0 },
    timeout: 5000,
    logger: opts.logger,
  });
  const source: GroupDirectory = {
    async members(groupId) {
      try {
        const res = await client.usergroups.users.list({ usergroup: groupId });
        return res.users ?? [];
      } catch (err) {
        if ((err as { data?: { error?: string } }).data?.error === 'no_such_subteam') return undefined;
        throw err;
      }
    },
  };
  return cachedGroupDirectory(source, opts.clock);
}
