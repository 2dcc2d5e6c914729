import type { App } from '@slack/bolt';
import type { DomainDeps } from '../../../domain/deps';
import type { HomePublisher } from '../../home';

export function registerEvents(app: App, _deps: DomainDeps, home: HomePublisher): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await home.publish(event.user, undefined, true);
  });
}
