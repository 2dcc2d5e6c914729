import { recordAudit } from '../../db/repositories/audit';
import { badInput } from '../../errors';
import type { Actor, DomainDeps } from '../deps';
import { parseRange } from '../metrics/range';
import { requireRole } from '../roles/roles';
import { dayNumberOf, isTimeZone, localDate } from '../time';
import { periodOfRange, previousLocalDate, type Scorecard, vendorScorecard } from './scorecard';
import type { QuietSetting } from './send';

/**
 * The digest settings (each vendor's time, zone, channel and quiet-day setting; each queue's reviewer
 * minutes per case) and the on-demand reads: a preview of a vendor's digest (recorded nowhere) and a
 * vendor's scorecard over any range.
 */

export const SCHEDULE_EXAMPLE = '/trustops digest schedule acme 08:30 #acme-ops';
export const PREVIEW_EXAMPLE = '/trustops digest preview acme 2026-11-30';
export const VENDOR_EXAMPLE = '/trustops vendor acme last 7d';
export const QUEUE_SET_EXAMPLE = '/trustops queue set acme_general minutes:12';
/** A queue's minutes per case stays within a working day. */
export const MAX_MINUTES_PER_CASE = 480;

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export type DigestSchedule = {
  vendor: string;
  time: string;
  timeZone: string;
  channel: string | null;
  quiet: QuietSetting;
};

async function findVendor(deps: DomainDeps, key: string, example: string) {
  const vendor = await deps.db.vendor.findUnique({ where: { key } });
  if (vendor) return vendor;
  const known = await deps.db.vendor.findMany({ select: { key: true }, orderBy: { key: 'asc' }, take: 30 });
  throw badInput(`There is no vendor \`${key}\`. Vendors: ${known.map((v) => `\`${v.key}\``).join(', ') || '(none yet)'}.`, example);
}

/**
 * The vendors whose digests go to a channel, matched by its id or its name (the schedule stores either):
 * such a channel may be shared with that vendor, so nothing about another vendor goes there.
 */
export async function vendorsOfChannel(deps: Pick<DomainDeps, 'db'>, channel: { id: string; name?: string }): Promise<string[]> {
  const refs = channel.name ? [channel.id, channel.name, `#${channel.name}`] : [channel.id];
  const rows = await deps.db.vendor.findMany({ where: { slackChannel: { in: refs } }, select: { key: true }, orderBy: { key: 'asc' } });
  return rows.map((r) => r.key);
}

/** Sets when (and where) a vendor's digest goes out; admins. Unchanged parts keep their value. */
export async function scheduleDigest(
  deps: DomainDeps,
  input: { actor: Actor; vendor: string; time: string; channel?: string; timeZone?: string; quiet?: string },
): Promise<DigestSchedule> {
  await requireRole(deps, input.actor, 'admin', 'schedule a vendor digest');
  if (!HHMM.test(input.time))
    throw badInput(`\`${input.time}\` is not a time of day: write it HH:MM, 24-hour (00:00–23:59).`, SCHEDULE_EXAMPLE);
  if (input.timeZone !== undefined && !isTimeZone(input.timeZone))
    throw badInput(`\`${input.timeZone}\` is not a known time zone: use an IANA name such as \`Europe/Dublin\`.`, SCHEDULE_EXAMPLE);
  if (input.quiet !== undefined && input.quiet !== 'one_line' && input.quiet !== 'none')
    throw badInput(`\`quiet:${input.quiet}\` is not a quiet-day setting: use \`quiet:one_line\` or \`quiet:none\`.`, SCHEDULE_EXAMPLE);
  const vendor = await findVendor(deps, input.vendor, SCHEDULE_EXAMPLE);
  if (input.channel !== undefined) {
    // A vendor's channel is often shared with that vendor: never let two vendors share one, nor take the
    // vendor-ops channel, where the overview compares every vendor.
    if (input.channel === deps.channels.vendorOps)
      throw badInput(
        `The vendor-ops channel gets the overview, which ranks every vendor: give ${vendor.key} a channel of its own.`,
        SCHEDULE_EXAMPLE,
      );
    const other = await deps.db.vendor.findFirst({ where: { slackChannel: input.channel, NOT: { id: vendor.id } } });
    if (other)
      throw badInput(
        `That channel already gets ${other.key}'s digest; vendor channels may be shared with the vendor, so each vendor needs its own.`,
        SCHEDULE_EXAMPLE,
      );
  }
  const before: DigestSchedule = {
    vendor: vendor.key,
    time: vendor.digestTime,
    timeZone: vendor.timezone,
    channel: vendor.slackChannel,
    quiet: vendor.digestQuiet,
  };
  const after: DigestSchedule = {
    vendor: vendor.key,
    time: input.time,
    timeZone: input.timeZone ?? vendor.timezone,
    channel: input.channel ?? vendor.slackChannel,
    quiet: (input.quiet as QuietSetting | undefined) ?? vendor.digestQuiet,
  };
  await deps.db.$transaction(async (tx) => {
    await tx.vendor.update({
      where: { id: vendor.id },
      data: { digestTime: after.time, timezone: after.timeZone, slackChannel: after.channel, digestQuiet: after.quiet },
    });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'digest.schedule',
      entityType: 'vendor',
      entityId: String(vendor.id),
      before,
      after,
      at: deps.clock.now(),
    });
  });
  return after;
}

