import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import { computeCopyrightFigures, copyrightCsvLines, parseCopyrightQuery } from '../../../domain/copyright/figures';
import { rejectNotice, requestNoticeInfo, retractNotice, takeDownNotice } from '../../../domain/copyright/notices-actions';
import { noticeCardData } from '../../../domain/copyright/notices-cards';
import type { DomainDeps } from '../../../domain/deps';
import { ZId } from '../../../domain/ids';
import { requireRole } from '../../../domain/roles/roles';
import { localDate, utcMinute } from '../../../domain/time';
import { AppError } from '../../../errors';
import { uploadExport } from '../../exports';
import { CopyrightActionId, senderContactMessage } from '../../views/copyright';
import { COPYRIGHT_EXPORT_ACTION } from '../../views/copyright-figures';
import {
  CopyrightBlockId,
  CopyrightCallbackId,
  type NoticeModalMetadata,
  readCopyrightSubmission,
  rejectNoticeModal,
  type ViewValues,
} from '../../views/copyright-modals';
import { errorMessage, failureText, okMessage } from '../../views/feedback';
import type { Text } from '../../views/text';
import { parseButtonValue } from './values';

const ZButtonValue = z.object({ noticeId: ZId });
const ZMetadata = z.object({ noticeId: ZId, channelId: z.string().optional() });
const ZExportValue = z.object({ q: z.string().max(2000) });
type Answer = { text: Text; ok: boolean; example?: string };

const failure = (err: unknown): Answer => ({ ...failureText(err), ok: false });
const plural = (n: number, word: string) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

/**
 * The notice cards' buttons (Take down, Reject notice, Record retraction, Request info, Show contact)
 * and the Export CSV button of the copyright figures. Each click is acked first; the domain locks the
 * notice, so racing clicks record one outcome and the others are told who decided and when.
 */
