import { Client } from 'pg';
import { openDatabase } from '../src/db/client';
import { CHANGED_CASES_SQL, changedCasesWhere, scanSla } from '../src/domain/sla/scan';
import { machine } from './machine';
import type { BenchResult } from './run';
import { scratchDatabase } from './support';

const CASES = Number(process.env.BENCH_SLA_CASES ?? 1_000_000);
const QUEUES = 2000;
const VENDORS = 200;
/** The scan instant; every case is laid out around it. */
const SCAN_AT = new Date('2026-11-27T12:00:00Z');
const CHANNELS = { sla: 'trustops-sla', escalation: 'trustops-escalations', copyright: 'cr', triage: 'triage', vendorOps: 'vo' };

/** Vendors (every other one with its own channel), queues, one policy each, half of them on a business-hours calendar. */
async function setUp(c: Client): Promise<void> {
  await c.query(`INSERT INTO business_calendars (key, timezone, always_open, hours)
                 VALUES ('bench_9_to_5', 'UTC', false, '{"1":[["09:00","17:00"]],"2":[["09:00","17:00"]],"3":[["09:00","17:00"]],"4":[["09:00","17:00"]],"5":[["09:00","17:00"]]}')`);
  await c.query(`INSERT INTO vendors (key, name, slack_channel)
                 SELECT 'vendor_' || v, 'Vendor ' || v, CASE WHEN v % 2 = 0 THEN 'vendor-' || v END FROM generate_series(1, ${VENDORS}) v`);
  await c.query(`INSERT INTO queues (key, name, vendor_id)
                 SELECT 'queue_' || n, 'Queue ' || n, (SELECT id FROM vendors WHERE key = 'vendor_' || (1 + n % ${VENDORS}))
                   FROM generate_series(1, ${QUEUES}) n`);
  await c.query(`INSERT INTO sla_policies (queue_id, priority, version, first_action_minutes, resolution_minutes, at_risk_percent, calendar_id, effective_from)
                 SELECT q.id, 'normal', 1, 240, 2880, 75,
                        (SELECT id FROM business_calendars WHERE key = CASE WHEN q.id % 2 = 0 THEN 'bench_9_to_5' ELSE 'always_open' END),
                        '2020-01-01'
                   FROM queues q WHERE q.key LIKE 'queue_%'`);
  // The outbox's history.
  await c.query(`INSERT INTO alerts (kind, dedupe_key, channel, message, entity_type, entity_id, status, attempts, created_at, sent_at, slack_ts)
                 SELECT 'triage', 'triage:case:old-' || n, 'trustops-triage', '{"caseId": 0}', 'case', 'old-' || n, 'sent', 1,
                        now() - interval '30 days', now() - interval '30 days', '1700000000.' || n
                   FROM generate_series(1, 100000) n`);
}

/**
 * `count` open cases laid out around the instant `at`, by i % 1000 (first action: 4 h target, at risk after 3 h):
 *   0–3   ok → at risk            4–6   at risk → breached        7–8   ok → breached (missed the window)
 *   9     completed since the last scan, its breach alerts posted (to be edited in place)
 *   10–59 at risk, not yet due     60–109 breached backlog        the rest: ok, not yet at risk
 * so about 1 % of them cross a threshold at `at`. The crossings of the first 50,000 land in 10 queues
 * (storms, rolled up); elsewhere a queue gets a handful (one alert per case × channel). One breached
 * case in 5,000 has a breach alert posted 40 min before `at`, due for re-notification.
 */
