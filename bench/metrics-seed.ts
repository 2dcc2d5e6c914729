// A set-based seed for the metrics benchmark: the whole of 2026-H2 (2026-07-01 → 2026-12-31) of enforcement
// work, written by a handful of INSERT … SELECT statements over generate_series inside Postgres, so ten million
// decisions take minutes, not the half hour the row-by-row demo seed (src/db/seed) needs. Every random draw is a
// hash of the case's number and a salt, so a draw means the same thing in each statement that reads it (the cases,
// their reports and their decisions are separate passes over one view) and the same scale gives the same rows.
// The reference rows (surfaces, types, vendors, queues, SLA policies, routing rules) are the demo seed's own;
// the distributions follow the demo seed's (src/db/seed/activity.ts), written here as look-up arrays.
// Left out: audit events, escalation votes, copyright notices (no figure of the benchmark reads them).
//
// `npx tsx bench/metrics-seed.ts [--scale N] [--vendors N]` seeds (or reuses) the kept database on its own
// (BENCH_METRICS_SCALE and BENCH_METRICS_VENDORS likewise).
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { sqlFromPg } from '../src/db/seed/bulk';
import {
  DEMO_MARKER_VENDOR,
  DEMO_QUEUES,
  DEMO_REPORT_TYPES,
  DEMO_ROUTING_RULES,
  DEMO_SURFACES,
  DEMO_USERS,
  DEMO_VENDORS,
  type DemoQueue,
  type DemoVendor,
  INTERNAL_ANALYSTS,
  PRIORITIES,
  SLA_TARGETS,
} from '../src/db/seed/catalog';
import { writeReferenceData } from '../src/db/seed/setup';
import { BENCH_ADMIN_URL, sql, urlFor } from './support';

const ROOT = path.resolve(__dirname, '..');
const DAY = 86_400;
const HOUR = 3600;
/** The seed's first day and its anchor (nothing after it has happened): the second half of 2026. */
export const SEED_FROM = Date.UTC(2026, 6, 1) / 1000;
export const SEED_ANCHOR = Date.UTC(2027, 0, 1) / 1000;
const DAYS = (SEED_ANCHOR - SEED_FROM) / DAY;
/** Scale 1 ≈ 125 reports a day, as for the demo seed; 480 gives about ten million decisions over the half year. */
export const DEFAULT_SCALE = 480;
/**
 * Vendors in the seed: the demo seed's three, then bench vendors (each a copy of one of the three under its own
 * key, with one general queue) that take an equal share of the general queues' cases. 50 by default, for the
 * digest benchmark; `--vendors 3` (BENCH_METRICS_VENDORS=3) gives the seed as it was before the option.
 */
export const DEFAULT_VENDORS = 50;
/** The fact tables this seed writes: their secondary indexes are built after the rows, their triggers skipped. */
const FACT_TABLES = ['cases', 'reports', 'decisions', 'qa_reviews', 'appeals', 'escalations'] as const;

// ---- the distributions (weights from src/db/seed/activity.ts) ----
const POLICIES = [
  'hate_speech',
  'violent_extremism',
  'csam',
  'self_harm',
  'harassment',
  'spam',
  'fraud',
  'privacy_violation',
  'ip_infringement',
  'malware',
] as const;
type Policy = (typeof POLICIES)[number];
const ACTIONS = ['no_violation', 'content_removed', 'content_restricted', 'account_warned', 'account_suspended', 'account_banned'] as const;
type Action = (typeof ACTIONS)[number];
type TypeKey = (typeof DEMO_REPORT_TYPES)[number]['key'];
type SurfaceKey = (typeof DEMO_SURFACES)[number]['key'];
type W<T> = readonly (readonly [T, number])[];

