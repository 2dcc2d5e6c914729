import { buildOverview, type Overview, type RankedVendor, type TargetName } from '../../domain/digests/overview';
import { reviveDate, reviveScorecard } from '../../domain/digests/revive';
import type { Attainment, Scorecard } from '../../domain/digests/scorecard';
import type { OverviewDigestData, VendorDigestData } from '../../domain/digests/send';
import type { Proportion } from '../../domain/digests/wilson';
import { type Block, context, divider, fields, header, message, type SlackMessage, section } from './blocks';
import { duration } from './metrics';
import { joinMd, type Mrkdwn, md, truncate } from './text';
import { slackDate } from './time';

// The vendor digest may go to a channel shared with the vendor (Slack Connect): it shows that vendor's
// own figures and nothing about any other vendor, no rank. Only the overview compares vendors.

const count = (n: number) => n.toLocaleString('en');
const pct1 = (r: number) => `${(r * 100).toFixed(1)}`;
/** Vendor names are someone's text: cut before they go into a line (escaping is md``'s job). */
const name = (s: string) => truncate(s, 80);

/** "94.1 % (n=118, 95 % CI 88.3–97.1)"; "too few to say (7 of 12)" under the sample rule; "— (none)" for n = 0. */
export function proportionText(p: Proportion): string {
  if (p.n === 0 || p.rate === null || !p.interval) return '— (none)';
  if (!p.enough) return `too few to say (${count(p.k)} of ${count(p.n)})`;
  return `${pct1(p.rate)} % (n=${count(p.n)}, 95 % CI ${pct1(p.interval.lower)}–${pct1(p.interval.upper)})`;
}

/** "75.0 % (3 of 4) — below the 95 % target", or "—" when nothing was completed. */
export function attainmentText(a: Attainment): string {
  if (a.rate === null) return '— (none completed)';
  const text = `${pct1(a.rate)} % (${count(a.met)} of ${count(a.met + a.missed)})`;
  return a.belowTarget ? `${text} :warning: below the ${targetText(a.target)} target` : text;
}

const targetText = (t: number) => `${Number((t * 100).toFixed(1))} %`;
const plainRate = (p: Proportion) => (p.rate === null ? '— (none)' : `${pct1(p.rate)} % (${count(p.k)} of ${count(p.n)})`);

function daysToClearText(card: Scorecard): string {
  const d = card.capacity.daysToClear;
  if (card.backlog.total === 0) return 'nothing open';
  if (d === null) return 'not at this pace (no cases decided)';
  return `${d < 10 ? d.toFixed(1) : count(Math.round(d))} days`;
}

function periodText(card: Scorecard): string {
  const p = card.period;
  return p.from === p.to ? p.to : `${p.from} to ${p.to}`;
}

/** The line that says a digest is late, and why its figures are still those of its day. */
export function lateMarker(date: string, sentAt: Date): Mrkdwn {
  return md`:hourglass: *Late* — the digest for ${date}, sent ${slackDate(sentAt.toISOString())}. The figures are as at the end of ${date}.`;
}

/** The older days a digest was missed for (while the bot was down), listed instead of sent one by one. */
export function missedDaysText(vendorKey: string, dates: readonly string[]): Mrkdwn | undefined {
  if (!dates.length) return undefined;
  const shown = dates.slice(0, 14);
  const more = dates.length - shown.length;
  return md`Also not sent while the bot was down: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}. For any of them: \`/trustops digest preview ${vendorKey} YYYY-MM-DD\`.`;
}

export type DigestOptions = {
  /** When sent after its day's digest time: marks it late (with when it was sent). */
  lateSentAt?: Date;
  /** Older days missed, oldest first, listed under the digest. */
  missedDays?: readonly string[];
};

