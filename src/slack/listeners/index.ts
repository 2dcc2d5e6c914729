import type { App } from '@slack/bolt';
import type { DomainDeps } from '../../domain/deps';
import type { HomePublisher } from '../home';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import { registerEvents } from './events';
import { registerAuditMiddleware } from './middleware/audit';

/** Fans out to one register() per listener kind. */
export function registerListeners(app: App, deps: DomainDeps, parts: { onInteraction(kind: string): void; home: HomePublisher }): void {
  registerAuditMiddleware(app, deps, parts.onInteraction);
  registerCommands(app, deps);
  registerActions(app, deps, parts.home);
  registerEvents(app, deps, parts.home);
}
