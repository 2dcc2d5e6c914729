/**
 * Transport guards around Bolt, before and after dispatch: a signed timestamp from the future is refused
 * like a stale one, and so is a body that would throw inside Bolt; a Slack request that no listener
 * acknowledged is answered 200 as soon as dispatch ends, and a signed body that is no kind of Slack
 * request 400 (Bolt would answer 404 after 3 seconds, or 500, and Slack would show the user an error).
 * Transport only: no business rule, no database.
 */
import type { ServerResponse } from 'node:http';
import {
  App,
  type AppOptions,
  type BufferedIncomingMessage,
  defaultBodyLimit,
  HTTPModuleFunctions,
  type HTTPReceiver,
  isRawBodyError,
  type ReceiverEvent,
  type ReceiverProcessEventErrorHandlerArgs,
} from '@slack/bolt';
import type { Logger } from '../logger';

// Slack's window for a signed timestamp, either side of our clock.
const MAX_SKEW_SECONDS = 5 * 60;

/**
 * Checks on requests to the Slack endpoint before Bolt sees them:
 * - Bolt's verification refuses a timestamp more than 5 minutes old but accepts any in the future, which
 *   would let a request signed ahead of time be replayed for as long as its signer liked. Bolt reads the
 *   system clock, so this does too: the window is the same on both sides.
 * - Bolt reads `body.ssl_check` of whatever the body parses to: a signed `payload=null` threw where no
 *   handler catches it, which ends the process. The body is read here (Bolt reuses what was read) and
 *   such a body refused.
 */
export function guardSlackEndpoint(receiver: HTTPReceiver, endpoint: string, log: Logger): void {
  const dispatch = receiver.requestListener;
  const answer = (res: ServerResponse, status: number) => {
    if (res.headersSent) return;
    res.writeHead(status);
    res.end();
  };
  receiver.requestListener = (req, res) => {
    if ((req.url ?? '').split('?')[0] !== endpoint || req.method !== 'POST') return dispatch(req, res);
    const signedAt = Number(req.headers['x-slack-request-timestamp']);
    if (signedAt > Date.now() / 1000 + MAX_SKEW_SECONDS) {
      log.warn('Slack request refused: signed timestamp more than 5 minutes ahead', {
        aheadSeconds: Math.round(signedAt - Date.now() / 1000),
      });
      req.resume();
      return answer(res, 401);
    }
    HTTPModuleFunctions.bufferIncomingMessage(req, defaultBodyLimit).then(
      (buffered) => {
        if (parsesToNull(buffered)) {
          log.warn('Slack request refused: the body is null');
          return answer(res, 400);
        }
        try {
          dispatch(buffered, res);
        } catch (err) {
          log.error('Slack request could not be dispatched', { err });
          answer(res, 500);
        }
      },
      (err: unknown) => {
        const tooLarge = isRawBodyError(err) && (err as { statusCode?: number }).statusCode === 413;
        log.warn('Slack request refused: the body could not be read', { err });
        answer(res, tooLarge ? 413 : 400);
      },
    );
  };
}

function parsesToNull(req: BufferedIncomingMessage): boolean {
  try {
    return HTTPModuleFunctions.parseHTTPRequestBody(req) === null;
  } catch {
    // Bolt answers an unparseable body with 400 itself.
    return false;
  }
}

/** Bolt's App, except that a request left unacknowledged when dispatch ends is acknowledged and logged. */
export class AcknowledgingApp extends App {
  private readonly log: Logger;

  constructor(options: AppOptions, log: Logger) {
    super(options);
    this.log = log;
  }

  override async processEvent(event: ReceiverEvent): Promise<void> {
    let acked = false;
    const ack: ReceiverEvent['ack'] = async (response) => {
      acked = true;
      await event.ack(response);
    };
    try {
      await super.processEvent({ ...event, ack });
    } finally {
      if (!acked && isSlackRequest(event.body)) {
        this.log.warn('Slack request acknowledged without a listener', describeRequest(event.body));
        await ack(undefined);
      }
    }
    if (!acked) throw new NotASlackRequestError();
  }
}

/** A signed body that is none of the kinds of request Slack sends (see isSlackRequest). */
export class NotASlackRequestError extends Error {
  constructor() {
    super('the body is not a Slack event, command or interaction');
  }
}

/** HTTPReceiver's processEventErrorHandler: 400 for a body that is no Slack request, else Bolt's own answer. */
export async function answerProcessEventError(args: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> {
  if (!(args.error instanceof NotASlackRequestError)) return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
  args.logger.warn(`Slack request refused: ${args.error.message}`);
  if (!args.response.headersSent) {
    args.response.writeHead(400);
    args.response.end();
  }
  return true;
}

// The kinds Bolt dispatches (its getTypeAndConversation): events, commands, options, actions, shortcuts, views.
const INTERACTION_TYPES = ['block_suggestion', 'dialog_submission', 'shortcut', 'message_action', 'view_submission', 'view_closed'];
function isSlackRequest(body: Record<string, unknown>): boolean {
  return (
    body.event !== undefined ||
    body.command !== undefined ||
    body.name !== undefined ||
    body.actions !== undefined ||
    INTERACTION_TYPES.includes(String(body.type))
  );
}

/** Ids only, never text: enough to find which button, modal or event had no listener. */
function describeRequest(body: Record<string, unknown>): Record<string, unknown> {
  const pick = (v: unknown, key: string) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined);
  const action = Array.isArray(body.actions) ? body.actions[0] : undefined;
  return {
    type: body.type ?? (body.command ? 'command' : undefined),
    command: body.command,
    actionId: pick(action, 'action_id'),
    callbackId: pick(body.view, 'callback_id'),
    event: pick(body.event, 'type'),
  };
}
