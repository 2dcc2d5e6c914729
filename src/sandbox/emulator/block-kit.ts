/**
 * Block Kit validation with the limits Slack documents (mirrored in @slack/types comments).
 * Problems are reported the way Slack does in `response_metadata.messages`:
 * `[ERROR] <what> [json-pointer:/blocks/0/text/text]`.
 */

export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  id: 255,
  actionsElements: 25,
  contextElements: 10,
  contextText: 3000,
  buttonText: 75,
  accessibilityLabel: 75,
  buttonValue: 2000,
  url: 3000,
  optionText: 75,
  optionValue: 150,
  options: 100,
  placeholder: 150,
  label: 2000,
  altText: 2000,
  markdownText: 12000,
  viewTitle: 24,
  privateMetadata: 3000,
  messageText: 40000,
} as const;

export type Surface = 'message' | 'modal' | 'home';

const BLOCK_TYPES = new Set([
  'actions',
  'context',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'table',
  'video',
]);

const SELECTS = ['static_select', 'external_select', 'users_select', 'conversations_select', 'channels_select'];
const INPUT_ELEMENTS = new Set([
  ...SELECTS,
  ...SELECTS.map((s) => `multi_${s}`),
  'checkboxes',
  'datepicker',
  'datetimepicker',
  'email_text_input',
  'file_input',
  'number_input',
  'plain_text_input',
  'radio_buttons',
  'rich_text_input',
  'timepicker',
  'url_text_input',
]);
const INTERACTIVE_ELEMENTS = new Set([...INPUT_ELEMENTS, 'button', 'overflow', 'workflow_button']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Problems {
  readonly list: string[] = [];
  add(pointer: string, what: string): void {
    this.list.push(`[ERROR] ${what} [json-pointer:${pointer}]`);
  }
}

function checkLength(p: Problems, value: unknown, max: number, pointer: string): void {
  if (typeof value === 'string' && value.length > max) p.add(pointer, `must be less than ${max + 1} characters`);
}

function checkText(p: Problems, text: unknown, pointer: string, max: number, plainOnly = false): void {
  if (!isObj(text)) {
    p.add(pointer, 'must be a text object');
    return;
  }
  const allowed = plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
  if (!allowed.includes(String(text.type))) p.add(`${pointer}/type`, 'must be a valid enum value');
  if (typeof text.text !== 'string') {
    p.add(pointer, 'missing required field: text');
    return;
  }
  if (text.text.length === 0) p.add(`${pointer}/text`, 'must be more than 0 characters');
  checkLength(p, text.text, max, `${pointer}/text`);
}

function checkOptions(p: Problems, options: unknown, pointer: string, max: number): void {
  if (options === undefined) return;
  if (!Array.isArray(options)) {
    p.add(pointer, 'must be an array');
    return;
  }
  if (options.length > max) p.add(pointer, `no more than ${max} items allowed`);
  options.forEach((o, i) => {
    if (!isObj(o)) {
      p.add(`${pointer}/${i}`, 'must be an object');
      return;
    }
    checkText(p, o.text, `${pointer}/${i}/text`, LIMITS.optionText);
    checkLength(p, o.value, LIMITS.optionValue, `${pointer}/${i}/value`);
    if (o.description !== undefined) checkText(p, o.description, `${pointer}/${i}/description`, LIMITS.optionText);
  });
}

function checkConfirm(p: Problems, confirm: unknown, pointer: string): void {
  if (confirm === undefined) return;
  if (!isObj(confirm)) {
    p.add(pointer, 'must be an object');
    return;
  }
  checkText(p, confirm.title, `${pointer}/title`, 100, true);
  checkText(p, confirm.text, `${pointer}/text`, 300);
  checkText(p, confirm.confirm, `${pointer}/confirm`, 30, true);
  checkText(p, confirm.deny, `${pointer}/deny`, 30, true);
}

function checkElement(p: Problems, el: unknown, pointer: string, allowed: ReadonlySet<string>): void {
  if (!isObj(el)) {
    p.add(pointer, 'must be an object');
    return;
  }
  const type = el.type;
  if (typeof type !== 'string') {
    p.add(pointer, 'missing required field: type');
    return;
  }
  if (!allowed.has(type)) {
    p.add(`${pointer}/type`, `unsupported type: ${type}`);
    return;
  }
  checkLength(p, el.action_id, LIMITS.id, `${pointer}/action_id`);
  if (el.placeholder !== undefined) checkText(p, el.placeholder, `${pointer}/placeholder`, LIMITS.placeholder, true);
  checkConfirm(p, el.confirm, `${pointer}/confirm`);
  switch (type) {
    case 'button':
      checkText(p, el.text, `${pointer}/text`, LIMITS.buttonText, true);
      checkLength(p, el.value, LIMITS.buttonValue, `${pointer}/value`);
      checkLength(p, el.url, LIMITS.url, `${pointer}/url`);
      checkLength(p, el.accessibility_label, LIMITS.accessibilityLabel, `${pointer}/accessibility_label`);
      if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') {
        p.add(`${pointer}/style`, 'must be a valid enum value');
      }
      break;
    case 'overflow':
      checkOptions(p, el.options, `${pointer}/options`, 5);
      break;
    case 'checkboxes':
    case 'radio_buttons':
      checkOptions(p, el.options, `${pointer}/options`, 10);
      break;
    case 'image':
      checkLength(p, el.alt_text, LIMITS.altText, `${pointer}/alt_text`);
      if (el.alt_text === undefined) p.add(pointer, 'missing required field: alt_text');
      break;
    case 'plain_text_input':
      if (typeof el.max_length === 'number' && el.max_length > 3000) {
        p.add(`${pointer}/max_length`, 'must be less than or equal to 3000');
      }
      break;
    default:
      if (type.endsWith('static_select')) {
        checkOptions(p, el.options, `${pointer}/options`, LIMITS.options);
        if (el.options === undefined && el.option_groups === undefined) {
          p.add(pointer, 'must provide either options or option_groups');
        }
      }
  }
}

