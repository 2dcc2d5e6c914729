import type { Tx } from '../../db/client';
import { enqueueAlerts, type NewAlert } from '../alerts/outbox';
import type { DomainDeps } from '../deps';
import { type BusinessCalendar, parseCalendar } from './calendar';
import { type OpenSlaState, overrunAt, parseSlaState, SLA_TARGETS, type SlaTarget } from './state';

/**
 * The SLA scan: finds the cases whose SLA state moved since the last scan, records the new states
 * and queues their alerts in the same transaction.
 *
 * - A target not completed whose at-risk or due instant has passed while its stored state is behind
 *   → `at_risk` / `breached`, with an `sla_at_risk` / `sla_breach` alert to the SLA channel and the
 *   vendor's channel (one per case × target × state × channel, by dedupe key).
 * - More than `stormThreshold` cases of one queue crossing into the same state for the same target in
 *   one scan → one `sla_rollup` alert per channel instead.
 * - A completed target whose stored state is still open → `met` / `missed`; its alerts already posted
 *   (or still waiting) get the outcome merged in and go back to the outbox, to be edited in place.
 * - An `sla_breach` posted more than `renotifyAfterMs` ago and not acknowledged → one `sla_renotify`
 *   to the escalation channel.
 *
 * Every candidate is found through an index range (see the cases indexes in schema.prisma) and locked
 * with FOR UPDATE SKIP LOCKED, so two scans running at once never act on a case twice.
 */

export type ScanDeps = Pick<DomainDeps, 'db' | 'channels' | 'alertsQueued'>;

export type ScanOptions = {
  /** Cases per transaction. */
  batchSize?: number;
  /** Batch transactions at once (they touch disjoint cases): Postgres writes the indexes of one while the next is prepared. */
  concurrency?: number;
  /** More than this many cases of one queue crossing together post one roll-up instead. */
  stormThreshold?: number;
  /** An unacknowledged breach posted this long ago is re-notified to the escalation channel, once. */
  renotifyAfterMs?: number;
};

export type ScanResult = {
  atRisk: number;
  breached: number;
  met: number;
  missed: number;
  /** Alert rows written (per-case alerts, roll-ups and re-notifications, every channel). */
  alertsQueued: number;
  rollups: number;
  renotified: number;
  /** Posted or waiting alerts queued again to show an outcome. */
  alertsUpdated: number;
  /** Completions left for the next scan because one of their alerts was being delivered just then. */
  deferred: number;
  batches: number;
};

export const SLA_ALERT_KINDS = ['sla_at_risk', 'sla_breach', 'sla_renotify'] as const;

const DEFAULTS = { batchSize: 5000, concurrency: 2, stormThreshold: 10, renotifyAfterMs: 30 * 60_000 };
const ROLLUP_CASE_IDS = 20;
const TX_OPTIONS = { maxWait: 30_000, timeout: 120_000 };

// Column names per target: the SQL below is written once and instantiated for each.
const COLUMNS = {
  first_action: { state: 'first_action_state', atRisk: 'first_action_at_risk_at', due: 'first_action_due_at', done: 'first_action_at' },
  resolution: { state: 'resolution_state', atRisk: 'resolution_at_risk_at', due: 'resolution_due_at', done: 'resolved_at' },
} as const satisfies Record<SlaTarget, Record<string, string>>;

/** Cases where a target's recorded state is behind at `$1`; each branch is a range of one of the scan's indexes. */
export function changedCasesWhere(): string {
  return SLA_TARGETS.flatMap((t) => {
    const c = COLUMNS[t];
    return [
      `(${c.state} = 'ok' AND ${c.atRisk} <= $1 AND ${c.done} IS NULL)`,
      `(${c.state} = 'at_risk' AND ${c.due} < $1 AND ${c.done} IS NULL)`,
      `(${c.state} IN ('ok', 'at_risk', 'breached') AND ${c.done} IS NOT NULL)`,
    ];
  }).join('\n    OR ');
}

