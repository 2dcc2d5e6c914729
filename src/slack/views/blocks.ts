// Minimal Block Kit types and builders: plain data, no API calls.
export type TextObject = { type: 'mrkdwn' | 'plain_text'; text: string; emoji?: boolean };
export type Block = { type: string; block_id?: string; [key: string]: unknown };
export type SlackMessage = { text: string; blocks: Block[] };

export const mrkdwn = (text: string): TextObject => ({ type: 'mrkdwn', text });
export const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
export const section = (text: string): Block => ({ type: 'section', text: mrkdwn(text) });
export const header = (text: string): Block => ({ type: 'header', text: plain(text.slice(0, 150)) });
export const context = (text: string): Block => ({ type: 'context', elements: [mrkdwn(text)] });
export const divider = (): Block => ({ type: 'divider' });
