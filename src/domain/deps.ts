import type { Clock } from '../clock';
import { type Config, channelsOf } from '../config';
import type { Db } from '../db/client';
import type { Logger } from '../logger';

/** What every domain operation may use. Slack never appears here. */
export type DomainDeps = {
  db: Db;
  clock: Clock;
  log: Logger;
  /** Slack user ids that are admins by configuration, whatever the database says. */
  configuredAdmins: readonly string[];
  /** The reporting time zone (TRUSTOPS_TIMEZONE): "today" and ranges are local to it. */
  timeZone: string;
  /** Where the bot posts, by purpose (channel names or ids). */
  channels: Channels;
  /** Called after a transaction that queued alerts commits, so delivery need not wait for its next poll. */
  alertsQueued(): void;
  /** Called after an escalation is raised or changes state, so views listing escalations (App Home) can refresh. */
  escalationsChanged(): void;
};

export type Channels = { sla: string; escalation: string; copyright: string; triage: string; vendorOps: string };

/** Who did something, and through which door. */
export type Actor = { id: string; origin: 'slack' | 'api' | 'system' | 'cli' };

/** Domain dependencies from the configuration: the one place they are assembled. */
export function domainDeps(
  config: Config,
  parts: { db: Db; clock: Clock; log: Logger; alertsQueued?: () => void; escalationsChanged?: () => void },
): DomainDeps {
  return {
    db: parts.db,
    clock: parts.clock,
    log: parts.log,
    configuredAdmins: config.TRUSTOPS_ADMINS,
    timeZone: config.TRUSTOPS_TIMEZONE,
    channels: channelsOf(config),
    alertsQueued: parts.alertsQueued ?? (() => {}),
    escalationsChanged: parts.escalationsChanged ?? (() => {}),
  };
}
