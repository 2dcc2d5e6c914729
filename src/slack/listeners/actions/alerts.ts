import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { retryFailedAlert } from '../../../domain/alerts/failed';
import type { DomainDeps } from '../../../domain/deps';
import { ZId } from '../../../domain/ids';
import { AppError } from '../../../errors';
import { ActionId } from '../../ids';
import { failureMessage, okMessage } from '../../views/feedback';
import { md } from '../../views/text';
import { parseButtonValue } from './values';

const ZRetryValue = z.object({ alertId: ZId });

/** Retry on `/trustops alerts failed`: queues the alert again (admins); the answer goes to the clicker only. */
export function registerAlertActions(app: App, deps: DomainDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionId.alertRetry, async ({ ack, action, body, respond }) => {
    await ack();
    try {
      const { alertId } = parseButtonValue(
        ZRetryValue,
        action.value,
        'That Retry button does not name an alert: list them again with `/trustops alerts failed`.',
      );
      const retried = await retryFailedAlert(deps, { actor: { id: body.user.id, origin: 'slack' }, alertId });
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...okMessage(md`Alert ${retried.id} is queued again for \`${retried.channel}\`.`),
      });
    } catch (err) {
      if (!(err instanceof AppError)) deps.log.error('alert retry failed', { err });
      await respond({ response_type: 'ephemeral', replace_original: false, ...failureMessage(err) });
    }
  });
}
