// Shared checks for the adversarial suite (test/adversarial/): what every bad input must leave behind
// (no 5xx, a live app, no live Slack markup from user text, nothing stored from a refused request).
import { signSlackRequest } from '../../src/sandbox/slack-client';
import type { TestApp } from './app';

/**
 * Strings a hostile user, admin or vendor may send. Every live control sequence among them carries
 * "evil" or is one of Slack's broadcast mentions, so `liveMarkup` can tell them from the bot's own
 * `<@U…>` mentions, `<!date^…>` stamps and links.
 */
export const HOSTILE: readonly [name: string, value: string][] = [
  ['an @channel mention', '<!channel> everyone look'],
  ['an @here mention', 'ping <!here>'],
  ['an @everyone mention', '<!everyone>'],
  ['a user mention', 'ask <@U0EVIL1>'],
  ['a labelled user mention', '<@U0EVIL1|the boss>'],
  ['a user-group mention', '<!subteam^S0EVIL|@oncall>'],
  ['a channel link', 'see <#C0EVIL|general>'],
  ['a disguised link', '<https://evil.example|click me>'],
  ['a bare bracketed link', '<http://evil.example/login>'],
  ['a mailto link', '<mailto:boss@evil.example|the boss>'],
  ['a date stamp', '<!date^1700000000^{date}|evil>'],
  ['half-escaped markup', '&lt;!channel&gt; and <!channel>'],
  ['an RTL override', '\u202Egnp.evil\u202C <!here>'],
  ['formatting characters', '*bold* _it_ ~gone~ `code` ```block``` > quote'],
  ['SQL', "'; DROP TABLE cases; --"],
];

/**
 * A sample of HOSTILE for inputs that each post a card: a channel takes one post a second, so the
 * whole list there would cost the suite a second an input.
 */
export const CARD_SAMPLE = HOSTILE.filter(([name]) =>
  ['an @channel mention', 'an @here mention', 'a user mention', 'a user-group mention', 'a disguised link', 'a date stamp'].includes(name),
);

/** Only ampersands: escaping makes each one five characters (`&amp;`). */
export const AMP_FLOOD = (n: number) => '&'.repeat(n);

// `<` followed by what Slack reads as a control sequence: !special, @user, #channel, or a URL scheme.
const CONTROL = /<(?:[!@#]|[a-zA-Z][a-zA-Z0-9+.-]*:)[^>]*>/g;

/** Live control sequences that came from user text (see HOSTILE) in mrkdwn text. */
export function liveMarkupIn(text: string): string[] {
  return (text.match(CONTROL) ?? []).filter((m) => /evil/i.test(m) || /^<!(?:channel|here|everyone|subteam)/.test(m));
}

// Fields whose strings Slack never renders as mrkdwn.
const NOT_RENDERED = new Set([
  'value',
  'url',
  'action_id',
  'block_id',
  'callback_id',
  'private_metadata',
  'external_id',
  'image_url',
  'trigger_id',
  'response_url',
  'channel',
  'user',
  'ts',
  'thread_ts',
  'filename',
  'file',
  'errors',
]);

/**
 * Every mrkdwn string of a message, view or API call: top-level `text`, `mrkdwn` text objects,
 * attachment text and upload comments. `plain_text` objects are inert and skipped.
 */
export function renderedTexts(value: unknown, path = '$'): { path: string; text: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => renderedTexts(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  const o = value as Record<string, unknown>;
  if (o.type === 'plain_text') return [];
  const out: { path: string; text: string }[] = [];
  for (const [key, v] of Object.entries(o)) {
    if (NOT_RENDERED.has(key)) continue;
    const rendered = ['text', 'pretext', 'fallback', 'initial_comment'].includes(key) && typeof v === 'string';
    if (rendered) out.push({ path: `${path}.${key}`, text: v as string });
    else if (typeof v === 'object') out.push(...renderedTexts(v, `${path}.${key}`));
    // A string `blocks` argument (form-encoded Web API calls) is JSON.
    if (key === 'blocks' && typeof v === 'string') {
      try {
        out.push(...renderedTexts(JSON.parse(v), `${path}.blocks`));
      } catch {
        // Not JSON: the emulator refuses it; nothing reached a channel.
      }
    }
  }
  return out;
}

export type Mark = { calls: number; responses: number; ephemerals: number };

/** Where the emulator's recordings stand now; `liveMarkupSince` reads only what came after. */
export function mark(t: TestApp): Mark {
  return { calls: t.emulator.calls.length, responses: t.emulator.allResponses().length, ephemerals: t.emulator.ephemeralMessages().length };
}

/** Live markup in everything the bot sent since the mark: Web API calls, response_url posts and ack bodies. */
export function liveMarkupSince(t: TestApp, m: Mark): string[] {
  const sent = [
    ...t.emulator.calls.slice(m.calls).map((c) => ({ where: c.method, body: c.args })),
    ...t.emulator
      .allResponses()
      .slice(m.responses)
      .map((r) => ({ where: 'response_url', body: r.body })),
    ...t.emulator
      .ephemeralMessages()
      .slice(m.ephemerals)
      .map((e) => ({ where: 'ephemeral', body: e })),
  ];
  return sent.flatMap(({ where, body }) =>
    renderedTexts(body).flatMap(({ path, text }) => liveMarkupIn(text).map((found) => `${where} ${path}: ${found}`)),
  );
}

/** Every message-like body the bot sent since the mark (for reading answers). */
export function textsSince(t: TestApp, m: Mark): string[] {
  const bodies = [
    ...t.emulator.calls.slice(m.calls).map((c) => c.args),
    ...t.emulator
      .allResponses()
      .slice(m.responses)
      .map((r) => r.body),
  ];
  return bodies.flatMap((b) => renderedTexts(b).map((r) => r.text));
}

/** The app still answers its liveness check. */
export async function healthStatus(t: TestApp): Promise<number> {
  const res = await fetch(`${t.baseUrl}/healthz`);
  await res.text();
  return res.status;
}

const TABLES = {
  reports: 'reports',
  cases: 'cases',
  decisions: 'decisions',
  qaReviews: 'qa_reviews',
  appeals: 'appeals',
  escalations: 'escalations',
  votes: 'escalation_votes',
  alerts: 'alerts',
  audit: 'audit_events',
  surfaces: 'surfaces',
  types: 'report_types',
  routes: 'routing_rules',
  roles: 'role_assignments',
  groupRoles: 'group_roles',
  tokens: 'intake_tokens',
  dsaMap: 'dsa_category_map',
} as const;

/** Row counts of the tables a request could write to, in one round trip. */
export async function rowCounts(t: TestApp): Promise<Record<string, number>> {
  const columns = Object.entries(TABLES).map(([name, table]) => `(SELECT count(*)::int FROM "${table}") AS "${name}"`);
  const [row] = await t.db.prisma.$queryRawUnsafe<Record<string, number>[]>(`SELECT ${columns.join(', ')}`);
  return { ...row };
}

/** `after − before` for each table that changed. */
export function changed(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.keys(after)
      .filter((k) => after[k] !== before[k])
      .map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]),
  );
}

