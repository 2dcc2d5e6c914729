import type { WebClient } from '@slack/web-api';
import type { DomainDeps } from '../domain/deps';
import { listApprovers } from '../domain/escalations/decide';
import { homeEscalations } from '../domain/escalations/queries';
import { homeView } from './views/home';

export type HomePublisher = {
  /** Publishes one user's App Home now, with an optional notice at the top. */
  publish(userId: string, notice?: { text: string; ok: boolean }): Promise<void>;
  /** Escalations changed: refresh approvers' and recent visitors' homes, coalescing bursts of changes. */
  changed(): void;
  stop(): void;
};

// Changes within this window are published once: a burst of votes is one round of views.publish.
const COALESCE_MS = 500;
// Remembered visitors whose App Home lists their own escalations (approvers are always refreshed).
const MAX_VISITORS = 500;

export function createHomePublisher(opts: { client: WebClient; deps: DomainDeps; reviewUrl: string }): HomePublisher {
  const { client, deps } = opts;
  const visitors = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const publish = async (userId: string, notice?: { text: string; ok: boolean }) => {
    visitors.delete(userId);
    visitors.add(userId);
    if (visitors.size > MAX_VISITORS) visitors.delete(visitors.values().next().value as string);
    const [escalations, surfaceCount] = await Promise.all([
      homeEscalations(deps, userId),
      deps.db.surface.count({ where: { active: true } }),
    ]);
    await client.views.publish({
      user_id: userId,
      view: homeView({ role: escalations.role, surfaceCount, escalations, notice, reviewUrl: opts.reviewUrl }),
    });
  };

  const refreshAll = async () => {
    const users = new Set([...(await listApprovers(deps)), ...visitors]);
    for (const user of users) {
      try {
        await publish(user);
      } catch (err) {
        deps.log.warn('App Home refresh failed', { user, err });
      }
    }
  };

  return {
    publish,
    changed() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        running = running.then(refreshAll).catch((err) => deps.log.warn('App Home refresh failed', { err }));
      }, COALESCE_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
