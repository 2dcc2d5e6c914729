import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import type { DomainDeps } from '../../../domain/deps';
import { exportFiles } from '../../../domain/exports/files';
import { whileBuilding } from '../../../domain/metrics/building';
import { lookUpMetrics, parseMetricsQuery } from '../../../domain/metrics/lookup';
import { requireRole } from '../../../domain/roles/roles';
import { AppError } from '../../../errors';
import { uploadExport } from '../../exports';
import { ActionId } from '../../ids';
import { context } from '../../views/blocks';
import { failureMessage, okMessage } from '../../views/feedback';
import { metricsMessage } from '../../views/metrics';
import { md, mention } from '../../views/text';
import { parseButtonValue } from './values';

const ZValue = z.object({ q: z.string().max(2000), page: z.number().int().min(1).optional() });

/**
 * The buttons under a metrics answer run the look-up again (figures are exact as of the click):
 * Export CSV uploads it to the conversation, Post to channel shares it, the page buttons turn pages.
 */
export function registerMetricsActions(app: App, deps: DomainDeps): void {
  const handle = (
    actionId: string,
    run: (args: { q: string; page?: number; body: BlockAction }) => Promise<Record<string, unknown>>,
    /** Page turns replace the figures they were clicked on; the others answer beside them. */
    replaces = false,
  ) =>
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, action, body, respond }) => {
      await ack();
      try {
        const { q, page } = parseButtonValue(
          ZValue,
          action.value,
          'That button does not carry a metrics look-up: run `/trustops metrics` again.',
        );
        // A button works for whoever clicks it, so it checks the clicker's role, as the command did.
        await requireRole(deps, { id: body.user.id, origin: 'slack' }, 'viewer', 'see metrics');
        // While the analytics copy is being built, one line saying how far it has come, then the answer.
        let told: Promise<unknown> | undefined;
        const tell = (text: string) => {
          told ??= respond({ response_type: 'ephemeral', replace_original: replaces, text: `⏳ ${text}` }).catch((err) =>
            deps.log.warn('could not answer a metrics button', { actionId, err }),
          );
        };
        const answer = await whileBuilding(deps.analytics, tell, () => run({ q, page, body }));
        // The progress line first, whatever the network does.
        await told;
        await respond(answer);
      } catch (err) {
        if (!(err instanceof AppError)) deps.log.error('metrics action failed', { actionId, err });
        await respond({ response_type: 'ephemeral', replace_original: false, ...failureMessage(err) });
      }
    });

  const page = async ({ q, page }: { q: string; page?: number }) => ({
    response_type: 'ephemeral',
    replace_original: true,
    ...metricsMessage(await lookUpMetrics(deps, q), { q, page }),
  });
  handle(ActionId.metricsPrev, page, true);
  handle(ActionId.metricsNext, page, true);

  handle(ActionId.metricsPost, async ({ q, page, body }) => {
    const message = metricsMessage(await lookUpMetrics(deps, q), { q, page });
    // The shared copy has no buttons: they act for whoever clicks, which is not what a channel expects.
    const blocks = message.blocks.filter((b) => b.type !== 'actions');
    blocks.push(context(md`Shared by ${mention(body.user.id)} · \`/trustops metrics ${q}\``));
    return { response_type: 'in_channel', replace_original: false, text: message.text, blocks };
  });

  handle(ActionId.metricsExport, async ({ q, body }) => {
    const channelId = body.channel?.id;
    if (!channelId) throw new AppError('bad_input', 'Exports go to a channel or DM; run the look-up there.');
    const files = await exportFiles(deps, { id: body.user.id, origin: 'slack' }, 'metrics', await parseMetricsQuery(deps, q));
    const uploaded = await uploadExport(app.client, { channelId, files });
    return { response_type: 'ephemeral', replace_original: false, ...okMessage(`Uploaded ${uploaded}.`) };
  });
}
