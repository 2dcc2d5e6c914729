import type { RunningApp } from '../app';
import type { Database } from '../db/client';
import { getRole, setRole } from '../domain/roles/roles';
import type { Jobs } from '../jobs';
import type { Logger } from '../logger';
import { startDemoOver } from './demo-reset';
import { SANDBOX_USERS, type Sandbox } from './index';

/** Jobs that fall due when the sandbox's clock jumps: run at once, not at the next minute's tick. */
const DUE_JOBS = ['sla-scan', 'escalation-expiry', 'digests', 'copyright-reminders'];

/**
 * Connects the sandbox page to the running bot: where to send signed requests, the roles shown in the
 * user switcher, what runs when the clock moves, and how the demo starts over. main.ts and the browser
 * tests wire it the same way.
 */
export async function wireSandbox(
  sandbox: Sandbox,
  opts: {
    running: RunningApp;
    db: Database;
    log: Logger;
    signingSecret: string;
    jobs: () => Jobs | undefined;
    /** Demo data size on reset (tests use a small one); 1 as `npm start` seeds it. */
    seedScale?: number;
    /**
     * Whether the database belongs to this run alone, so Reset may empty it: the embedded one (or a test's
     * own). A DATABASE_URL may be shared or hold more than the demo.
     */
    ownsDatabase: boolean;
  },
): Promise<void> {
  const { running, log } = opts;
  const [admin, , , viewer, nobody] = SANDBOX_USERS;
  // The switcher's viewer holds the role explicitly (given by the demo admin); the last demo user holds none.
  const grantViewer = () =>
    setRole(running.deps, { actor: { id: admin.id, origin: 'system' }, userId: viewer.id, role: 'viewer' }).catch((err: unknown) =>
      log.warn('the demo viewer could not be given its role', { err }),
    );
  sandbox.connectBot({
    botUrl: `http://127.0.0.1:${running.port}/slack/events`,
    signingSecret: opts.signingSecret,
    roleOf: async (userId) => {
      const role = await getRole(running.deps, userId);
      if (userId !== nobody.id) return role;
      return role === 'none' ? 'no role' : `no role (${role} by default)`;
    },
    clockMoved: async () => {
      for (const job of DUE_JOBS) await opts.jobs()?.runOnce(job, sandbox.clock.now());
      running.delivery.kick();
    },
    // Reset empties every table. Start-up checked the database held demo data only, but on a DATABASE_URL
    // anything may have been written since (intake reports, another process), and rows made through the
    // sandbox cannot be told from real ones. Re-running the seed's check would not see them, so rather than
    // guess, Reset is offered only on a database no one else can reach.
    resetRefused: opts.ownsDatabase
      ? undefined
      : 'Reset is offered on the embedded database only: this sandbox runs on DATABASE_URL, which may hold more than the demo. To start over, drop and recreate that database and start again.',
    reset: async () => {
      const summary = await startDemoOver(opts.db.prisma, { databaseUrl: opts.db.url, scale: opts.seedScale });
      log.info('demo data written', { ...summary.counts });
      await grantViewer();
    },
  });
  await grantViewer();
}