async function insertCases(c: Client, prefix: string, count: number, at: Date): Promise<void> {
  const t = `$$${at.toISOString()}$$::timestamptz`;
  await c.query(`
    WITH base AS (
      SELECT i, i % 1000 AS r,
             CASE WHEN i % 1000 < 9 AND i < 50000 THEN 1 + i % 10 ELSE 1 + (i / 1000 + i) % ${QUEUES} END AS qn
        FROM generate_series(0, ${count - 1}) i
    ), laid AS (
      SELECT i, r, qn,
             CASE WHEN r < 4 THEN -200            -- at risk 20 min ago, due in 40 min
                  WHEN r < 9 THEN -250            -- due 10 min ago
                  WHEN r = 9 THEN -300            -- completed 20 min after its due time
                  WHEN r < 60 THEN -190
                  WHEN r < 110 THEN -600 - (i % 1500)
                  ELSE -170 + (i % 160000) END AS opened_min,
             CASE WHEN r BETWEEN 4 AND 6 OR r BETWEEN 10 AND 59 THEN 'at_risk'
                  WHEN r = 9 OR r BETWEEN 60 AND 109 THEN 'breached' ELSE 'ok' END AS fa_state
        FROM base
    )
    INSERT INTO cases (queue_id, sla_policy_id, priority, status, content_ref, opened_at, first_action_due_at, resolution_due_at,
                       first_action_at_risk_at, resolution_at_risk_at, first_action_state, resolution_state, updated_at)
    SELECT p.queue_id, p.id, 'normal', CASE WHEN l.r = 9 THEN 'in_review' ELSE 'queued' END::"CaseStatus", '${prefix}-' || l.i,
           o, o + interval '240 min', o + interval '2880 min', o + interval '180 min', o + interval '2160 min', l.fa_state, 'ok', o
      FROM laid l
      JOIN queues qu ON qu.key = 'queue_' || l.qn
      JOIN sla_policies p ON p.queue_id = qu.id
      CROSS JOIN LATERAL (SELECT ${t} + l.opened_min * interval '1 min' AS o) x`);
  // Breach alerts, posted when the cases breached: for the cases about to complete, and a few of the backlog.
  await c.query(`
    INSERT INTO alerts (kind, dedupe_key, channel, message, entity_type, entity_id, status, attempts, next_attempt_at,
                        slack_channel, slack_ts, created_at, sent_at, renotify_at)
    SELECT 'sla_breach', 'sla:' || c.id || ':first_action:breached:' || ch.channel, ch.channel,
           jsonb_build_object('caseId', c.id, 'queue', qu.key, 'vendor', v.key, 'priority', c.priority, 'target', 'first_action',
                              'state', 'breached', 'openedAt', c.opened_at, 'dueAt', c.first_action_due_at, 'contentRef', c.content_ref,
                              'policyVersion', 1),
           'case', c.id::text, 'sent', 1, c.first_action_due_at, 'C' || upper(ch.channel), '1764000000.' || c.id,
           c.first_action_due_at, c.first_action_due_at,
           CASE WHEN c.status = 'queued' THEN ${t} - interval '10 min' END
      FROM cases c JOIN queues qu ON qu.id = c.queue_id JOIN vendors v ON v.id = qu.vendor_id
      CROSS JOIN LATERAL (SELECT '${CHANNELS.sla}' AS channel UNION ALL SELECT v.slack_channel WHERE v.slack_channel IS NOT NULL) ch
     WHERE c.content_ref LIKE '${prefix}-%' AND c.first_action_state = 'breached'
       AND (c.status = 'in_review' OR c.id % 5000 = 81)`);
  await c.query(`UPDATE alerts SET sent_at = ${t} - interval '40 min' WHERE renotify_at = ${t} - interval '10 min'`);
  // The decisions recorded since the last scan: 20 min after the due time.
  await c.query(`UPDATE cases SET status = 'decided', first_action_at = first_action_due_at + interval '20 min',
                                  resolved_at = first_action_due_at + interval '20 min'
                  WHERE content_ref LIKE '${prefix}-%' AND status = 'in_review'`);
  await c.query('VACUUM ANALYZE cases');
  await c.query('VACUUM ANALYZE alerts');
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function slaScanBench(): Promise<BenchResult> {
  const scratch = await scratchDatabase('trustops_bench_sla');
  const pg = new Client({ connectionString: scratch.url });
  const db = await openDatabase({ databaseUrl: scratch.url, dataDir: '', poolSize: 4 });
  const deps = { db: db.prisma, channels: CHANNELS, alertsQueued: () => {} };
  try {
    await pg.connect();
    await setUp(pg);
    // A first scan in this process, over a small set of cases a month later, so the one that is
    // measured runs warm, as the every-minute job does (JIT, Prisma's query plans, pool connections).
    // Those cases stay put at the scan instant: their states never move backwards.
    const warmAt = new Date(SCAN_AT.getTime() + 30 * 86_400_000);
    await insertCases(pg, 'warm', 20_000, warmAt);
    const cold = await timed(() => scanSla(deps, warmAt));

    console.log(`inserting ${CASES.toLocaleString('en-US')} open cases…`);
    const setup = await timed(() => insertCases(pg, 'bench', CASES, SCAN_AT));
    console.log(`  ${(setup.ms / 1000).toFixed(1)} s`);

    // The floor: the one query that selects exactly the changed cases through the scan's indexes (warm, median of 5).
    const plan = (await pg.query(`EXPLAIN ${CHANGED_CASES_SQL}`, [SCAN_AT])).rows.map((r) => r['QUERY PLAN'] as string);
    console.log(plan.join('\n'));
    const floors: number[] = [];
    let changed = 0;
    for (let i = 0; i < 6; i++) {
      const run = await timed(() => pg.query(CHANGED_CASES_SQL, [SCAN_AT]));
      if (i > 0) floors.push(run.ms);
      changed = run.value.rowCount ?? 0;
    }
    const floorMs = median(floors);

    // A second reference, the write floor: the same state changes and one alert per changed case × channel
    // written by a single set-based statement (no roll-ups, no edits in place, no re-notifications), rolled
    // back. Each of its 3 runs and the scan start on freshly vacuumed tables, so neither pays for the
    // other's dead rows or for setting the new rows' hint bits; the median run counts.
    const vacuum = async () => {
      await pg.query('VACUUM ANALYZE cases');
      await pg.query('VACUUM ANALYZE alerts');
    };
    const writeFloors: number[] = [];
    for (let i = 0; i < 3; i++) {
      await vacuum();
      await pg.query('BEGIN');
      const run = await timed(() =>
        pg.query(
          `WITH moved AS (
           UPDATE cases c SET
             first_action_state = CASE WHEN c.first_action_at IS NOT NULL THEN (CASE WHEN c.first_action_at <= c.first_action_due_at THEN 'met' ELSE 'missed' END)
                                       WHEN c.first_action_due_at < $1 THEN 'breached' WHEN c.first_action_at_risk_at <= $1 THEN 'at_risk' ELSE c.first_action_state END,
             resolution_state = CASE WHEN c.resolved_at IS NOT NULL THEN (CASE WHEN c.resolved_at <= c.resolution_due_at THEN 'met' ELSE 'missed' END)
                                     WHEN c.resolution_due_at < $1 THEN 'breached' WHEN c.resolution_at_risk_at <= $1 THEN 'at_risk' ELSE c.resolution_state END
            WHERE ${changedCasesWhere()}
           RETURNING c.id, c.queue_id, c.priority, c.content_ref, c.opened_at, c.first_action_due_at, c.first_action_state
         )
         INSERT INTO alerts (kind, dedupe_key, channel, message, entity_type, entity_id, created_at, next_attempt_at)
         SELECT 'sla_' || m.first_action_state, 'floor:' || m.id || ':' || ch.channel, ch.channel,
                jsonb_build_object('caseId', m.id, 'queue', qu.key, 'vendor', v.key, 'priority', m.priority, 'target', 'first_action',
                                   'state', m.first_action_state, 'openedAt', m.opened_at, 'dueAt', m.first_action_due_at,
                                   'contentRef', m.content_ref, 'policyVersion', 1),
                'case', m.id::text, $1, $1
           FROM moved m JOIN queues qu ON qu.id = m.queue_id JOIN vendors v ON v.id = qu.vendor_id
           CROSS JOIN LATERAL (SELECT 'trustops-sla' AS channel UNION ALL SELECT v.slack_channel WHERE v.slack_channel IS NOT NULL) ch`,
          [SCAN_AT],
        ),
      );
      await pg.query('ROLLBACK');
      writeFloors.push(run.ms);
    }
    const writeFloorMs = median(writeFloors);
    await vacuum();

    // The scan itself, through Prisma as the job runs it.
    const scan = await timed(() => scanSla(deps, SCAN_AT));
    const again = await timed(() => scanSla(deps, SCAN_AT));
    const nextMinute = await timed(() => scanSla(deps, new Date(SCAN_AT.getTime() + 60_000)));

    const byKind = (
      await pg.query(`SELECT kind, count(*)::int AS n FROM alerts WHERE created_at = $1 GROUP BY kind ORDER BY kind`, [SCAN_AT])
    ).rows as { kind: string; n: number }[];
    const edited = (await pg.query(`SELECT count(*)::int AS n FROM alerts WHERE message ? 'outcome' AND next_attempt_at = $1`, [SCAN_AT]))
      .rows[0]?.n;
    const r = scan.value;
    const indexes = plan.filter((l) => /Index Scan|Bitmap Index Scan|Index Only Scan/.test(l)).length;
    return {
      name: 'sla-scan',
      description: `One full SLA scan (scanSla, through Prisma, alerts written) over ${CASES.toLocaleString('en-US')} open cases in ${QUEUES} queues, about 1 % of them crossing a threshold at the scan instant, against the single query that selects exactly those cases through the same indexes (the floor), and against the write floor: one set-based statement making comparable writes (rolled back; median of 3, each on vacuumed tables like the scan). Issue 14 aims at scan ≤ 3× the write floor.`,
      machine: machine(),
      at: new Date().toISOString(),
      figures: {
        'open cases': CASES,
        'changed cases (floor rows)': changed,
        'floor: select the changed cases (ms)': +floorMs.toFixed(1),
        'floor plan': `${indexes} index scans, ${plan.some((l) => /Seq Scan/.test(l)) ? 'a' : 'no'} sequential scan`,
        'full scan, alerts written (ms)': Math.round(scan.ms),
        'ratio scan / floor': +(scan.ms / floorMs).toFixed(1),
        'write floor: set-based update + alert insert in one statement, median of 3 (ms)': Math.round(writeFloorMs),
        'ratio scan / write floor': +(scan.ms / writeFloorMs).toFixed(2),
        'at risk / breached / met / missed': `${r.atRisk} / ${r.breached} / ${r.met} / ${r.missed}`,
        'alerts written / edited in place / roll-ups / re-notified': `${r.alertsQueued} / ${r.alertsUpdated} / ${r.rollups} / ${r.renotified}`,
        'alert rows by kind': byKind.map((k) => `${k.kind} ${k.n}`).join(', '),
        'alerts pending with an outcome': edited ?? 0,
        'transactions (batches)': r.batches,
        'second scan, same instant (ms)': Math.round(again.ms),
        'second scan wrote': again.value.alertsQueued + again.value.alertsUpdated,
        'scan a minute later, nothing new (ms)': Math.round(nextMinute.ms),
        'first scan in a fresh process (20,000 cases, 1 % changed) (ms)': Math.round(cold.ms),
        'setup: insert + vacuum analyze (s)': +(setup.ms / 1000).toFixed(1),
      },
    };
  } finally {
    await db.close();
    await pg.end().catch(() => {});
    await scratch.drop();
  }
}
