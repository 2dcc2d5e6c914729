// `/trustops copyright`: the figures (`[range] [by:claimant|sender_kind|surface]`), the repeat-infringer
// policy (`policy strikes:<n> window:<days>`, admins), and the dispute verbs (`dispute`, `holiday`),
// handed over to copyright-disputes.ts.
import {
  COPYRIGHT_FIGURES_EXAMPLE,
  computeCopyrightFigures,
  copyrightQueryText,
  parseCopyrightQuery,
} from '../../../domain/copyright/figures';
import { setStrikePolicy, strikePolicy } from '../../../domain/copyright/repeat-infringers';
import { requireRole } from '../../../domain/roles/roles';
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
      ...COPYRIGHT_DISPUTE_USAGE,
    ].join(' · '),
    description:
      'Copyright figures for the notices received in a range (last 30 days by default): taken down, rejected, time to action, counter-notices, restores, false-positive rate by claimant and detection source, repeat infringers, open disputes. Analysts. `policy` shows (analysts) or sets (admins) the repeat-infringer policy.',
    example: COPYRIGHT_FIGURES_EXAMPLE,
    async run({ deps, actor, args }) {
      const [verb, ...rest] = args;
      if (isCopyrightDisputeVerb(verb)) return copyrightDisputeCommand(deps, actor, args);
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
      return copyrightFiguresMessage(await computeCopyrightFigures(deps, query), { q: copyrightQueryText(query, args) });
    },
  },
];
