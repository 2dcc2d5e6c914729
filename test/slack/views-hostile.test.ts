import fc from 'fast-check';
import type { MetricsResult } from '../../src/domain/metrics/figures';
import { AppError } from '../../src/errors';
import { validateBlocks, validateView } from '../../src/sandbox/emulator/block-kit';
import { renderAlert } from '../../src/slack/views/alerts';
import type { SlackMessage } from '../../src/slack/views/blocks';
import { caseMessage } from '../../src/slack/views/case';
import { reportTypeListMessage, routeListMessage } from '../../src/slack/views/catalog';
import { dsaMappingMessage } from '../../src/slack/views/dsa';
import { reassignEscalationModal, rejectModal, requestInfoModal } from '../../src/slack/views/escalation-modals';
import { errorMessage, failureMessage, okMessage } from '../../src/slack/views/feedback';
import { helpMessage } from '../../src/slack/views/help';
import { homeView } from '../../src/slack/views/home';
import { metricsMessage } from '../../src/slack/views/metrics';
import { reassignModal } from '../../src/slack/views/reassign';
import { slaSummaryMessage } from '../../src/slack/views/sla-summary';
import { surfaceListMessage } from '../../src/slack/views/surfaces';
import { tokenCreatedMessage, tokenListMessage } from '../../src/slack/views/tokens';

// Every view builder gets long and hostile text wherever a person, an admin or a vendor can put
// text; what comes out must pass the emulator's Block Kit checks (which stand in for Slack's) and
// hold no live mention, broadcast or link that came from that text.

/** The Slack users the code may mention on purpose: only these may appear as `<@…>`. */
const KNOWN_USERS = ['U0ANALYST1', 'U0APPROVER1', 'W0ADMIN01'];
const REVIEW_URL = 'https://review.example.com/cases/{case_id}';
const RUNS = { numRuns: 60 };

const FRAGMENTS = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@UEVIL0001>',
  '<@U0ANALYST1>',
  '<#C0EVIL01|general>',
  '<!subteam^S0EVIL01>',
  '<https://evil.example|click me>',
  '<!date^1^{date}|x>',
  '&',
  '&amp;',
  '&lt;',
  '<',
  '>',
  '*bold*',
  '`',
  '_',
  '\u0000',
  '\u202e',
  'שלום',
  'مرحبا',
  '😀',
  '👩‍👩‍👧',
  '\n',
  ' ',
  'x',
];

/** Hostile text: control sequences, entities, RTL, emoji, NUL, and runs of up to 10,000 characters. */
const hostile: fc.Arbitrary<string> = fc.oneof(
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((a) => a.join('')),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc
    .tuple(fc.constantFrom(...FRAGMENTS), fc.integer({ min: 1, max: 10_000 }))
    .map(([f, n]) => f.repeat(Math.ceil(n / f.length)).slice(0, n)),
);
/** A field that holds a Slack user id when people act, or an API caller's name, which may be anything. */
const actor = fc.oneof(
  fc.constantFrom(...KNOWN_USERS),
  hostile.map((s) => `vendor:${s}`),
  fc.constant('system'),
);
const iso = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
const count = fc.nat({ max: 1_000_000 });
const id = fc.integer({ min: 1, max: 2_000_000_000 });
const list = <T>(a: fc.Arbitrary<T>, max = 30) => fc.array(a, { maxLength: max });

/** Every mrkdwn string Slack will parse: the message `text` and each mrkdwn text object (plain_text is not parsed). */
function parsedTexts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) parsedTexts(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
    for (const v of Object.values(o)) parsedTexts(v, out);
  }
  return out;
}

// Our own markup: Slack dates, and mentions of the known users. Any other `<` is someone's text left live.
const OURS = new RegExp(`<!date\\^\\d+\\^[^|<>]*\\|[^<>]*>|<@(?:${KNOWN_USERS.join('|')})>`, 'g');

function expectInert(texts: string[]): void {
  for (const t of texts) {
    const live = t.replace(OURS, '');
    // A `<` opens a mention, broadcast or link; a bare `>` only quotes a line, which our notes do.
    if (live.includes('<')) throw new Error(`unescaped markup from user text in: ${JSON.stringify(t.slice(0, 500))}`);
    // & only as the three entities Slack decodes
    if (/&(?!amp;|lt;|gt;)/.test(t)) throw new Error(`bare & in: ${JSON.stringify(t.slice(0, 500))}`);
  }
}

function expectFitsMessage(m: SlackMessage): void {
  expect(validateBlocks(m.blocks, 'message')).toEqual([]);
  expect(m.text.length).toBeGreaterThan(0);
  expect(m.text.length).toBeLessThanOrEqual(40_000);
  expectInert([m.text, ...parsedTexts(m.blocks)]);
}

