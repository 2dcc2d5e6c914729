import { validateBlocks, validateView } from '../../src/sandbox/emulator/block-kit';

// The emulator's Block Kit checks stand in for Slack's: each limit answers the way Slack's does.
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const plain = (text: string) => ({ type: 'plain_text', text });

describe("the emulator's Block Kit limits", () => {
  it('refuse a section field over 2,000 characters and an 11th field', () => {
    const fields = Array.from({ length: 11 }, (_, i) => mrkdwn(i === 0 ? 'x'.repeat(2001) : 'ok'));
    expect(validateBlocks([{ type: 'section', fields }], 'message')).toEqual([
      '[ERROR] no more than 10 items allowed [json-pointer:/blocks/0/fields]',
      '[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]',
    ]);
  });

  it('refuse a context text over 3,000 characters and an 11th element', () => {
    const elements = Array.from({ length: 11 }, (_, i) => mrkdwn(i === 1 ? 'x'.repeat(3001) : 'ok'));
    expect(validateBlocks([{ type: 'context', elements }], 'message')).toEqual([
      '[ERROR] no more than 10 items allowed [json-pointer:/blocks/0/elements]',
      '[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/elements/1/text]',
    ]);
  });

  it("refuse an option's text or description over 75 characters, and a button's accessibility label", () => {
    const select = {
      type: 'static_select',
      action_id: 'q',
      options: [{ text: plain('x'.repeat(76)), value: 'a', description: plain('y'.repeat(76)) }],
    };
    const button = { type: 'button', action_id: 'b', text: plain('Go'), accessibility_label: 'z'.repeat(76) };
    expect(validateBlocks([{ type: 'actions', elements: [select, button] }], 'message')).toEqual([
      '[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/options/0/text/text]',
      '[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/options/0/description/text]',
      '[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/1/accessibility_label]',
    ]);
  });

  it('accept 100 blocks in a modal or App Home and refuse 101', () => {
    const blocks = (n: number) => Array.from({ length: n }, () => ({ type: 'divider' }));
    expect(validateView({ type: 'home', blocks: blocks(100) }, 'home')).toEqual([]);
    expect(validateView({ type: 'modal', title: plain('T'), blocks: blocks(101) }, 'modal')).toEqual([
      '[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]',
    ]);
  });
});
