import { createHash } from 'node:crypto';
import type { IntakeContext } from '../intake/context';
import { copyField as text } from '../intake/import/copy-text';
import { lockBucket } from '../intake/locks';
import type { RouteCriteria, RouteTarget } from '../intake/routing';
import type { FieldError } from '../intake/schemas';
import { dueTimes } from '../sla/policies';
import { atRiskTimes } from '../sla/state';
import type { NoticeCheck, NoticeInput } from './schemas';

/**
 * One copyright notice of a notices CSV made ready for the import's staging table: its rows (one per
 * item) as COPY lines carrying what ingestNotices (notices.ts) would write for it, computed by the same
 * code: the notice's columns, each item's copyright report (external id, body hash, surface and type),
 * and the routed queue, SLA policy and due times of the case the item opens if it opens one. Pure: it
 * runs in the import's worker thread (import/worker.ts); notices-stage.ts writes the staged rows.
 */

/** The report type of the reports (one per item) through which a notice's items open cases. */
export const COPYRIGHT_REPORT_TYPE = 'copyright';
/** The queue copyright cases go to when no routing rule for the report type says otherwise. */
export const COPYRIGHT_QUEUE = 'copyright';

/** The claimant the figures group by: the sender's organization, else their name. */
export const claimantOf = (s: NoticeInput['sender']) => s.organization ?? s.name;

export const reportExternalId = (noticeExternalId: string, position: number) => `copyright-notice:${noticeExternalId}:${position}`;
export const reportHash = (noticeHash: string, position: number) => createHash('sha256').update(`${noticeHash}:${position}`).digest('hex');

/** Where a copyright report goes: where a routing rule sends it, else the copyright queue (when there is one). */
export function copyrightTarget(route: (r: RouteCriteria) => RouteTarget, copyrightQueueId: number | null, r: RouteCriteria): RouteTarget {
  const target = route(r);
  return copyrightQueueId !== null && target.ruleId === null
    ? { queueId: copyrightQueueId, queueKey: COPYRIGHT_QUEUE, priority: 'normal', ruleId: null }
    : target;
}

/** Items whose surface is not in the catalog: field errors naming each, with the known surfaces. */
export function surfaceErrors(ctx: Pick<IntakeContext, 'surfaces'>, input: NoticeInput): FieldError[] {
  const known = () => [...ctx.surfaces.keys()].sort().join(', ');
  return (input.items ?? []).flatMap((item, k) =>
    ctx.surfaces.has(item.surface) ? [] : [{ path: `items.${k}.surface`, message: `unknown surface; known: ${known()}` }],
  );
}

/** The intake lock keys of a notice: its external id, and for a complete one each item's content and report. */
export function noticeLockKeys(input: NoticeInput, check: NoticeCheck): string[] {
  const items = check.complete ? (input.items ?? []) : [];
  return [
    `copyright_notice:${input.external_id}`,
    ...items.map((i) => `ref:${i.content_ref}`),
    ...items.map((_, p) => `ext:${reportExternalId(input.external_id, p)}`),
  ];
}

/**
 * The staging table's columns, in the order of a COPY line: one row per item (a notice without items
 * has one row at position 0 with no item). The notice's own columns are on its position-0 row only.
 */
export const NOTICE_STAGE_COLUMNS = [
  'row_no int NOT NULL',
  'line_no int NOT NULL',
  // The notice's first row: its place in the file, and where its errors point.
  'notice_no int NOT NULL',
  'position int NOT NULL',
  'external_id text NOT NULL',
  'complete bool NOT NULL',
  'received_at timestamptz NOT NULL',
  'body_hash text',
  'claimant text',
  'claimant_contact text',
  'sender_name text',
  'sender_organization text',
  'sender_email text',
  'sender_address text',
  'sender_phone text',
  'sender_kind text',
  'work text',
  'item_count int',
  'signature text',
  'good_faith bool',
  'accurate_and_authorized bool',
  'elements_present text',
  'missing_elements text',
  'account_id text',
  'status text',
  'content_ref text',
  'surface text',
  'item_account_id text',
  'report_external_id text',
  'report_hash text',
  'surface_id int',
  'report_type_id int',
  'queue_id int',
  'sla_policy_id int',
  'priority text',
  'first_action_due_at timestamptz',
  'resolution_due_at timestamptz',
  'first_action_at_risk_at timestamptz',
  'resolution_at_risk_at timestamptz',
] as const;