/** Sets a queue's reviewer minutes per case (the digest's reviewer-hours); admins. */
export async function setQueueMinutes(
  deps: DomainDeps,
  input: { actor: Actor; queue: string; minutes: number },
): Promise<{ queue: string; minutes: number; before: number | null }> {
  await requireRole(deps, input.actor, 'admin', 'change a queue setting');
  if (!Number.isInteger(input.minutes) || input.minutes < 1 || input.minutes > MAX_MINUTES_PER_CASE)
    throw badInput(`Minutes per case are a whole number from 1 to ${MAX_MINUTES_PER_CASE}.`, QUEUE_SET_EXAMPLE);
  const queue = await deps.db.queue.findUnique({ where: { key: input.queue } });
  if (!queue) {
    const known = await deps.db.queue.findMany({ select: { key: true }, orderBy: { key: 'asc' }, take: 30 });
    throw badInput(`There is no queue \`${input.queue}\`. Queues: ${known.map((q) => `\`${q.key}\``).join(', ')}.`, QUEUE_SET_EXAMPLE);
  }
  await deps.db.$transaction(async (tx) => {
    await tx.queue.update({ where: { id: queue.id }, data: { minutesPerCase: input.minutes } });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'queue.minutes_per_case',
      entityType: 'queue',
      entityId: String(queue.id),
      before: { minutesPerCase: queue.minutesPerCase },
      after: { minutesPerCase: input.minutes },
      at: deps.clock.now(),
    });
  });
  return { queue: queue.key, minutes: input.minutes, before: queue.minutesPerCase };
}

/**
 * A vendor's digest for a local date (by default the previous local day in its zone) exactly as the job
 * would build it, written nowhere: no ledger row, no outbox row, no audit event.
 */
export async function previewDigest(
  deps: DomainDeps,
  input: { vendor: string; date?: string },
): Promise<{ card: Scorecard; quiet: QuietSetting; channel: string }> {
  const vendor = await findVendor(deps, input.vendor, PREVIEW_EXAMPLE);
  const today = localDate(deps.clock.now(), vendor.timezone);
  const date = input.date ?? previousLocalDate(deps.clock.now(), vendor.timezone);
  if (dayNumberOf(date) === undefined)
    throw badInput(`\`${date}\` is not a date: write it YYYY-MM-DD (the vendor's local day).`, PREVIEW_EXAMPLE);
  if (date > today) throw badInput(`${date} has not begun yet in ${vendor.timezone} (today there is ${today}).`, PREVIEW_EXAMPLE);
  const card = await vendorScorecard(deps, vendor.key, { from: date, to: date });
  return { card, quiet: vendor.digestQuiet, channel: vendor.slackChannel ?? deps.channels.vendorOps };
}

/** A vendor's scorecard over a range in the metrics' grammar (`last 7d`, `2026-11`…), in the vendor's zone; yesterday by default. */
export async function vendorRangeScorecard(deps: DomainDeps, input: { vendor: string; range?: string }): Promise<Scorecard> {
  const vendor = await findVendor(deps, input.vendor, VENDOR_EXAMPLE);
  const now = deps.clock.now();
  const text = input.range?.trim() || 'yesterday';
  let period: { from: string; to: string };
  try {
    period = periodOfRange(parseRange(text, { now, timeZone: vendor.timezone }));
  } catch (err) {
    throw badInput(`${(err as Error).message.replace(/\s*Examples?:[\s\S]*$/, '')}`, VENDOR_EXAMPLE);
  }
  // A period still running ends today: days not begun yet would only dilute the averages.
  const today = localDate(now, vendor.timezone);
  return vendorScorecard(deps, vendor.key, { from: period.from, to: [period.to, today].sort()[0]! });
}
