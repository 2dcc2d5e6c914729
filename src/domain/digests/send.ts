import { TX_OPTIONS, type Tx } from '../../db/client';
import { enqueueAlerts } from '../alerts/outbox';
import type { DomainDeps } from '../deps';
import { type Plan, planDigest } from './schedule';
import { type Scorecard, scorecards } from './scorecard';

/**
 * Sends the daily digests, exactly once per subject (a vendor, or the overview) and local day, across
 * restarts and replicas. Each run (every minute, and at start-up) plans from the ledger (digest_ledger):
 * a subject whose latest due day is not in it gets that day's digest, marked late when past its time, with
 * the days in between (downtime) recorded as missed and listed under it rather than sent one by one.
 *
 * The figures are read first (outside any transaction, on the analytics copy); then one transaction
 * claims the day in the ledger (unique subject, date, kind: a replica that lost the race rolls back and
 * sends nothing) and queues the message in the alert outbox, whose delivery posts it once. The digest's
 * thread file (the vendor's chart, the overview's CSV) is marked pending on the same row: files.ts sends it
 * once the message is posted.
 *
 * A vendor digest goes to the vendor's own channel (often shared with the vendor through Slack Connect:
 * the message carries that vendor's figures only, never another vendor nor a rank), or to the vendor-ops
 * channel when it has none. The overview, which ranks vendors, goes to the vendor-ops channel only.
 */

export type QuietSetting = 'one_line' | 'none';
export const OVERVIEW = 'overview';
export const subjectOf = (vendorId: number) => `vendor:${vendorId}`;

/** The outbox payload of a vendor digest: its scorecard (series included, for the chart) and how to render it. */
export type VendorDigestData = {
  card: Scorecard;
  quietDays: QuietSetting;
  lateSentAt?: Date;
  missedDays?: string[];
};
/** The outbox payload of the overview: every vendor's card for the day (no series: the overview draws no chart). */
export type OverviewDigestData = { cards: Scorecard[]; lateSentAt?: Date; missedDays?: string[] };

export const DIGEST_KIND = 'digest';
export const OVERVIEW_KIND = 'digest_overview';

export type DigestRunDeps = Pick<DomainDeps, 'db' | 'analytics' | 'clock' | 'log' | 'channels' | 'timeZone' | 'alertsQueued'> & {
  /** The overview's HH:MM in the reporting zone (TRUSTOPS_DIGEST_TIME). */
  overviewTime: string;
  /** Told the cards of the vendor digests just queued with a chart, so their charts can be drawn meanwhile. */
  chartsQueued?: (cards: Scorecard[]) => void;
};

export type DigestRunResult = { sent: string[]; quiet: string[]; lost: string[] };

type VendorRow = {
  id: number;
  key: string;
  timezone: string;
  slack_channel: string | null;
  digest_time: string;
  digest_quiet: QuietSetting;
};

/** Sends every digest due at `now` that the ledger does not hold yet. */
export async function runDigests(deps: DigestRunDeps, now: Date = deps.clock.now()): Promise<DigestRunResult> {
  const result: DigestRunResult = { sent: [], quiet: [], lost: [] };
  const vendors = await deps.db.$queryRawUnsafe<VendorRow[]>(
    'SELECT id, key, timezone, slack_channel, digest_time, digest_quiet::text AS digest_quiet FROM vendors ORDER BY key',
  );
  const last = await lastSent(deps.db);
  // Vendors due for the same date are read together: the scorecard reads one set of statements per zone,
  // so fifty vendors in three zones cost three reads, not fifty.
  const due = new Map<string, { v: VendorRow; plan: Plan }[]>();
  for (const v of vendors) {
    const plan = planDigest(now, v.timezone, v.digest_time, last.get(subjectOf(v.id)) ?? null);
    if (plan) due.set(plan.date, [...(due.get(plan.date) ?? []), { v, plan }]);
  }
  for (const [date, group] of due) {
    let cards: Map<string, Scorecard>;
    try {
      const read = await scorecards(deps, { from: date, to: date, vendorKeys: group.map((g) => g.v.key) });
      cards = new Map(read.map((c) => [c.vendor.key, c]));
    } catch (err) {
      deps.log.error('vendor digests failed', { date, vendors: group.map((g) => g.v.key), err });
      continue;
    }
    const claims = group.map(({ v, plan }) => vendorClaim(deps, v, plan, now, cards.get(v.key)!));
    try {
      const won = await claimAndQueue(deps, claims);
      for (const c of claims) result[!won.has(c.subject) ? 'lost' : c.alert ? 'sent' : 'quiet'].push(`${c.label} ${c.plan.date}`);
      const charted = claims.filter((c) => won.has(c.subject) && c.alert?.file === 'chart');
      if (charted.length) deps.chartsQueued?.(charted.map((c) => (c.alert!.message as VendorDigestData).card));
    } catch (err) {
      deps.log.error('vendor digests failed', { date, vendors: group.map((g) => g.v.key), err });
    }
  }
  const plan = planDigest(now, deps.timeZone, deps.overviewTime, last.get(OVERVIEW) ?? null);
  if (plan && vendors.length) {
    const outcome = await sendOverview(deps, plan, now);
    result[outcome].push(`${OVERVIEW} ${plan.date}`);
  }
  return result;
}

async function lastSent(db: DigestRunDeps['db']): Promise<Map<string, string>> {
  const rows = await db.$queryRawUnsafe<{ subject: string; last: string }[]>(
    `SELECT subject, to_char(max(local_date), 'YYYY-MM-DD') AS last FROM digest_ledger GROUP BY subject`,
  );
  return new Map(rows.map((r) => [r.subject, r.last]));
}