const N = '\\N';
const bool = (b: boolean) => (b ? 't' : 'f');

/**
 * A validated notice's COPY lines and lock keys. `rows`: the CSV record and line of each item, in order.
 * Text needs no `storable`: validation refused any the database cannot hold.
 */
export function stageNotice(
  ctx: IntakeContext,
  copyrightQueueId: number | null,
  rows: readonly { record: number; line: number }[],
  input: NoticeInput,
  hash: string,
  check: NoticeCheck,
): { copy: string; keys: string[] } {
  const items = input.items ?? [];
  const s = input.sender;
  const receivedAt = input.received_at.toISOString();
  // One account named on every item: the notice's account, else none.
  const accounts = new Set(items.map((i) => i.account_id));
  const account = accounts.size === 1 ? ([...accounts][0] ?? null) : null;
  const notice = [
    text(hash),
    text(claimantOf(s)),
    text(s.email ?? s.phone ?? s.address ?? null),
    text(s.name),
    text(s.organization),
    text(s.email),
    text(s.address),
    text(s.phone),
    text(s.kind),
    text(input.work),
    String(items.length),
    text(input.signature),
    bool(input.good_faith === true),
    bool(input.accurate_and_authorized === true),
    text(check.present.join(',')),
    text(check.missing.join(',')),
    text(account),
    check.complete ? 'received' : 'incomplete',
  ];
  const noNotice = notice.map(() => N);
  const type = check.complete ? ctx.types.get(COPYRIGHT_REPORT_TYPE) : undefined;
  if (check.complete && items.length && !type) throw new Error(`the report type ${COPYRIGHT_REPORT_TYPE} is not in the catalog`);
  const first = rows[0]!;
  const head = (k: number) => [
    String(rows[k]?.record ?? first.record),
    String(rows[k]?.line ?? first.line),
    String(first.record),
    String(k),
  ];
  const common = [text(input.external_id), bool(check.complete), receivedAt];
  if (items.length === 0)
    return { copy: `${[...head(0), ...common, ...notice, ...Array(14).fill(N)].join('\t')}\n`, keys: noticeLockKeys(input, check) };

  // Items of one notice share their arrival: due times are worked out once per queue and priority.
  const timed = new Map<string, string[]>();
  let copy = '';
  items.forEach((item, k) => {
    const fields = [
      ...head(k),
      ...common,
      ...(k === 0 ? notice : noNotice),
      text(item.content_ref),
      text(item.surface),
      text(item.account_id),
    ];
    if (type) {
      // As ingestReports files the item's report and opens its case.
      const target = copyrightTarget((r) => ctx.router.route(r), copyrightQueueId, {
        reportType: COPYRIGHT_REPORT_TYPE,
        surface: item.surface,
        language: undefined,
        jurisdiction: undefined,
      });
      const key = `${target.queueId}\u0001${target.priority}`;
      let due = timed.get(key);
      if (!due) {
        const policy = ctx.policies.policyFor(target.queueId, target.priority);
        const d = dueTimes(policy, input.received_at);
        const r = atRiskTimes(policy, input.received_at);
        due = [
          String(policy.id),
          text(target.priority),
          d.firstActionDueAt.toISOString(),
          d.resolutionDueAt.toISOString(),
          r.firstActionAtRiskAt.toISOString(),
          r.resolutionAtRiskAt.toISOString(),
        ];
        timed.set(key, due);
      }
      fields.push(
        text(reportExternalId(input.external_id, k)),
        reportHash(hash, k),
        String(ctx.surfaces.get(item.surface)),
        String(type.id),
        String(target.queueId),
        ...due,
      );
    } else fields.push(N, N, N, N, N, N, N, N, N, N, N);
    copy += `${fields.join('\t')}\n`;
  });
  return { copy, keys: noticeLockKeys(input, check) };
}

/** The lock buckets of a notice's keys. */
export const noticeBuckets = (keys: readonly string[]) => keys.map(lockBucket);
