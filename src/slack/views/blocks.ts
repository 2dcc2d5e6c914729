// Block Kit builders: plain data, no API calls. Every text goes through them, so user text is escaped
// (see ./text) and every field is cut to Slack's limit after escaping: a message always fits.
import { fitMrkdwn, fitPlain, md, type Text, toMrkdwn } from './text';

export type TextObject = { type: 'mrkdwn' | 'plain_text'; text: string; emoji?: boolean };
export type Block = { type: string; block_id?: string; [key: string]: unknown };
export type SlackMessage = { text: string; blocks: Block[] };

/**
 * Block Kit's limits (Slack's reference pages, mirrored in @slack/types comments). The emulator keeps
 * its own copy on purpose: it stands in for Slack, so a wrong number here is caught there.
 */
export const LIMIT = {
  messageText: 40_000,
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  headerText: 150,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  options: 100,
  optionText: 75,
  optionValue: 150,
  placeholder: 150,
  label: 2000,
  viewTitle: 24,
  privateMetadata: 3000,
} as const;

/** A mrkdwn text object; empty text (which Slack refuses) becomes a space. */
export const mrkdwn = (t: Text, max: number = LIMIT.sectionText): TextObject => ({
  type: 'mrkdwn',
  text: fitMrkdwn(toMrkdwn(t), max) || ' ',
});
/** A plain_text object: Slack shows it as typed, so it is not escaped, only cut. */
export const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: fitPlain(text, max) || ' ', emoji: true });

export const section = (t: Text): Block => ({ type: 'section', text: mrkdwn(t) });
/** A section of label/value fields: at most 10, each cut to 2,000 characters. */
export const fields = (items: readonly Text[]): Block => ({
  type: 'section',
  fields: items.slice(0, LIMIT.fields).map((t) => mrkdwn(t, LIMIT.fieldText)),
});
export const header = (text: string): Block => ({ type: 'header', text: plain(text, LIMIT.headerText) });
export const context = (...items: Text[]): Block => ({
  type: 'context',
  elements: items.slice(0, LIMIT.contextElements).map((t) => mrkdwn(t, LIMIT.contextText)),
});
export const divider = (): Block => ({ type: 'divider' });

export type ButtonSpec = { text: string; actionId: string; value?: string; url?: string; style?: 'primary' | 'danger' };

/** A button, or nothing when its value or link would not fit: a cut value would act on the wrong thing. */
export function button(b: ButtonSpec): Block | undefined {
  if ((b.value?.length ?? 0) > LIMIT.buttonValue || (b.url?.length ?? 0) > LIMIT.url) return undefined;
  return {
    type: 'button',
    text: plain(b.text, LIMIT.buttonText),
    action_id: b.actionId,
    ...(b.value !== undefined ? { value: b.value } : {}),
    ...(b.url !== undefined ? { url: b.url } : {}),
    ...(b.style ? { style: b.style } : {}),
  };
}

/** An actions block of the buttons that fit; none at all is no block (Slack refuses an empty one). */
export function actions(elements: readonly (Block | undefined)[], blockId?: string): Block[] {
  const shown = elements.filter((e): e is Block => e !== undefined).slice(0, LIMIT.actionsElements);
  return shown.length ? [{ type: 'actions', ...(blockId ? { block_id: blockId } : {}), elements: shown }] : [];
}

/** Menu options; one whose value would not fit is left out rather than sent cut. */
export function options(items: readonly { text: string; value: string }[]) {
  return items
    .filter((o) => o.value.length > 0 && o.value.length <= LIMIT.optionValue)
    .slice(0, LIMIT.options)
    .map((o) => ({ text: plain(o.text, LIMIT.optionText), value: o.value }));
}

/** Keeps a list of blocks within a surface's count; the last one says how many were left out. */
function fitBlocks(blocks: readonly Block[], max: number): Block[] {
  if (blocks.length <= max) return [...blocks];
  return [...blocks.slice(0, max - 1), context(md`…and ${blocks.length - max + 1} more not shown.`)];
}

/** A message: `text` is what notifications and screen readers show, escaped and cut like the blocks. */
export function message(text: Text, blocks: readonly Block[]): SlackMessage {
  return { text: fitMrkdwn(toMrkdwn(text), LIMIT.messageText) || ' ', blocks: fitBlocks(blocks, LIMIT.messageBlocks) };
}

export type HomeView = { type: 'home'; blocks: Block[] };

export function homeTab(blocks: readonly Block[]): HomeView {
  return { type: 'home', blocks: fitBlocks(blocks, LIMIT.viewBlocks) };
}

export function modal(m: { callbackId: string; title: string; submit?: string; metadata: object; blocks: readonly Block[] }) {
  const privateMetadata = JSON.stringify(m.metadata);
  if (privateMetadata.length > LIMIT.privateMetadata) throw new Error('modal metadata is longer than Slack keeps');
  return {
    type: 'modal' as const,
    callback_id: m.callbackId,
    private_metadata: privateMetadata,
    title: plain(m.title, LIMIT.viewTitle),
    ...(m.submit ? { submit: plain(m.submit, LIMIT.viewTitle) } : {}),
    close: plain('Cancel', LIMIT.viewTitle),
    blocks: fitBlocks(m.blocks, LIMIT.viewBlocks),
  };
}