/** A quiet day (nothing happened): one line, with the backlog still open if there is one. */
export function quietDigestMessage(card: Scorecard, o: DigestOptions = {}): SlackMessage {
  const backlog =
    card.backlog.total === 0
      ? 'nothing open'
      : md`${count(card.backlog.total)} open, the oldest since ${slackDate(card.backlog.oldest!.openedAt.toISOString())}`;
  const line = md`*${name(card.vendor.name)}* — ${periodText(card)}: a quiet day, no reports, decisions or reviews. Backlog: ${backlog}.`;
  const blocks: Block[] = [section(line)];
  const extra = [o.lateSentAt ? lateMarker(card.period.to, o.lateSentAt) : undefined, missedDaysText(card.vendor.key, o.missedDays ?? [])];
  const notes = extra.filter((t): t is Mrkdwn => t !== undefined);
  if (notes.length) blocks.push(context(...notes));
  return message(line, blocks);
}

function backlogText(card: Scorecard): Mrkdwn {
  const b = card.backlog;
  if (b.total === 0) return md`*Backlog at the end of the day*\nnothing open`;
  const ages = `< 4 h ${count(b.byAge.under4h)} · 4–24 h ${count(b.byAge.from4to24h)} · 1–3 d ${count(b.byAge.from1to3d)} · > 3 d ${count(b.byAge.over3d)}`;
  const oldest = b.oldest ? md`\noldest #${b.oldest.caseId}, open ${duration(b.asOf.getTime() - b.oldest.openedAt.getTime())}` : md``;
  return md`*Backlog at the end of the day*\n${count(b.total)} open: ${ages}${oldest}`;
}

function throughputText(card: Scorecard): Mrkdwn {
  const t = card.throughput;
  const avg = t.baselinePerDay.toFixed(1);
  const verb = card.period.days === 1 ? 'cases decided' : `cases decided (${t.perDay.toFixed(1)} a day)`;
  return md`*Throughput*\n${count(t.total)} ${verb} · 7 days before: ${avg} a day`;
}

function capacityText(card: Scorecard): Mrkdwn {
  const growing = card.capacity.growing ? ' · :chart_with_upwards_trend: *growing* (more opened than decided three days running)' : '';
  return md`*Capacity*\n${daysToClearText(card)} to clear · ${card.capacity.reviewerHours.toFixed(1)} reviewer-hours needed${growing}`;
}

function qaText(card: Scorecard): Mrkdwn {
  const q = card.qa;
  const below = q.belowTarget && q.accuracy.enough ? ` :warning: below the ${targetText(q.target)} target` : '';
  return md`*QA accuracy*\n${proportionText(q.accuracy)}${below}`;
}

function errorsText(card: Scorecard): Mrkdwn {
  const top = card.qa.topErrors;
  if (!top.length) return md`*Top QA error categories*\nnone`;
  return md`*Top QA error categories*\n${joinMd(
    top.map((e) => md`${truncate(e.category ?? '(no category)', 60)} (${count(e.count)})`),
    ', ',
  )}`;
}

function oldestBreachText(card: Scorecard): Mrkdwn {
  const o = card.sla.oldestOpenBreach;
  return o
    ? md`#${o.caseId}, opened ${slackDate(o.openedAt.toISOString())}, past due since ${slackDate(o.breachedAt.toISOString())}`
    : md`none`;
}