/**
 * The state to record for a target at `now` (a placeholder): nextState(stored, stateAt(instants, now))
 * from state.ts, in SQL, so a batch records the new states with the statement that locks the cases.
 */
function recordedStateSql(t: SlaTarget, now: string): string {
  const c = COLUMNS[t];
  return `CASE WHEN ${c.state} IN ('met', 'missed') THEN ${c.state}
               WHEN ${c.done} IS NOT NULL THEN (CASE WHEN ${c.done} <= ${c.due} THEN 'met' ELSE 'missed' END)
               WHEN ${c.due} < ${now} THEN 'breached'
               WHEN ${c.state} = 'ok' AND ${c.atRisk} <= ${now} THEN 'at_risk'
               ELSE ${c.state} END`;
}

/** The single query that finds every case whose SLA state changed by `$1`. The benchmark's floor. */
export const CHANGED_CASES_SQL = `SELECT id, queue_id, first_action_state AS fa_old, resolution_state AS res_old,
       ${recordedStateSql('first_action', '$1')} AS fa_new,
       ${recordedStateSql('resolution', '$1')} AS res_new
  FROM cases
 WHERE ${changedCasesWhere()}`;

type Candidate = { id: number; queue_id: number; fa_old: string; res_old: string; fa_new: string; res_new: string };

/**
 * Locks the batch's cases (skipping any another scan holds), records their new states and returns
 * them with the old ones and what their alerts need. `$1`: case ids, `$2`: the scan instant.
 */
const RECORD_BATCH_SQL = `
WITH locked AS (
  SELECT id, first_action_state AS fa_old, resolution_state AS res_old
    FROM cases WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE SKIP LOCKED
), moved AS (
  UPDATE cases c
     SET first_action_state = ${recordedStateSql('first_action', '$2')},
         resolution_state = ${recordedStateSql('resolution', '$2')}
    FROM locked l
   -- id = ANY as well as the join, or the planner hash-joins the whole table to the locked rows.
   WHERE c.id = l.id AND c.id = ANY($1::int[])
     AND (${recordedStateSql('first_action', '$2')} <> c.first_action_state OR ${recordedStateSql('resolution', '$2')} <> c.resolution_state)
  RETURNING c.id, c.queue_id, c.priority, c.content_ref, c.opened_at, c.sla_policy_id, l.fa_old, l.res_old,
            c.first_action_state AS fa_new, c.first_action_at_risk_at, c.first_action_due_at, c.first_action_at,
            c.resolution_state AS res_new, c.resolution_at_risk_at, c.resolution_due_at, c.resolved_at
)
SELECT m.*, q.key AS queue, v.key AS vendor, v.slack_channel AS vendor_channel, p.version AS policy_version
  FROM moved m JOIN queues q ON q.id = m.queue_id JOIN vendors v ON v.id = q.vendor_id JOIN sla_policies p ON p.id = m.sla_policy_id
 ORDER BY m.id`;

type CaseRow = {
  id: number;
  queue_id: number;
  queue: string;
  vendor: string;
  vendor_channel: string | null;
  priority: string;
  content_ref: string;
  opened_at: Date;
  sla_policy_id: number;
  policy_version: number;
  fa_old: string;
  fa_new: string;
  first_action_at_risk_at: Date;
  first_action_due_at: Date;
  first_action_at: Date | null;
  res_old: string;
  res_new: string;
  resolution_at_risk_at: Date;
  resolution_due_at: Date;
  resolved_at: Date | null;
};

type Crossing = { row: CaseRow; target: SlaTarget; state: OpenSlaState };