function expectFitsView(v: unknown, type: 'modal' | 'home'): void {
  expect(validateView(v, type)).toEqual([]);
  expectInert(parsedTexts((v as { blocks: unknown }).blocks));
}

const figures = fc.record({
  reportsReceived: count,
  decisions: count,
  casesDecided: count,
  actionsByType: fc.dictionary(hostile, count, { maxKeys: 5 }),
  actionRate: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
  timeToAction: fc.record({ medianMs: fc.option(count), p90Ms: fc.option(count), n: count }),
  firstActionSla: fc.record({ met: count, total: count, rate: fc.option(fc.double({ min: 0, max: 1, noNaN: true })) }),
  resolutionSla: fc.record({ met: count, total: count, rate: fc.option(fc.double({ min: 0, max: 1, noNaN: true })) }),
  escalations: count,
  appeals: fc.record({
    filed: count,
    resolved: count,
    overturned: count,
    overturnRate: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
  }),
  automated: fc.record({ automated: count, human: count, share: fc.option(fc.double({ min: 0, max: 1, noNaN: true })) }),
  qa: fc.record({ reviewed: count, agree: count, accuracy: fc.option(fc.double({ min: 0, max: 1, noNaN: true })) }),
});

const escalationCard = fc.record({
  escalationId: id,
  caseId: id,
  severity: fc.constantFrom('sev1', 'sev2', 'sev3', 'sev4'),
  reason: hostile,
  source: fc.constantFrom('manual', 'vendor', 'sla_breach'),
  requestedBy: actor,
  requiredApprovals: fc.integer({ min: 1, max: 3 }),
  queue: hostile,
  vendor: hostile,
  priority: hostile,
  surfaces: list(hostile, 5),
  reportTypes: list(hostile, 5),
  policies: list(hostile, 5),
  firstActionDueAt: iso,
  firstActionState: hostile,
  resolutionDueAt: iso,
  resolutionState: hostile,
  deadlineAt: iso,
  status: fc.constantFrom('pending', 'approved', 'rejected', 'reassigned', 'expired'),
  votes: list(fc.record({ userId: actor, vote: fc.constantFrom('approve', 'reject'), at: iso }), 5),
  decidedBy: fc.option(actor, { nil: undefined }),
  decidedAt: fc.option(iso, { nil: undefined }),
  outcomeReason: fc.option(hostile, { nil: undefined }),
  reassignedTo: fc.option(
    fc.oneof(
      actor,
      hostile.map((q) => `queue:${q}`),
    ),
    { nil: undefined },
  ),
});

const slaAlert = fc.record({
  caseId: id,
  queue: hostile,
  vendor: hostile,
  priority: hostile,
  target: fc.constantFrom('first_action' as const, 'resolution' as const),
  state: fc.constantFrom('at_risk' as const, 'breached' as const),
  openedAt: iso,
  dueAt: iso,
  contentRef: hostile,
  outcome: fc.option(fc.constantFrom('met' as const, 'missed' as const), { nil: undefined }),
  completedAt: fc.option(iso, { nil: undefined }),
  overrunMinutes: fc.option(count, { nil: undefined }),
  acknowledgedBy: fc.option(actor, { nil: undefined }),
  acknowledgedAt: fc.option(iso, { nil: undefined }),
  firstPostedAt: fc.option(iso, { nil: undefined }),
});