const HOURLY = [3, 2, 2, 2, 2, 3, 4, 5, 6, 7, 8, 8, 8, 9, 9, 9, 9, 8, 8, 7, 6, 5, 4, 3];
const REPORT_TYPES: W<TypeKey> = [
  ['harmful_content', 38],
  ['illegal_content', 10],
  ['copyright', 10],
  ['privacy', 10],
  ['impersonation', 7],
  ['mcp_server', 6],
  ['other', 9],
];
const OWN_INITIATIVE_TYPES: W<TypeKey> = [
  ['harmful_content', 50],
  ['illegal_content', 20],
  ['mcp_server', 15],
  ['impersonation', 10],
  ['other', 5],
];
const TRUSTED_FLAGGER_TYPES: W<TypeKey> = [
  ['illegal_content', 50],
  ['harmful_content', 40],
  ['copyright', 10],
];
const SURFACES: W<SurfaceKey> = [
  ['claude_ai', 48],
  ['mobile', 18],
  ['api', 14],
  ['claude_code', 8],
  ['console', 8],
  ['mcp_directory', 4],
];
const MCP_SURFACES: W<SurfaceKey> = [
  ['mcp_directory', 70],
  ['claude_code', 20],
  ['claude_ai', 10],
];
const CATEGORY_BY_TYPE: Record<TypeKey, W<Policy>> = {
  harmful_content: [
    ['harassment', 26],
    ['hate_speech', 22],
    ['spam', 18],
    ['fraud', 14],
    ['self_harm', 12],
    ['violent_extremism', 8],
  ],
  illegal_content: [
    ['fraud', 30],
    ['hate_speech', 28],
    ['privacy_violation', 20],
    ['violent_extremism', 18],
    ['csam', 4],
  ],
  copyright: [['ip_infringement', 1]],
  privacy: [['privacy_violation', 1]],
  impersonation: [
    ['fraud', 60],
    ['harassment', 40],
  ],
  // The MCP issue kinds, by the policy each falls under.
  mcp_server: [
    ['malware', 45],
    ['privacy_violation', 25],
    ['fraud', 15],
    ['spam', 15],
  ],
  other: [
    ['spam', 60],
    ['fraud', 20],
    ['harassment', 20],
  ],
};
const JURISDICTIONS: W<string> = [
  ['US', 28],
  ['DE', 14],
  ['FR', 10],
  ['NL', 6],
  ['ES', 6],
  ['IT', 6],
  ['GB', 5],
  ['IE', 4],
  ['PL', 4],
  ['SE', 3],
  ['AT', 2],
  ['BE', 2],
  ['PT', 2],
  ['CA', 2],
  ['PH', 2],
  ['DK', 1],
  ['FI', 1],
  ['JP', 1],
  ['BR', 1],
];
const LOCAL_LANGUAGES: Record<string, readonly string[]> = {
  DE: ['de'],
  AT: ['de'],
  FR: ['fr'],
  NL: ['nl'],
  BE: ['nl', 'fr'],
  ES: ['es'],
  IT: ['it'],
  PL: ['pl'],
  SE: ['sv'],
  PT: ['pt'],
  BR: ['pt'],
  DK: ['da'],
  FI: ['fi'],
  JP: ['ja'],
  PH: ['tl'],
  CA: ['fr'],
};
const ACTION_WEIGHTS: Record<Policy, W<Action>> = {
  csam: [['content_removed', 1]],
  spam: [
    ['content_removed', 45],
    ['no_violation', 15],
    ['account_suspended', 15],
    ['account_banned', 15],
    ['account_warned', 10],
  ],
  hate_speech: [
    ['no_violation', 35],
    ['content_removed', 35],
    ['account_warned', 15],
    ['content_restricted', 10],
    ['account_suspended', 5],
  ],
  violent_extremism: [
    ['content_removed', 45],
    ['no_violation', 20],
    ['account_banned', 20],
    ['account_suspended', 15],
  ],
  harassment: [
    ['no_violation', 40],
    ['content_removed', 25],
    ['account_warned', 25],
    ['content_restricted', 5],
    ['account_suspended', 5],
  ],
  self_harm: [
    ['no_violation', 45],
    ['content_restricted', 40],
    ['content_removed', 10],
    ['account_warned', 5],
  ],
  fraud: [
    ['content_removed', 35],
    ['no_violation', 25],
    ['account_banned', 20],
    ['account_suspended', 15],
    ['account_warned', 5],
  ],
  privacy_violation: [
    ['content_removed', 45],
    ['no_violation', 35],
    ['content_restricted', 15],
    ['account_warned', 5],
  ],
  ip_infringement: [
    ['content_removed', 55],
    ['no_violation', 30],
    ['content_restricted', 15],
  ],
  malware: [
    ['content_removed', 50],
    ['no_violation', 30],
    ['account_suspended', 10],
    ['account_banned', 10],
  ],
};
const AUTOMATED_SHARE: Record<Policy, number> = {
  csam: 0.6,
  spam: 0.6,
  malware: 0.4,
  fraud: 0.3,
  ip_infringement: 0.35,
  violent_extremism: 0.22,
  hate_speech: 0.2,
  harassment: 0.15,
  self_harm: 0.1,
  privacy_violation: 0.12,
};
const AUTOMATED_ACTOR: Partial<Record<Policy, string>> = {
  csam: 'hash-match:csam',
  spam: 'classifier:spam-v7',
  malware: 'scanner:mcp-malware-v2',
  ip_infringement: 'fingerprint:media-match',
};
const SEVERE: readonly Policy[] = ['csam', 'violent_extremism', 'self_harm'];
const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
const SEVERITY_WEIGHTS: W<number> = [
  [0, 5],
  [1, 20],
  [2, 45],
  [3, 30],
];
const SEVERE_SEVERITY_WEIGHTS: W<number> = [
  [0, 35],
  [1, 45],
  [2, 20],
];
const ESCALATION_WINDOW = [HOUR, 4 * HOUR, DAY, 3 * DAY];
const ESCALATION_OUTCOMES: W<string> = [
  ['approved', 65],
  ['rejected', 22],
  ['reassigned', 13],
];
const QA_SEVERITY: W<string> = [
  ['minor', 55],
  ['major', 35],
  ['critical', 10],
];
const TRUSTED_FLAGGERS = [
  'reports@safer-internet-hotline.example',
  'flags@eu-hate-watch.example',
  'trust@fraud-alliance.example',
  'notices@child-safety-ngo.example',
];
const CONTENT_PREFIX: Record<SurfaceKey, string> = {
  claude_ai: 'https://claude.ai/share/',
  mobile: 'https://claude.ai/share/',
  api: 'api:msg_01',
  claude_code: 'claude-code:session/',
  console: 'console:workbench/',
  mcp_directory: 'https://claude.ai/directory/servers/',
};

// ---- SQL building blocks ----
const LUT_SIZE = 1000;

/** A uniform draw in [0, 1) that depends only on (expr, salt). */
const u = (expr: string, salt: number) =>
  `((hashint8extended((${expr})::int8, ${salt}) >> 11) & 9007199254740991)::float8 / 9007199254740992.0`;
/** A standard normal draw (Box–Muller over two of the draws above). */
const normal = (expr: string, salt: number) => `(sqrt(-2 * ln(1 - ${u(expr, salt)})) * cos(2 * pi() * ${u(expr, salt + 1)}))`;
const lit = (s: string | null) => (s === null ? 'NULL' : `'${s.replace(/'/g, "''")}'`);
const textArray = (xs: readonly (string | null)[]) => `ARRAY[${xs.map(lit).join(',')}]::text[]`;
const numArray = (xs: readonly number[]) => `ARRAY[${xs.join(',')}]::float8[]`;
const intArray = (xs: readonly number[]) => `ARRAY[${xs.join(',')}]::int[]`;

/** LUT_SIZE slots filled in proportion to the weights: `lut[1 + floor(u * LUT_SIZE)]` draws one. */
function lut<T>(weights: W<T>): T[] {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  const out: T[] = [];
  let acc = 0;
  for (const [value, w] of weights) {
    acc += w;
    const upTo = Math.round((acc / total) * LUT_SIZE);
    while (out.length < upTo) out.push(value);
  }
  return out;
}
const draw = (array: string, expr: string, salt: number) => `(${array})[1 + floor(${u(expr, salt)} * ${LUT_SIZE})::int]`;
/**
 * A weighted draw of a text value. Look-up arrays hold indexes (ints): Postgres reaches the n-th element of a
 * text array by walking the n - 1 before it, but of an int array directly.
 */
function drawText(weights: W<string>, expr: string, salt: number): string {
  const values = [...new Set(weights.map(([v]) => v))];
  return `(${textArray(values)})[1 + ${draw(intArray(lut(weights).map((v) => values.indexOf(v))), expr, salt)}]`;
}
/** One of a few values, each as likely. */
const pick = (values: readonly string[], expr: string, salt: number) =>
  `(${textArray(values)})[1 + floor(${u(expr, salt)} * ${values.length})::int]`;

/** Seconds into the day at each of LUT_SIZE + 1 quantiles of the hourly arrival curve (uniform within an hour). */
function timeOfDayQuantiles(): number[] {
  const total = HOURLY.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  for (let k = 0; k <= LUT_SIZE; k++) {
    let q = (k / LUT_SIZE) * total;
    let h = 0;
    while (h < 23 && q > (HOURLY[h] as number)) q -= HOURLY[h++] as number;
    out.push(Math.min(DAY - 1, h * HOUR + Math.round((q / (HOURLY[h] as number)) * HOUR)));
  }
  return out;
}

