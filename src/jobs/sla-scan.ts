import { type Config, channelsOf } from '../config';
import { type ScanOptions, scanSla } from '../domain/sla/scan';
import type { Job } from '.';

/**
 * The SLA scan on TRUSTOPS_SLA_SCAN_CRON (every minute by default). The job runner runs each tick once
 * across replicas; a scan still going when the next tick fires is safe too, since cases are locked
 * with SKIP LOCKED and every alert has a dedupe key.
 */
export function slaScanJob(config: Config, opts: ScanOptions & { alertsQueued?: () => void } = {}): Job {
  const { alertsQueued = () => {}, ...options } = opts;
  // The embedded database serves one session at a time: parallel batches would only queue behind each
  // other, and every extra connection in flight widens the window in which its single session mixes
  // up statements from different connections.
  const scan: ScanOptions = { ...(config.DATABASE_URL ? {} : { concurrency: 1 }), ...options };
  const channels = channelsOf(config);
  return {
    name: 'sla-scan',
    cron: config.TRUSTOPS_SLA_SCAN_CRON,
    async run(deps) {
      const started = Date.now();
      const result = await scanSla({ db: deps.db, channels, alertsQueued }, deps.clock.now(), scan);
      const changed = result.atRisk + result.breached + result.met + result.missed + result.renotified;
      (changed ? deps.log.info : deps.log.debug)('sla scan', { ...result, ms: Date.now() - started });
    },
  };
}
