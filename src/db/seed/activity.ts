// One day of enforcement work: reports arrive, become cases (or join an open one), and each case
// gets its review timeline, decision(s), QA sample, appeal and escalation. Times are epoch seconds.
import { DEMO_USERS, INTERNAL_ANALYSTS, type Priority, type ReportTypeKey, routeReport, type SurfaceKey } from './catalog';
import { base62, base62Of, between, chance, hex, int, lognormal, pickOne, type Rng, uuidV7, weighted } from './random';
import { policyFor, type Reference } from './setup';
import type { TableKey, Tables } from './tables';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

export type IdSource = { next(table: TableKey): number };

export type RecentCase = {
  id: number;
  contentRef: string;
  openedAt: number;
  /** When it stops accepting new reports (resolution), possibly after the anchor. */
  resolvedAt: number;
  surface: SurfaceKey;
  type: ReportTypeKey;
  category: Policy;
};

export type ActivityContext = {
  ref: Reference;
  tables: Tables;
  ids: IdSource;
  /** The anchor: nothing after it has happened yet. */
  now: number;
  /** Writes a batch when one is full; called between rows. */
  flushIfFull(): Promise<void>;
  /** The last cases opened, so repeat reports can join one that is still open. */
  recent: RecentCase[];
};

export const POLICIES = [
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
export type Policy = (typeof POLICIES)[number];

export const ACTIONS = [
  'no_violation',
  'content_removed',
  'content_restricted',
  'account_warned',
  'account_suspended',
  'account_banned',
] as const;
type Action = (typeof ACTIONS)[number];

// Reports arrive mostly in European and American daytime (UTC hours).
const HOURLY = weighted<number>([3, 2, 2, 2, 2, 3, 4, 5, 6, 7, 8, 8, 8, 9, 9, 9, 9, 8, 8, 7, 6, 5, 4, 3].map((w, h) => [h, w] as const));

const REPORT_TYPES = weighted<ReportTypeKey>([
  ['harmful_content', 38],
  ['illegal_content', 10],
  ['copyright', 10],
  ['privacy', 10],
  ['impersonation', 7],
  ['mcp_server', 6],
  ['other', 9],
]);
const OWN_INITIATIVE_TYPES = weighted<ReportTypeKey>([
  ['harmful_content', 50],
  ['illegal_content', 20],
  ['mcp_server', 15],
  ['impersonation', 10],
  ['other', 5],
]);
const TRUSTED_FLAGGER_TYPES = weighted<ReportTypeKey>([
  ['illegal_content', 50],
  ['harmful_content', 40],
  ['copyright', 10],
]);
const TRUSTED_FLAGGERS = [
  'reports@safer-internet-hotline.example',
  'flags@eu-hate-watch.example',
  'trust@fraud-alliance.example',
  'notices@child-safety-ngo.example',
];

const SURFACES = weighted<SurfaceKey>([
  ['claude_ai', 48],
  ['mobile', 18],
  ['api', 14],
  ['claude_code', 8],
  ['console', 8],
  ['mcp_directory', 4],
]);
const MCP_SURFACES = weighted<SurfaceKey>([
  ['mcp_directory', 70],
  ['claude_code', 20],
  ['claude_ai', 10],
]);

const CATEGORY_BY_TYPE: Record<Exclude<ReportTypeKey, 'mcp_server'>, (rng: Rng) => Policy> = {
  harmful_content: weighted<Policy>([
    ['harassment', 26],
    ['hate_speech', 22],
    ['spam', 18],
    ['fraud', 14],
    ['self_harm', 12],
    ['violent_extremism', 8],
  ]),
  illegal_content: weighted<Policy>([
    ['fraud', 30],
    ['hate_speech', 28],
    ['privacy_violation', 20],
    ['violent_extremism', 18],
    ['csam', 4],
  ]),
  copyright: () => 'ip_infringement',
  privacy: () => 'privacy_violation',
  impersonation: weighted<Policy>([
    ['fraud', 60],
    ['harassment', 40],
  ]),
  other: weighted<Policy>([
    ['spam', 60],
    ['fraud', 20],
    ['harassment', 20],
  ]),
};

const MCP_SERVERS = [
  'weather-tools',
  'gh-issue-sync',
  'pdf-extractor',
  'crypto-price-feed',
  'calendar-bridge',
  'notes-export',
  'shell-runner',
  'db-admin-lite',
  'browser-pilot',
  'invoice-helper',
];
const MCP_OWNERS = ['acme-labs', 'opentools-dev', 'quickmcp', 'devtoolsco', 'indie-hacker-42'];
const MCP_ISSUES = weighted<[string, Policy]>([
  [['malware', 'malware'], 25],
  [['data_exfiltration', 'privacy_violation'], 25],
  [['prompt_injection', 'malware'], 20],
  [['impersonation', 'fraud'], 15],
  [['misleading_listing', 'spam'], 15],
]);

const JURISDICTIONS = weighted<string>([
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
]);
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

const ACTION_WEIGHTS: Record<Policy, (rng: Rng) => Action> = {
  csam: () => 'content_removed',
  spam: weighted<Action>([
    ['content_removed', 45],
    ['no_violation', 15],
    ['account_suspended', 15],
    ['account_banned', 15],
    ['account_warned', 10],
  ]),
  hate_speech: weighted<Action>([
    ['no_violation', 35],
    ['content_removed', 35],
    ['account_warned', 15],
    ['content_restricted', 10],
    ['account_suspended', 5],
  ]),
  violent_extremism: weighted<Action>([
    ['content_removed', 45],
    ['no_violation', 20],
    ['account_banned', 20],
    ['account_suspended', 15],
  ]),
  harassment: weighted<Action>([
    ['no_violation', 40],
    ['content_removed', 25],
    ['account_warned', 25],
    ['content_restricted', 5],
    ['account_suspended', 5],
  ]),
  self_harm: weighted<Action>([
    ['no_violation', 45],
    ['content_restricted', 40],
    ['content_removed', 10],
    ['account_warned', 5],
  ]),
  fraud: weighted<Action>([
    ['content_removed', 35],
    ['no_violation', 25],
    ['account_banned', 20],
    ['account_suspended', 15],
    ['account_warned', 5],
  ]),
  privacy_violation: weighted<Action>([
    ['content_removed', 45],
    ['no_violation', 35],
    ['content_restricted', 15],
    ['account_warned', 5],
  ]),
  ip_infringement: weighted<Action>([
    ['content_removed', 55],
    ['no_violation', 30],
    ['content_restricted', 15],
  ]),
  malware: weighted<Action>([
    ['content_removed', 50],
    ['no_violation', 30],
    ['account_suspended', 10],
    ['account_banned', 10],
  ]),
};

/** Share of cases a classifier or hash match decides without a human. */
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

const SEVERE: ReadonlySet<Policy> = new Set(['csam', 'violent_extremism', 'self_harm']);

type Severity = 'sev1' | 'sev2' | 'sev3' | 'sev4';
const SEVERITIES = weighted<Severity>([
  ['sev1', 5],
  ['sev2', 20],
  ['sev3', 45],
  ['sev4', 30],
]);
const SEVERE_SEVERITIES = weighted<Severity>([
  ['sev1', 35],
  ['sev2', 45],
  ['sev3', 20],
]);
const ESCALATION_DEADLINE: Record<Severity, number> = { sev1: HOUR, sev2: 4 * HOUR, sev3: DAY, sev4: 3 * DAY };
const ESCALATION_REASONS = [
  'Vendor unsure whether the newsworthiness exception applies',
  'Possible imminent real-world harm; needs an internal call',
  'High-profile account; enforcement needs sign-off',
  'Conflicting guidance between policy and regional law',
  'Possible law-enforcement referral',
  'Repeat offender across surfaces; ban proposed',
  'Reporter is a trusted flagger disputing the vendor outcome',
];
const ESCALATION_OUTCOMES = weighted<'approved' | 'rejected' | 'reassigned'>([
  ['approved', 65],
  ['rejected', 22],
  ['reassigned', 13],
]);
const REJECT_REASONS = [
  'Within policy: satire/commentary',
  'Insufficient evidence; vendor decision stands',
  'Duplicate of an escalation already decided',
];
const REASSIGN_REASONS = [
  'Needs the Dublin team (German-language content)',
  'Route to the child-safety specialists',
  'Legal should review first',
];

const QA_SEVERITY = weighted<string>([
  ['minor', 55],
  ['major', 35],
  ['critical', 10],
]);

function sampleLanguage(rng: Rng, jurisdiction: string | null): string | null {
  if (jurisdiction === null) return chance(rng, 0.3) ? null : 'en';
  if (jurisdiction === 'US') return chance(rng, 0.08) ? 'es' : 'en';
  const local = LOCAL_LANGUAGES[jurisdiction];
  if (!local || chance(rng, 0.28)) return 'en';
  return pickOne(rng, local);
}

// Ids carry their creation time first (as real share and message ids often do), which keeps
// the cases(content_ref) index append-mostly at tens of millions of rows.
function contentRefFor(rng: Rng, surface: SurfaceKey, at: number): string {
  switch (surface) {
    case 'claude_ai':
    case 'mobile':
      return `https://claude.ai/share/${uuidV7(rng, at)}`;
    case 'api':
      return `api:msg_01${base62Of(at * 1000, 8)}${base62(rng, 14)}`;
    case 'claude_code':
      return `claude-code:session_${base62Of(at * 1000, 8)}${base62(rng, 16)}`;
    case 'console':
      return `https://console.anthropic.com/workbench/${uuidV7(rng, at)}`;
    case 'mcp_directory':
      return `https://claude.ai/directory/servers/${pickOne(rng, MCP_SERVERS)}-${hex(rng, 6)}`;
  }
}

type Profile = {
  type: ReportTypeKey;
  surface: SurfaceKey;
  category: Policy;
  jurisdiction: string | null;
  language: string | null;
  ownInitiative: boolean;
  trustedFlagger: boolean;
  contact: string | null;
  details: string | null;
  contentRef: string;
};

function sampleProfile(rng: Rng, at: number): Profile {
  const ownInitiative = chance(rng, 0.05);
  const trustedFlagger = !ownInitiative && chance(rng, 0.04);
  const type = ownInitiative ? OWN_INITIATIVE_TYPES(rng) : trustedFlagger ? TRUSTED_FLAGGER_TYPES(rng) : REPORT_TYPES(rng);
  const surface = type === 'mcp_server' ? MCP_SURFACES(rng) : SURFACES(rng);
  let category: Policy;
  let details: string | null = null;
  let contentRef: string;
  if (type === 'mcp_server') {
    const name = pickOne(rng, MCP_SERVERS);
    const [issue, policy] = MCP_ISSUES(rng);
    category = policy;
    details = JSON.stringify({ name, url: `https://github.com/${pickOne(rng, MCP_OWNERS)}/${name}-mcp`, issue });
    contentRef = `https://claude.ai/directory/servers/${name}-${hex(rng, 6)}`;
  } else {
    category = CATEGORY_BY_TYPE[type](rng);
    contentRef = contentRefFor(rng, surface, at - int(rng, 0, 3 * DAY));
  }
  const jurisdiction = chance(rng, 0.04) ? null : JURISDICTIONS(rng);
  return {
    type,
    surface,
    category,
    jurisdiction,
    language: sampleLanguage(rng, jurisdiction),
    ownInitiative,
    trustedFlagger,
    contact: ownInitiative
      ? null
      : trustedFlagger
        ? pickOne(rng, TRUSTED_FLAGGERS)
        : chance(rng, 0.35)
          ? `reporter-${hex(rng, 8)}@example.com`
          : null,
    details,
    contentRef,
  };
}

/** ok / at_risk / breached, as the SLA scan would last have recorded it. */
function slaState(openedAt: number, dueAt: number, doneAt: number, atRiskPercent: number): string {
  if (doneAt > dueAt) return 'breached';
  return doneAt - openedAt >= ((dueAt - openedAt) * atRiskPercent) / 100 ? 'at_risk' : 'ok';
}

type EscalationPlan = {
  createdAt: number;
  severity: Severity;
  status: 'pending' | 'approved' | 'rejected' | 'reassigned' | 'expired';
  decidedAt: number | null;
};

/** Writes an escalation with its votes and audit trail; returns who decided, if anyone. */
function writeEscalation(
  ctx: ActivityContext,
  rng: Rng,
  caseId: number,
  vendorKey: string,
  plan: EscalationPlan,
  faDueAt: number,
): string | null {
  const { tables, ids } = ctx;
  const id = ids.next('escalations');
  const quorum = plan.severity === 'sev1' || plan.severity === 'sev2' ? 2 : 1;
  const deadline = plan.createdAt + ESCALATION_DEADLINE[plan.severity];
  const source = plan.createdAt > faDueAt && chance(rng, 0.6) ? 'sla_breach' : chance(rng, 0.65) ? 'vendor' : 'manual';
  const requestedBy = source === 'sla_breach' ? 'system' : source === 'vendor' ? `${vendorKey}:lead` : DEMO_USERS.analyst;
  const reason = source === 'sla_breach' ? 'Resolution SLA breached on a sensitive case' : pickOne(rng, ESCALATION_REASONS);

  const approvers = chance(rng, 0.5) ? [DEMO_USERS.approver, DEMO_USERS.admin] : [DEMO_USERS.admin, DEMO_USERS.approver];
  const votes: { user: string; vote: string; reason: string | null; at: number }[] = [];
  let outcomeReason: string | null = null;
  const end = plan.decidedAt ?? deadline;
  if (plan.status === 'approved') {
    if (quorum === 2)
      votes.push({
        user: approvers[1] as string,
        vote: 'approve',
        reason: null,
        at: plan.createdAt + Math.floor((end - plan.createdAt) * rng()),
      });
    votes.push({ user: approvers[0] as string, vote: 'approve', reason: null, at: end });
  } else if (plan.status === 'rejected') {
    outcomeReason = pickOne(rng, REJECT_REASONS);
    votes.push({ user: approvers[0] as string, vote: 'reject', reason: outcomeReason, at: end });
  } else if (plan.status === 'reassigned') {
    outcomeReason = pickOne(rng, REASSIGN_REASONS);
    votes.push({ user: approvers[0] as string, vote: 'reassign', reason: outcomeReason, at: end });
  } else if (quorum === 2 && chance(rng, 0.5)) {
    // Pending or expired two-person escalations often hold one of the two votes already.
    const at =
      plan.status === 'expired'
        ? plan.createdAt + Math.floor((deadline - plan.createdAt) * rng())
        : plan.createdAt + Math.floor((ctx.now - plan.createdAt) * rng());
    votes.push({ user: approvers[0] as string, vote: 'approve', reason: null, at });
  }
  const decided = plan.status === 'approved' || plan.status === 'rejected' || plan.status === 'reassigned';
  const decidedBy = decided ? (votes[votes.length - 1]?.user ?? null) : null;
  if (plan.status === 'expired') outcomeReason = 'No quorum before the deadline';

  tables.escalations.push({
    id,
    case_id: caseId,
    source,
    severity: plan.severity,
    reason,
    requested_by: requestedBy,
    required_approvals: quorum,
    status: plan.status,
    deadline_at: deadline,
    decided_at: plan.status === 'pending' ? null : plan.status === 'expired' ? deadline : plan.decidedAt,
    decided_by: decidedBy,
    outcome_reason: outcomeReason,
    created_at: plan.createdAt,
  });
  for (const v of votes) {
    tables.escalationVotes.push({
      id: ids.next('escalationVotes'),
      escalation_id: id,
      user_id: v.user,
      vote: v.vote,
      reason: v.reason,
      created_at: v.at,
    });
  }
  tables.auditEvents.push({
    id: ids.next('auditEvents'),
    actor: requestedBy,
    action: 'escalation.requested',
    entity_type: 'escalation',
    entity_id: String(id),
    before: null,
    after: JSON.stringify({ caseId, severity: plan.severity, source, status: 'pending' }),
    origin: source === 'vendor' ? 'api' : source === 'manual' ? 'slack' : 'system',
    created_at: plan.createdAt,
  });
  if (plan.status !== 'pending') {
    tables.auditEvents.push({
      id: ids.next('auditEvents'),
      actor: decidedBy ?? 'system',
      action: `escalation.${plan.status}`,
      entity_type: 'escalation',
      entity_id: String(id),
      before: JSON.stringify({ status: 'pending' }),
      after: JSON.stringify({ status: plan.status, ...(outcomeReason ? { reason: outcomeReason } : {}) }),
      origin: decided ? 'slack' : 'system',
      created_at: plan.status === 'expired' ? deadline : (plan.decidedAt as number),
    });
  }
  return decidedBy;
}

function planEscalation(rng: Rng, now: number, category: Policy, from: number, to: number): EscalationPlan | null {
  const createdAt = Math.floor(from + rng() * Math.max(0, to - from));
  if (createdAt > now) return null;
  const severity = SEVERE.has(category) ? SEVERE_SEVERITIES(rng) : SEVERITIES(rng);
  const window = ESCALATION_DEADLINE[severity];
  const takes = Math.floor(lognormal(rng, 0.35 * window, 0.8));
  const deadline = createdAt + window;
  if (takes > window) return { createdAt, severity, status: deadline <= now ? 'expired' : 'pending', decidedAt: null };
  const decidedAt = createdAt + Math.max(MINUTE, takes);
  if (decidedAt > now) return { createdAt, severity, status: deadline <= now ? 'expired' : 'pending', decidedAt: null };
  return { createdAt, severity, status: ESCALATION_OUTCOMES(rng), decidedAt };
}

function otherAction(rng: Rng, action: Action): Action {
  let other = action;
  while (other === action) other = pickOne(rng, ACTIONS);
  return other;
}

/** A new case for a report received at `receivedAt`, with everything that followed up to `now`. */
function openCase(ctx: ActivityContext, rng: Rng, p: Profile, receivedAt: number): RecentCase {
  const { ref, tables, ids, now } = ctx;
  const route = routeReport({ reportType: p.type, surface: p.surface, language: p.language, jurisdiction: p.jurisdiction });
  let priority: Priority = route.priority;
  if (p.category === 'csam') priority = 'urgent';
  else if (p.trustedFlagger && priority === 'normal') priority = 'high';
  const queue = ref.queues.get(route.queue);
  if (!queue) throw new Error(`seed: unknown queue ${route.queue}`);
  const vendor = queue.vendor;
  const openedAt = receivedAt + int(rng, 1, 20);
  const policy = policyFor(ref, route.queue, priority, openedAt);
  const faDue = openedAt + policy.firstActionMinutes * MINUTE;
  const resDue = openedAt + policy.resolutionMinutes * MINUTE;

  // Review times: skewed, vendor-paced, capped at three weeks; some breach.
  const automated = chance(rng, AUTOMATED_SHARE[p.category]);
  let faAt: number;
  let resAt: number;
  if (automated) {
    faAt = openedAt + int(rng, 2, 90);
    resAt = faAt + int(rng, 0, 5);
  } else {
    faAt =
      openedAt + Math.max(MINUTE, Math.min(21 * DAY, Math.floor(lognormal(rng, vendor.pace, 0.95) * policy.firstActionMinutes * MINUTE)));
    resAt = faAt + Math.max(2 * MINUTE, Math.min(21 * DAY, Math.floor(lognormal(rng, 0.18, 0.9) * policy.resolutionMinutes * MINUTE)));
  }

  const caseId = ids.next('cases');
  let escalation: EscalationPlan | null = null;
  if (!automated) {
    const escalationChance = (SEVERE.has(p.category) ? 0.012 : 0.002) * (priority === 'normal' ? 1 : 2);
    if (chance(rng, escalationChance)) {
      escalation = planEscalation(rng, now, p.category, faAt, resAt);
    } else if (resAt > now && faAt <= now && chance(rng, 0.12)) {
      // Some of the work still open at the anchor is waiting on an internal call.
      escalation = planEscalation(rng, now, p.category, faAt, now);
    }
  }
  let approvedBy: string | null = null;
  if (escalation) {
    // The case waits for the internal call (or its expiry) before it is resolved.
    const settled =
      escalation.decidedAt ?? (escalation.status === 'expired' ? escalation.createdAt + ESCALATION_DEADLINE[escalation.severity] : now);
    resAt = Math.max(resAt, settled + int(rng, 5 * MINUTE, 4 * HOUR));
    const decidedBy = writeEscalation(ctx, rng, caseId, vendor.key, escalation, faDue);
    if (escalation.status === 'approved') approvedBy = decidedBy;
  }

  const firstActionAt = faAt <= now ? faAt : null;
  const resolvedAt = resAt <= now ? resAt : null;
  const closeAt = resAt + int(rng, HOUR, 2 * DAY);
  const closedAt = resolvedAt !== null && closeAt <= now && !chance(rng, 0.01) ? closeAt : null;
  const status = closedAt
    ? 'closed'
    : resolvedAt
      ? 'decided'
      : escalation?.status === 'pending'
        ? 'escalated'
        : firstActionAt
          ? 'in_review'
          : 'queued';

  tables.cases.push({
    id: caseId,
    queue_id: queue.id,
    sla_policy_id: policy.id,
    priority,
    status,
    content_ref: p.contentRef,
    opened_at: openedAt,
    first_action_due_at: faDue,
    resolution_due_at: resDue,
    first_action_at: firstActionAt,
    resolved_at: resolvedAt,
    closed_at: closedAt,
    first_action_state: slaState(openedAt, faDue, firstActionAt ?? now, policy.atRiskPercent),
    resolution_state: slaState(openedAt, resDue, resolvedAt ?? now, policy.atRiskPercent),
    updated_at: Math.min(now, Math.max(openedAt, closedAt ?? resolvedAt ?? firstActionAt ?? openedAt, escalation?.decidedAt ?? 0)),
  });

  if (resolvedAt !== null)
    writeDecisions(ctx, rng, caseId, p.category, resolvedAt, {
      automated,
      vendorKey: vendor.key,
      reviewers: vendor.reviewers,
      qaDisagree: vendor.qaDisagree,
      decidedBy: approvedBy,
    });
  return { id: caseId, contentRef: p.contentRef, openedAt, resolvedAt: resAt, surface: p.surface, type: p.type, category: p.category };
}

type Actor = { automated: boolean; vendorKey: string; reviewers: number; qaDisagree: number; decidedBy: string | null };

function writeDecisions(ctx: ActivityContext, rng: Rng, caseId: number, policy: Policy, decidedAt: number, actor: Actor): void {
  const { tables, ids, now } = ctx;
  const internal = actor.decidedBy !== null || (!actor.automated && chance(rng, 0.06));
  const actorType = actor.automated ? 'automated' : internal ? 'internal_analyst' : 'vendor_reviewer';
  const actorId = actor.automated
    ? (AUTOMATED_ACTOR[policy] ?? 'classifier:safety-v4')
    : internal
      ? (actor.decidedBy ?? pickOne(rng, INTERNAL_ANALYSTS))
      : `${actor.vendorKey}:r${String(int(rng, 1, actor.reviewers)).padStart(3, '0')}`;
  // CSAM is always removed and the account banned: two enforcement actions.
  const actions: Action[] = policy === 'csam' ? ['content_removed', 'account_banned'] : [ACTION_WEIGHTS[policy](rng)];

  for (const action of actions) {
    const decisionId = ids.next('decisions');
    tables.decisions.push({
      id: decisionId,
      case_id: caseId,
      action,
      policy,
      actor_type: actorType,
      actor_id: actorId,
      automated: actor.automated,
      decided_at: decidedAt,
    });

    if (chance(rng, 0.05)) {
      const reviewedAt = decidedAt + int(rng, 6 * HOUR, 5 * DAY);
      if (reviewedAt <= now) {
        const disagreeRate = actor.automated ? 0.09 : internal ? 0.03 : actor.qaDisagree;
        const disagree = policy !== 'csam' && chance(rng, disagreeRate);
        const correctAction = disagree ? otherAction(rng, action) : action;
        const correctPolicy =
          disagree && chance(rng, 0.3)
            ? pickOne(
                rng,
                POLICIES.filter((x) => x !== 'csam' && x !== policy),
              )
            : policy;
        tables.qaReviews.push({
          id: ids.next('qaReviews'),
          decision_id: decisionId,
          outcome: disagree ? 'disagree' : 'agree',
          correct_action: correctAction,
          correct_policy: correctPolicy,
          error_severity: disagree ? QA_SEVERITY(rng) : null,
          error_category: !disagree
            ? null
            : action === 'no_violation'
              ? 'missed_violation'
              : correctAction === 'no_violation'
                ? 'over_enforcement'
                : correctPolicy !== policy
                  ? 'wrong_policy'
                  : 'wrong_action_severity',
          reviewer_id: pickOne(rng, INTERNAL_ANALYSTS),
          reviewed_at: reviewedAt,
        });
      }
    }

    if (action !== 'no_violation' && policy !== 'csam' && chance(rng, 0.03)) {
      const filedAt = decidedAt + Math.min(30 * DAY, Math.max(HOUR, Math.floor(lognormal(rng, 2 * DAY, 0.8))));
      if (filedAt <= now) {
        const decideAt = filedAt + Math.max(2 * HOUR, Math.floor(lognormal(rng, 3 * DAY, 0.6)));
        const outcome = decideAt > now ? 'pending' : chance(rng, 0.25) ? 'overturned' : 'upheld';
        tables.appeals.push({
          id: ids.next('appeals'),
          decision_id: decisionId,
          outcome,
          filed_at: filedAt,
          resolved_at: outcome === 'pending' ? null : decideAt,
        });
        if (outcome === 'overturned') {
          // The reversal is itself an enforcement decision, taken by the team.
          tables.decisions.push({
            id: ids.next('decisions'),
            case_id: caseId,
            action: 'no_violation',
            policy,
            actor_type: 'internal_analyst',
            actor_id: pickOne(rng, INTERNAL_ANALYSTS),
            automated: false,
            decided_at: decideAt,
          });
        }
      }
    }
  }
}

/** A report about content already in an open case: it joins that case instead of opening one. */
function findOpenCase(ctx: ActivityContext, rng: Rng, at: number): RecentCase | null {
  for (let tries = 0; tries < 4 && ctx.recent.length > 0; tries++) {
    const c = pickOne(rng, ctx.recent);
    if (c.openedAt < at && c.resolvedAt > at) return c;
  }
  return null;
}

const RECENT_CASES = 512;

/** Every report received on [dayStart, dayStart + 1 day), with the cases and work they led to. */
export async function generateDay(ctx: ActivityContext, rng: Rng, dayStart: number, reports: number): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < reports; i++) times.push(dayStart + HOURLY(rng) * HOUR + Math.floor(rng() * HOUR));
  times.sort((a, b) => a - b);

  for (const receivedAt of times) {
    const p = sampleProfile(rng, receivedAt);
    const joined = chance(rng, 0.035) ? findOpenCase(ctx, rng, receivedAt) : null;
    let caseId: number;
    if (joined) {
      caseId = joined.id;
      p.contentRef = joined.contentRef;
      p.surface = joined.surface;
      p.type = joined.type;
      p.category = joined.category;
      p.details = null;
    } else {
      const opened = openCase(ctx, rng, p, receivedAt);
      caseId = opened.id;
      if (ctx.recent.length < RECENT_CASES) ctx.recent.push(opened);
      else ctx.recent[opened.id % RECENT_CASES] = opened;
    }
    ctx.tables.reports.push({
      id: ctx.ids.next('reports'),
      surface_id: ctx.ref.surfaces[p.surface],
      report_type_id: ctx.ref.reportTypes[p.type],
      category: p.category,
      content_ref: p.contentRef,
      reporter_contact: p.contact,
      jurisdiction: p.jurisdiction,
      language: p.language,
      details: p.details,
      own_initiative: p.ownInitiative,
      trusted_flagger: p.trustedFlagger,
      received_at: receivedAt,
      case_id: caseId,
    });
    await ctx.flushIfFull();
  }
}

/** Expected reports per day before noise: weekends quieter, a slow upward trend, one spam wave. */
export function dailyReportVolumes(rng: Rng, windowStart: number, days: number, scale: number): number[] {
  const out: number[] = [];
  for (let d = 0; d < days; d++) {
    const dow = new Date((windowStart + d * DAY) * 1000).getUTCDay();
    const weekday = dow === 6 ? 0.78 : dow === 0 ? 0.72 : dow === 1 ? 1.08 : 1;
    const trend = 0.92 + (0.16 * d) / Math.max(1, days - 1);
    const wave = d === days - 29 ? 1.5 : 1;
    const mean = 125 * scale * weekday * trend * wave * between(rng, 0.9, 1.1);
    out.push(Math.floor(mean) + (rng() < mean - Math.floor(mean) ? 1 : 0));
  }
  return out;
}