/** Cases per day: weekends quieter, a slow upward trend, one spam wave, a little noise (deterministic). */
function dailyCases(scale: number): { start: number; first: number; n: number }[] {
  const out: { start: number; first: number; n: number }[] = [];
  let first = 1;
  for (let d = 0; d < DAYS; d++) {
    const start = SEED_FROM + d * DAY;
    const dow = new Date(start * 1000).getUTCDay();
    const weekday = dow === 6 ? 0.78 : dow === 0 ? 0.72 : dow === 1 ? 1.08 : 1;
    const trend = 0.92 + (0.16 * d) / (DAYS - 1);
    const wave = d === DAYS - 29 ? 1.5 : 1;
    const h = Math.sin(d * 12.9898) * 43758.5453;
    const noise = 0.9 + 0.2 * (h - Math.floor(h));
    // 96.5% of reports open a case; the rest join an open one (written as extra reports below).
    const n = Math.max(1, Math.round(125 * scale * weekday * trend * wave * noise * 0.965));
    out.push({ start, first, n });
    first += n;
  }
  return out;
}

type Ref = Awaited<ReturnType<typeof writeReferenceData>>['ref'];

/**
 * The plan of every case, one row per case number i (= its id and its first report's id): its first report's
 * profile, its route, SLA policy and targets, review times, escalation and final state. Each level sits in its
 * own subquery behind OFFSET 0 so that Postgres computes a draw once per row instead of once per use.
 */
