import type { Analytics } from '../analytics/types';
import type { Clock } from '../clock';
import { type Config, channelsOf } from '../config';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import { type GroupDirectory, NO_GROUPS } from './roles/groups';

/** What every domain operation may use. Slack never appears here. */
export type DomainDeps = {
  db: Db;
  /** The columnar copy every aggregate reads (src/analytics/): caught up with Postgres at each read. */
  analytics: Analytics;
  clock: Clock;
  log: Logger;
  /** Slack user ids that are admins by configuration, whatever the database says. */
  configuredAdmins: readonly string[];
  /** The role of someone who holds none, themselves or through a user group (TRUSTOPS_DEFAULT_ROLE). */
  defaultRole: 'viewer' | 'none';
  /** Members of Slack user groups, for roles held by a group. */
  groups: GroupDirectory;
  /** The reporting time zone (TRUSTOPS_TIMEZONE): "today" and ranges are local to it. */
  timeZone: string;
  /** The copyright calendar's zone (TRUSTOPS_COPYRIGHT_TIMEZONE): restore windows count business days there (America/New_York when unset). */
  copyrightTimeZone?: string;
  /** Where the bot posts, by purpose (channel names or ids). */
  channels: Channels;
  /** Called after a transaction that queued alerts commits, so delivery need not wait for its next poll. */
  alertsQueued(): void;
  /** Called after an escalation is raised or changes state, so views listing escalations (App Home) can refresh. */
  escalationsChanged(): void;
};

export type Channels = { sla: string; escalation: string; copyright: string; triage: string; vendorOps: string };

/** Who did something, and through which door; `vendor` limits an API caller to that vendor's queues. */
export type Actor = { id: string; origin: 'slack' | 'api' | 'system' | 'cli'; vendor?: { id: number; key: string } };

/** Domain dependencies from the configuration: the one place they are assembled. */
export function domainDeps(
  config: Config,
  parts: {
    db: Db;
    /** Absent for tools that read no figures (import): any read then fails naming it. */
    analytics?: Analytics;
    clock: Clock;
    log: Logger;
    alertsQueued?: () => void;
    escalationsChanged?: () => void;
    groups?: GroupDirectory;
  },
): DomainDeps {
  return {
    db: parts.db,
    analytics: parts.analytics ?? NO_ANALYTICS,
    clock: parts.clock,
    log: parts.log,
    configuredAdmins: config.TRUSTOPS_ADMINS,
    defaultRole: config.TRUSTOPS_DEFAULT_ROLE,
    groups: parts.groups ?? NO_GROUPS,
    timeZone: config.TRUSTOPS_TIMEZONE,
    copyrightTimeZone: config.TRUSTOPS_COPYRIGHT_TIMEZONE,
    channels: channelsOf(config),
    alertsQueued: parts.alertsQueued ?? (() => {}),
    escalationsChanged: parts.escalationsChanged ?? (() => {}),
  };
}

/** For processes that read no figures: every read fails with a message naming the omission. */
const NO_ANALYTICS: Analytics = {
  read: () => Promise.reject(new Error('analytics: this process opened no analytics copy')),
  status: () => ({ state: 'failed', lagMs: null, rows: {}, file: '', error: 'no analytics copy in this process' }),
  close: async () => {},
};
