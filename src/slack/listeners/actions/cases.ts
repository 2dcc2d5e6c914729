import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { getCaseDetail } from '../../../domain/cases/detail';
import type { DomainDeps } from '../../../domain/deps';
import { ZId } from '../../../domain/ids';
import { AppError } from '../../../errors';
import { ActionId } from '../../ids';
import { caseMessage } from '../../views/case';
import { failureMessage } from '../../views/feedback';
import { parseButtonValue } from './values';

const ZPage = z.object({ caseId: ZId, page: z.number().int().min(1) });

/** Previous / Next on `/trustops case`: the ephemeral message is replaced by the page asked for. */
export function registerCaseActions(app: App, deps: DomainDeps): void {
  app.action<BlockAction<ButtonAction>>(new RegExp(`^${ActionId.casePage}_`), async ({ ack, action, body, respond }) => {
    await ack();
    try {
      const { caseId, page } = parseButtonValue(
        ZPage,
        action.value,
        'That button does not name a page of a case: look the case up again with `/trustops case <id>`.',
      );
      const detail = await getCaseDetail(deps, { id: body.user.id, origin: 'slack' }, caseId);
      await respond({ response_type: 'ephemeral', replace_original: true, ...caseMessage(detail, page) });
    } catch (err) {
      if (!(err instanceof AppError)) deps.log.error('case page failed', { err });
      await respond({ response_type: 'ephemeral', replace_original: false, ...failureMessage(err) });
    }
  });
}