export function planSql(scale: number, ref: Ref, fleet: Fleet = DEMO_FLEET): string {
  const A = SEED_ANCHOR;
  const typeKeys = DEMO_REPORT_TYPES.map((t) => t.key);
  const surfaceKeys = DEMO_SURFACES.map((s) => s.key);
  const typeIdx = (k: TypeKey) => typeKeys.indexOf(k);
  const surfaceIdx = (k: SurfaceKey) => surfaceKeys.indexOf(k);
  const polIdx = (p: Policy) => POLICIES.indexOf(p);
  const queueKeys = fleet.queues.map((q) => q.key);
  const queueVendor = fleet.queues.map((q) => fleet.vendors.findIndex((v) => v.key === q.vendor));
  // Per queue × priority: the first and (if any) second version of its SLA policy.
  const pol = queueKeys.flatMap((q) =>
    PRIORITIES.map((p) => {
      const versions = [...(ref.policies.get(`${q}|${p}`) ?? [])].sort((a, b) => a.effectiveFrom - b.effectiveFrom);
      const v1 = versions[0];
      if (!v1) throw new Error(`bench seed: no SLA policy for ${q}/${p}`);
      const v2 = versions[1] ?? v1;
      return { v1, v2, from2: versions[1] ? v2.effectiveFrom : 1e12 };
    }),
  );
  const days = dailyCases(scale)
    .map((d) => `(${d.start}, ${d.first}, ${d.n})`)
    .join(',\n');
  const categoryLut = typeKeys.flatMap((t) => lut(CATEGORY_BY_TYPE[t]).map(polIdx));
  const language = `CASE WHEN jur IS NULL THEN CASE WHEN ${u('i', 9)} < 0.3 THEN NULL ELSE 'en' END
    WHEN jur = 'US' THEN CASE WHEN ${u('i', 9)} < 0.08 THEN 'es' ELSE 'en' END
    WHEN ${u('i', 9)} < 0.28 THEN 'en'
    ${Object.entries(LOCAL_LANGUAGES)
      .map(([j, ls]) =>
        ls.length === 1
          ? `WHEN jur = '${j}' THEN '${ls[0]}'`
          : `WHEN jur = '${j}' THEN CASE WHEN ${u('i', 10)} < 0.5 THEN '${ls[0]}' ELSE '${ls[1]}' END`,
      )
      .join('\n    ')}
    ELSE 'en' END`;
  const rules = DEMO_ROUTING_RULES.filter((r) => r.enabled !== false);
  const rule = `CASE ${rules
    .map((r, k) => {
      const c = [
        r.reportType ? `type_idx = ${typeIdx(r.reportType)}` : '',
        r.surface ? `surface_idx = ${surfaceIdx(r.surface)}` : '',
        r.language ? `lang = ${lit(r.language)}` : '',
        r.jurisdiction ? `jur = ${lit(r.jurisdiction)}` : '',
      ].filter(Boolean);
      return `WHEN ${c.length ? c.join(' AND ') : 'true'} THEN ${k + 1}`;
    })
    .join(' ')} ELSE ${rules.length} END`;
  const ruleQueue = intArray(rules.map((r) => queueKeys.indexOf(r.queue)));
  const rulePrio = intArray(rules.map((r) => PRIORITIES.indexOf(r.priority)));
  const k = '(queue_idx * 3 + prio_idx + 1)';

  const window = `(${numArray(ESCALATION_WINDOW)})[sev_idx + 1]`;
  const settled = `coalesce(esc_decided, CASE WHEN esc_status = 'expired' THEN esc_deadline ELSE ${A} END)`;
  const body = `
SELECT *,
       CASE WHEN fa_at <= ${A} THEN fa_at END AS first_action_at,
       CASE WHEN res_at <= ${A} THEN res_at END AS resolved_at,
       CASE WHEN closes THEN close_at END AS closed_at,
       CASE WHEN closes THEN 'closed' WHEN res_at <= ${A} THEN 'decided' WHEN esc_status = 'pending' THEN 'escalated'
            WHEN fa_at <= ${A} THEN 'in_review' ELSE 'queued' END AS status,
       CASE WHEN least(fa_at, ${A}) > fa_due THEN 'breached'
            WHEN least(fa_at, ${A}) - opened_at >= (fa_due - opened_at) * at_risk / 100.0 THEN 'at_risk' ELSE 'ok' END AS fa_state,
       CASE WHEN least(res_at, ${A}) > res_due THEN 'breached'
            WHEN least(res_at, ${A}) - opened_at >= (res_due - opened_at) * at_risk / 100.0 THEN 'at_risk' ELSE 'ok' END AS res_state,
       ${u('i', 60)} < 0.035 AND least(res_at, ${A}) > opened_at + 60 AS extra
  FROM (
SELECT *, res_at <= ${A} AND close_at <= ${A} AND ${u('i', 27)} >= 0.01 AS closes
  FROM (
SELECT *, res_at + 3600 + floor(${u('i', 26)} * ${2 * DAY - HOUR}) AS close_at
  FROM (
-- The case waits for the internal call (or its expiry) before it is resolved.
SELECT *, CASE WHEN esc_kind > 0 THEN greatest(res0, ${settled} + 300 + floor(${u('i', 25)} * 14100)) ELSE res0 END AS res_at
  FROM (
SELECT *,
       CASE WHEN esc_kind = 0 THEN NULL WHEN esc_decided0 IS NULL THEN CASE WHEN esc_deadline <= ${A} THEN 'expired' ELSE 'pending' END
            ELSE ${drawText(ESCALATION_OUTCOMES, 'i', 24)} END AS esc_status,
       CASE WHEN esc_kind > 0 THEN esc_decided0 END AS esc_decided
  FROM (
SELECT *,
       CASE WHEN esc_kind0 > 0 AND esc_created <= ${A} THEN esc_kind0 ELSE 0 END AS esc_kind,
       esc_created + ${window} AS esc_deadline,
       CASE WHEN esc_takes > ${window} OR esc_created + greatest(60, esc_takes) > ${A} THEN NULL
            ELSE esc_created + greatest(60, esc_takes) END AS esc_decided0
  FROM (
SELECT *,
       fa_at + floor(${u('i', 20)} * greatest(0, CASE WHEN esc_kind0 = 1 THEN res0 ELSE ${A} END - fa_at)) AS esc_created,
       floor(0.35 * ${window} * exp(0.8 * ${normal('i', 22)})) AS esc_takes
  FROM (
-- Escalations: rare, likelier on severe policies and high priorities; some open work waits on an internal call.
SELECT *,
       CASE WHEN automated THEN 0
            WHEN ${u('i', 18)} < (CASE WHEN cat_idx = ANY(${intArray(SEVERE.map(polIdx))}) THEN 0.012 ELSE 0.002 END) * (CASE WHEN prio_idx = 0 THEN 1 ELSE 2 END) THEN 1
            WHEN res0 > ${A} AND fa_at <= ${A} AND ${u('i', 19)} < 0.12 THEN 2 ELSE 0 END AS esc_kind0,
       CASE WHEN cat_idx = ANY(${intArray(SEVERE.map(polIdx))}) THEN ${draw(intArray(lut(SEVERE_SEVERITY_WEIGHTS)), 'i', 21)}
            ELSE ${draw(intArray(lut(SEVERITY_WEIGHTS)), 'i', 21)} END AS sev_idx,
       CASE WHEN ${u('i', 28)} < 0.5 THEN '${DEMO_USERS.approver}' ELSE '${DEMO_USERS.admin}' END AS esc_by
  FROM (
SELECT *,
       CASE WHEN automated THEN fa_at + floor(${u('i', 15)} * 6)
            ELSE fa_at + greatest(120, least(${21 * DAY}, floor(0.18 * exp(0.9 * ${normal('i', 16)}) * res_min * 60))) END AS res0
  FROM (
SELECT *,
       opened_at + fa_min * 60 AS fa_due,
       opened_at + res_min * 60 AS res_due,
       CASE WHEN automated THEN opened_at + 2 + floor(${u('i', 14)} * 89)
            ELSE opened_at + greatest(60, least(${21 * DAY},
                   floor((${numArray(fleet.vendors.map((v) => v.pace))})[vendor_idx + 1] * exp(0.95 * ${normal('i', 12)}) * fa_min * 60))) END AS fa_at
  FROM (
SELECT *,
       (${intArray(queueVendor)})[queue_idx + 1] AS vendor_idx,
       CASE WHEN opened_at >= (${numArray(pol.map((p) => p.from2))})[${k}] THEN (${intArray(pol.map((p) => p.v2.id))})[${k}]
            ELSE (${intArray(pol.map((p) => p.v1.id))})[${k}] END AS policy_id,
       CASE WHEN opened_at >= (${numArray(pol.map((p) => p.from2))})[${k}] THEN (${numArray(pol.map((p) => p.v2.firstActionMinutes))})[${k}]
            ELSE (${numArray(pol.map((p) => p.v1.firstActionMinutes))})[${k}] END AS fa_min,
       CASE WHEN opened_at >= (${numArray(pol.map((p) => p.from2))})[${k}] THEN (${numArray(pol.map((p) => p.v2.resolutionMinutes))})[${k}]
            ELSE (${numArray(pol.map((p) => p.v1.resolutionMinutes))})[${k}] END AS res_min,
       CASE WHEN opened_at >= (${numArray(pol.map((p) => p.from2))})[${k}] THEN (${numArray(pol.map((p) => p.v2.atRiskPercent))})[${k}]
            ELSE (${numArray(pol.map((p) => p.v1.atRiskPercent))})[${k}] END AS at_risk,
       ${u('i', 11)} < (${numArray(POLICIES.map((p) => AUTOMATED_SHARE[p]))})[cat_idx + 1] AS automated
  FROM (
SELECT *,
       CASE WHEN cat_idx = ${polIdx('csam')} THEN 2 WHEN tf AND rule_prio = 0 THEN 1 ELSE rule_prio END AS prio_idx
  FROM (
SELECT *, ${queueOf(fleet, `(${ruleQueue})[rule_idx]`)} AS queue_idx, (${rulePrio})[rule_idx] AS rule_prio
  FROM (
SELECT *, ${rule} AS rule_idx
  FROM (
SELECT *, ${language} AS lang,
       (${intArray(categoryLut)})[type_idx * ${LUT_SIZE} + 1 + floor(${u('i', 6)} * ${LUT_SIZE})::int] AS cat_idx,
       CASE WHEN type_idx = ${typeIdx('mcp_server')} THEN ${draw(intArray(lut(MCP_SURFACES).map(surfaceIdx)), 'i', 5)}
            ELSE ${draw(intArray(lut(SURFACES).map(surfaceIdx)), 'i', 5)} END AS surface_idx
  FROM (
SELECT *,
       CASE WHEN oi THEN ${draw(intArray(lut(OWN_INITIATIVE_TYPES).map(typeIdx)), 'i', 4)}
            WHEN tf THEN ${draw(intArray(lut(TRUSTED_FLAGGER_TYPES).map(typeIdx)), 'i', 4)}
            ELSE ${draw(intArray(lut(REPORT_TYPES).map(typeIdx)), 'i', 4)} END AS type_idx,
       CASE WHEN ${u('i', 7)} < 0.04 THEN NULL ELSE ${drawText(JURISDICTIONS, 'i', 8)} END AS jur
  FROM (
SELECT *, received_at + 1 + floor(${u('i', 3)} * 20) AS opened_at
  FROM (
SELECT i, ${u('i', 1)} < 0.05 AS oi, ${u('i', 1)} >= 0.05 AND ${u('i', 2)} < 0.04 AS tf,
       -- Monotone within a day: the case's quantile of the day's arrival curve.
       d.start + tod[1 + floor(x * ${LUT_SIZE})::int]
               + (x * ${LUT_SIZE} - floor(x * ${LUT_SIZE})) * (tod[least(${LUT_SIZE + 1}, 2 + floor(x * ${LUT_SIZE})::int)] - tod[1 + floor(x * ${LUT_SIZE})::int])
         AS received_at
  FROM (VALUES ${days}) AS d(start, first, n)
  CROSS JOIN LATERAL generate_series(d.first, d.first + d.n - 1) AS i
  CROSS JOIN LATERAL (SELECT ((i - d.first) + ${u('i', 0)}) / d.n AS x) AS q
  CROSS JOIN (SELECT ${intArray(timeOfDayQuantiles())} AS tod) AS t`;
  const levels = (body.match(/FROM \(\n/g) ?? []).length;
  return `${body}\n${Array.from({ length: levels }, (_, n) => `OFFSET 0) l${n}`).join(' ')}`;
}