/** The vendor's daily digest (or its scorecard over a range): its own figures only. */
export function vendorDigestMessage(card: Scorecard, o: DigestOptions = {}): SlackMessage {
  const when = periodText(card);
  const title = card.period.days === 1 ? `Daily digest — ${card.vendor.name} — ${when}` : `Scorecard — ${card.vendor.name} — ${when}`;
  const blocks: Block[] = [header(title)];
  if (o.lateSentAt) blocks.push(context(lateMarker(card.period.to, o.lateSentAt)));
  blocks.push(
    fields([
      md`*Reports received*\n${count(card.reportsReceived)}`,
      md`*Decisions*\n${count(card.decisions)}`,
      md`*First-action SLA*\n${attainmentText(card.sla.firstAction)}`,
      md`*Resolution SLA*\n${attainmentText(card.sla.resolution)}`,
      md`*Breaches*\n${count(card.sla.breaches)}`,
      md`*Oldest open breach*\n${oldestBreachText(card)}`,
    ]),
    fields([
      qaText(card),
      md`*Appeals overturned*\n${plainRate(card.appeals.overturned)}`,
      md`*False positives (QA)*\n${proportionText(card.qa.falsePositive)}`,
      md`*False negatives (QA)*\n${proportionText(card.qa.falseNegative)}`,
      errorsText(card),
    ]),
    fields([backlogText(card), throughputText(card), capacityText(card)]),
  );
  const missed = missedDaysText(card.vendor.key, o.missedDays ?? []);
  if (missed) blocks.push(context(missed));
  blocks.push(
    context(
      md`Local days in ${card.period.timeZone}. SLA: targets completed in the period, met ÷ completed. QA rates are from reviewed samples (Wilson 95 % interval); under 30 reviews, or an interval wider than 20 points, they are "too few to say". False positive: QA found no violation where an action was taken; false negative: QA found a violation where none was acted on. The chart of the last 30 days is in the thread.`,
    ),
  );
  const text = md`Digest for ${name(card.vendor.name)}, ${when}: ${count(card.decisions)} decisions, first-action SLA ${attainmentText(card.sla.firstAction)}, QA ${proportionText(card.qa.accuracy)}, backlog ${count(card.backlog.total)}`;
  return message(text, blocks);
}

/** The digest as it goes out: the one-liner on a quiet day (or nothing, if the vendor asked for none). */
export function digestMessage(card: Scorecard, o: DigestOptions & { quietDays?: 'one_line' | 'none' } = {}): SlackMessage | null {
  if (!card.quiet) return vendorDigestMessage(card, o);
  return o.quietDays === 'none' && !o.missedDays?.length ? null : quietDigestMessage(card, o);
}

// The overview: each ranking shows every vendor up to this many, else the top and bottom five.
const SHOW_ALL_UP_TO = 10;
const EDGE = 5;

const TARGET_LABEL: Record<TargetName, string> = { first_action: 'first action', resolution: 'resolution', qa_accuracy: 'QA accuracy' };

function rankedLine(r: RankedVendor, missed: readonly TargetName[], what: 'sla' | 'qa'): Mrkdwn {
  const value =
    what === 'qa' ? proportionText(r.value) : r.value.rate === null ? '— (none completed)' : proportionText({ ...r.value, enough: true });
  const noise = r.withinNoiseOfAbove ? ' ≈ _within the noise of the one above_' : '';
  const flags = missed.length ? ` :warning: ${missed.map((t) => TARGET_LABEL[t]).join(', ')} below target` : '';
  return md`${r.rank}. *${name(r.card.vendor.name)}* — ${value}${noise}${flags}`;
}

function rankingBlocks(title: string, ranked: readonly RankedVendor[], o: Overview, what: 'sla' | 'qa'): Block[] {
  const line = (r: RankedVendor) => rankedLine(r, o.missedTargets.get(r.card.vendor.id) ?? [], what);
  if (ranked.length <= SHOW_ALL_UP_TO) return [section(md`*${title}*\n${joinMd(ranked.map(line), '\n')}`)];
  const hidden = ranked.length - 2 * EDGE;
  return [
    section(md`*${title}* — top ${EDGE}\n${joinMd(ranked.slice(0, EDGE).map(line), '\n')}`),
    context(md`…${count(hidden)} more in the CSV in the thread.`),
    section(md`*${title}* — bottom ${EDGE}\n${joinMd(ranked.slice(-EDGE).map(line), '\n')}`),
  ];
}

