import type { AnyMiddlewareArgs, App } from '@slack/bolt';
import { recordAudit } from '../../../db/repositories/audit';
import type { DomainDeps } from '../../../domain/deps';

/**
 * Every Slack interaction is recorded: who, what, from where. The row is written while the listener
 * runs, not before it, so the listener's ack never waits for the database; the request is not
 * finished until the row is written.
 */
export function registerAuditMiddleware(app: App, deps: DomainDeps, onInteraction: (kind: string) => void): void {
  app.use(async (args) => {
    const what = describe(args);
    onInteraction(what.kind);
    const recorded = what.userId
      ? recordAudit(deps.db, {
          actor: what.userId,
          origin: 'slack',
          action: `slack.${what.kind}`,
          entityType: 'slack_interaction',
          entityId: what.name,
          after: what.detail,
          at: deps.clock.now(),
        }).catch((err) => deps.log.error('could not audit a Slack interaction', { kind: what.kind, err }))
      : undefined;
    try {
      await args.next();
    } finally {
      await recorded;
    }
  });
}

type Described = { kind: string; userId?: string; name?: string; detail?: Record<string, unknown> };

function describe(args: AnyMiddlewareArgs): Described {
  if ('command' in args) {
    const c = args.command;
    return { kind: 'command', userId: c.user_id, name: c.command, detail: { text: c.text, channel: c.channel_id } };
  }
  if ('action' in args && args.body.type === 'block_actions') {
    const a = args.action as { action_id?: string; value?: string };
    return { kind: 'action', userId: args.body.user.id, name: a.action_id, detail: { value: a.value } };
  }
  if ('view' in args && args.body.type === 'view_submission') {
    return { kind: 'view_submission', userId: args.body.user.id, name: args.view.callback_id };
  }
  if ('event' in args) {
    const e = args.event as { type: string; user?: string };
    return { kind: 'event', userId: typeof e.user === 'string' ? e.user : undefined, name: e.type };
  }
  return { kind: 'other' };
}
