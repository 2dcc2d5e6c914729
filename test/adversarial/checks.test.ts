// The suite's own detector of live Slack markup: it must flag what Slack would act on and nothing else,
// or every "no live markup" assertion in this folder proves nothing.
import { liveMarkupIn, renderedTexts } from '../support/adversarial-checks';

describe('liveMarkupIn', () => {
  it.each([
    ['<!channel> look', ['<!channel>']],
    ['ping <!here|here>', ['<!here|here>']],
    ['<!subteam^S0EVIL|@oncall>', ['<!subteam^S0EVIL|@oncall>']],
    ['ask <@U0EVIL1>', ['<@U0EVIL1>']],
    ['<https://evil.example|click me>', ['<https://evil.example|click me>']],
    ['<mailto:boss@evil.example|boss>', ['<mailto:boss@evil.example|boss>']],
  ])('flags %j', (text, found) => {
    expect(liveMarkupIn(text)).toEqual(found);
  });

  it.each([
    ['escaped markup', '&lt;!channel&gt; &lt;@U0EVIL1&gt; &lt;https://evil.example|click me&gt;'],
    ["the bot's own mention of a known user", 'Approved by <@U0ADMIN01>'],
    ["the bot's own date stamp", '<!date^1700000000^{date_short}|Nov 14>'],
    ["the bot's own link", '<https://review.example.invalid/cases/7|Open in review tool>'],
    ['an unclosed bracket', '<@U0EVIL1|the` is not a command'],
  ])('leaves %s alone', (_name, text) => {
    expect(liveMarkupIn(text)).toEqual([]);
  });
});

describe('renderedTexts', () => {
  it('reads top-level text and mrkdwn objects, and skips plain_text, values and metadata', () => {
    const message = {
      text: 'top',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '<!channel> header' } },
        { type: 'section', text: { type: 'mrkdwn', text: 'section' }, fields: [{ type: 'mrkdwn', text: 'field' }] },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'b' }, value: '<!here>' }] },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'context' }] },
      ],
      private_metadata: '<!channel>',
    };
    expect(renderedTexts(message).map((r) => r.text)).toEqual(['top', 'section', 'field', 'context']);
  });

  it('reads blocks sent as a JSON string, as form-encoded Web API calls do', () => {
    const args = {
      channel: 'C0GENERAL',
      text: 'top',
      blocks: JSON.stringify([{ type: 'section', text: { type: 'mrkdwn', text: 'inside' } }]),
    };
    expect(renderedTexts(args).map((r) => r.text)).toEqual(['top', 'inside']);
  });
});