export async function scanSla(deps: ScanDeps, now: Date, opts: ScanOptions = {}): Promise<ScanResult> {
  const o = { ...DEFAULTS, ...opts };
  const result: ScanResult = {
    atRisk: 0,
    breached: 0,
    met: 0,
    missed: 0,
    alertsQueued: 0,
    rollups: 0,
    renotified: 0,
    alertsUpdated: 0,
    deferred: 0,
    batches: 0,
  };
  const calendars = new CalendarCache();

  // 1. Every case that changed, without locks: enough to count storms over the whole scan and to cut
  //    batches at queue boundaries, so a queue's crossings roll up together.
  const candidates = await deps.db.$queryRawUnsafe<Candidate[]>(CHANGED_CASES_SQL, now);
  const crossingsPerGroup = new Map<string, number>();
  for (const c of candidates) {
    for (const [target, from, to] of [
      ['first_action', c.fa_old, c.fa_new],
      ['resolution', c.res_old, c.res_new],
    ] as const) {
      if (to !== from && (to === 'at_risk' || to === 'breached')) {
        const key = groupKey(c.queue_id, target, to);
        crossingsPerGroup.set(key, (crossingsPerGroup.get(key) ?? 0) + 1);
      }
    }
  }
  const storms = new Set([...crossingsPerGroup].filter(([, n]) => n > o.stormThreshold).map(([k]) => k));

  // 2. Batches: one transaction each, cases locked and re-read, so a case another scan already moved is left alone.
  const batches = batchesByQueue(candidates, o.batchSize);
  let failed = false;
  const worker = async () => {
    for (let ids = batches.shift(); ids && !failed; ids = batches.shift()) {
      const queued = await deps.db
        .$transaction((tx) => applyBatch(tx, deps, now, o, ids, storms, calendars, result), TX_OPTIONS)
        .catch((err: unknown) => {
          failed = true;
          throw err;
        });
      result.batches++;
      if (queued) deps.alertsQueued();
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(o.concurrency, batches.length)) }, worker));
  // Committed batches stay committed; the cases of a failed one are found again by the next scan.
  const failure = settled.find((x) => x.status === 'rejected');
  if (failure) throw failure.reason;

  // 3. Breaches nobody acknowledged.
  for (;;) {
    const { seen, queued } = await deps.db.$transaction((tx) => renotifyBatch(tx, deps, now, o, result), TX_OPTIONS);
    if (queued) deps.alertsQueued();
    if (seen < o.batchSize) break;
  }
  return result;
}

function groupKey(queueId: number, target: SlaTarget, state: OpenSlaState): string {
  return `${queueId}:${target}:${state}`;
}

/** Case ids in batches of about `size`, a queue's cases kept together unless the queue alone is larger. */
export function batchesByQueue(candidates: readonly { id: number; queue_id: number }[], size: number): number[][] {
  const byQueue = new Map<number, number[]>();
  for (const c of candidates) {
    const ids = byQueue.get(c.queue_id);
    if (ids) ids.push(c.id);
    else byQueue.set(c.queue_id, [c.id]);
  }
  const batches: number[][] = [];
  let current: number[] = [];
  for (const ids of byQueue.values()) {
    if (current.length && current.length + ids.length > size) {
      batches.push(current);
      current = [];
    }
    for (let i = 0; i < ids.length; i += size) {
      const part = ids.slice(i, i + size);
      if (part.length === size) batches.push(part);
      else current.push(...part);
    }
  }
  if (current.length) batches.push(current);
  return batches;
}

