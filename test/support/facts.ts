import type { PrismaClient } from '../../src/generated/prisma/client';
import type { AppealOutcome, CaseStatus, QaOutcome } from '../../src/generated/prisma/enums';

const MIN = 60_000;
const at = (iso: string) => new Date(iso);

export type CaseFacts = {
  /** A queue registered with `vendorQueue`, or the key of one already in the database. */
  queue?: string;
  firstAction?: string | null;
  resolved?: string | null;
  /** By default `decided` once resolved, else `queued`. */
  status?: CaseStatus;
  /** The SLA states the scan last recorded (the schema's `ok` unless given). */
  firstActionState?: string;
  resolutionState?: string;
};

export type ReportFacts = {
  surface?: string;
  type?: string;
  category?: string | null;
  /** By default `ref-<case, or the report's own name>`. */
  contentRef?: string;
  reporterContact?: string;
  own?: boolean;
  trusted?: boolean;
  jurisdiction?: string;
  language?: string;
};

export type Facts = ReturnType<typeof facts>;

/**
 * Inserts a hand-computed data set, one named row at a time: cases, reports, decisions, escalations,
 * appeals and QA reviews. Every instant is an ISO string, every case and decision is referred to by its
 * name, and `ids` maps each name to the row's id. Every SLA deadline is minutes after opening (24/7):
 * first action 60, resolution 240, at risk at 45 and 180.
 */
export function facts(db: PrismaClient) {
  const ids: Record<string, number> = {};
  const queues = new Map<string, { id: number; policyId: number }>();
  const surfaces = new Map<string, number>();
  const types = new Map<string, number>();

  const id = (name: string) => {
    const found = ids[name];
    if (found === undefined) throw new Error(`no fact named ${name}`);
    return found;
  };
  const queue = async (key: string) => {
    if (!queues.has(key)) {
      const row = await db.queue.findUniqueOrThrow({ where: { key }, include: { policies: true } });
      queues.set(key, { id: row.id, policyId: row.policies[0]!.id });
    }
    return queues.get(key)!;
  };
  // Read on first use, so that surfaces and types added by the test are found too.
  const lookup = async (map: Map<string, number>, load: () => Promise<{ key: string; id: number }[]>, key: string) => {
    if (!map.has(key)) for (const row of await load()) map.set(row.key, row.id);
    const found = map.get(key);
    if (found === undefined) throw new Error(`no ${key} in the database`);
    return found;
  };

  return {
    ids,

    /** A vendor `key` with its own queue (`<key>_q`) and a 24/7 SLA policy; cases name it by `key`. */
    async vendorQueue(key: string, sla: { firstActionMinutes: number; resolutionMinutes: number; calendarId: number }) {
      const vendor = await db.vendor.create({ data: { key, name: key } });
      const row = await db.queue.create({ data: { key: `${key}_q`, name: key, vendorId: vendor.id } });
      const policy = await db.slaPolicy.create({ data: { queueId: row.id, ...sla, effectiveFrom: at('2020-01-01T00:00:00Z') } });
      queues.set(key, { id: row.id, policyId: policy.id });
    },

    async openCase(name: string, opened: string, o: CaseFacts = {}) {
      const { id: queueId, policyId } = await queue(o.queue ?? 'default');
      const openedAt = at(opened);
      const due = (minutes: number) => new Date(openedAt.getTime() + minutes * MIN);
      const row = await db.case.create({
        data: {
          queueId,
          slaPolicyId: policyId,
          contentRef: `ref-${name}`,
          status: o.status ?? (o.resolved ? 'decided' : 'queued'),
          openedAt,
          firstActionDueAt: due(60),
          resolutionDueAt: due(240),
          firstActionAtRiskAt: due(45),
          resolutionAtRiskAt: due(180),
          firstActionAt: o.firstAction ? at(o.firstAction) : null,
          resolvedAt: o.resolved ? at(o.resolved) : null,
          firstActionState: o.firstActionState,
          resolutionState: o.resolutionState,
        },
      });
      ids[name] = row.id;
    },

    /** A report received at `received`, on case `c` or on none. */
    async report(name: string, c: string | null, received: string, o: ReportFacts = {}) {
      await db.report.create({
        data: {
          externalId: name,
          bodyHash: name,
          surfaceId: await lookup(surfaces, () => db.surface.findMany(), o.surface ?? 'claude_ai'),
          reportTypeId: await lookup(types, () => db.reportType.findMany(), o.type ?? 'harmful_content'),
          category: o.category ?? null,
          contentRef: o.contentRef ?? `ref-${c ?? name}`,
          reporterContact: o.reporterContact ?? null,
          ownInitiative: o.own ?? false,
          trustedFlagger: o.trusted ?? false,
          jurisdiction: o.jurisdiction ?? null,
          language: o.language ?? null,
          receivedAt: at(received),
          caseId: c ? id(c) : null,
        },
      });
    },

    async decide(name: string, c: string, decided: string, action: string, policy: string, automated: boolean, externalId?: string) {
      const row = await db.decision.create({
        data: {
          externalId,
          caseId: id(c),
          action,
          policy,
          automated,
          actorType: automated ? 'automated' : 'vendor_reviewer',
          decidedAt: at(decided),
        },
      });
      ids[name] = row.id;
    },

    /** A manual sev2 escalation of case `c`, due an hour after it was raised. */
    async escalate(c: string, created: string) {
      await db.escalation.create({
        data: {
          caseId: id(c),
          source: 'manual',
          severity: 'sev2',
          reason: 'test',
          requestedBy: 'U1',
          deadlineAt: new Date(at(created).getTime() + 60 * MIN),
          createdAt: at(created),
        },
      });
    },

    /** An appeal of decision `d`, resolved at an instant or a number of milliseconds after it was filed. */
    async appeal(d: string, filed: string, outcome: AppealOutcome, resolved: string | number | null = null) {
      const resolvedAt = resolved === null ? null : typeof resolved === 'number' ? new Date(at(filed).getTime() + resolved) : at(resolved);
      await db.appeal.create({ data: { decisionId: id(d), outcome, filedAt: at(filed), resolvedAt } });
    },

    async qa(d: string, reviewed: string, outcome: QaOutcome, severity: string | null = null) {
      await db.qaReview.create({ data: { decisionId: id(d), outcome, errorSeverity: severity, reviewedAt: at(reviewed) } });
    },
  };
}