/** The vendors and queues a seed routes to: the demo seed's, then the bench vendors' (see DEFAULT_VENDORS). */
export type Fleet = { vendors: readonly DemoVendor[]; queues: readonly DemoQueue[] };
const DEMO_FLEET: Fleet = { vendors: DEMO_VENDORS, queues: DEMO_QUEUES };

export function fleetOf(vendors: number): Fleet {
  if (!Number.isInteger(vendors) || vendors < DEMO_VENDORS.length)
    throw new Error(`bench seed: --vendors must be a whole number ≥ ${DEMO_VENDORS.length}, not ${vendors}`);
  const extra = Array.from({ length: vendors - DEMO_VENDORS.length }, (_, k): DemoVendor => {
    const base = DEMO_VENDORS[k % DEMO_VENDORS.length] as DemoVendor;
    const n = String(k + 1).padStart(2, '0');
    // Paces and disagreement rates spread around the copied vendor's, so a ranking of vendors has an order.
    const h = Math.sin((k + 1) * 78.233) * 43758.5453;
    const x = h - Math.floor(h);
    return {
      ...base,
      key: `bench_vendor_${n}`,
      name: `Bench Vendor ${n}`,
      slackChannel: base.slackChannel ? `vendor-bench-${n}` : null,
      reviewers: 10 + Math.round(x * 30),
      pace: +(base.pace * (0.6 + 0.8 * x)).toFixed(3),
      qaDisagree: +(0.03 + 0.09 * x).toFixed(3),
    };
  });
  return {
    vendors: [...DEMO_VENDORS, ...extra],
    queues: [
      ...DEMO_QUEUES,
      ...extra.map((v): DemoQueue => ({ key: `${v.key}_general`, name: `${v.name} — general`, vendor: v.key, kind: 'general' })),
    ],
  };
}

/** A case's queue: its routing rule's, unless that is a general queue and the case is drawn for a bench vendor. */
function queueOf(fleet: Fleet, ruleQueue: string): string {
  const demo = DEMO_QUEUES.length;
  const extra = fleet.queues.length - demo;
  if (extra === 0) return ruleQueue;
  const general = intArray(DEMO_QUEUES.flatMap((q, i) => (q.kind === 'general' ? [i] : [])));
  const vendors = fleet.vendors.length;
  return `CASE WHEN ${ruleQueue} = ANY(${general}) AND ${u('i', 200)} < ${(vendors - DEMO_VENDORS.length) / vendors}
                THEN ${demo} + floor(${u('i', 201)} * ${extra})::int ELSE ${ruleQueue} END`;
}

/**
 * The bench vendors' rows (vendor, general queue, version-1 SLA policies on the copied vendor's calendar), added
 * to the reference the demo seed wrote.
 */
