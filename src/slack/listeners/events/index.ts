import type { App } from '@slack/bolt';
import type { DomainDeps } from '../../../domain/deps';
import { getRole } from '../../../domain/roles/roles';
import { homeView } from '../../views/home';

export function registerEvents(app: App, deps: DomainDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const [role, surfaceCount] = await Promise.all([getRole(deps, event.user), deps.db.surface.count({ where: { active: true } })]);
    await client.views.publish({ user_id: event.user, view: homeView({ role, surfaceCount }) });
  });
}
