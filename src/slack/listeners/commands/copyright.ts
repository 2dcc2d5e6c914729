// `/trustops copyright`: the figures (`[range] [by:claimant|sender_kind|surface]`), the repeat-infringer
// policy (`policy strikes:<n> window:<days>`, admins), and the dispute verbs (`dispute`, `holiday`),
// handed over to copyright-disputes.ts.
import {
  COPYRIGHT_FIGURES_EXAMPLE,
  computeCopyrightFigures,
  copyrightQueryText,
  parseCopyrightQuery,
} from '../../../domain/copyright/figures';
import { noticeCardData } from '../../../domain/copyright/notices-cards';
import { setStrikePolicy, strikePolicy } from '../../../domain/copyright/repeat-infringers';
import { whileBuilding } from '../../../domain/metrics/building';
import { requireRole } from '../../../domain/roles/roles';
import { AppError, badInput } from '../../../errors';
import { incompleteNoticeCard, noticeCard } from '../../views/copyright';
import { copyrightFiguresMessage } from '../../views/copyright-figures';
import { okMessage } from '../../views/feedback';
import { COPYRIGHT_DISPUTE_USAGE, copyrightDisputeCommand, isCopyrightDisputeVerb } from './copyright-disputes';
import type { Subcommand } from './types';

export const POLICY_EXAMPLE = '/trustops copyright policy strikes:3 window:365';

export const COPYRIGHT_SUBCOMMANDS: readonly Subcommand[] = [
  {
    name: 'copyright',
    usage: [
      '/trustops copyright [range] [by:claimant|sender_kind|surface]',
      '/trustops copyright policy [strikes:<n>] [window:<days>]',
      '/trustops copyright notice <external_id>',
      ...COPYRIGHT_DISPUTE_USAGE,
    ].join(' · '),
    description:
      'Copyright figures for the notices received in a range (last 30 days by default): taken down, rejected, time to action, counter-notices, restores, false-positive rate by claimant and detection source, repeat infringers, open disputes. Analysts. `policy` shows (analysts) or sets (admins) the repeat-infringer policy.',
    example: COPYRIGHT_FIGURES_EXAMPLE,
    async run({ deps, actor, args, progress }) {
      const [verb, ...rest] = args;
      if (isCopyrightDisputeVerb(verb)) return copyrightDisputeCommand(deps, actor, args);
      // A notice's card with its buttons, for the one who asks: imported notices get no card in the channel.
      if (verb === 'notice') {
        await requireRole(deps, actor, 'analyst', 'see copyright notices');
        const externalId = rest.join(' ').trim();
        if (!externalId) throw badInput('Name the notice: `/trustops copyright notice <external_id>`.');
        const n = await deps.db.copyrightNotice.findUnique({ where: { externalId }, select: { id: true } });
        if (!n) throw new AppError('not_found', `There is no copyright notice ${externalId}.`);
        const card = await noticeCardData(deps.db, n.id);
        return card.kind === 'complete' ? noticeCard(card.data) : incompleteNoticeCard(card.data);
      }
      if (verb === 'policy') {
        if (rest.length === 0) {
          await requireRole(deps, actor, 'analyst', 'see the repeat-infringer policy');
          const p = await strikePolicy(deps.db);
          return okMessage(
            `Repeat-infringer policy: ${p.strikes} strikes within ${p.windowDays} days raise a termination escalation. Admins change it with \`${POLICY_EXAMPLE}\`.`,
          );
        }
        const { before, after } = await setStrikePolicy(deps, { actor, words: rest });
        return okMessage(
          `Repeat-infringer policy: ${after.strikes} strikes within ${after.windowDays} days (was ${before.strikes} in ${before.windowDays}). Retracted, restored and expired strikes do not count.`,
        );
      }
      // Repeat infringers' account ids, claimants and open disputes: analysts only (as the dispute view and App Home).
      await requireRole(deps, actor, 'analyst', 'see the copyright figures');
      const query = parseCopyrightQuery(deps, args);
      // The figures read the analytics copy: while it is being built, say how far it has come first.
      const figures = await whileBuilding(
        deps.analytics,
        (text) => progress(text, { atOnce: true }),
        () => computeCopyrightFigures(deps, query),
      );
      return copyrightFiguresMessage(figures, { q: copyrightQueryText(query, args) });
    },
  },
];
