import type { RespondArguments } from '@slack/bolt';
import type { Logger } from '../logger';
import { md, type Text } from './views/text';

export type AnswerOptions = {
  log: Logger;
  /** A command still running after this long first answers "working…", then replaces it with the result. */
  workingAfterMs?: number;
  /** Slack accepts 5 answers per response_url: "working…", at most this many progress lines, the result. */
  maxProgress?: number;
  progressEveryMs?: number;
};

export const WORKING_TEXT = '⏳ Working on it…';

/**
 * The answers to one slash command through its response_url, sent one after another (so
 * "working…" never lands after the result): a placeholder when the work is slow, throttled
 * progress lines replacing it, then the result replacing whatever came before.
 */
export function commandAnswers(respond: (message: RespondArguments) => Promise<unknown>, opts: AnswerOptions) {
  const maxProgress = opts.maxProgress ?? 2;
  const everyMs = opts.progressEveryMs ?? 5000;
  let answered: Promise<unknown> = Promise.resolve();
  let placeholder = false;
  let updates = 0;
  let lastUpdate = 0;
  const send = (message: RespondArguments) => {
    answered = answered.then(() => respond(message)).catch((err) => opts.log.warn('could not answer a command', { err }));
    return answered;
  };
  const working = setTimeout(() => {
    placeholder = true;
    void send({ response_type: 'ephemeral', text: WORKING_TEXT });
  }, opts.workingAfterMs ?? 1000);
  return {
    /**
     * A progress line: someone's text (a file name, a count) is shown as typed. `atOnce`: the line is worth
     * showing before the placeholder is due (the analytics copy is still being built), so it takes its place.
     */
    progress(text: Text, opts: { atOnce?: boolean } = {}) {
      if (!placeholder && opts.atOnce) {
        clearTimeout(working);
        placeholder = true;
        lastUpdate = Date.now();
        void send({ response_type: 'ephemeral', text: md`⏳ ${text}`.text });
        return;
      }
      if (!placeholder || updates >= maxProgress || Date.now() - lastUpdate < everyMs) return;
      updates++;
      lastUpdate = Date.now();
      void send({ response_type: 'ephemeral', replace_original: true, text: md`⏳ ${text}`.text });
    },
    async done(message: RespondArguments) {
      clearTimeout(working);
      await send(placeholder ? { ...message, replace_original: true } : message);
    },
  };
}