export function registerCopyrightNoticeActions(app: App, deps: DomainDeps): void {
  const actor = (userId: string) => ({ id: userId, origin: 'slack' as const });

  const answerClick = async (respond: RespondFn, a: Answer) => {
    const message = a.ok ? okMessage(a.text) : errorMessage(a.text, a.example);
    await respond({ response_type: 'ephemeral', replace_original: false, ...message });
  };

  const handle = (
    actionId: string,
    run: (args: { userId: string; noticeId: number; body: BlockAction; respond: RespondFn }) => Promise<Text | undefined>,
  ) =>
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, action, body, respond }) => {
      await ack();
      let answer: Answer | undefined;
      try {
        const { noticeId } = parseButtonValue(
          ZButtonValue,
          action.value,
          'That button does not name a copyright notice: use the buttons on its card.',
        );
        const text = await run({ userId: body.user.id, noticeId, body, respond });
        if (text) answer = { text, ok: true };
      } catch (err) {
        if (!(err instanceof AppError)) deps.log.error('copyright notice action failed', { actionId, err });
        answer = failure(err);
      }
      if (answer) await answerClick(respond, answer);
    });

  handle(CopyrightActionId.takeDown, async ({ userId, noticeId }) => {
    const r = await takeDownNotice(deps, { actor: actor(userId), noticeId });
    const terminations = r.terminations.length
      ? ` Repeat infringer: termination escalated for ${r.terminations.map((t) => `${t.accountId} (${t.count} strikes)`).join(', ')}.`
      : '';
    return `Took down notice ${r.externalId}: ${plural(r.items, 'item')} on ${plural(r.cases, 'case')}, ${plural(r.strikes, 'strike')} recorded, affected users recorded as told.${terminations}`;
  });

  handle(CopyrightActionId.retractNotice, async ({ userId, noticeId }) => {
    const r = await retractNotice(deps, { actor: actor(userId), noticeId });
    return `Recorded the retraction of notice ${r.receipt.external_id}: ${plural(r.receipt.restored_items, 'item')} restored, ${plural(r.receipt.strikes_removed, 'strike')} removed.`;
  });

  handle(CopyrightActionId.noticeRequestInfo, async ({ userId, noticeId }) => {
    const r = await requestNoticeInfo(deps, { actor: actor(userId), noticeId });
    return `Recorded your request to the sender of notice ${r.externalId} for: ${r.missing.join(', ').replace(/_/g, ' ')} (request ${r.requests}).`;
  });

  // The sender's contact details, for the analyst who asks, never in the channel.
  handle(CopyrightActionId.showSenderContact, async ({ userId, noticeId, respond }) => {
    await requireRole(deps, actor(userId), 'analyst', "see a copyright notice sender's contact details");
    const card = await noticeCardData(deps.db, noticeId);
    await respond({ response_type: 'ephemeral', replace_original: false, ...senderContactMessage(card.data) });
    return undefined;
  });

  // The reject modal opens only for analysts, and only while the notice is open.
  handle(CopyrightActionId.rejectNotice, async ({ userId, noticeId, body }) => {
    await requireRole(deps, actor(userId), 'analyst', 'reject copyright notices');
    const card = await noticeCardData(deps.db, noticeId);
    if (card.kind !== 'complete' || card.data.status !== 'open') {
      const n = card.kind === 'complete' ? card.data : undefined;
      const by = n?.decided ? ` by <@${n.decided.by}> at ${utcMinute(new Date(n.decided.at))}` : '';
      throw new AppError('conflict', `Notice ${card.data.externalId} is ${n ? n.status.replace('_', ' ') : 'incomplete'}${by}.`);
    }
    const metadata: NoticeModalMetadata = { noticeId, ...(body.channel?.id ? { channelId: body.channel.id } : {}) };
    await app.client.views.open({
      trigger_id: body.trigger_id,
      view: rejectNoticeModal({ externalId: card.data.externalId, metadata }) as never,
    });
    return undefined;
  });

  app.view(CopyrightCallbackId.rejectNotice, async ({ ack, view, body }) => {
    const metadata = ZMetadata.parse(JSON.parse(view.private_metadata || '{}'));
    const read = readCopyrightSubmission(
      CopyrightCallbackId.rejectNotice,
      view.state.values as ViewValues,
      localDate(deps.clock.now(), deps.copyrightTimeZone ?? 'America/New_York'),
    );
    if ('errors' in read) {
      await ack({ response_action: 'errors', errors: read.errors });
      return;
    }
    let answer: Answer;
    try {
      const r = await rejectNotice(deps, {
        actor: actor(body.user.id),
        noticeId: metadata.noticeId,
        reason: read.data.rejectReason,
        note: read.data.note,
      });
      answer = { text: `Rejected notice ${r.externalId} (${read.data.rejectReason?.replace(/_/g, ' ')}).`, ok: true };
    } catch (err) {
      if (err instanceof AppError && err.code === 'bad_input') {
        await ack({ response_action: 'errors', errors: { [CopyrightBlockId.note]: err.message.slice(0, 150) } });
        return;
      }
      if (!(err instanceof AppError)) deps.log.error('copyright reject notice failed', { err });
      answer = failure(err);
    }
    await ack();
    if (metadata.channelId) {
      const message = answer.ok ? okMessage(answer.text) : errorMessage(answer.text, answer.example);
      await app.client.chat.postEphemeral({ channel: metadata.channelId, user: body.user.id, ...message });
    }
  });

  // Export CSV under the figures: the look-up runs again (figures exact as of the click) and the file is uploaded.
  app.action<BlockAction<ButtonAction>>(COPYRIGHT_EXPORT_ACTION, async ({ ack, action, body, respond }) => {
    await ack();
    try {
      const { q } = parseButtonValue(ZExportValue, action.value, 'That button does not carry a look-up: run `/trustops copyright` again.');
      await requireRole(deps, actor(body.user.id), 'analyst', 'export copyright figures');
      const channelId = body.channel?.id;
      if (!channelId) throw new AppError('bad_input', 'Exports go to a channel or DM; run the look-up there.');
      const query = parseCopyrightQuery(deps, q.split(/\s+/).filter(Boolean));
      const figures = await computeCopyrightFigures(deps, query);
      const day = (d: Date) => localDate(d, query.range.timeZone);
      const uploaded = await uploadExport(app.client, {
        channelId,
        files: [
          {
            filename: `trustops-copyright-${day(query.range.start)}_${day(new Date(query.range.end.getTime() - 1))}-by-${query.by}.csv`,
            title: `Copyright figures, ${query.range.label}`,
            lines: copyrightCsvLines(figures),
            records: 'csv',
          },
        ],
      });
      await respond({ response_type: 'ephemeral', replace_original: false, ...okMessage(`Uploaded ${uploaded}.`) });
    } catch (err) {
      if (!(err instanceof AppError)) deps.log.error('copyright export failed', { err });
      await answerClick(respond, failure(err));
    }
  });
}
