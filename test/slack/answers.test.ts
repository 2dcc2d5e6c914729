import type { RespondArguments } from '@slack/bolt';
import { createLogger } from '../../src/logger';
import { commandAnswers } from '../../src/slack/answers';
import { waitUntil } from '../support/process';

const log = createLogger({ level: 'error', secrets: [], write: () => {} });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recorder() {
  const sent: RespondArguments[] = [];
  return { sent, respond: async (m: RespondArguments) => void sent.push(m) };
}

describe('commandAnswers', () => {
  it('answers once, with no placeholder, when the work is quick; progress before then is not sent', async () => {
    const r = recorder();
    const answers = commandAnswers(r.respond, { log, workingAfterMs: 200 });
    answers.progress('halfway');
    await answers.done({ text: 'result' });
    await sleep(250);
    expect(r.sent).toEqual([{ text: 'result' }]);
  });

  it('sends a progress line marked atOnce as the first answer, in place of "working…", and the result replaces it', async () => {
    jest.useFakeTimers();
    try {
      const r = recorder();
      const answers = commandAnswers(r.respond, { log, workingAfterMs: 30 });
      answers.progress('Building the analytics copy: 42 %', { atOnce: true });
      // Past the placeholder's time: "working…" must not come now.
      await jest.advanceTimersByTimeAsync(31);
      await answers.done({ text: 'result' });
      expect(r.sent).toEqual([
        { response_type: 'ephemeral', text: '⏳ Building the analytics copy: 42 %' },
        { text: 'result', replace_original: true },
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('says "working…" when slow, sends at most N throttled progress lines, then replaces them with the result', async () => {
    const r = recorder();
    const answers = commandAnswers(r.respond, { log, workingAfterMs: 20, maxProgress: 2, progressEveryMs: 50 });
    await sleep(40);
    answers.progress('1,000 rows');
    answers.progress('2,000 rows'); // within 50 ms of the last: dropped
    await sleep(60);
    answers.progress('3,000 rows');
    await sleep(60);
    answers.progress('4,000 rows'); // over the limit: dropped
    await answers.done({ text: 'result' });
    expect(r.sent.map((m) => [m.text, m.replace_original])).toEqual([
      ['⏳ Working on it…', undefined],
      ['⏳ 1,000 rows', true],
      ['⏳ 3,000 rows', true],
      ['result', true],
    ]);
  });

  it('shows the text of a progress line as typed: a name with <!channel> in it pings no one', async () => {
    const r = recorder();
    const answers = commandAnswers(r.respond, { log, workingAfterMs: 0, progressEveryMs: 0 });
    await waitUntil('the working answer', async () => (r.sent.length > 0 ? true : undefined), 2000);
    answers.progress('Writing <!channel> & co.csv');
    await answers.done({ text: 'result' });
    expect(r.sent.map((m) => m.text)).toEqual(['⏳ Working on it…', '⏳ Writing &lt;!channel&gt; &amp; co.csv', 'result']);
  });

  it('sends answers in order even when Slack is slow to take the first', async () => {
    const sent: string[] = [];
    const slowFirst = async (m: RespondArguments) => {
      if (m.text?.startsWith('⏳')) await sleep(50);
      sent.push(m.text ?? '');
    };
    const answers = commandAnswers(slowFirst, { log, workingAfterMs: 10 });
    await sleep(20);
    await answers.done({ text: 'result' });
    expect(sent).toEqual(['⏳ Working on it…', 'result']);
  });
});