async function writeBenchVendors(client: Client, ref: Ref, fleet: Fleet): Promise<void> {
  const extra = fleet.vendors.slice(DEMO_VENDORS.length);
  if (extra.length === 0) return;
  const since = new Date((SEED_FROM - DAY) * 1000).toISOString();
  for (const v of extra) {
    const { rows: [vendor] = [] } = await client.query<{ id: number }>(
      `INSERT INTO vendors (key, name, timezone, slack_channel, digest_time, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [v.key, v.name, v.timezone, v.slackChannel, v.digestTime, since],
    );
    const q = fleet.queues.find((x) => x.vendor === v.key) as DemoQueue;
    const { rows: [queue] = [] } = await client.query<{ id: number }>(
      'INSERT INTO queues (key, name, vendor_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
      [q.key, q.name, vendor?.id, since],
    );
    ref.queues.set(q.key, { id: Number(queue?.id), key: q.key, vendor: v });
    for (const priority of PRIORITIES) {
      const target = SLA_TARGETS.general[priority];
      const { rows: [policy] = [] } = await client.query<{ id: number }>(
        `INSERT INTO sla_policies (queue_id, priority, version, first_action_minutes, resolution_minutes, at_risk_percent, calendar_id, effective_from)
         VALUES ($1, $2, 1, $3, $4, 75, (SELECT id FROM business_calendars WHERE key = $5), $6) RETURNING id`,
        [queue?.id, priority, target.firstAction, target.resolution, target.always ? 'always_open' : v.calendar.key, since],
      );
      ref.policies.set(`${q.key}|${priority}`, [
        {
          id: Number(policy?.id),
          firstActionMinutes: target.firstAction,
          resolutionMinutes: target.resolution,
          atRiskPercent: 75,
          effectiveFrom: SEED_FROM - DAY,
        },
      ]);
    }
  }
}

export type SeedReport = { seconds: number; steps: Record<string, number>; rows: Record<string, number> };

/** Writes the facts into a migrated, empty database; returns the time of each step. */
export async function seedFacts(
  url: string,
  scale: number,
  log: (line: string) => void = console.log,
  fleet: Fleet = DEMO_FLEET,
): Promise<SeedReport> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const steps: Record<string, number> = {};
  const t0 = performance.now();
  const step = async (name: string, text: string) => {
    const s = performance.now();
    const res = await client.query(text);
    steps[name] = Math.round(performance.now() - s) / 1000;
    log(`  ${name}: ${steps[name]} s${res.rowCount ? ` (${res.rowCount} rows)` : ''}`);
    return res;
  };
  try {
    await client.query(
      "SET statement_timeout = 0; SET synchronous_commit = off; SET maintenance_work_mem = '1GB'; SET work_mem = '256MB'; SET jit = off",
    );
    const { ref } = await writeReferenceData(sqlFromPg(client), {
      since: SEED_FROM - DAY,
      anchor: SEED_ANCHOR,
      until: SEED_ANCHOR + 60 * DAY,
    });
    await writeBenchVendors(client, ref, fleet);
    // Secondary indexes are built once over the finished tables, not row by row; triggers (the first-report
    // trigger, change capture) are off while the rows go in: the seed writes what they would have.
    const indexes = (
      await client.query<{ name: string; def: string }>(
        `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
           FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
          WHERE c.relname = ANY($1) AND c.relnamespace = 'public'::regnamespace
            AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
        [FACT_TABLES],
      )
    ).rows;
    const triggers = (
      await client.query<{ tbl: string; name: string; enabled: string }>(
        `SELECT c.relname AS tbl, t.tgname AS name, t.tgenabled AS enabled
           FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
          WHERE NOT t.tgisinternal AND c.relname = ANY($1) AND c.relnamespace = 'public'::regnamespace`,
        [FACT_TABLES],
      )
    ).rows;
    for (const ix of indexes) await client.query(`DROP INDEX ${ix.name}`);
    for (const t of triggers) await client.query(`ALTER TABLE "${t.tbl}" DISABLE TRIGGER "${t.name}"`);
    // Foreign keys are checked by triggers that replica mode skips: every reference below is to a row written before.
    await client.query('SET session_replication_role = replica');

    // The plan is computed once into an unlogged table (no WAL), then each fact table is a projection of it.
    await step(
      'plan',
      `CREATE UNLOGGED TABLE bench_seed_plan AS
       SELECT i, queue_idx, policy_id, prio_idx, status, received_at, surface_idx, type_idx, cat_idx, opened_at, fa_due, res_due,
              first_action_at, resolved_at, closed_at, fa_state, res_state, at_risk, oi, tf, jur, lang, extra, res_at, automated,
              esc_kind, esc_status, esc_by, sev_idx, esc_created, esc_deadline, esc_decided
         FROM (${planSql(scale, ref, fleet)}) p`,
    );
    const surfaceIds = intArray(DEMO_SURFACES.map((s) => ref.surfaces[s.key]));
    const typeIds = intArray(DEMO_REPORT_TYPES.map((t) => ref.reportTypes[t.key]));
    const queueIds = intArray(fleet.queues.map((q) => ref.queues.get(q.key)?.id as number));
    const surfaceKeys = DEMO_SURFACES.map((s) => s.key);
    const contentRef = `(${textArray(surfaceKeys.map((s) => CONTENT_PREFIX[s]))})[surface_idx + 1] || lpad(to_hex(hashint8extended(i, 99)), 16, '0')`;
    const ts = (col: string) => `to_timestamp(${col})`;

    await step(
      'cases',
      `INSERT INTO cases (id, queue_id, sla_policy_id, priority, status, first_report_id, first_report_at, surface_id, report_type_id,
                          category, content_ref, opened_at, first_action_due_at, resolution_due_at, first_action_at, resolved_at, closed_at,
                          first_action_state, resolution_state, first_action_at_risk_at, resolution_at_risk_at, updated_at)
       SELECT i, (${queueIds})[queue_idx + 1], policy_id, (${textArray(PRIORITIES)})[prio_idx + 1], status::"CaseStatus",
              i, ${ts('received_at')}, (${surfaceIds})[surface_idx + 1], (${typeIds})[type_idx + 1], (${textArray(POLICIES)})[cat_idx + 1],
              ${contentRef}, ${ts('opened_at')}, ${ts('fa_due')}, ${ts('res_due')}, ${ts('first_action_at')}, ${ts('resolved_at')}, ${ts('closed_at')},
              fa_state, res_state, ${ts('opened_at + (fa_due - opened_at) * at_risk / 100.0')}, ${ts('opened_at + (res_due - opened_at) * at_risk / 100.0')},
              ${ts(`least(${SEED_ANCHOR}, greatest(opened_at, coalesce(closed_at, resolved_at, first_action_at, opened_at), coalesce(esc_decided, 0)))`)}
         FROM bench_seed_plan`,
    );
    const [{ n: cases } = { n: 0 }] = (await client.query<{ n: number }>('SELECT max(id)::int AS n FROM cases')).rows;
    await client.query(`SELECT setval(pg_get_serial_sequence('reports', 'id'), ${cases})`);
    // The first report of case i has id i; reports joining an open case later take ids after every first report.
    await step(
      'reports',
      `INSERT INTO reports (id, external_id, body_hash, surface_id, report_type_id, category, content_ref, reporter_contact, jurisdiction,
                            language, details, own_initiative, trusted_flagger, received_at, case_id, created_at)
       SELECT id, 'demo-report-' || id, md5('demo-report-' || id), (${surfaceIds})[surface_idx + 1], (${typeIds})[type_idx + 1],
              (${textArray(POLICIES)})[cat_idx + 1], ${contentRef},
              CASE WHEN n = 0 AND oi THEN NULL WHEN n = 0 AND tf THEN ${pick(TRUSTED_FLAGGERS, 'i', 61)}
                   WHEN ${u('i * 2 + n', 62)} < 0.35 THEN 'reporter-' || lpad(to_hex(hashint8extended(i * 2 + n, 63) & 4294967295), 8, '0') || '@example.com' END,
              jur, lang,
              CASE WHEN type_idx = ${DEMO_REPORT_TYPES.findIndex((t) => t.key === 'mcp_server')}
                   THEN jsonb_build_object('name', 'server-' || (i % 10), 'issue', (${textArray(POLICIES)})[cat_idx + 1]) END,
              n = 0 AND oi, n = 0 AND tf, ${ts('at')}, i, ${ts('at')}
         FROM (SELECT p.*, k.n,
                      CASE WHEN k.n = 0 THEN p.i ELSE nextval(pg_get_serial_sequence('reports', 'id')) END AS id,
                      CASE WHEN k.n = 0 THEN p.received_at
                           ELSE p.opened_at + 30 + floor(${u('p.i', 64)} * (least(p.res_at, ${SEED_ANCHOR}) - p.opened_at - 30)) END AS at
                 FROM bench_seed_plan p CROSS JOIN LATERAL (VALUES (0), (1)) AS k(n)
                WHERE k.n = 0 OR p.extra) r`,
    );
    const vendorKeys = textArray(fleet.queues.map((q) => q.vendor));
    const reviewers = intArray(fleet.queues.map((q) => fleet.vendors.find((v) => v.key === q.vendor)?.reviewers ?? 10));
    // A case's decisions: one at its resolution (CSAM: removal and ban), by a classifier, the team or the vendor.
    await step(
      'decisions',
      `INSERT INTO decisions (case_id, action, policy, actor_type, actor_id, automated, decided_at, created_at)
       SELECT i,
              CASE WHEN cat_idx = ${POLICIES.indexOf('csam')} THEN CASE WHEN n = 1 THEN 'content_removed' ELSE 'account_banned' END
                   ELSE (${textArray(ACTIONS)})[1 + (${intArray(POLICIES.flatMap((p) => lut(ACTION_WEIGHTS[p]).map((a) => ACTIONS.indexOf(a))))})[cat_idx * ${LUT_SIZE} + 1 + floor(${u('i', 30)} * ${LUT_SIZE})::int]] END,
              (${textArray(POLICIES)})[cat_idx + 1],
              (CASE WHEN automated THEN 'automated' WHEN internal THEN 'internal_analyst' ELSE 'vendor_reviewer' END)::"ActorType",
              CASE WHEN automated THEN coalesce((${textArray(POLICIES.map((p) => AUTOMATED_ACTOR[p] ?? null))})[cat_idx + 1], 'classifier:safety-v4')
                   WHEN esc_status = 'approved' THEN esc_by
                   WHEN internal THEN ${pick(INTERNAL_ANALYSTS, 'i', 32)}
                   ELSE (${vendorKeys})[queue_idx + 1] || ':r' || lpad((1 + floor(${u('i', 33)} * (${reviewers})[queue_idx + 1]))::int::text, 3, '0') END,
              automated, ${ts('resolved_at')}, ${ts('resolved_at')}
         FROM (SELECT *, NOT automated AND (esc_status = 'approved' OR ${u('i', 31)} < 0.06) AS internal FROM bench_seed_plan WHERE resolved_at IS NOT NULL OFFSET 0) p
        CROSS JOIN LATERAL generate_series(1, CASE WHEN cat_idx = ${POLICIES.indexOf('csam')} THEN 2 ELSE 1 END) AS n`,
    );
    await step(
      'escalations',
      `INSERT INTO escalations (case_id, source, severity, reason, requested_by, required_approvals, status, deadline_at, case_status_before,
                                decided_at, decided_by, outcome_reason, created_at)
       SELECT i, source::"EscalationSource", (${textArray(SEVERITIES)})[sev_idx + 1],
              CASE WHEN source = 'sla_breach' THEN 'Resolution SLA breached on a sensitive case' ELSE 'Needs an internal call' END,
              CASE WHEN source = 'sla_breach' THEN 'system' WHEN source = 'vendor' THEN (${vendorKeys})[queue_idx + 1] || ':lead'
                   ELSE '${DEMO_USERS.analyst}' END,
              CASE WHEN sev_idx <= 1 THEN 2 ELSE 1 END, esc_status::"EscalationStatus", ${ts('esc_deadline')}, 'in_review',
              ${ts("CASE WHEN esc_status = 'pending' THEN NULL WHEN esc_status = 'expired' THEN esc_deadline ELSE esc_decided END")},
              CASE WHEN esc_status IN ('approved', 'rejected', 'reassigned') THEN esc_by END,
              CASE esc_status WHEN 'rejected' THEN 'Insufficient evidence; vendor decision stands' WHEN 'reassigned' THEN 'Legal should review first'
                              WHEN 'expired' THEN 'No quorum before the deadline' END,
              ${ts('esc_created')}
         FROM (SELECT *, CASE WHEN esc_created > fa_due AND ${u('i', 40)} < 0.6 THEN 'sla_breach' WHEN ${u('i', 41)} < 0.65 THEN 'vendor' ELSE 'manual' END AS source
                 FROM bench_seed_plan WHERE esc_kind > 0 OFFSET 0) e`,
    );
    const A = SEED_ANCHOR;
    const actions = textArray(ACTIONS);
    const nonCsam = textArray(POLICIES.filter((p) => p !== 'csam'));
    const vendorDisagree = fleet.vendors.map((v) => `WHEN '${v.key}' THEN ${v.qaDisagree}`).join(' ');
    // 5% of decisions are QA-reviewed 6 h – 5 days later; the disagreement rate depends on who decided.
    await step(
      'qa_reviews',
      `INSERT INTO qa_reviews (decision_id, outcome, correct_action, correct_policy, error_severity, error_category, reviewer_id, reviewed_at)
       SELECT id, (CASE WHEN disagree THEN 'disagree' ELSE 'agree' END)::"QaOutcome", correct_action, correct_policy,
              CASE WHEN disagree THEN ${drawText(QA_SEVERITY, 'id', 73)} END,
              CASE WHEN NOT disagree THEN NULL WHEN action = 'no_violation' THEN 'missed_violation'
                   WHEN correct_action = 'no_violation' THEN 'over_enforcement' WHEN correct_policy <> policy THEN 'wrong_policy'
                   ELSE 'wrong_action_severity' END,
              ${pick(INTERNAL_ANALYSTS, 'id', 74)}, to_timestamp(reviewed)
         FROM (SELECT *,
                      CASE WHEN disagree THEN (${actions})[1 + (array_position(${actions}, action) + floor(${u('id', 75)} * 5)::int) % 6] ELSE action END AS correct_action,
                      CASE WHEN disagree AND ${u('id', 76)} < 0.3
                           THEN (${nonCsam})[1 + (array_position(${nonCsam}, policy) + floor(${u('id', 77)} * 8)::int) % 9] ELSE policy END AS correct_policy
                 FROM (SELECT d.id, d.action, d.policy, extract(epoch FROM d.decided_at) + ${6 * HOUR} + floor(${u('d.id', 71)} * ${5 * DAY - 6 * HOUR}) AS reviewed,
                              d.policy <> 'csam' AND ${u('d.id', 72)} < CASE WHEN d.automated THEN 0.09 WHEN d.actor_type = 'internal_analyst' THEN 0.03
                                                              ELSE CASE split_part(d.actor_id, ':', 1) ${vendorDisagree} ELSE 0.07 END END AS disagree
                         FROM decisions d WHERE ${u('d.id', 70)} < 0.05 OFFSET 0) s
                WHERE reviewed <= ${A} OFFSET 0) q`,
    );
    // 3% of enforcement actions are appealed; a quarter of the decided appeals overturn (the reversal is a decision of its own).
    await step(
      'appeals',
      `INSERT INTO appeals (decision_id, outcome, filed_at, resolved_at)
       SELECT id, (CASE WHEN decide > ${A} THEN 'pending' WHEN ${u('id', 83)} < 0.25 THEN 'overturned' ELSE 'upheld' END)::"AppealOutcome",
              to_timestamp(filed), CASE WHEN decide <= ${A} THEN to_timestamp(decide) END
         FROM (SELECT *, filed + greatest(${2 * HOUR}, floor(${3 * DAY} * exp(0.6 * ${normal('id', 84)}))) AS decide
                 FROM (SELECT d.id, extract(epoch FROM d.decided_at) + least(${30 * DAY}, greatest(${HOUR}, floor(${2 * DAY} * exp(0.8 * ${normal('d.id', 81)})))) AS filed
                         FROM decisions d WHERE d.action <> 'no_violation' AND d.policy <> 'csam' AND ${u('d.id', 80)} < 0.03 OFFSET 0) f
                WHERE filed <= ${A} OFFSET 0) a`,
    );
    await step(
      'reversals',
      `INSERT INTO decisions (case_id, action, policy, actor_type, actor_id, automated, decided_at, created_at)
       SELECT d.case_id, 'no_violation', d.policy, 'internal_analyst', ${pick(INTERNAL_ANALYSTS, 'a.id', 85)}, false, a.resolved_at, a.resolved_at
         FROM appeals a JOIN decisions d ON d.id = a.decision_id WHERE a.outcome = 'overturned' ORDER BY a.resolved_at`,
    );
    await client.query('DROP TABLE bench_seed_plan');
    await client.query('SET session_replication_role = origin');
    for (const t of triggers) {
      const how = t.enabled === 'A' ? 'ENABLE ALWAYS' : t.enabled === 'R' ? 'ENABLE REPLICA' : t.enabled === 'D' ? 'DISABLE' : 'ENABLE';
      await client.query(`ALTER TABLE "${t.tbl}" ${how} TRIGGER "${t.name}"`);
    }
    for (const tbl of FACT_TABLES)
      await client.query(`SELECT setval(pg_get_serial_sequence('${tbl}', 'id'), greatest(1, (SELECT coalesce(max(id), 0) FROM "${tbl}")))`);
    const s = performance.now();
    for (const ix of indexes) await client.query(ix.def);
    steps.indexes = Math.round(performance.now() - s) / 1000;
    log(`  ${indexes.length} indexes: ${steps.indexes} s`);
    const counts = (
      await client.query<Record<string, string>>(`SELECT ${FACT_TABLES.map((t) => `(SELECT count(*) FROM "${t}") AS "${t}"`).join(', ')}`)
    ).rows[0] as Record<string, string>;
    return {
      seconds: Math.round(performance.now() - t0) / 1000,
      steps,
      rows: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v)])),
    };
  } finally {
    await client.end();
  }
}