/** Returns whether alerts were queued or re-queued. */
async function applyBatch(
  tx: Tx,
  deps: ScanDeps,
  now: Date,
  o: typeof DEFAULTS,
  ids: readonly number[],
  storms: ReadonlySet<string>,
  calendars: CalendarCache,
  result: ScanResult,
): Promise<boolean> {
  const rows = await tx.$queryRawUnsafe<CaseRow[]>(RECORD_BATCH_SQL, ids, now);
  const crossings: Crossing[] = [];
  const completions: { row: CaseRow; target: SlaTarget; state: 'met' | 'missed' }[] = [];
  for (const row of rows) {
    for (const target of SLA_TARGETS) {
      const [from, to] = target === 'first_action' ? [row.fa_old, row.fa_new] : [row.res_old, row.res_new];
      if (to === from) continue;
      const state = parseSlaState(to);
      if (state === 'met' || state === 'missed') completions.push({ row, target, state });
      else if (state === 'at_risk' || state === 'breached') crossings.push({ row, target, state });
    }
  }

  // Completions: the alerts already about this case × target show the outcome, edited in place.
  let updated = 0;
  if (completions.length) {
    const alerts = await tx.$queryRawUnsafe<{ id: number; entity_id: string; target: string; status: string }[]>(
      `SELECT id, entity_id, message->>'target' AS target, status::text AS status FROM alerts
        WHERE entity_type = 'case' AND entity_id = ANY($1::text[]) AND kind = ANY($2::text[])
          AND status IN ('pending', 'sending', 'sent')
        ORDER BY id FOR UPDATE`,
      [...new Set(completions.map((c) => String(c.row.id)))],
      SLA_ALERT_KINDS,
    );
    const byCaseTarget = new Map<string, typeof alerts>();
    for (const a of alerts) {
      const key = `${a.entity_id}:${a.target}`;
      byCaseTarget.set(key, [...(byCaseTarget.get(key) ?? []), a]);
    }
    await calendars.load(
      tx,
      completions.filter((c) => byCaseTarget.has(`${c.row.id}:${c.target}`)).map((c) => c.row.sla_policy_id),
    );
    const deferred: typeof completions = [];
    const patchIds: number[] = [];
    const patches: string[] = [];
    for (const c of completions) {
      const family = byCaseTarget.get(`${c.row.id}:${c.target}`) ?? [];
      if (family.some((a) => a.status === 'sending')) {
        // The delivery worker is posting one of them right now and would overwrite a re-queue with
        // "sent": leave this completion to the next scan, when the card has its ts.
        deferred.push(c);
        continue;
      }
      result[c.state]++;
      if (family.length === 0) continue;
      const t = instantsOf(c.row, c.target);
      const calendar = calendars.get(c.row.sla_policy_id);
      const overrun = c.state === 'missed' ? overrunAt(t.dueAt, t.completedAt!, calendar) : undefined;
      const patch = JSON.stringify({
        outcome: c.state,
        completedAt: t.completedAt!.toISOString(),
        overrunMinutes: overrun?.overrunMinutes ?? 0,
        overrunWallMinutes: overrun?.overrunWallMinutes ?? 0,
      });
      for (const a of family) {
        patchIds.push(a.id);
        patches.push(patch);
      }
    }
    if (patchIds.length) {
      updated = await tx.$executeRawUnsafe(
        `UPDATE alerts a SET message = a.message || t.patch, status = 'pending', next_attempt_at = $3::timestamptz,
                attempts = 0, last_error = NULL, renotify_at = NULL
           FROM unnest($1::int[], $2::jsonb[]) AS t(id, patch)
          WHERE a.id = t.id AND a.id = ANY($1::int[])`,
        patchIds,
        patches,
        now,
      );
      result.alertsUpdated += updated;
    }
    for (const c of deferred) {
      await tx.$executeRawUnsafe(
        `UPDATE cases SET ${COLUMNS[c.target].state} = $2 WHERE id = $1`,
        c.row.id,
        c.target === 'first_action' ? c.row.fa_old : c.row.res_old,
      );
      result.deferred++;
    }
  }

  // Crossings: one alert per case × target × state × channel, or one roll-up per storming queue.
  const alerts: NewAlert[] = [];
  const rollups = new Map<string, Crossing[]>();
  for (const x of crossings) {
    if (x.state === 'at_risk') result.atRisk++;
    else result.breached++;
    const key = groupKey(x.row.queue_id, x.target, x.state);
    if (storms.has(key)) rollups.set(key, [...(rollups.get(key) ?? []), x]);
    else alerts.push(...caseAlerts(deps, x, new Date(now.getTime() + o.renotifyAfterMs)));
  }
  await calendars.load(
    tx,
    [...rollups.values()].flatMap((g) => (g[0]!.state === 'breached' ? g.map((x) => x.row.sla_policy_id) : [])),
  );
  for (const group of rollups.values()) {
    alerts.push(...rollupAlerts(deps, now, group, calendars));
    result.rollups++;
  }

  const inserted = await enqueueAlerts(tx, alerts, now);
  result.alertsQueued += inserted;
  return inserted + updated > 0;
}

