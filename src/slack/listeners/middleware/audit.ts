import type { AnyMiddlewareArgs, App, Context, RespondFn } from '@slack/bolt';
import { type Interaction, takeInInteraction } from '../../../domain/audit/interactions';
import type { DomainDeps } from '../../../domain/deps';
import type { HomePublisher } from '../../home';
import { errorMessage } from '../../views/feedback';

export const NOT_AUDITED =
  'TrustOps could not record this request in the audit trail, so it did not run it. Nothing was changed; please try again in a minute.';

export type AuditHooks = {
  onInteraction(kind: string): void;
  /** Called when an interaction could not be audited (and so was not run). */
  onAuditFailure(kind: string): void;
  home: HomePublisher;
};

/**
 * Every Slack interaction is taken in once, before any listener runs: its audit row is written and its
 * trigger_id / event_id remembered. A second delivery of the same request (a duplicate, an Events API
 * retry) is acknowledged and not run again. An interaction that cannot be audited is not run: the user is
 * told, and the failure is logged and counted. Writing the row first costs one short transaction before
 * the ack; it is the only way to be sure that nothing runs unaudited.
 */
export function registerAuditMiddleware(app: App, deps: DomainDeps, hooks: AuditHooks): void {
  app.use(async (args) => {
    const what = describe(args.body as unknown as Body);
    hooks.onInteraction(what.kind);
    let taken: 'new' | 'duplicate';
    try {
      taken = await takeInInteraction(deps, { deliveryKey: what.deliveryKey, interaction: what.interaction });
    } catch (err) {
      hooks.onAuditFailure(what.kind);
      deps.log.error('could not audit a Slack interaction; it was not run', { kind: what.kind, name: what.name, err });
      await refuseUnaudited(args, what, hooks.home, deps);
      return;
    }
    if (taken === 'duplicate') {
      deps.log.info('duplicate Slack delivery ignored', { kind: what.kind, key: what.deliveryKey, retryNum: retryNum(args.context) });
      await ackOf(args)?.();
      return;
    }
    await args.next();
  });
}

type Described = { kind: string; name?: string; userId?: string; deliveryKey?: string; interaction?: Interaction };
type Body = Record<string, unknown>;

// Kinds named as they are (a metric label): anything else a signed body says it is counts as "other".
const OTHER_KINDS = ['view_submission', 'view_closed', 'shortcut', 'message_action', 'block_suggestion'];
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Body => (typeof v === 'object' && v !== null ? (v as Body) : {});

/** What the request is, read from the raw body: Slack's payloads may lack any field, so none is assumed. */
function describe(body: Body): Described {
  const event = obj(body.event);
  const type = str(body.type) ?? '';
  const kind =
    body.command !== undefined
      ? 'command'
      : type === 'block_actions'
        ? 'action'
        : body.event
          ? 'event'
          : OTHER_KINDS.includes(type)
            ? type
            : 'other';
  const userId = kind === 'command' ? str(body.user_id) : kind === 'event' ? str(event.user) : str(obj(body.user).id);
  const firstAction = obj(Array.isArray(body.actions) ? body.actions[0] : undefined);
  const name =
    kind === 'command'
      ? str(body.command)
      : kind === 'action'
        ? str(firstAction.action_id)
        : kind === 'event'
          ? str(event.type)
          : str(obj(body.view).callback_id);
  const detail =
    kind === 'command'
      ? { text: str(body.text), channel: str(body.channel_id) }
      : kind === 'action'
        ? { value: str(firstAction.value) }
        : undefined;
  const triggerId = str(body.trigger_id);
  const eventId = str(body.event_id);
  return {
    kind,
    name,
    userId,
    deliveryKey: triggerId ? `trigger:${triggerId}` : eventId ? `event:${eventId}` : undefined,
    interaction: userId
      ? { actor: { id: userId, origin: 'slack' }, action: `slack.${kind}`, entityType: 'slack_interaction', entityId: name, detail }
      : undefined,
  };
}

const ackOf = (args: AnyMiddlewareArgs) =>
  'ack' in args && typeof args.ack === 'function' ? (args.ack as (r?: unknown) => Promise<void>) : undefined;
const retryNum = (context: Context) => (typeof context.retryNum === 'number' ? context.retryNum : undefined);

/** Answers a request that was not run because it could not be audited, where its user will see it. */
async function refuseUnaudited(args: AnyMiddlewareArgs, what: Described, home: HomePublisher, deps: DomainDeps): Promise<void> {
  const ack = ackOf(args);
  const respond = 'respond' in args ? (args.respond as RespondFn | undefined) : undefined;
  try {
    if (what.kind === 'view_submission') {
      // The modal stays open with the reason on its first input, so nothing typed is lost.
      const blocks = obj((args.body as unknown as Body).view).blocks;
      const input = Array.isArray(blocks) ? blocks.map(obj).find((b) => b.type === 'input' && str(b.block_id)) : undefined;
      await ack?.(input ? { response_action: 'errors', errors: { [String(input.block_id)]: NOT_AUDITED.slice(0, 150) } } : undefined);
      return;
    }
    await ack?.();
    if (respond) await respond({ response_type: 'ephemeral', replace_original: false, ...errorMessage(NOT_AUDITED) });
    else if (what.kind === 'action' && what.userId) await home.publish(what.userId, { text: NOT_AUDITED, ok: false });
  } catch (err) {
    deps.log.error('could not tell the user an interaction was not run', { kind: what.kind, err });
  }
}