/** Every kind of outbox alert, with the data intake, the SLA scan and escalations store for it. */
const alert = fc.oneof(
  fc.record({
    kind: fc.constant('triage'),
    message: fc.record({
      caseId: id,
      reportType: hostile,
      reportTypeName: hostile,
      surface: hostile,
      queue: hostile,
      priority: hostile,
      firstActionDueAt: iso,
      resolutionDueAt: iso,
      contentRef: fc.oneof(
        hostile,
        hostile.map((s) => `https://example.com/${s}`),
      ),
      jurisdiction: fc.option(hostile),
      mcpServer: fc.option(fc.record({ name: hostile, url: hostile, issue: hostile })),
    }),
  }),
  fc.record({ kind: fc.constantFrom('sla_at_risk', 'sla_breach', 'sla_renotify'), message: slaAlert }),
  fc.record({ kind: fc.constant('escalation'), message: escalationCard }),
  fc.record({
    kind: fc.constant('escalation_thread'),
    message: fc.record({
      escalationId: id,
      caseId: id,
      event: fc.constantFrom('approved', 'rejected', 'reassigned', 'expired', 'info_requested', 'vote'),
      actor,
      at: iso,
      reason: fc.option(hostile, { nil: undefined }),
      mentions: fc.option(list(actor, 5), { nil: undefined }),
      approvals: fc.option(fc.nat(5), { nil: undefined }),
      required: fc.option(fc.nat(5), { nil: undefined }),
      reassignedTo: fc.option(
        fc.oneof(
          actor,
          hostile.map((q) => `queue:${q}`),
        ),
        { nil: undefined },
      ),
    }),
  }),
  fc.record({
    kind: fc.constant('escalation_dm'),
    message: fc.record({
      escalationId: id,
      caseId: id,
      status: fc.constantFrom('approved', 'rejected', 'reassigned', 'expired'),
      by: actor,
      at: iso,
      reason: fc.option(hostile, { nil: undefined }),
      reassignedTo: fc.option(
        fc.oneof(
          actor,
          hostile.map((q) => `queue:${q}`),
        ),
        { nil: undefined },
      ),
      to: fc.option(fc.constant('assignee' as const), { nil: undefined }),
    }),
  }),
  fc.record({
    kind: fc.constant('escalation_expired'),
    message: fc.record({ escalationId: id, caseId: id, severity: hostile, deadlineAt: iso, approvers: list(actor, 60) }),
  }),
  fc.record({
    kind: fc.constant('sla_rollup'),
    message: fc.record({
      queue: hostile,
      vendor: hostile,
      target: fc.constantFrom('first_action' as const, 'resolution' as const),
      state: fc.constantFrom('at_risk' as const, 'breached' as const),
      count: count,
      oldestCaseId: id,
      oldestOpenedAt: iso,
      worstOverrunMinutes: count,
      caseIds: list(id, 40),
    }),
  }),
);

const caseDetail = fc.record({
  caseId: id,
  status: hostile,
  queue: hostile,
  vendor: hostile,
  priority: hostile,
  assignee: fc.option(actor),
  openedAt: iso,
  firstActionDueAt: iso,
  firstActionState: hostile,
  resolutionDueAt: iso,
  resolutionState: hostile,
  reports: list(fc.record({ id, externalId: hostile, surface: hostile, type: hostile, category: fc.option(hostile), receivedAt: iso })),
  decisions: list(
    fc.record({
      id,
      action: hostile,
      policy: hostile,
      actorType: hostile,
      automated: fc.boolean(),
      decidedAt: iso,
      appeals: fc.nat(5),
      qaReviews: fc.nat(5),
    }),
  ),
  escalations: list(
    fc.record({
      id,
      severity: hostile,
      status: hostile,
      requestedBy: actor,
      createdAt: iso,
      decidedBy: fc.option(actor),
      votes: fc.nat(5),
    }),
  ),
  timeline: list(fc.record({ at: iso, actor, action: hostile, entity: hostile, summary: hostile }), 60),
});

const queues = list(fc.record({ key: hostile, name: hostile, vendor: hostile }), 120);
const modalMetadata = fc.record({ escalationId: id, channelId: fc.option(fc.constant('C0ESCALATE'), { nil: undefined }) });