type Claim = {
  subject: string;
  /** For logs and results: the vendor key, or "overview". */
  label: string;
  vendorId: number | null;
  kind: 'vendor' | 'overview';
  plan: Plan;
  now: Date;
  alert?: { kind: string; channel: string; message: VendorDigestData | OverviewDigestData; file?: 'chart' | 'csv' };
};

function vendorClaim(deps: DigestRunDeps, v: VendorRow, plan: Plan, now: Date, card: Scorecard): Claim {
  const silent = card.quiet && v.digest_quiet === 'none' && plan.missed.length === 0;
  const data: VendorDigestData = {
    card,
    quietDays: v.digest_quiet,
    ...(plan.late ? { lateSentAt: now } : {}),
    ...(plan.missed.length ? { missedDays: plan.missed } : {}),
  };
  return {
    subject: subjectOf(v.id),
    label: v.key,
    vendorId: v.id,
    kind: 'vendor',
    plan,
    now,
    alert: silent
      ? undefined
      : { kind: DIGEST_KIND, channel: v.slack_channel ?? deps.channels.vendorOps, message: data, file: card.quiet ? undefined : 'chart' },
  };
}

async function sendOverview(deps: DigestRunDeps, plan: Plan, now: Date): Promise<'sent' | 'lost'> {
  const cards = await scorecards(deps, { from: plan.date, to: plan.date, timeZone: deps.timeZone, series: false });
  const data: OverviewDigestData = {
    cards,
    ...(plan.late ? { lateSentAt: now } : {}),
    ...(plan.missed.length ? { missedDays: plan.missed } : {}),
  };
  const won = await claimAndQueue(deps, [
    {
      subject: OVERVIEW,
      label: OVERVIEW,
      vendorId: null,
      kind: 'overview',
      plan,
      now,
      alert: { kind: OVERVIEW_KIND, channel: deps.channels.vendorOps, message: data, file: 'csv' },
    },
  ]);
  return won.has(OVERVIEW) ? 'sent' : 'lost';
}

/**
 * In one transaction: each day's ledger row (the claim), rows for its missed days, and the messages in the
 * outbox, for the claims this process won; a day another process claimed first is skipped (its row is
 * theirs). Rows are inserted in subject order, so two processes claiming overlapping sets wait on each other
 * rather than deadlock. Returns the subjects won.
 */
async function claimAndQueue(deps: DigestRunDeps, claims: readonly Claim[]): Promise<Set<string>> {
  const sorted = [...claims].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
  if (!sorted.length) return new Set();
  const now = sorted[0]!.now.toISOString();
  const won = await deps.db.$transaction(async (tx: Tx) => {
    const rows = await tx.$queryRawUnsafe<{ id: number; subject: string }[]>(
      `INSERT INTO digest_ledger (subject, vendor_id, local_date, kind, outcome, file_kind, file_status, claimed_at)
       SELECT s, v, d, k, o, fk, fs, $8::timestamptz
         FROM unnest($1::text[], $2::int[], $3::date[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS t(s, v, d, k, o, fk, fs, n)
        ORDER BY n
       ON CONFLICT (subject, local_date, kind) DO NOTHING RETURNING id, subject`,
      sorted.map((c) => c.subject),
      sorted.map((c) => c.vendorId),
      sorted.map((c) => c.plan.date),
      sorted.map((c) => c.kind),
      sorted.map((c) => (!c.alert ? 'quiet' : c.plan.late ? 'late' : 'sent')),
      sorted.map((c) => c.alert?.file ?? null),
      sorted.map((c) => (c.alert?.file ? 'pending' : null)),
      now,
    );
    const ids = new Map(rows.map((r) => [r.subject, r.id]));
    const mine = sorted.filter((c) => ids.has(c.subject));
    const missed = mine.flatMap((c) => c.plan.missed.map((d) => ({ c, d })));
    if (missed.length) {
      await tx.$executeRawUnsafe(
        `INSERT INTO digest_ledger (subject, vendor_id, local_date, kind, outcome, claimed_at)
         SELECT s, v, d, k, 'missed', $5::timestamptz FROM unnest($1::text[], $2::int[], $3::date[], $4::text[]) AS t(s, v, d, k)
         ON CONFLICT (subject, local_date, kind) DO NOTHING`,
        missed.map((m) => m.c.subject),
        missed.map((m) => m.c.vendorId),
        missed.map((m) => m.d),
        missed.map((m) => m.c.kind),
        now,
      );
    }
    const posting = mine.filter((c) => c.alert);
    await enqueueAlerts(
      tx,
      posting.map((c) => ({
        kind: c.alert!.kind,
        dedupeKey: `digest:${c.subject}:${c.plan.date}`,
        channel: c.alert!.channel,
        message: c.alert!.message as unknown as Record<string, unknown>,
        entityType: 'digest',
        entityId: String(ids.get(c.subject)),
      })),
      sorted[0]!.now,
    );
    if (posting.length) {
      await tx.$executeRawUnsafe(
        `UPDATE digest_ledger d SET alert_id = a.id FROM alerts a
          WHERE a.entity_type = 'digest' AND a.entity_id = d.id::text AND d.id = ANY($1::int[])`,
        posting.map((c) => ids.get(c.subject)),
      );
    }
    return new Set(mine.map((c) => c.subject));
  }, TX_OPTIONS);
  if (won.size) deps.alertsQueued();
  return won;
}
