import { zoneOffsetMs } from '../../domain/time';
import type { SlackChannel, SlackUser } from './types';

export const DEFAULT_TEAM_ID = 'T0SANDBOX';
export const DEFAULT_BOT_USER_ID = 'U0TRUSTOPS';
export const TEAM_DOMAIN = 'trustops-sandbox';

/** The channels the bot is configured to use out of the box (see config defaults). */
export const BUILT_IN_CHANNELS: readonly Pick<SlackChannel, 'id' | 'name'>[] = [
  { id: 'C0GENERAL', name: 'general' },
  { id: 'C0SLA', name: 'trustops-sla' },
  { id: 'C0ESCALATIONS', name: 'trustops-escalations' },
  { id: 'C0COPYRIGHT', name: 'trustops-copyright' },
  { id: 'C0TRIAGE', name: 'trustops-triage' },
  { id: 'C0VENDOROPS', name: 'vendor-ops' },
];

/** A small cast of people, enough for multi-approver and role scenarios. */
export const BUILT_IN_USERS: readonly SlackUser[] = [
  { id: 'U0ALICE', name: 'alice', real_name: 'Alice Moreau', is_admin: true, is_bot: false, tz: 'Europe/Paris' },
  { id: 'U0BOB', name: 'bob', real_name: 'Bob Okafor', is_admin: false, is_bot: false, tz: 'America/New_York' },
  { id: 'U0CAROL', name: 'carol', real_name: 'Carol Tanaka', is_admin: false, is_bot: false, tz: 'Asia/Tokyo' },
  { id: 'U0DAVE', name: 'dave', real_name: 'Dave Singh', is_admin: false, is_bot: false, tz: 'Asia/Kolkata' },
  { id: 'U0ERIN', name: 'erin', real_name: 'Erin Walsh', is_admin: false, is_bot: false, tz: 'America/Los_Angeles' },
];

/** users.info's `user` object, shaped like Slack's. */
export function toSlackUser(u: SlackUser, teamId: string, now: number): Record<string, unknown> {
  // One time-zone implementation in the project: the domain's.
  const offsetSeconds = Math.round(zoneOffsetMs(new Date(now), u.tz) / 1000);
  return {
    id: u.id,
    team_id: teamId,
    name: u.name,
    deleted: false,
    real_name: u.real_name,
    tz: u.tz,
    tz_label: u.tz,
    tz_offset: offsetSeconds,
    is_admin: u.is_admin,
    is_owner: false,
    is_bot: u.is_bot,
    is_app_user: false,
    updated: Math.floor(now / 1000),
    profile: {
      real_name: u.real_name,
      display_name: u.name,
      email: u.email ?? (u.is_bot ? undefined : `${u.name}@${TEAM_DOMAIN}.example`),
      team: teamId,
    },
  };
}

/** conversations.* `channel` object, shaped like Slack's. */
export function toSlackChannel(c: SlackChannel, extra: Record<string, unknown> = {}): Record<string, unknown> {
  if (c.is_im) {
    return { id: c.id, created: c.created, is_im: true, is_org_shared: false, user: c.user, is_user_deleted: false, ...extra };
  }
  return {
    id: c.id,
    name: c.name,
    name_normalized: c.name,
    is_channel: !c.is_private,
    is_group: c.is_private,
    is_im: false,
    is_mpim: false,
    is_private: c.is_private,
    is_archived: false,
    is_general: c.name === 'general',
    is_member: true,
    is_shared: c.is_ext_shared ?? false,
    is_ext_shared: c.is_ext_shared ?? false,
    is_org_shared: false,
    created: c.created,
    topic: { value: '', creator: '', last_set: 0 },
    purpose: { value: '', creator: '', last_set: 0 },
    ...extra,
  };
}