describe('every view, given long and hostile text, posts something Slack accepts and nothing from that text acts', () => {
  it('outbox alerts: triage, SLA, escalation cards, thread notes, DMs, expiry notices, roll-ups', () => {
    fc.assert(
      fc.property(alert, id, (a, alertId) => {
        const m = renderAlert({ id: alertId, channel: 'C0ALERTS', slackChannel: null, slackTs: null, ...a }, { reviewUrl: REVIEW_URL });
        expectFitsMessage(m);
      }),
      { numRuns: 300 },
    );
  });

  it('the case record, on every page', () => {
    fc.assert(
      fc.property(caseDetail, fc.integer({ min: -1, max: 20 }), (d, page) => expectFitsMessage(caseMessage(d, page))),
      RUNS,
    );
  });

  it('catalogue lists: surfaces, report types, routing rules, the DSA mapping', () => {
    const rule = fc.record({
      id,
      position: fc.nat(),
      queueId: id,
      queueKey: hostile,
      priority: hostile,
      reportType: fc.option(hostile),
      surface: fc.option(hostile),
      language: fc.option(hostile),
      jurisdiction: fc.option(hostile),
    });
    const dsa = fc.record({
      policy: hostile,
      category: fc.constant('STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE'),
      ground: fc.constant('DECISION_GROUND_INCOMPATIBLE_CONTENT'),
      groundText: fc.option(hostile),
      explanation: fc.option(hostile),
    });
    fc.assert(
      fc.property(
        list(fc.record({ key: hostile, name: hostile, active: fc.boolean(), createdAt: fc.date({ noInvalidDate: true }) }), 80),
        list(fc.record({ key: hostile, name: hostile, urgent: fc.boolean() }), 80),
        list(rule, 80),
        list(dsa, 80),
        (surfaces, types, rules, mappings) => {
          expectFitsMessage(surfaceListMessage(surfaces));
          expectFitsMessage(reportTypeListMessage(types));
          expectFitsMessage(routeListMessage(rules));
          expectFitsMessage(dsaMappingMessage(mappings as never));
        },
      ),
      RUNS,
    );
  });

  it('the SLA summary and metrics answers, with their buttons', () => {
    const attainment = fc.record({ met: count, missed: count });
    const summary = fc.record({
      scope: hostile,
      atRisk: count,
      breached: count,
      oldestBreached: fc.option(fc.record({ caseId: id, openedAt: fc.date({ min: new Date('2000-01-01'), noInvalidDate: true }) })),
      today: fc.record({ firstAction: attainment, resolution: attainment }),
      last7Days: fc.record({ firstAction: attainment, resolution: attainment }),
    });
    const metrics = fc.record({
      query: fc.record({
        range: fc.record({ start: fc.date(), end: fc.date(), label: hostile, timeZone: hostile }),
        filters: fc.dictionary(fc.constantFrom('surface', 'type', 'policy', 'vendor'), hostile),
        by: fc.option(fc.constantFrom('surface', 'policy', 'day'), { nil: undefined }),
      }),
      total: figures,
      groups: fc.option(list(fc.record({ key: hostile, figures }), 60), { nil: undefined }),
    });
    fc.assert(
      fc.property(summary, metrics, hostile, fc.integer({ min: -1, max: 5 }), (s, r, q, page) => {
        expectFitsMessage(slaSummaryMessage(s));
        expectFitsMessage(metricsMessage(r as MetricsResult, { q, page }));
      }),
      RUNS,
    );
  });

  it('answers to commands: help, ok, errors with the words typed echoed, failures from the domain', () => {
    fc.assert(
      fc.property(
        list(fc.record({ usage: hostile, description: hostile, example: hostile }), 60),
        hostile,
        hostile,
        list(actor, 3),
        (entries, text, example, mentions) => {
          expectFitsMessage(helpMessage(entries));
          expectFitsMessage(okMessage(text));
          expectFitsMessage(errorMessage(text, example));
          expectFitsMessage(failureMessage(new AppError('bad_input', text, example, mentions)));
          expectFitsMessage(failureMessage(new Error(text)));
        },
      ),
      RUNS,
    );
  });

  it('intake tokens: the one-time answer and the list', () => {
    fc.assert(
      fc.property(
        fc.record({ id, vendor: hostile, token: fc.string({ minLength: 20, maxLength: 60 }) }),
        list(
          fc.record({
            id,
            vendor: hostile,
            createdBy: actor,
            createdAt: fc.date({ min: new Date('2000-01-01'), noInvalidDate: true }),
            revokedAt: fc.option(fc.date({ min: new Date('2000-01-01'), noInvalidDate: true })),
          }),
          120,
        ),
        (created, tokens) => {
          expectFitsMessage(tokenCreatedMessage(created));
          expectFitsMessage(tokenListMessage(tokens));
        },
      ),
      RUNS,
    );
  });

  it('modals and App Home', () => {
    const summary = fc.record({
      escalationId: id,
      caseId: id,
      severity: hostile,
      reason: hostile,
      requestedBy: actor,
      status: fc.constantFrom('pending', 'approved', 'rejected', 'reassigned', 'expired'),
      deadlineAt: iso,
      approvals: fc.nat(3),
      requiredApprovals: fc.integer({ min: 1, max: 3 }),
      decidedBy: fc.option(actor, { nil: undefined }),
      decidedAt: fc.option(iso, { nil: undefined }),
    });
    const home = fc.record({
      role: fc.constantFrom('none', 'viewer', 'analyst', 'approver', 'admin'),
      surfaceCount: count,
      reviewUrl: fc.constant(REVIEW_URL),
      notice: fc.option(fc.record({ text: hostile, ok: fc.boolean() }), { nil: undefined }),
      headline: fc.option(fc.record({ today: figures, week: figures, timeZone: hostile }), { nil: undefined }),
      escalations: fc.option(
        fc.record({
          role: fc.constantFrom('viewer', 'approver'),
          mode: fc.constantFrom('decide', 'own'),
          escalations: list(summary, 40),
          more: fc.nat(),
        }),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(id, queues, modalMetadata, home, hostile, (caseId, qs, metadata, h, requestedBy) => {
        expectFitsView(rejectModal({ caseId, metadata }), 'modal');
        expectFitsView(requestInfoModal({ caseId, requestedBy, metadata }), 'modal');
        expectFitsView(reassignEscalationModal({ caseId, queues: qs, metadata }), 'modal');
        expectFitsView(reassignModal({ caseId, queues: qs, metadata: { caseId, channelId: metadata.channelId } }), 'modal');
        expectFitsView(homeView(h as never), 'home');
      }),
      RUNS,
    );
  });
});
