import type { WebClient } from '@slack/web-api';
import { homeDisputes } from '../domain/copyright/dispute-detail';
import type { DomainDeps } from '../domain/deps';
import { homeEscalations } from '../domain/escalations/queries';
import { lookUpMetrics } from '../domain/metrics/lookup';
import { hasRole } from '../domain/roles/roles';
import { type Headline, type HomeNotice, homeView } from './views/home';

export type HomePublisher = {
  /** Publishes one user's App Home now, with an optional notice at the top; `fresh` recomputes the figures. */
  publish(userId: string, notice?: HomeNotice, fresh?: boolean): Promise<void>;
  /** Escalations changed: refresh the homes of recent visitors, coalescing bursts of changes. */
  changed(): void;
  stop(): void;
};

// Changes within this window are published once: a burst of votes is one round of views.publish.
const COALESCE_MS = 500;
// Only people who opened App Home lately get it republished: publishing to everyone who might look
// would cost a views.publish per approver per change.
const MAX_VISITORS = 500;
const VISIT_TTL_MS = 24 * 3600_000;
const HEADLINE_TTL_MS = 60_000;

export function createHomePublisher(opts: { client: WebClient; deps: DomainDeps; reviewUrl: string }): HomePublisher {
  const { client, deps } = opts;
  /** User → when they last opened App Home or clicked in it, oldest first (refreshes do not count). */
  const visitors = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  // Headline figures: computed afresh when someone opens App Home, reused for a minute by the
  // refreshes escalation changes cause, so a burst of votes does not re-run the look-ups.
  let headline: { at: number; value: Promise<Headline> } | undefined;
  const headlineFigures = (fresh: boolean): Promise<Headline> => {
    if (!headline || fresh || Date.now() - headline.at > HEADLINE_TTL_MS) {
      const value = Promise.all([lookUpMetrics(deps, 'today'), lookUpMetrics(deps, 'last 7d')]).then(([today, week]) => ({
        today: today.total,
        week: week.total,
        timeZone: deps.timeZone,
      }));
      headline = { at: Date.now(), value };
      value.catch(() => {
        headline = undefined;
      });
    }
    return headline.value;
  };

  const render = async (userId: string, notice?: HomeNotice, fresh = false, waited = false): Promise<void> => {
    const escalations = await homeEscalations(deps, userId);
    const { role } = escalations;
    // Figures are for anyone with a role; escalation rows are case-level, for analysts and above.
    const wanted = hasRole(role, 'viewer')
      ? headlineFigures(fresh).catch((err) => {
          deps.log.warn('App Home figures failed', { err });
          return undefined;
        })
      : undefined;
    // While the analytics copy is being built the figures wait for it: App Home shows at once without
    // them, and again with them when they come.
    const building = wanted !== undefined && !waited && deps.analytics.status().state === 'building';
    if (building)
      void wanted
        .then((ready) => (ready ? render(userId, undefined, false, true) : undefined))
        .catch((err) => deps.log.warn('App Home refresh failed', { err }));
    const [surfaceCount, figures] = await Promise.all([deps.db.surface.count({ where: { active: true } }), building ? undefined : wanted]);
    const shown = hasRole(role, 'analyst') ? escalations : undefined;
    // Like the figures: a failure here leaves the disputes out, never App Home blank.
    const disputes = await homeDisputes(deps, role).catch((err) => {
      deps.log.warn('App Home disputes failed', { err });
      return undefined;
    });
    await client.views.publish({
      user_id: userId,
      view: homeView({ role, surfaceCount, escalations: shown, disputes, notice, reviewUrl: opts.reviewUrl, headline: figures }),
    });
  };

  const refreshAll = async () => {
    const recent = [...visitors].filter(([, at]) => Date.now() - at < VISIT_TTL_MS).map(([user]) => user);
    for (const user of recent) {
      try {
        await render(user);
      } catch (err) {
        deps.log.warn('App Home refresh failed', { user, err });
      }
    }
  };

  return {
    async publish(userId, notice, fresh = false) {
      visitors.delete(userId);
      visitors.set(userId, Date.now());
      if (visitors.size > MAX_VISITORS) visitors.delete(visitors.keys().next().value as string);
      await render(userId, notice, fresh);
    },
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
