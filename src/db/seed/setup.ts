// The reference data the activity hangs off: surfaces, calendars with holidays, vendors, queues,
// versioned SLA policies, routing rules and the demo users' roles. Few rows: plain VALUES inserts.
import type { Sql } from './bulk';
import {
  DEMO_QUEUES,
  DEMO_REPORT_TYPES,
  DEMO_ROLES,
  DEMO_ROUTING_RULES,
  DEMO_SURFACES,
  DEMO_VENDORS,
  type DemoVendor,
  PRIORITIES,
  type Priority,
  type ReportTypeKey,
  SLA_REVISIONS,
  SLA_TARGETS,
  type SurfaceKey,
} from './catalog';
import { publicHolidaysBetween } from './holidays';

const DAY = 86_400;

export type PolicyVersion = {
  id: number;
  firstActionMinutes: number;
  resolutionMinutes: number;
  atRiskPercent: number;
  effectiveFrom: number;
};
export type SeedQueue = { id: number; key: string; vendor: DemoVendor };

export type Reference = {
  surfaces: Record<SurfaceKey, number>;
  reportTypes: Record<ReportTypeKey, number>;
  queues: Map<string, SeedQueue>;
  /** Newest version first, per "queue|priority". */
  policies: Map<string, PolicyVersion[]>;
};

export type SetupCounts = {
  surfaces: number;
  report_types: number;
  business_calendars: number;
  holidays: number;
  vendors: number;
  queues: number;
  sla_policies: number;
  routing_rules: number;
  role_assignments: number;
};

type Cell = string | number | boolean | null;

/** INSERT … VALUES with one cast per column; returns the number of rows written. */
async function insertValues(
  sql: Sql,
  table: string,
  columns: readonly (readonly [string, string])[],
  rows: readonly Cell[][],
  onConflict: string,
): Promise<number> {
  if (rows.length === 0) return 0;
  const params: Cell[] = [];
  const tuples = rows.map((row) => {
    const cells = row.map((value, i) => {
      params.push(value);
      return `$${params.length}::${(columns[i] as readonly [string, string])[1]}`;
    });
    return `(${cells.join(', ')})`;
  });
  const names = columns.map(([name]) => `"${name}"`).join(', ');
  return sql.execute(`INSERT INTO "${table}" (${names}) VALUES ${tuples.join(', ')} ${onConflict}`, params);
}

async function idsByKey(sql: Sql, table: string, keys: readonly string[]): Promise<Map<string, number>> {
  const rows = await sql.query<{ id: number; key: string }>(`SELECT id, key FROM "${table}" WHERE key = ANY($1::text[])`, [keys]);
  const out = new Map(rows.map((r) => [r.key, Number(r.id)]));
  for (const key of keys) if (!out.has(key)) throw new Error(`seed: ${table} row "${key}" is missing`);
  return out;
}

function record<K extends string>(keys: readonly K[], ids: Map<string, number>): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, ids.get(k) as number])) as Record<K, number>;
}

