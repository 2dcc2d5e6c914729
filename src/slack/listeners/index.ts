import type { App } from '@slack/bolt';
import type { DomainDeps } from '../../domain/deps';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import { registerEvents } from './events';
import { type AuditHooks, registerAuditMiddleware } from './middleware/audit';

/** Fans out to one register() per listener kind; the audit middleware comes first, so it sees every request. */
export function registerListeners(app: App, deps: DomainDeps, parts: AuditHooks): void {
  registerAuditMiddleware(app, deps, parts);
  registerCommands(app, deps);
  registerActions(app, deps, parts.home);
  registerEvents(app, deps, parts.home);
}