function instantsOf(row: CaseRow, target: SlaTarget): { atRiskAt: Date; dueAt: Date; completedAt: Date | null } {
  return target === 'first_action'
    ? { atRiskAt: row.first_action_at_risk_at, dueAt: row.first_action_due_at, completedAt: row.first_action_at }
    : { atRiskAt: row.resolution_at_risk_at, dueAt: row.resolution_due_at, completedAt: row.resolved_at };
}

/** The SLA channel, and the vendor's own channel when it has one. */
function channelsFor(deps: ScanDeps, row: CaseRow): string[] {
  return [...new Set([deps.channels.sla, ...(row.vendor_channel ? [row.vendor_channel] : [])])];
}

/** A breach's alerts arm their one re-notification (`renotifyAt`) on the rows this scan writes; a key written before keeps its history. */
function caseAlerts(deps: ScanDeps, x: Crossing, renotifyAt: Date): NewAlert[] {
  const { row, target, state } = x;
  const message = {
    caseId: row.id,
    queue: row.queue,
    vendor: row.vendor,
    priority: row.priority,
    target,
    state,
    openedAt: row.opened_at.toISOString(),
    dueAt: instantsOf(row, target).dueAt.toISOString(),
    contentRef: row.content_ref,
    policyVersion: row.policy_version,
  };
  return channelsFor(deps, row).map((channel) => ({
    kind: state === 'breached' ? 'sla_breach' : 'sla_at_risk',
    dedupeKey: `sla:${row.id}:${target}:${state}:${channel}`,
    channel,
    message,
    entityType: 'case',
    entityId: String(row.id),
    ...(state === 'breached' ? { renotifyAt } : {}),
  }));
}

function rollupAlerts(deps: ScanDeps, now: Date, group: Crossing[], calendars: CalendarCache): NewAlert[] {
  const { row: first, target, state } = group[0]!;
  const sorted = [...group].sort((a, b) => a.row.opened_at.getTime() - b.row.opened_at.getTime() || a.row.id - b.row.id);
  const oldest = sorted[0]!.row;
  // The business time past due is largest for the earliest due instant on each calendar.
  let worstOverrunMinutes = 0;
  if (state === 'breached') {
    const earliest = new Map<number, Date>();
    for (const { row } of group) {
      const due = instantsOf(row, target).dueAt;
      const seen = earliest.get(row.sla_policy_id);
      if (!seen || due < seen) earliest.set(row.sla_policy_id, due);
    }
    for (const [policyId, due] of earliest) {
      worstOverrunMinutes = Math.max(worstOverrunMinutes, overrunAt(due, now, calendars.get(policyId)).overrunMinutes);
    }
  }
  const message = {
    queue: first.queue,
    vendor: first.vendor,
    target,
    state,
    count: group.length,
    oldestCaseId: oldest.id,
    oldestOpenedAt: oldest.opened_at.toISOString(),
    worstOverrunMinutes,
    caseIds: sorted.slice(0, ROLLUP_CASE_IDS).map((x) => x.row.id),
  };
  // The lowest case id tells apart the parts of a queue's storm that two batches or two scans took.
  const lowest = Math.min(...group.map((x) => x.row.id));
  return channelsFor(deps, first).map((channel) => ({
    kind: 'sla_rollup',
    dedupeKey: `sla:rollup:${first.queue}:${target}:${state}:${now.toISOString()}:${lowest}:${channel}`,
    channel,
    message,
    entityType: 'queue',
    entityId: String(first.queue_id),
  }));
}

type RenotifyRow = {
  id: number;
  entity_id: string;
  message: Record<string, unknown>;
  status: string;
  sent_at: Date | null;
  case_state: string | null;
  acknowledged: boolean;
};

