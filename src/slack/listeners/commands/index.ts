import type { App, RespondArguments } from '@slack/bolt';
import type { DomainDeps } from '../../../domain/deps';
import { AppError, userFacingMessage } from '../../../errors';
import { COMMAND } from '../../ids';
import { errorMessage } from '../../views/feedback';
import { tokenize } from './args';
import { findSubcommand } from './subcommands';

// A command still running after this long first answers "working…", then replaces it with the result.
const WORKING_AFTER_MS = 1000;
// Slack accepts 5 answers per response_url: "working…", at most 2 progress updates, the result.
const MAX_PROGRESS_UPDATES = 2;
const PROGRESS_EVERY_MS = 5000;

export function registerCommands(app: App, deps: DomainDeps): void {
  app.command(COMMAND, async ({ command, ack, respond, client }) => {
    // Slack's 3-second rule: acknowledge first, answer through response_url.
    await ack();
    const [name, ...args] = tokenize(command.text ?? '');
    const rest = (command.text ?? '').trim().replace(/^\S+\s*/, '');
    // Answers go out one after another, so "working…" never lands after the result.
    let answered: Promise<unknown> = Promise.resolve();
    let placeholder = false;
    const send = (message: RespondArguments) => {
      answered = answered.then(() => respond(message)).catch((err) => deps.log.warn('could not answer a command', { err }));
      return answered;
    };
    const working = setTimeout(() => {
      placeholder = true;
      void send({ response_type: 'ephemeral', text: '⏳ Working on it…' });
    }, WORKING_AFTER_MS);
    let updates = 0;
    let lastUpdate = 0;
    const progress = (text: string) => {
      if (!placeholder || updates >= MAX_PROGRESS_UPDATES || Date.now() - lastUpdate < PROGRESS_EVERY_MS) return;
      updates++;
      lastUpdate = Date.now();
      void send({ response_type: 'ephemeral', replace_original: true, text: `⏳ ${text}` });
    };
    let message: RespondArguments;
    try {
      const sub = findSubcommand(name);
      const answer = await sub.run({
        deps,
        actor: { id: command.user_id, origin: 'slack' },
        args,
        rest,
        channelId: command.channel_id,
        client,
        progress,
      });
      message = { response_type: 'ephemeral', ...answer };
    } catch (err) {
      if (!(err instanceof AppError)) deps.log.error('command failed', { command: name, err });
      const { text, example } = userFacingMessage(err);
      message = { response_type: 'ephemeral', ...errorMessage(text, example) };
    } finally {
      clearTimeout(working);
    }
    await send(placeholder ? { ...message, replace_original: true } : message);
  });
}