/** action_ids only have to be unique inside their block; Slack accepts repeats across blocks. */
function checkActionIdsUnique(p: Problems, elements: unknown[], pointer: string): void {
  const seen = new Set<string>();
  elements.forEach((el, i) => {
    if (!isObj(el) || typeof el.action_id !== 'string') return;
    if (seen.has(el.action_id)) p.add(`${pointer}/${i}/action_id`, `duplicate action_id: ${el.action_id}`);
    seen.add(el.action_id);
  });
}

function checkBlock(p: Problems, block: unknown, pointer: string): void {
  if (!isObj(block)) {
    p.add(pointer, 'must be an object');
    return;
  }
  if (typeof block.type !== 'string') {
    p.add(pointer, 'missing required field: type');
    return;
  }
  if (!BLOCK_TYPES.has(block.type)) {
    p.add(`${pointer}/type`, `unsupported type: ${block.type}`);
    return;
  }
  checkLength(p, block.block_id, LIMITS.id, `${pointer}/block_id`);
  switch (block.type) {
    case 'section': {
      if (block.text === undefined && block.fields === undefined) {
        p.add(pointer, 'must provide either text or fields');
      }
      if (block.text !== undefined) checkText(p, block.text, `${pointer}/text`, LIMITS.sectionText);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields)) p.add(`${pointer}/fields`, 'must be an array');
        else {
          if (block.fields.length > LIMITS.sectionFields) {
            p.add(`${pointer}/fields`, `no more than ${LIMITS.sectionFields} items allowed`);
          }
          block.fields.forEach((f, i) => {
            checkText(p, f, `${pointer}/fields/${i}`, LIMITS.sectionFieldText);
          });
        }
      }
      if (block.accessory !== undefined) {
        checkElement(p, block.accessory, `${pointer}/accessory`, new Set([...INTERACTIVE_ELEMENTS, 'image']));
      }
      break;
    }
    case 'header':
      checkText(p, block.text, `${pointer}/text`, LIMITS.headerText, true);
      break;
    case 'actions': {
      const els = block.elements;
      if (!Array.isArray(els)) {
        p.add(pointer, 'missing required field: elements');
        return;
      }
      if (els.length === 0) p.add(`${pointer}/elements`, 'must provide at least 1 item');
      if (els.length > LIMITS.actionsElements) {
        p.add(`${pointer}/elements`, `no more than ${LIMITS.actionsElements} items allowed`);
      }
      els.forEach((el, i) => {
        checkElement(p, el, `${pointer}/elements/${i}`, INTERACTIVE_ELEMENTS);
      });
      checkActionIdsUnique(p, els, `${pointer}/elements`);
      break;
    }
    case 'context': {
      const els = block.elements;
      if (!Array.isArray(els)) {
        p.add(pointer, 'missing required field: elements');
        return;
      }
      if (els.length === 0) p.add(`${pointer}/elements`, 'must provide at least 1 item');
      if (els.length > LIMITS.contextElements) {
        p.add(`${pointer}/elements`, `no more than ${LIMITS.contextElements} items allowed`);
      }
      els.forEach((el, i) => {
        const at = `${pointer}/elements/${i}`;
        if (isObj(el) && el.type === 'image') checkElement(p, el, at, new Set(['image']));
        else checkText(p, el, at, LIMITS.contextText);
      });
      break;
    }
    case 'image':
      if (block.image_url === undefined && block.slack_file === undefined) {
        p.add(pointer, 'missing required field: image_url');
      }
      if (block.alt_text === undefined) p.add(pointer, 'missing required field: alt_text');
      checkLength(p, block.alt_text, LIMITS.altText, `${pointer}/alt_text`);
      checkLength(p, block.image_url, LIMITS.url, `${pointer}/image_url`);
      if (block.title !== undefined) checkText(p, block.title, `${pointer}/title`, LIMITS.altText, true);
      break;
    case 'input':
      checkText(p, block.label, `${pointer}/label`, LIMITS.label, true);
      if (block.hint !== undefined) checkText(p, block.hint, `${pointer}/hint`, LIMITS.label, true);
      if (block.element === undefined) p.add(pointer, 'missing required field: element');
      else checkElement(p, block.element, `${pointer}/element`, INPUT_ELEMENTS);
      break;
    case 'markdown':
      if (typeof block.text !== 'string') p.add(pointer, 'missing required field: text');
      checkLength(p, block.text, LIMITS.markdownText, `${pointer}/text`);
      break;
    case 'rich_text':
      if (!Array.isArray(block.elements)) p.add(pointer, 'missing required field: elements');
      break;
  }
}

