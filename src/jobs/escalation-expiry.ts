import type { Config } from '../config';
import type { DomainDeps } from '../domain/deps';
import { expireEscalations } from '../domain/escalations/decide';
import type { Job } from '.';

/**
 * Expires pending escalations past their deadline, on the SLA scan's schedule (every minute by
 * default). Rows are locked with SKIP LOCKED and the re-notification has a dedupe key, so an
 * overlapping run or a second replica cannot expire or re-notify twice.
 */
export function escalationExpiryJob(config: Config, deps: DomainDeps): Job {
  return {
    name: 'escalation-expiry',
    cron: config.TRUSTOPS_SLA_SCAN_CRON,
    async run() {
      const { expired } = await expireEscalations(deps);
      (expired ? deps.log.info : deps.log.debug)('escalation expiry', { expired });
    },
  };
}
