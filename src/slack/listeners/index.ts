import type { App } from '@slack/bolt';
import type { DomainDeps } from '../../domain/deps';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import { registerEvents } from './events';
import { registerAuditMiddleware } from './middleware/audit';

/** Fans out to one register() per listener kind. */
export function registerListeners(app: App, deps: DomainDeps, hooks: { onInteraction(kind: string): void }): void {
  registerAuditMiddleware(app, deps, hooks.onInteraction);
  registerCommands(app, deps);
  registerActions(app, deps);
  registerEvents(app, deps);
}
