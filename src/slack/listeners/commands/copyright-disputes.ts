// The dispute half of `/trustops copyright`: `holiday add|list|remove` (the copyright calendar's closed
// days) and `dispute <id>` (one dispute with its timeline). The `copyright` subcommand hands over here.
import { DISPUTE_EXAMPLE, disputeDetail } from '../../../domain/copyright/dispute-detail';
import { addClosedDay, HOLIDAY_ADD_EXAMPLE, listClosedDays, removeClosedDay } from '../../../domain/copyright/holidays';
import type { Actor, DomainDeps } from '../../../domain/deps';
import { requireRole } from '../../../domain/roles/roles';
import { badInput } from '../../../errors';
import type { SlackMessage } from '../../views/blocks';
import { closedDayChangeText, closedDaysMessage, disputeDetailMessage } from '../../views/copyright-disputes';
import { okMessage } from '../../views/feedback';

export const COPYRIGHT_DISPUTE_VERBS = ['holiday', 'dispute'] as const;
export type CopyrightDisputeVerb = (typeof COPYRIGHT_DISPUTE_VERBS)[number];

export const isCopyrightDisputeVerb = (word: string | undefined): word is CopyrightDisputeVerb =>
  (COPYRIGHT_DISPUTE_VERBS as readonly string[]).includes(word ?? '');

/** Usage lines for `help`. */
export const COPYRIGHT_DISPUTE_USAGE = [
  '/trustops copyright dispute <id>',
  '/trustops copyright holiday list | add <YYYY-MM-DD> "<name>" | remove <YYYY-MM-DD>',
];

/** `args` are the words after `copyright` (quotes group words), the verb first. */
export async function copyrightDisputeCommand(deps: DomainDeps, actor: Actor, args: readonly string[]): Promise<SlackMessage> {
  const [verb, sub, ...rest] = args;
  if (verb === 'dispute') {
    if (rest.length) throw badInput('`copyright dispute` takes one counter-notice id.', DISPUTE_EXAMPLE);
    return disputeDetailMessage(await disputeDetail(deps, { actor, id: sub }));
  }
  if (verb === 'holiday') {
    if (sub === undefined || sub === 'list') {
      await requireRole(deps, actor, 'viewer', 'see the copyright calendar');
      return closedDaysMessage(await listClosedDays(deps));
    }
    if (sub === 'add') return okMessage(closedDayChangeText(await addClosedDay(deps, { actor, words: rest }), 'add'));
    if (sub === 'remove') {
      if (rest.length !== 1)
        throw badInput('`holiday remove` takes one date, YYYY-MM-DD.', '/trustops copyright holiday remove 2026-12-24');
      return okMessage(closedDayChangeText(await removeClosedDay(deps, { actor, date: rest[0] }), 'remove'));
    }
    throw badInput(`\`holiday ${sub}\` is not a holiday command: use list, add or remove.`, HOLIDAY_ADD_EXAMPLE);
  }
  throw badInput(`\`${verb ?? ''}\` is not a copyright dispute command.`, DISPUTE_EXAMPLE);
}
