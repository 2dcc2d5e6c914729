/**
 * Text bound for Slack. Slack acts on `&`, `<` and `>` in mrkdwn and in a message's top-level `text`
 * (`<@U…>` pings, `<!channel>` notifies, `<https://…|label>` hides a link), so there are two kinds:
 * - a `string` is someone's text (a reason, a name, a command echoed back): builders escape it, so it
 *   is shown as typed and never acted on;
 * - a `Mrkdwn` is markup this code wrote. It is made only by the `md` template (which escapes every
 *   string it interpolates), `mention` and `slackDate` (./time), so a view cannot pass user text as
 *   markup by forgetting a call.
 * plain_text (headers, buttons, options, modal titles) is not parsed by Slack: it goes as typed.
 */

// Outside this module a Mrkdwn cannot be constructed: the token is not exported.
const TOKEN: unique symbol = Symbol('mrkdwn');

export class Mrkdwn {
  readonly text: string;
  constructor(token: typeof TOKEN, text: string) {
    if (token !== TOKEN) throw new Error('Mrkdwn is made with md``');
    this.text = text;
  }
  /** Markup pasted into a plain string would be escaped as someone's text: compose it with md`` instead. */
  toString(): string {
    throw new Error('Mrkdwn in a plain string: compose it with md``');
  }
}

/** Someone's text (escaped when it is sent) or markup we wrote. */
export type Text = string | Mrkdwn;
type Part = Text | number | readonly Text[];

/** Escapes text for Slack mrkdwn, so `<!channel>` or `<https://x|y>` in user data is shown, never acted on. */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text as Slack mrkdwn: markup as written, anything else escaped. */
export function toMrkdwn(t: Text): string {
  return t instanceof Mrkdwn ? t.text : escapeText(t);
}

const part = (v: Part): string => (typeof v === 'number' ? String(v) : Array.isArray(v) ? v.map(toMrkdwn).join('') : toMrkdwn(v as Text));

/** Markup: the template's own text is kept as written; every interpolated string is escaped. */
export function md(strings: TemplateStringsArray, ...values: Part[]): Mrkdwn {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += part(v) + (strings[i + 1] ?? '');
  });
  return new Mrkdwn(TOKEN, out);
}

/** Joins texts (each escaped unless markup) with a separator. */
export function joinMd(items: readonly Text[], separator: Text): Mrkdwn {
  return new Mrkdwn(TOKEN, items.map(toMrkdwn).join(toMrkdwn(separator)));
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const GROUP_ID = /^S[A-Z0-9]{2,}$/;

/** A ping of a Slack user we know by id ("<@U123>"); API callers and the system are shown by name. */
export function mention(id: string): Mrkdwn {
  return USER_ID.test(id) ? new Mrkdwn(TOKEN, `<@${id}>`) : md`${id}`;
}

/**
 * Someone's text in which the mentions of the given users and user groups (`<@U…>`, `<!subteam^S…>`,
 * written by our own code, as in a domain error) stay mentions; everything else in it is shown as typed.
 */
export function textWithMentions(text: string, ids: readonly string[]): Mrkdwn {
  let out = escapeText(text);
  for (const id of ids) {
    if (USER_ID.test(id)) out = out.split(`&lt;@${id}&gt;`).join(`<@${id}>`);
    if (GROUP_ID.test(id)) out = out.split(`&lt;!subteam^${id}&gt;`).join(`<!subteam^${id}>`);
  }
  return new Mrkdwn(TOKEN, out);
}

const ELLIPSIS = '…';
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * Cuts mrkdwn to `max` characters, ellipsis included. The cut never splits a surrogate pair, an
 * entity (`&am…`) or one of our `<…>` (dates, mentions): user `<` and `&` are escaped, so a bare `<`
 * or `&` is always ours.
 */
export function fitMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - ELLIPSIS.length;
  if (isHighSurrogate(text.charCodeAt(end - 1))) end--;
  const amp = text.lastIndexOf('&', end - 1);
  if (amp >= 0 && !text.slice(amp, end).includes(';') && /^&(amp|lt|gt);/.test(text.slice(amp, amp + 5))) end = amp;
  const open = text.lastIndexOf('<', end - 1);
  if (open >= 0 && text.lastIndexOf('>', end - 1) < open) end = open;
  return text.slice(0, end) + ELLIPSIS;
}

/**
 * Cuts plain_text to `max` characters, ellipsis included. Measured as if escaped: Slack keeps
 * plain_text escaped (it hands `&` back as `&amp;`), so a cut that fits either way is the safe one.
 */
export function fitPlain(text: string, max: number): string {
  if (escapeText(text).length <= max) return text;
  let size = ELLIPSIS.length;
  let end = 0;
  while (end < text.length) {
    const ch = text[end] as string;
    const step = isHighSurrogate(text.charCodeAt(end)) ? 2 : 1;
    const grow = ch === '&' ? 5 : ch === '<' || ch === '>' ? 4 : step;
    if (size + grow > max) break;
    size += grow;
    end += step;
  }
  return text.slice(0, end) + ELLIPSIS;
}

/** Cuts someone's text to a length before it goes into markup (a preview), marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - ELLIPSIS.length;
  if (isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return text.slice(0, end) + ELLIPSIS;
}