/** Validates a `blocks` array for a surface; returns Slack-style problem messages (empty = valid). */
export function validateBlocks(blocks: unknown, surface: Surface, pointer = '/blocks'): string[] {
  const p = new Problems();
  if (!Array.isArray(blocks)) {
    p.add(pointer, 'must be an array');
    return p.list;
  }
  const max = surface === 'message' ? LIMITS.messageBlocks : LIMITS.viewBlocks;
  if (blocks.length > max) p.add(pointer, `no more than ${max} items allowed`);
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    checkBlock(p, block, `${pointer}/${i}`);
    if (isObj(block) && typeof block.block_id === 'string') {
      if (blockIds.has(block.block_id)) p.add(`${pointer}/${i}/block_id`, `duplicate block_id: ${block.block_id}`);
      blockIds.add(block.block_id);
    }
  });
  return p.list;
}

/** Validates a `view` object (modal or Home tab); pointers are under `/view` as in Slack's errors. */
export function validateView(view: unknown, expected?: 'modal' | 'home'): string[] {
  const p = new Problems();
  if (!isObj(view)) {
    p.add('/view', 'must be an object');
    return p.list;
  }
  if (typeof view.type !== 'string') p.add('/view', 'missing required field: type');
  else if (view.type !== 'modal' && view.type !== 'home') p.add('/view/type', 'must be a valid enum value');
  else if (expected && view.type !== expected) p.add('/view/type', `must be ${expected}`);
  if (view.blocks === undefined) p.add('/view', 'missing required field: blocks');
  else p.list.push(...validateBlocks(view.blocks, view.type === 'home' ? 'home' : 'modal', '/view/blocks'));
  checkLength(p, view.callback_id, LIMITS.id, '/view/callback_id');
  checkLength(p, view.external_id, LIMITS.id, '/view/external_id');
  checkLength(p, view.private_metadata, LIMITS.privateMetadata, '/view/private_metadata');
  if (view.type === 'modal') {
    if (view.title === undefined) p.add('/view', 'missing required field: title');
    else checkText(p, view.title, '/view/title', LIMITS.viewTitle, true);
    if (view.submit !== undefined) checkText(p, view.submit, '/view/submit', LIMITS.viewTitle, true);
    if (view.close !== undefined) checkText(p, view.close, '/view/close', LIMITS.viewTitle, true);
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) p.add('/view', 'must provide submit when the view has input blocks');
  }
  return p.list;
}

/** Finds an interactive element by action_id (and block_id, if given) in a list of blocks. */
export function findElement(
  blocks: unknown,
  actionId: string,
  blockId?: string,
): { blockId: string | undefined; element: Obj } | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks) {
    if (!isObj(block)) continue;
    const id = typeof block.block_id === 'string' ? block.block_id : undefined;
    if (blockId !== undefined && id !== blockId) continue;
    const candidates = [
      block.accessory,
      block.element,
      ...(block.type === 'actions' && Array.isArray(block.elements) ? block.elements : []),
    ];
    for (const el of candidates) {
      if (isObj(el) && el.action_id === actionId) return { blockId: id, element: el };
    }
  }
  return undefined;
}
