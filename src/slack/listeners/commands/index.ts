import type { App, RespondArguments } from '@slack/bolt';
import type { DomainDeps } from '../../../domain/deps';
import { requireRole } from '../../../domain/roles/roles';
import { AppError, badInput } from '../../../errors';
import { commandAnswers } from '../../answers';
import { COMMAND } from '../../ids';
import { failureMessage } from '../../views/feedback';
import { tokenize } from './args';
import { findSubcommand } from './subcommands';

export function registerCommands(app: App, deps: DomainDeps): void {
  app.command(COMMAND, async ({ command, ack, respond, client }) => {
    // Slack's 3-second rule: acknowledge first, answer through response_url.
    await ack();
    const [name, ...args] = tokenize(command.text ?? '');
    const rest = (command.text ?? '').trim().replace(/^\S+\s*/, '');
    const answers = commandAnswers(respond, { log: deps.log });
    let message: RespondArguments;
    try {
      // Postgres cannot store U+0000 (22021): say so, rather than fail on whichever field it reaches.
      if ((command.text ?? '').includes('\u0000'))
        throw badInput('The command contains a NUL character (U+0000), which TrustOps cannot store: remove it and send the command again.');
      const sub = findSubcommand(name);
      const actor = { id: command.user_id, origin: 'slack' as const };
      // Everything but `help` needs a role (TRUSTOPS_DEFAULT_ROLE=none gives none); operations check finer roles.
      await requireRole(deps, actor, sub.role ?? 'viewer', `use \`/trustops ${sub.name}\``);
      const answer = await sub.run({
        deps,
        actor,
        args,
        rest,
        channelId: command.channel_id,
        client,
        progress: answers.progress,
      });
      message = { response_type: 'ephemeral', ...answer };
    } catch (err) {
      if (!(err instanceof AppError)) deps.log.error('command failed', { command: name, err });
      message = { response_type: 'ephemeral', ...failureMessage(err) };
    }
    await answers.done(message);
  });
}