/** Polls until the condition holds (or returns a value); throws naming `what` after the timeout. */
export async function eventually<T>(condition: () => Promise<T | undefined | false>, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Waits until every alert queued after `afterId` has left the outbox, and returns how each ended
 * (`sent`, or `failed` with Slack's error).
 */
export async function settledAlerts(t: TestApp, afterId: number, timeoutMs = 5000): Promise<string[]> {
  return eventually(
    async () => {
      const rows = await t.db.prisma.alert.findMany({ where: { id: { gt: afterId } }, orderBy: { id: 'asc' } });
      if (rows.some((r) => r.status === 'pending' || r.status === 'sending')) return undefined;
      return rows.map((r) => (r.status === 'sent' ? 'sent' : `${r.status}: ${r.lastError ?? ''}`));
    },
    'the outbox to deliver',
    timeoutMs,
  );
}

export async function lastAlertId(t: TestApp): Promise<number> {
  return (await t.db.prisma.alert.aggregate({ _max: { id: true } }))._max.id ?? 0;
}

export async function auditCount(t: TestApp, action: string): Promise<number> {
  return t.db.prisma.auditEvent.count({ where: { action } });
}

/** Readable test names: long or invisible characters shown as escapes, cut to 100 characters. */
export function show(s: string): string {
  const visible = JSON.stringify(s).slice(1, -1);
  return visible.length > 100 ? `${visible.slice(0, 60)}… (${s.length} chars)` : visible;
}

/**
 * Signs and POSTs a raw body to /slack/events, as Slack would (or with the given timestamp). Gives up
 * after `timeoutMs` with status 0: a request the bot never answers must fail its case, not hang the
 * suite (an aborted request also lets the server close).
 */
export async function postSigned(
  t: TestApp,
  body: string,
  opts: { contentType?: string; timestamp?: number; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  // The client keeps the app's signing secret to itself; raw requests need it too.
  const secret = (t.slack as unknown as { signingSecret: string }).signingSecret;
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  try {
    const res = await fetch(`${t.baseUrl}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signSlackRequest(secret, timestamp, body),
        ...opts.headers,
      },
      body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
    });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') return { status: 0, body: 'no answer' };
    throw err;
  }
}
