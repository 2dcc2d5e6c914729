import type { DomainDeps } from '../../../domain/deps';
import { chartFileName, chartTitle, digestChart } from '../../../domain/digests/files';
import {
  PREVIEW_EXAMPLE,
  previewDigest,
  QUEUE_SET_EXAMPLE,
  SCHEDULE_EXAMPLE,
  scheduleDigest,
  setQueueMinutes,
  VENDOR_EXAMPLE,
  vendorRangeScorecard,
  vendorsOfChannel,
} from '../../../domain/digests/settings';
import { whileBuilding } from '../../../domain/metrics/building';
import { badInput } from '../../../errors';
import { sharedChartRenderer } from '../../digest-files';
import { completeUpload, startUpload } from '../../files';
import {
  digestMessage,
  digestPreviewMessage,
  digestScheduledMessage,
  quietDigestMessage,
  vendorDigestMessage,
  withNote,
} from '../../views/digest';
import { okMessage } from '../../views/feedback';
import type { CommandContext, Subcommand } from './types';

const DIGEST_VERBS = ['schedule', 'preview'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `#name`, or a channel as Slack sends it in command text (`<#C123|name>`, `<#C123>`): its id or name. */
function parseChannel(word: string): string | undefined {
  const m = /^<#([CG][A-Z0-9]+)(\|[^>]*)?>$/.exec(word);
  if (m) return m[1];
  const name = /^#([a-z0-9][a-z0-9_-]{0,79})$/.exec(word);
  return name?.[1];
}

/** `key:value` words of a command, the rest in order; an unknown key is a mistake. */
function options(words: readonly string[], keys: readonly string[], example: string): { opts: Record<string, string>; rest: string[] } {
  const opts: Record<string, string> = {};
  const rest: string[] = [];
  for (const w of words) {
    const m = /^([a-z_]+):(.*)$/i.exec(w);
    if (!m || w.startsWith('<') || /^\d{1,2}:\d{2}$/.test(w)) {
      rest.push(w);
      continue;
    }
    const key = m[1]!.toLowerCase();
    if (!keys.includes(key)) throw badInput(`\`${key}:\` is not an option here: use ${keys.map((k) => `\`${k}:\``).join(', ')}.`, example);
    opts[key] = m[2]!;
  }
  return { opts, rest };
}

type ConversationInfo = { name?: string; is_im?: boolean; is_shared?: boolean; is_ext_shared?: boolean; is_pending_ext_shared?: boolean };

/**
 * Why a vendor's chart may not be posted in this conversation, or undefined when it may. A vendor's digest
 * channel is often shared with that vendor (Slack Connect), so nothing about another vendor goes there, nor
 * into any conversation shared outside the workspace; and where that cannot be told, nothing goes either.
 * The vendor's own channel takes its own chart (its digest goes there anyway); a direct message takes any.
 */
async function chartRefusal(
  deps: DomainDeps,
  client: CommandContext['client'],
  channelId: string,
  vendor: string,
): Promise<string | undefined> {
  let info: ConversationInfo | undefined;
  if (!channelId.startsWith('D')) {
    try {
      info = ((await client.conversations.info({ channel: channelId })) as { channel?: ConversationInfo }).channel;
    } catch (err) {
      deps.log.info('vendor chart: conversation not readable', { channelId, err });
    }
  }
  const owners = await vendorsOfChannel(deps, { id: channelId, name: info?.name });
  const others = owners.filter((k) => k !== vendor);
  if (others.length)
    return `this is ${others.map((k) => `${k}'s`).join(' and ')} digest channel, which may be shared with that vendor, and nothing about another vendor goes there`;
  if (owners.includes(vendor) || channelId.startsWith('D') || info?.is_im) return undefined;
  if (!info) return 'I cannot tell whether this conversation is shared outside the workspace';
  if (info.is_ext_shared || info.is_shared || info.is_pending_ext_shared)
    return 'this conversation is shared outside the workspace (Slack Connect)';
  return undefined;
}

export const DIGEST_SUBCOMMANDS: readonly Subcommand[] = [
  {
    name: 'digest',
    usage: '/trustops digest schedule <vendor> <HH:MM> [#channel] [tz:Zone] [quiet:one_line|none] | preview <vendor> [YYYY-MM-DD]',
    description:
      "When a vendor's daily digest goes out, in its own zone, and to which channel (admins); or the digest of a day as it would be sent, shown only to you.",
    example: SCHEDULE_EXAMPLE,
    async run({ deps, actor, args }) {
      const [verb, vendor, ...rest] = args;
      if (verb === 'schedule') {
        const { opts, rest: words } = options(rest, ['tz', 'quiet'], SCHEDULE_EXAMPLE);
        const [time, channelWord, ...extra] = words;
        if (!vendor || !time)
          throw badInput('`digest schedule` needs a vendor and a time (HH:MM, the vendor’s local time).', SCHEDULE_EXAMPLE);
        if (extra.length) throw badInput(`\`${extra[0]}\` is one word too many.`, SCHEDULE_EXAMPLE);
        const channel = channelWord === undefined ? undefined : parseChannel(channelWord);
        if (channelWord !== undefined && channel === undefined)
          throw badInput(`\`${channelWord}\` is not a channel: mention it, e.g. #acme-ops.`, SCHEDULE_EXAMPLE);
        const schedule = await scheduleDigest(deps, { actor, vendor, time, channel, timeZone: opts.tz, quiet: opts.quiet });
        return digestScheduledMessage(schedule, deps.channels.vendorOps);
      }
      if (verb === 'preview') {
        const [date, ...extra] = rest;
        if (!vendor) throw badInput('`digest preview` needs a vendor.', PREVIEW_EXAMPLE);
        if (extra.length) throw badInput(`\`${extra[0]}\` is one word too many.`, PREVIEW_EXAMPLE);
        if (date !== undefined && !DATE.test(date))
          throw badInput(`\`${date}\` is not a date: write it YYYY-MM-DD (the vendor's local day).`, PREVIEW_EXAMPLE);
        const preview = await previewDigest(deps, { vendor, date });
        const sent = digestMessage(preview.card, { quietDays: preview.quiet }) ?? quietDigestMessage(preview.card);
        return digestPreviewMessage(sent, { channel: preview.channel, silent: preview.card.quiet && preview.quiet === 'none' });
      }
      throw badInput(
        `${verb ? `\`digest ${verb}\` is not a digest command` : 'Say what to do'}: use ${DIGEST_VERBS.map((v) => `\`${v}\``).join(' or ')}.`,
        SCHEDULE_EXAMPLE,
      );
    },
  },
  {
    name: 'vendor',
    usage: '/trustops vendor <vendor> [range]',
    description:
      "A vendor's scorecard over any range (yesterday by default; ranges as for `metrics`, in the vendor's zone), shown only to you, with its 30-day chart uploaded to this conversation — never to another vendor's channel or one shared outside the workspace.",
    example: VENDOR_EXAMPLE,
    async run({ deps, args, client, channelId, progress }) {
      const [vendor, ...range] = args;
      if (!vendor) throw badInput('`vendor` needs a vendor key.', VENDOR_EXAMPLE);
      const card = await whileBuilding(
        deps.analytics,
        (text) => progress(text, { atOnce: true }),
        () => vendorRangeScorecard(deps, { vendor, range: range.join(' ') }),
      );
      // The figures are the answer, shown to the asker alone; the chart goes to the conversation only where
      // it may (chartRefusal), and a chart that cannot (refused there, or the bot is not in that channel) is
      // said so under the figures rather than lose them.
      const refusal = await chartRefusal(deps, client, channelId, card.vendor.key);
      if (refusal)
        return withNote(
          vendorDigestMessage(card),
          `The 30-day chart is not posted here: ${refusal}. These figures are shown only to you; for the chart, run \`/trustops vendor ${card.vendor.key}\` in a direct message with the bot.`,
        );
      let note: string;
      try {
        const png = await digestChart(sharedChartRenderer(), card);
        const fileId = await startUpload(client, { filename: chartFileName(card), bytes: png });
        await completeUpload(client, { fileId, channelId, title: chartTitle(card) });
        note = `The 30-day chart (${chartFileName(card)}) is uploaded to this conversation.`;
      } catch (err) {
        deps.log.warn('vendor chart not uploaded', { vendor: card.vendor.key, err });
        note = 'The 30-day chart could not be uploaded here (is the bot in this channel?); a direct message with the bot works.';
      }
      return withNote(vendorDigestMessage(card), note);
    },
  },
  {
    name: 'queue',
    usage: '/trustops queue set <queue> minutes:<n>',
    description: "A queue's reviewer minutes per case, from which the digest reckons the reviewer-hours its backlog needs (admins).",
    example: QUEUE_SET_EXAMPLE,
    async run({ deps, actor, args }) {
      const [verb, queue, ...rest] = args;
      if (verb !== 'set')
        throw badInput(`${verb ? `\`queue ${verb}\` is not a queue command` : 'Say what to do'}: use \`set\`.`, QUEUE_SET_EXAMPLE);
      const { opts, rest: extra } = options(rest, ['minutes'], QUEUE_SET_EXAMPLE);
      if (!queue || opts.minutes === undefined) throw badInput('`queue set` needs a queue and `minutes:<n>`.', QUEUE_SET_EXAMPLE);
      if (extra.length) throw badInput(`\`${extra[0]}\` is one word too many.`, QUEUE_SET_EXAMPLE);
      if (!/^\d{1,4}$/.test(opts.minutes))
        throw badInput(`\`minutes:${opts.minutes}\` is not a whole number of minutes.`, QUEUE_SET_EXAMPLE);
      const set = await setQueueMinutes(deps, { actor, queue, minutes: Number(opts.minutes) });
      return okMessage(
        `Queue \`${set.queue}\`: ${set.minutes} reviewer minutes per case (was ${set.before ?? 'unset: 10 by default'}). Digests reckon reviewer-hours with it from now on.`,
      );
    },
  },
];