/** Writes the reference rows (`since` dates them; `until` bounds the holidays) and returns their ids. */
export async function writeReferenceData(
  sql: Sql,
  window: { since: number; anchor: number; until: number },
): Promise<{ ref: Reference; counts: SetupCounts }> {
  const createdAt = new Date(window.since * 1000).toISOString();
  const at = (seconds: number) => new Date(seconds * 1000).toISOString();

  const surfaces = await insertValues(
    sql,
    'surfaces',
    [
      ['key', 'text'],
      ['name', 'text'],
      ['created_at', 'timestamptz'],
    ],
    DEMO_SURFACES.map((s) => [s.key, s.name, createdAt]),
    'ON CONFLICT (key) DO NOTHING',
  );
  const reportTypes = await insertValues(
    sql,
    'report_types',
    [
      ['key', 'text'],
      ['name', 'text'],
      ['urgent', 'bool'],
      ['created_at', 'timestamptz'],
    ],
    DEMO_REPORT_TYPES.map((t) => [t.key, t.name, t.urgent, createdAt]),
    'ON CONFLICT (key) DO NOTHING',
  );

  const calendars = await insertValues(
    sql,
    'business_calendars',
    [
      ['key', 'text'],
      ['timezone', 'text'],
      ['always_open', 'bool'],
      ['hours', 'jsonb'],
    ],
    [['always_open', 'UTC', true, '{}'], ...DEMO_VENDORS.map((v) => [v.calendar.key, v.timezone, false, JSON.stringify(v.calendar.hours)])],
    'ON CONFLICT (key) DO NOTHING',
  );
  const calendarIds = await idsByKey(sql, 'business_calendars', ['always_open', ...DEMO_VENDORS.map((v) => v.calendar.key)]);

  const holidayRows: Cell[][] = [];
  for (const v of DEMO_VENDORS) {
    for (const h of publicHolidaysBetween(v.calendar.holidays, new Date(window.since * 1000), new Date(window.until * 1000))) {
      holidayRows.push([calendarIds.get(v.calendar.key) as number, h.date, h.name]);
    }
  }
  const holidays = await insertValues(
    sql,
    'holidays',
    [
      ['calendar_id', 'int4'],
      ['date', 'text'],
      ['name', 'text'],
    ],
    holidayRows,
    'ON CONFLICT (calendar_id, date) DO NOTHING',
  );

  const vendors = await insertValues(
    sql,
    'vendors',
    [
      ['key', 'text'],
      ['name', 'text'],
      ['timezone', 'text'],
      ['slack_channel', 'text'],
      ['digest_time', 'text'],
      ['created_at', 'timestamptz'],
    ],
    DEMO_VENDORS.map((v) => [v.key, v.name, v.timezone, v.slackChannel, v.digestTime, createdAt]),
    'ON CONFLICT (key) DO NOTHING',
  );
  const vendorIds = await idsByKey(
    sql,
    'vendors',
    DEMO_VENDORS.map((v) => v.key),
  );

  const queues = await insertValues(
    sql,
    'queues',
    [
      ['key', 'text'],
      ['name', 'text'],
      ['vendor_id', 'int4'],
      ['created_at', 'timestamptz'],
    ],
    DEMO_QUEUES.map((q) => [q.key, q.name, vendorIds.get(q.vendor) as number, createdAt]),
    'ON CONFLICT (key) DO NOTHING',
  );
  const queueIds = await idsByKey(
    sql,
    'queues',
    DEMO_QUEUES.map((q) => q.key),
  );

  const policyRows: Cell[][] = [];
  for (const q of DEMO_QUEUES) {
    const vendor = DEMO_VENDORS.find((v) => v.key === q.vendor) as DemoVendor;
    for (const priority of PRIORITIES) {
      const target = SLA_TARGETS[q.kind][priority];
      const calendar = calendarIds.get(target.always ? 'always_open' : vendor.calendar.key) as number;
      policyRows.push([queueIds.get(q.key) as number, priority, 1, target.firstAction, target.resolution, 75, calendar, createdAt]);
      const revision = SLA_REVISIONS.find((r) => r.queue === q.key && r.priority === priority);
      if (revision) {
        const from = at(window.anchor - revision.daysBeforeAnchor * DAY);
        policyRows.push([queueIds.get(q.key) as number, priority, 2, revision.firstAction, revision.resolution, 75, calendar, from]);
      }
    }
  }
  const policies = await insertValues(
    sql,
    'sla_policies',
    [
      ['queue_id', 'int4'],
      ['priority', 'text'],
      ['version', 'int4'],
      ['first_action_minutes', 'int4'],
      ['resolution_minutes', 'int4'],
      ['at_risk_percent', 'int4'],
      ['calendar_id', 'int4'],
      ['effective_from', 'timestamptz'],
    ],
    policyRows,
    'ON CONFLICT (queue_id, priority, version) DO NOTHING',
  );
  const policyRowsRead = await sql.query<{
    id: number;
    queue_key: string;
    priority: string;
    first_action_minutes: number;
    resolution_minutes: number;
    at_risk_percent: number;
    effective_from: number;
  }>(
    `SELECT p.id, q.key AS queue_key, p.priority, p.first_action_minutes, p.resolution_minutes, p.at_risk_percent,
            extract(epoch FROM p.effective_from)::float8 AS effective_from
       FROM sla_policies p JOIN queues q ON q.id = p.queue_id
      WHERE q.key = ANY($1::text[])
      ORDER BY p.version DESC`,
    [DEMO_QUEUES.map((q) => q.key)],
  );
  const policyMap = new Map<string, PolicyVersion[]>();
  for (const r of policyRowsRead) {
    const key = `${r.queue_key}|${r.priority}`;
    const list = policyMap.get(key) ?? [];
    list.push({
      id: Number(r.id),
      firstActionMinutes: Number(r.first_action_minutes),
      resolutionMinutes: Number(r.resolution_minutes),
      atRiskPercent: Number(r.at_risk_percent),
      effectiveFrom: Number(r.effective_from),
    });
    policyMap.set(key, list);
  }

  // Appended after any rules the team already has, so existing routing keeps precedence.
  const [{ last } = { last: 0 }] = await sql.query<{ last: number }>('SELECT coalesce(max(position), 0)::int AS last FROM routing_rules');
  const routingRules = await insertValues(
    sql,
    'routing_rules',
    [
      ['position', 'int4'],
      ['report_type', 'text'],
      ['surface', 'text'],
      ['language', 'text'],
      ['jurisdiction', 'text'],
      ['queue_id', 'int4'],
      ['priority', 'text'],
      ['enabled', 'bool'],
      ['created_at', 'timestamptz'],
    ],
    DEMO_ROUTING_RULES.map((r, i) => [
      Number(last) + (i + 1) * 10,
      r.reportType ?? null,
      r.surface ?? null,
      r.language ?? null,
      r.jurisdiction ?? null,
      queueIds.get(r.queue) as number,
      r.priority,
      r.enabled ?? true,
      createdAt,
    ]),
    '',
  );

  const roleAssignments = await insertValues(
    sql,
    'role_assignments',
    [
      ['slack_id', 'text'],
      ['role', '"Role"'],
      ['granted_by', 'text'],
      ['created_at', 'timestamptz'],
      ['updated_at', 'timestamptz'],
    ],
    DEMO_ROLES.map((r) => [r.slackId, r.role, 'seed', createdAt, createdAt]),
    'ON CONFLICT (slack_id) DO NOTHING',
  );

  const surfaceIds = await idsByKey(
    sql,
    'surfaces',
    DEMO_SURFACES.map((s) => s.key),
  );
  const typeIds = await idsByKey(
    sql,
    'report_types',
    DEMO_REPORT_TYPES.map((t) => t.key),
  );
  const queueMap = new Map<string, SeedQueue>(
    DEMO_QUEUES.map((q) => [
      q.key,
      { id: queueIds.get(q.key) as number, key: q.key, vendor: DEMO_VENDORS.find((v) => v.key === q.vendor) as DemoVendor },
    ]),
  );

  return {
    ref: {
      surfaces: record(
        DEMO_SURFACES.map((s) => s.key),
        surfaceIds,
      ),
      reportTypes: record(
        DEMO_REPORT_TYPES.map((t) => t.key),
        typeIds,
      ),
      queues: queueMap,
      policies: policyMap,
    },
    counts: {
      surfaces,
      report_types: reportTypes,
      business_calendars: calendars,
      holidays,
      vendors,
      queues,
      sla_policies: policies,
      routing_rules: routingRules,
      role_assignments: roleAssignments,
    },
  };
}

/** The policy version in force when a case opened (versions newest first). */
export function policyFor(ref: Reference, queue: string, priority: Priority, openedAt: number): PolicyVersion {
  const versions = ref.policies.get(`${queue}|${priority}`);
  const found = versions?.find((v) => v.effectiveFrom <= openedAt) ?? versions?.[versions.length - 1];
  if (!found) throw new Error(`seed: no SLA policy for ${queue}/${priority}`);
  return found;
}