/** One batch of breach alerts due for re-notification. Every row read has its renotify_at cleared. */
async function renotifyBatch(
  tx: Tx,
  deps: ScanDeps,
  now: Date,
  o: typeof DEFAULTS,
  result: ScanResult,
): Promise<{ seen: number; queued: boolean }> {
  const rows = await tx.$queryRawUnsafe<RenotifyRow[]>(
    `SELECT a.id, a.entity_id, a.message, a.status::text AS status, a.sent_at,
            CASE a.message->>'target' WHEN 'first_action' THEN c.first_action_state WHEN 'resolution' THEN c.resolution_state END AS case_state,
            EXISTS (SELECT 1 FROM alerts b
                     WHERE b.entity_type = 'case' AND b.entity_id = a.entity_id AND b.kind = ANY($4::text[])
                       AND b.message->>'target' = a.message->>'target' AND b.acknowledged_at IS NOT NULL) AS acknowledged
       FROM alerts a LEFT JOIN cases c ON c.id = a.entity_id::int
      WHERE a.renotify_at <= $1::timestamptz
        AND (a.status = 'failed' OR (a.status = 'sent' AND a.sent_at <= $2::timestamptz))
      ORDER BY a.renotify_at, a.id
      LIMIT $3
        FOR UPDATE OF a SKIP LOCKED`,
    now,
    new Date(now.getTime() - o.renotifyAfterMs),
    o.batchSize,
    SLA_ALERT_KINDS,
  );
  if (rows.length === 0) return { seen: 0, queued: false };
  await tx.$executeRawUnsafe(
    'UPDATE alerts SET renotify_at = NULL WHERE id = ANY($1::int[])',
    rows.map((r) => r.id),
  );
  // A failed post was never seen; an acknowledged or completed breach needs no reminder.
  const due = new Map<string, RenotifyRow[]>();
  for (const r of rows) {
    if (r.status !== 'sent' || r.acknowledged || r.case_state !== 'breached') continue;
    const key = `${r.entity_id}:${String(r.message.target)}`;
    due.set(key, [...(due.get(key) ?? []), r]);
  }
  const alerts: NewAlert[] = [...due.values()].map((family) => {
    const first = family.reduce((a, b) => (b.sent_at! < a.sent_at! ? b : a));
    return {
      kind: 'sla_renotify',
      dedupeKey: `sla:renotify:${first.entity_id}:${String(first.message.target)}`,
      channel: deps.channels.escalation,
      message: { ...first.message, firstPostedAt: first.sent_at!.toISOString() },
      entityType: 'case',
      entityId: first.entity_id,
    };
  });
  const inserted = await enqueueAlerts(tx, alerts, now);
  result.renotified += inserted;
  result.alertsQueued += inserted;
  return { seen: rows.length, queued: inserted > 0 };
}

/** Each policy's calendar, loaded the first time an overrun needs it (most scans need none). */
class CalendarCache {
  private readonly byPolicy = new Map<number, BusinessCalendar>();
  /** One object per calendar, so the calendar math compiles it once. */
  private readonly byId = new Map<number, BusinessCalendar>();

  async load(tx: Tx, policyIds: readonly number[]): Promise<void> {
    const missing = [...new Set(policyIds)].filter((id) => !this.byPolicy.has(id));
    if (missing.length === 0) return;
    const policies = await tx.slaPolicy.findMany({ where: { id: { in: missing } }, select: { id: true, calendarId: true } });
    const calendarIds = [...new Set(policies.map((p) => p.calendarId))].filter((id) => !this.byId.has(id));
    if (calendarIds.length) {
      const rows = await tx.businessCalendar.findMany({ where: { id: { in: calendarIds } }, include: { holidays: true } });
      for (const r of rows) this.byId.set(r.id, parseCalendar(r));
    }
    for (const p of policies) this.byPolicy.set(p.id, this.byId.get(p.calendarId)!);
  }

  get(policyId: number): BusinessCalendar {
    const calendar = this.byPolicy.get(policyId);
    if (!calendar) throw new Error(`the calendar of SLA policy ${policyId} was not loaded`);
    return calendar;
  }
}