/** The overview digest for the vendor-ops channel: every vendor ranked, noise and missed targets marked. */
export function overviewDigestMessage(o: Overview, opts: { lateSentAt?: Date; missedDays?: readonly string[] } = {}): SlackMessage {
  const missing = o.bySla.filter((r) => (o.missedTargets.get(r.card.vendor.id) ?? []).length > 0).length;
  const blocks: Block[] = [
    header(`Vendor overview — ${o.date}`),
    context(
      md`${count(o.bySla.length)} vendors · ${count(missing)} missed a target · local day in ${o.timeZone}${o.bySla.length > SHOW_ALL_UP_TO ? ' · the full table is the CSV in the thread' : ''}`,
    ),
    ...rankingBlocks('SLA attainment (first actions and resolutions completed)', o.bySla, o, 'sla'),
    divider(),
    ...rankingBlocks('QA accuracy', o.byQa, o, 'qa'),
    ...[
      opts.lateSentAt ? lateMarker(o.date, opts.lateSentAt) : undefined,
      opts.missedDays?.length
        ? md`Also not sent while the bot was down: ${opts.missedDays.slice(0, 14).join(', ')}${opts.missedDays.length > 14 ? ` and ${opts.missedDays.length - 14} more` : ''}.`
        : undefined,
    ]
      .filter((t): t is Mrkdwn => t !== undefined)
      .map((t) => context(t)),
    context(
      '"≈ within the noise": its 95 % interval overlaps that of the vendor ranked just above, so the day\'s data do not tell them apart. QA accuracy under 30 reviews, or with an interval wider than 20 points, is "too few to say".',
    ),
  ];
  return message(`Vendor overview for ${o.date}: ${o.bySla.length} vendors, ${missing} missed a target`, blocks);
}

/** The CSV file for the overview's thread. */
export function overviewCsvFileName(o: Overview): string {
  return `vendor-overview-${o.date}.csv`;
}

/** A vendor digest from the outbox (figures computed when the day was claimed); null on a quiet day set to "none". */
export function vendorDigestAlert(data: VendorDigestData): SlackMessage {
  const message = digestMessage(reviveScorecard(data.card), {
    quietDays: data.quietDays,
    lateSentAt: reviveDate(data.lateSentAt),
    missedDays: data.missedDays,
  });
  // The job queues nothing for a silent quiet day; a message is always there when this is called.
  return message ?? quietDigestMessage(reviveScorecard(data.card));
}

/** The overview digest from the outbox. */
export function overviewDigestAlert(data: OverviewDigestData): SlackMessage {
  return overviewDigestMessage(buildOverview(data.cards.map((c) => reviveScorecard(c))), {
    lateSentAt: reviveDate(data.lateSentAt),
    missedDays: data.missedDays,
  });
}

/** The answer to `digest schedule`: when, where, and what a quiet day gets. */
export function digestScheduledMessage(
  s: { vendor: string; time: string; timeZone: string; channel: string | null; quiet: 'one_line' | 'none' },
  vendorOps: string,
): SlackMessage {
  const where = s.channel
    ? /^[CG][A-Z0-9]+$/.test(s.channel)
      ? md`<#${s.channel}>`
      : md`#${s.channel}`
    : md`#${vendorOps} (the vendor has no channel of its own)`;
  const quiet = s.quiet === 'none' ? 'nothing on a quiet day' : 'one line on a quiet day';
  const text = md`${s.vendor}'s digest goes out daily at ${s.time} ${s.timeZone} to ${where}, for the day before there; ${quiet}.`;
  return message(text, [section(md`:white_check_mark: ${text}`)]);
}

/** A digest as it would be sent, shown only to the one who asked; nothing is recorded or sent. */
export function digestPreviewMessage(sent: SlackMessage, o: { channel: string; silent: boolean }): SlackMessage {
  const note = o.silent
    ? md`:eyes: Preview only. A quiet day: with this vendor's setting (\`quiet:none\`) nothing would be posted. This is the line it would post otherwise.`
    : md`:eyes: Preview only: this is what would go to ${/^[CG][A-Z0-9]+$/.test(o.channel) ? md`<#${o.channel}>` : md`#${o.channel}`}, with its chart in the thread. Nothing was sent or recorded.`;
  return message(sent.text, [context(note), ...(sent.blocks ?? [])]);
}

/** A message with a closing note (a context line). */
export function withNote(m: SlackMessage, note: string): SlackMessage {
  return message(m.text, [...(m.blocks ?? []), context(md`${note}`)]);
}
