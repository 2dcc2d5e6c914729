import type { Config } from '../config';
import type { DomainDeps } from '../domain/deps';
import type { ChartPort } from '../domain/digests/chart';
import { chartsAhead, deliverDigestFiles, type ThreadFilePort } from '../domain/digests/files';
import { runDigests } from '../domain/digests/send';
import type { Job } from '.';

/**
 * The daily digests. Each vendor has its own time in its own zone, and the overview its time in
 * TRUSTOPS_TIMEZONE: times are data (`/trustops digest schedule`), so rather than one node-schedule
 * entry per vendor, this job runs every minute (and once at start-up, so a digest missed while the bot
 * was down goes out at once) and sends whatever has fallen due, in each subject's own zone (time.ts).
 * The ledger makes each (subject, day) go out once across replicas and restarts; the outbox posts it.
 *
 * Then it sends the thread files (charts, the overview's CSV) of digests now posted, waiting a little
 * for the outbox to post the digests it just queued, so a chart follows its digest within seconds. Each
 * vendor's chart is drawn from the moment its digest is queued, while the overview's figures are read.
 */
export function digestsJob(
  config: Config,
  deps: DomainDeps,
  ports: { files: ThreadFilePort; charts: ChartPort; waitForPostsMs?: number; pollMs?: number },
): Job {
  const waitMs = ports.waitForPostsMs ?? 45_000;
  const pollMs = ports.pollMs ?? 1000;
  return {
    name: 'digests',
    cron: '* * * * *',
    atStart: true,
    async run() {
      const started = Date.now();
      const charts = chartsAhead(ports.charts);
      const fileDeps = {
        db: deps.db,
        clock: deps.clock,
        log: deps.log,
        files: ports.files,
        charts,
        fileLeaseMs: config.TRUSTOPS_DIGEST_FILE_LEASE,
      };
      const sent = await runDigests({
        ...deps,
        overviewTime: config.TRUSTOPS_DIGEST_TIME,
        chartsQueued: (cards) => {
          for (const card of cards) charts.drawAhead(card);
        },
      });
      if (sent.sent.length || sent.quiet.length) deps.log.info('digests queued', { ...sent, ms: Date.now() - started });
      let files = await deliverDigestFiles(fileDeps);
      // Files whose digest is still on its way out: look again shortly rather than at the next minute.
      const until = Date.now() + waitMs;
      while (files.waiting > 0 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, pollMs));
        files = await deliverDigestFiles(fileDeps);
      }
      if (files.shared || files.adopted || files.failed) deps.log.info('digest files', { ...files });
    },
  };
}