/** The kept database of a seed: `trustops_bench_metrics_h2_s<scale>`, with `_v<vendors>` unless the default vendor count. */
export function databaseName(scale: number, vendors: number = DEFAULT_VENDORS): string {
  const v = vendors === DEFAULT_VENDORS ? '' : `_v${vendors}`;
  return `trustops_bench_metrics_h2_s${String(scale).replace(/\W/g, '_')}${v}`;
}

function migrate(url: string): string {
  return execFileSync(process.execPath, [require.resolve('tsx/cli'), 'src/cli/db-migrate.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: 'pipe',
  })
    .toString()
    .trim();
}

/**
 * The kept database for a scale: reused when it holds the seed (its seed time is in the database's comment),
 * else seeded into a scratch database that is renamed into place only when complete, so an interrupted seed
 * leaves nothing that looks finished. Pending migrations are applied to a reused one.
 */
export async function keptMetricsDatabase(
  scale: number,
  log: (line: string) => void = console.log,
  vendors: number = DEFAULT_VENDORS,
): Promise<{ url: string; name: string; seed: string; seeded: boolean }> {
  const fleet = fleetOf(vendors);
  const name = databaseName(scale, vendors);
  const [exists] = await sql(BENCH_ADMIN_URL, 'SELECT shobj_description(oid, $2) AS note FROM pg_database WHERE datname = $1', [
    name,
    'pg_database',
  ]);
  if (exists) {
    const url = urlFor(name);
    // The seed's vendors (the bootstrap's default vendor is not one of them), and no more bench vendors than asked.
    const [held] = await sql(
      url,
      "SELECT count(*) FILTER (WHERE key = ANY($1::text[]))::int AS n, count(*) FILTER (WHERE key LIKE 'bench\\_vendor\\_%')::int AS bench FROM vendors",
      [fleet.vendors.map((v) => v.key)],
    );
    if (Number(held?.n) !== vendors || Number(held?.bench) !== vendors - DEMO_VENDORS.length)
      throw new Error(
        `${name} holds ${held?.n} vendors, not ${vendors} (seeded before the vendor-count option?): drop it (DROP DATABASE ${name}) to reseed`,
      );
    const migrated = migrate(url);
    if (/^applied/m.test(migrated)) {
      await sql(url, 'VACUUM ANALYZE');
      log(`${migrated} on ${name}`);
    }
    log(`reusing ${name} (${exists.note ?? 'seeded earlier'})`);
    return { url, name, seed: `${exists.note ?? 'seeded earlier'}, reused`, seeded: false };
  }
  const building = `${name}_building`;
  await sql(BENCH_ADMIN_URL, `DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
  await sql(BENCH_ADMIN_URL, `CREATE DATABASE ${building}`);
  const buildUrl = urlFor(building);
  const loadAtStart = os.loadavg()[0] as number;
  const t0 = performance.now();
  migrate(buildUrl);
  const migrateS = Math.round(performance.now() - t0) / 1000;
  log(`seeding ${name} (scale ${scale}, ${vendors} vendors, 2026-07-01 → 2026-12-31)…`);
  const report = await seedFacts(buildUrl, scale, log, fleet);
  const v0 = performance.now();
  await sql(buildUrl, 'VACUUM ANALYZE');
  const vacuumS = Math.round(performance.now() - v0) / 1000;
  const steps = Object.entries(report.steps)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const note = `${vendors} vendors; set-based seed ${report.seconds} s (${steps}), vacuum analyze ${vacuumS} s, migrations ${migrateS} s, 1-min load average ${loadAtStart.toFixed(1)} at start and ${(os.loadavg()[0] as number).toFixed(1)} at end; ${Object.entries(
    report.rows,
  )
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')}`;
  log(`  ${note}`);
  await sql(BENCH_ADMIN_URL, `ALTER DATABASE ${building} RENAME TO ${name}`);
  await sql(BENCH_ADMIN_URL, `COMMENT ON DATABASE ${name} IS '${note}'`);
  return { url: urlFor(name), name, seed: note, seeded: true };
}

/** Is this the demo marker in place (the reference data written)? Used as a sanity check by the bench. */
export async function hasSeed(url: string): Promise<boolean> {
  const [row] = await sql(url, 'SELECT 1 AS found FROM vendors WHERE key = $1', [DEMO_MARKER_VENDOR]);
  return Boolean(row);
}

if (require.main === module) {
  const arg = (name: string) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const scale = Number(arg('--scale') ?? process.env.BENCH_METRICS_SCALE ?? DEFAULT_SCALE);
  const vendors = Number(arg('--vendors') ?? process.env.BENCH_METRICS_VENDORS ?? DEFAULT_VENDORS);
  keptMetricsDatabase(scale, console.log, vendors).then(
    (db) => console.log(`${db.name}: ${db.seed}`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
