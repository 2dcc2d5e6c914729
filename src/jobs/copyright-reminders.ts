import type { Config } from '../config';
import { refreshDisputeCards, scanDisputeReminders } from '../domain/copyright/dispute-reminders';
import type { DomainDeps } from '../domain/deps';
import type { Job } from '.';

/**
 * The dispute reminders (claimant not notified, window open at 09:00 on the earliest date, overdue),
 * and the daily redraw of open dispute cards, on the SLA scan's schedule (every minute by default). Each reminder's outbox dedupe key makes it go
 * out once, whichever replica scans and however often, across restarts.
 */
export function copyrightRemindersJob(config: Config, deps: DomainDeps): Job {
  return {
    name: 'copyright-reminders',
    cron: config.TRUSTOPS_SLA_SCAN_CRON,
    async run() {
      const sent = await scanDisputeReminders(deps);
      // Then the cards not yet redrawn today, so their business days left are today's.
      const refreshed = await refreshDisputeCards(deps);
      const n = sent.claimant_notify_due + sent.window_open + sent.restore_overdue;
      (n ? deps.log.info : deps.log.debug)('copyright reminders', { ...sent, refreshed });
    },
  };
}
