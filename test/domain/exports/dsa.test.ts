import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Analytics, AnalyticsParam, AnalyticsReader, AnalyticsRow } from '../../../src/analytics/types';
import { fixedClock } from '../../../src/clock';
import type { DomainDeps } from '../../../src/domain/deps';
import { type DsaAggregates, decisionExportLines, dsaAggregates, dsaAggregatesCsvLines } from '../../../src/domain/exports/dsa';
import * as ENUMS from '../../../src/domain/exports/dsa-enums';
import { listDsaMappings, setDsaMapping } from '../../../src/domain/exports/dsa-mapping';
import type { StatementOfReasons } from '../../../src/domain/exports/dsa-sor';
import { parseRange } from '../../../src/domain/metrics/range';
import { NO_GROUPS } from '../../../src/domain/roles/groups';
import { AppError } from '../../../src/errors';
import type { PrismaClient } from '../../../src/generated/prisma/client';
import { openTestAnalytics } from '../../support/analytics';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { type Facts, facts, type ReportFacts } from '../../support/facts';
import { describeWithReference, REFERENCE_DIR } from '../../support/reference';

const NOW = new Date('2026-04-10T12:00:00Z');
const range = (text: string) => parseRange(text, { now: NOW, timeZone: 'UTC' });
const MIN = 60_000;
const HOUR = 60 * MIN;

let t: TestDatabase;
let db: PrismaClient;
let analytics: Analytics;
/** What the read-outs need: the analytics copy of the test database. */
let an: { analytics: Analytics };
let deps: DomainDeps;
let ids: Facts['ids'];

/*
 * The data set (UTC, every SLA 24/7). Reports are received when their case opens, so time to action
 * runs from the case's opening.
 *
 * case  opened      first report                                           decision(s) (minutes after opening)
 * C1    03-10 09:00 r1 notice, hate_speech, DE/de, contact + content ref   d1 content_removed hate_speech human (60)
 *                                                                            d8 content_removed 04-01 00:00 (out)
 * C2    03-11 00:00 r2 trusted flagger, csam                               d2 content_removed csam automated (30)
 *                                                                            d3 account_banned csam human (120)
 * C3    03-12 00:00 r3 own initiative, fraud, mcp_server                  d4 account_suspended fraud automated (10)
 * C4    03-13 00:00 r4 notice, no category                                d5 no_violation spam human (60)
 * C5    03-14 00:00 no report (own initiative)                            d6 content_restricted weird_policy human (240)
 * C6    03-15 00:00 r5 notice, weird_policy (unmapped)                    d7 account_warned weird_policy human (20)
 * Reports with no case: r6 notice hate_speech 03-31 23:59:59.999 (in), r7 04-01 00:00 (out), r8 02-28 23:59:59.999 (out).
 *
 * Appeals: a1 d1 filed 03-20 overturned after 48 h; a2 d4 03-20 upheld after 24 h; a3 d2 03-25 pending;
 *          a5 d2 03-26 overturned after 6 h; a4 d3 04-01 00:00 (out, pending).
 * QA: q1 d1 03-11 agree; q2 d2 03-12 disagree (major); q3 d4 03-13 agree; q4 d3 04-02 disagree (minor, out).
 */
async function load(): Promise<void> {
  const f = facts(db);
  ids = f.ids;
  // Every report carries a contact and a content reference marked "secret": no export may show either.
  const report = (name: string, c: string | null, received: string, o: ReportFacts = {}) =>
    f.report(name, c, received, { contentRef: `secret-content-ref-${name}`, reporterContact: `secret-reporter-${name}@example.com`, ...o });
  const decide = (name: string, c: string, decided: string, action: string, policy: string, automated: boolean) =>
    f.decide(name, c, decided, action, policy, automated, name === 'd1' ? 'vendor:d1/with bad chars' : `ext-${name}`);

  await f.openCase('C1', '2026-03-10T09:00:00Z', { status: 'decided' });
  await f.openCase('C2', '2026-03-11T00:00:00Z', { status: 'decided' });
  await f.openCase('C3', '2026-03-12T00:00:00Z', { status: 'decided' });
  await f.openCase('C4', '2026-03-13T00:00:00Z', { status: 'decided' });
  await f.openCase('C5', '2026-03-14T00:00:00Z', { status: 'decided' });
  await f.openCase('C6', '2026-03-15T00:00:00Z', { status: 'decided' });
  await report('r1', 'C1', '2026-03-10T09:00:00Z', { category: 'hate_speech', jurisdiction: 'DE', language: 'de' });
  await report('r2', 'C2', '2026-03-11T00:00:00Z', { category: 'csam', trusted: true, type: 'illegal_content' });
  await report('r3', 'C3', '2026-03-12T00:00:00Z', { category: 'fraud', own: true, type: 'mcp_server' });
  await report('r4', 'C4', '2026-03-13T00:00:00Z');
  await report('r5', 'C6', '2026-03-15T00:00:00Z', { category: 'weird_policy', jurisdiction: 'US' });
  await report('r6', null, '2026-03-31T23:59:59.999Z', { category: 'hate_speech' });
  await report('r7', null, '2026-04-01T00:00:00.000Z', { category: 'hate_speech' });
  await report('r8', null, '2026-02-28T23:59:59.999Z', { category: 'hate_speech' });

  await decide('d1', 'C1', '2026-03-10T10:00:00Z', 'content_removed', 'hate_speech', false);
  await decide('d2', 'C2', '2026-03-11T00:30:00Z', 'content_removed', 'csam', true);
  await decide('d3', 'C2', '2026-03-11T02:00:00Z', 'account_banned', 'csam', false);
  await decide('d4', 'C3', '2026-03-12T00:10:00Z', 'account_suspended', 'fraud', true);
  await decide('d5', 'C4', '2026-03-13T01:00:00Z', 'no_violation', 'spam', false);
  await decide('d6', 'C5', '2026-03-14T04:00:00Z', 'content_restricted', 'weird_policy', false);
  await decide('d7', 'C6', '2026-03-15T00:20:00Z', 'account_warned', 'weird_policy', false);
  await decide('d8', 'C1', '2026-04-01T00:00:00.000Z', 'content_removed', 'hate_speech', false);

  await f.appeal('d1', '2026-03-20T00:00:00Z', 'overturned', 48 * HOUR);
  await f.appeal('d4', '2026-03-20T00:00:00Z', 'upheld', 24 * HOUR);
  await f.appeal('d2', '2026-03-25T00:00:00Z', 'pending');
  await f.appeal('d2', '2026-03-26T00:00:00Z', 'overturned', 6 * HOUR);
  await f.appeal('d3', '2026-04-01T00:00:00Z', 'pending');

  await f.qa('d1', '2026-03-11T00:00:00Z', 'agree');
  await f.qa('d2', '2026-03-12T00:00:00Z', 'disagree', 'major');
  await f.qa('d4', '2026-03-13T00:00:00Z', 'agree');
  await f.qa('d3', '2026-04-02T00:00:00Z', 'disagree', 'minor');
}

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.prisma;
  analytics = await openTestAnalytics(t);
  an = { analytics };
  deps = {
    db,
    analytics,
    clock: fixedClock(NOW),
    log: { debug() {}, info() {}, warn() {}, error() {} },
    configuredAdmins: ['UADMIN'],
    defaultRole: 'viewer',
    groups: NO_GROUPS,
    timeZone: 'UTC',
    channels: { sla: 'sla', escalation: 'esc', copyright: 'cr', triage: 'triage', vendorOps: 'ops' },
    alertsQueued() {},
    escalationsChanged() {},
  };
  await load();
}, 60_000);
afterAll(async () => {
  await analytics?.close();
  await t?.drop();
});

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}
const nonZero = (c: Record<string, number>) => Object.fromEntries(Object.entries(c).filter(([, n]) => n !== 0));

describe('dsaAggregates', () => {
  let march: DsaAggregates;
  beforeAll(async () => {
    march = await dsaAggregates(an, range('2026-03'));
  });

  it('counts notices by DSA category and trusted flagger, unspecified and unmapped categories included', () => {
    expect(march.notices.received).toBe(5);
    expect(march.notices.trustedFlagger).toBe(1);
    const received = Object.fromEntries(Object.entries(march.notices.byCategory).map(([k, v]) => [k, v.received]));
    expect(nonZero(received)).toEqual({
      STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH: 2, // r1 and r6 (the range's last millisecond)
      STATEMENT_CATEGORY_PROTECTION_OF_MINORS: 1,
      STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE: 1, // r4 named no category
      STATEMENT_CATEGORY_OTHER_VIOLATION_TC: 1, // r5's policy has no mapping: the UNMAPPED rule
    });
    expect(march.notices.byCategory.STATEMENT_CATEGORY_PROTECTION_OF_MINORS).toEqual({ received: 1, trustedFlagger: 1 });
    expect(Object.keys(march.notices.byCategory)).toHaveLength(16);
  });

  it('splits actions by ground and source, with exact medians of time to action', () => {
    const a = march.actions;
    expect(a.total).toBe(6); // d1–d4, d6, d7: no_violation is not an action, d8 is in April
    expect(a.byGround).toEqual({
      DECISION_GROUND_ILLEGAL_CONTENT: { total: 2, onNotices: 2, ownInitiative: 0 },
      DECISION_GROUND_INCOMPATIBLE_CONTENT: { total: 4, onNotices: 2, ownInitiative: 2 },
    });
    // 10, 20, 30, 60, 120, 240 minutes: the median interpolates 30 and 60.
    expect(a.medianTimeToActionMs).toBe(45 * MIN);
    expect(a.bySource).toEqual({
      SOURCE_ARTICLE_16: { total: 2, medianTimeToActionMs: 40 * MIN },
      SOURCE_TRUSTED_FLAGGER: { total: 2, medianTimeToActionMs: 75 * MIN },
      SOURCE_VOLUNTARY: { total: 2, medianTimeToActionMs: 125 * MIN },
    });
    expect(nonZero(a.byCategory)).toEqual({
      STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH: 1,
      STATEMENT_CATEGORY_PROTECTION_OF_MINORS: 2,
      STATEMENT_CATEGORY_SCAMS_AND_FRAUD: 1,
      STATEMENT_CATEGORY_OTHER_VIOLATION_TC: 2,
    });
    expect(a.byAction).toEqual({ account_banned: 1, account_suspended: 1, account_warned: 1, content_removed: 2, content_restricted: 1 });
    expect(march.unmappedPolicies).toEqual({ weird_policy: 2 });
  });

  it('breaks own-initiative actions down by category, detection method and restriction type', () => {
    const o = march.ownInitiative;
    expect(o.total).toBe(2); // d4 (own-initiative report) and d6 (a case opened with no report)
    expect(nonZero(o.byCategory)).toEqual({ STATEMENT_CATEGORY_SCAMS_AND_FRAUD: 1, STATEMENT_CATEGORY_OTHER_VIOLATION_TC: 1 });
    expect(o.byDetection).toEqual({ automated: 1, manual: 1 });
    expect(nonZero(o.byRestriction)).toEqual({ DECISION_ACCOUNT_SUSPENDED: 1, DECISION_VISIBILITY_OTHER: 1 });
    expect(o.byRestriction.none).toBe(0);
  });

  it('reports complaints, reversals and the median decision time of the decided ones', () => {
    const c = march.complaints;
    expect(c.received).toBe(4);
    expect(c.byOutcome).toEqual({ pending: 1, upheld: 1, overturned: 2 });
    expect(c.reversals).toBe(2);
    expect(c.medianDecisionTimeMs).toBe(24 * HOUR); // of 6 h, 24 h and 48 h
    expect(nonZero(c.byCategory)).toEqual({
      STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH: 1,
      STATEMENT_CATEGORY_SCAMS_AND_FRAUD: 1,
      STATEMENT_CATEGORY_PROTECTION_OF_MINORS: 2,
    });
  });

  it('gives the automated share and the QA error indicators', () => {
    const m = march.automation;
    expect(m.decisions).toBe(7);
    expect(m.automated).toBe(2);
    expect(m.automatedShare).toBeCloseTo(2 / 7, 12);
    expect(m.qa).toEqual({
      automated: { reviewed: 2, disagreed: 1, errorRate: 0.5 },
      human: { reviewed: 1, disagreed: 0, errorRate: 0 },
    });
    expect(m.qaErrorsBySeverity).toEqual({ minor: 0, major: 1, critical: 0 });
    expect(m.automatedReversals).toBe(1);
  });

  it('puts the facts at the edges of adjacent ranges in exactly one of them', async () => {
    const lastDay = await dsaAggregates(an, range('2026-03-31'));
    expect(lastDay.notices.received).toBe(1); // r6 at 23:59:59.999
    const april = await dsaAggregates(an, range('2026-04'));
    expect(april.notices.received).toBe(1); // r7 at 00:00:00.000
    expect(april.actions.total).toBe(1); // d8
    expect(april.actions.bySource.SOURCE_ARTICLE_16).toEqual({ total: 1, medianTimeToActionMs: (21 * 24 + 15) * HOUR });
    expect(april.complaints).toMatchObject({
      received: 1,
      byOutcome: { pending: 1, upheld: 0, overturned: 0 },
      medianDecisionTimeMs: null,
    });
    expect(april.automation.qa.human).toEqual({ reviewed: 1, disagreed: 1, errorRate: 1 });
    const february = await dsaAggregates(an, range('2026-02'));
    expect(february.notices.received).toBe(1); // r8
  });

  it('answers an empty range with zeros and nulls, never NaN', async () => {
    const empty = await dsaAggregates(an, range('2025-01'));
    expect(empty.notices.received).toBe(0);
    expect(empty.actions.total).toBe(0);
    expect(empty.actions.medianTimeToActionMs).toBeNull();
    expect(empty.complaints.medianDecisionTimeMs).toBeNull();
    expect(empty.automation.automatedShare).toBeNull();
    expect(empty.automation.qa.automated.errorRate).toBeNull();
    expect(Object.values(empty.actions.byCategory).every((n) => n === 0)).toBe(true);
    const text = JSON.stringify(empty) + [...dsaAggregatesCsvLines(empty)].join('');
    expect(text).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('writes a long CSV, one figure per line', () => {
    const lines = [...dsaAggregatesCsvLines(march)];
    expect(lines[0]).toBe('section,metric,dimension,key,value\r\n');
    expect(lines).toContain('actions,count,ground,DECISION_GROUND_ILLEGAL_CONTENT,2\r\n');
    expect(lines).toContain(`actions,median_time_to_action_ms,total,,${45 * MIN}\r\n`);
    expect(lines).toContain('own_initiative,count,restriction,DECISION_ACCOUNT_SUSPENDED,1\r\n');
    expect(lines).toContain('complaints,reversals,total,,2\r\n');
    expect(lines).toContain('mapping,unmapped_decisions,policy,weird_policy,2\r\n');
    // The range label is quoted (it holds a comma); every figure line has exactly five plain cells.
    expect(lines.filter((l) => !l.startsWith('range,')).every((l) => l.split(',').length === 5)).toBe(true);
  });
});

describe('decisionExportLines', () => {
  it('writes one CSV row per decision in range, in id order, without contacts or content references', async () => {
    const lines = await collect(decisionExportLines(an, range('2026-03'), 'csv'));
    expect(lines[0]).toMatch(/^decision_id,external_id,case_id,decided_at,action,policy/);
    const rows = lines.slice(1).map((l) => l.trimEnd().split(','));
    expect(rows.map((r) => Number(r[0]))).toEqual(['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'].map((d) => ids[d]));
    expect(rows[5]).toEqual(
      expect.arrayContaining(['content_restricted', 'SOURCE_VOLUNTARY', 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC', 'false']),
    );
    expect(lines.join('')).not.toMatch(/secret/);
  });

  it('skips decisions that are not statements of reasons (no violation, warnings) in the SoR lines', async () => {
    const lines = await collect(decisionExportLines(an, range('2026-03'), 'sor-jsonl'));
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    const records = lines.map((l) => JSON.parse(l) as StatementOfReasons);
    expect(records.map((r) => r.puid)).toEqual([`trustops-decision-${ids.d1}`, 'ext-d2', 'ext-d3', 'ext-d4', 'ext-d6']);
    expect(lines.join('')).not.toMatch(/secret/);

    const [d1, d2, d3, d4, d6] = records as [
      StatementOfReasons,
      StatementOfReasons,
      StatementOfReasons,
      StatementOfReasons,
      StatementOfReasons,
    ];
    expect(d1).toMatchObject({
      decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
      decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
      incompatible_content_ground: 'Usage Policy: hateful content',
      category: 'STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH',
      content_type: ['CONTENT_TYPE_TEXT'],
      content_date: '2026-03-10',
      application_date: '2026-03-10',
      source_type: 'SOURCE_ARTICLE_16',
      automated_detection: 'No',
      automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
      territorial_scope: ['DE'],
      content_language: 'DE',
    });
    expect(d2).toMatchObject({
      decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
      illegal_content_legal_ground: expect.stringContaining('2011/93/EU'),
      source_type: 'SOURCE_TRUSTED_FLAGGER',
      automated_decision: 'AUTOMATED_DECISION_FULLY',
      automated_detection: 'No',
    });
    expect(d3.decision_account).toBe('DECISION_ACCOUNT_TERMINATED');
    expect(d4).toMatchObject({
      decision_account: 'DECISION_ACCOUNT_SUSPENDED',
      content_type: ['CONTENT_TYPE_APP'],
      source_type: 'SOURCE_VOLUNTARY',
      automated_detection: 'Yes',
    });
    expect(d6).toMatchObject({ decision_visibility: ['DECISION_VISIBILITY_OTHER'], category: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC' });
    expect(d6.decision_visibility_other).toBeTruthy();
  });

  describe('over more than 10,000 decisions', () => {
    const big = () => range('2025-06');
    beforeAll(async () => {
      // 13,000 decisions on C1, every 13th of them in July (outside the range) so the ids interleave.
      await db.$executeRawUnsafe(
        `INSERT INTO decisions (case_id, action, policy, actor_type, automated, decided_at)
         SELECT $1, 'content_removed', 'spam', 'vendor_reviewer', false,
                CASE WHEN i % 13 = 0 THEN TIMESTAMPTZ '2025-07-01 00:00:00+00' ELSE TIMESTAMPTZ '2025-06-01 00:00:00+00' END
                  + (i || ' seconds')::interval
           FROM generate_series(1, 13000) AS i`,
        ids.C1,
      );
    }, 60_000);

    /** The analytics copy, counting the batches handed out by its streams and the reads still open. */
    function counting(inner: Analytics) {
      const seen = { statements: 0, batches: 0, openReads: 0 };
      const analytics: Pick<Analytics, 'read'> = {
        read: (fn) =>
          inner.read(async (reader) => {
            seen.openReads += 1;
            const wrapped: AnalyticsReader = {
              query: (sql, params) => reader.query(sql, params),
              async *stream<R extends AnalyticsRow>(sql: string, params?: readonly AnalyticsParam[]) {
                seen.statements += 1;
                for await (const batch of reader.stream<R>(sql, params)) {
                  seen.batches += 1;
                  yield batch;
                }
              },
            };
            try {
              return await fn(wrapped);
            } finally {
              seen.openReads -= 1;
            }
          }),
      };
      return { seen, deps: { analytics } };
    }

    it('streams them in id order, window after window of ids, one batch at a time, from one read', async () => {
      const { seen, deps: counted } = counting(analytics);
      // Windows of about 1,000 rows over buckets of 256 ids: the 13,000 ids make a dozen windows.
      const lines = decisionExportLines(counted, big(), 'csv', { windowRows: 1_000, idBucket: 256 })[Symbol.asyncIterator]();
      await lines.next(); // the header
      await lines.next(); // the first row: only the first batch of the first window has been taken
      expect(seen).toEqual({ statements: 1, batches: 1, openReads: 1 });
      let count = 1;
      let last = 0;
      for (let next = await lines.next(); !next.done; next = await lines.next()) {
        const id = Number(next.value.split(',')[0]);
        expect(id).toBeGreaterThan(last);
        last = id;
        count += 1;
      }
      expect(count).toBe(12_000);
      expect(seen.statements).toBeGreaterThanOrEqual(10);
      expect(seen.statements).toBeLessThanOrEqual(14);
      expect(seen.openReads).toBe(0);
    });

    it('ends the read when the reader stops early', async () => {
      const { seen, deps: counted } = counting(analytics);
      const lines = decisionExportLines(counted, big(), 'sor-jsonl')[Symbol.asyncIterator]();
      expect((await lines.next()).done).toBe(false);
      expect(seen.openReads).toBe(1);
      await lines.return(undefined);
      expect(seen).toEqual({ statements: 1, batches: 1, openReads: 0 });
    });

    it('gives the same count in the aggregates', async () => {
      const agg = await dsaAggregates(an, big());
      expect(agg.actions.total).toBe(12_000);
      expect(agg.actions.bySource.SOURCE_ARTICLE_16?.total).toBe(12_000);
      expect(agg.actions.byCategory.STATEMENT_CATEGORY_OTHER_VIOLATION_TC).toBe(12_000); // spam
    });
  });
});

describe('the DSA category mapping', () => {
  it('is seeded for every policy of the demo data', async () => {
    const mappings = await listDsaMappings({ db });
    expect(mappings.map((m) => m.policy)).toEqual(
      [
        'csam',
        'fraud',
        'harassment',
        'hate_speech',
        'ip_infringement',
        'malware',
        'privacy_violation',
        'self_harm',
        'spam',
        'violent_extremism',
      ].sort(),
    );
    for (const m of mappings) {
      expect(ENUMS.STATEMENT_CATEGORIES).toContain(m.category);
      expect(ENUMS.DECISION_GROUNDS).toContain(m.ground);
    }
  });

  it('refuses a non-admin, and audits the refusal', async () => {
    const attempt = setDsaMapping(deps, {
      actor: { id: 'UVIEWER', origin: 'slack' },
      policy: 'spam',
      category: 'SCAMS_AND_FRAUD',
      ground: 'incompatible',
    });
    await expect(attempt).rejects.toMatchObject({ code: 'forbidden' });
    const refusal = await db.auditEvent.findFirst({ where: { actor: 'UVIEWER', action: 'access.refused' } });
    expect(refusal).not.toBeNull();
    expect((await db.dsaCategoryMap.findUniqueOrThrow({ where: { policy: 'spam' } })).category).toBe(
      'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
    );
  });

  it('rejects an unknown category, listing the valid ones', async () => {
    const err = await setDsaMapping(deps, {
      actor: { id: 'UADMIN', origin: 'slack' },
      policy: 'spam',
      category: 'SPAMMING',
      ground: 'tos',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('bad_input');
    expect((err as AppError).message).toContain('STATEMENT_CATEGORY_SCAMS_AND_FRAUD');
    expect((err as AppError).message).toContain('STATEMENT_CATEGORY_VIOLENCE');
  });

  it('lets an admin map a new policy, audited with before and after, and the read-outs follow', async () => {
    const admin = { id: 'UADMIN', origin: 'slack' as const };
    const result = await setDsaMapping(deps, {
      actor: admin,
      policy: 'weird_policy',
      category: 'violence',
      ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
      groundText: 'Criminal Code, section 1',
    });
    expect(result).toMatchObject({
      policy: 'weird_policy',
      category: 'STATEMENT_CATEGORY_VIOLENCE',
      ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
    });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'dsa_mapping.set', entityId: 'weird_policy' } });
    expect(audit).toMatchObject({ actor: 'UADMIN', entityType: 'dsa_category_map', before: null });
    expect(audit.after).toMatchObject({ category: 'STATEMENT_CATEGORY_VIOLENCE', groundText: 'Criminal Code, section 1' });

    const march = await dsaAggregates(an, range('2026-03'));
    expect(march.unmappedPolicies).toEqual({});
    expect(march.actions.byCategory.STATEMENT_CATEGORY_VIOLENCE).toBe(2);
    expect(march.actions.byGround.DECISION_GROUND_ILLEGAL_CONTENT?.total).toBe(4);
    const sor = (await collect(decisionExportLines(an, range('2026-03'), 'sor-jsonl'))).map((l) => JSON.parse(l) as StatementOfReasons);
    expect(sor.at(-1)).toMatchObject({ puid: 'ext-d6', illegal_content_legal_ground: 'Criminal Code, section 1' });

    // Put it back for any later test.
    await db.dsaCategoryMap.delete({ where: { policy: 'weird_policy' } });
  });
});

describeWithReference('DSA statement-of-reasons values against the Transparency Database reference', () => {
  type Reference = Record<string, Record<string, string> | string[]>;
  let ref: Reference;
  const keys = (name: string) => {
    const v = ref[name];
    if (!v) throw new Error(`the reference has no ${name}`);
    return Array.isArray(v) ? v : Object.keys(v);
  };
  beforeAll(() => {
    ref = JSON.parse(readFileSync(path.join(REFERENCE_DIR, 'dsa-statement-enums.json'), 'utf8')) as Reference;
  });

  it('has exactly the 16 statement categories, and only published values in every list the code emits', () => {
    expect([...ENUMS.STATEMENT_CATEGORIES].sort()).toEqual(keys('STATEMENT_CATEGORIES').sort());
    const lists: [readonly string[], string][] = [
      [ENUMS.DECISION_GROUNDS, 'DECISION_GROUNDS'],
      [ENUMS.SOURCE_TYPES, 'SOURCE_TYPES'],
      [ENUMS.CONTENT_TYPES, 'CONTENT_TYPES'],
      [ENUMS.YES_NO, 'AUTOMATED_DETECTIONS'],
      [ENUMS.AUTOMATED_DECISIONS, 'AUTOMATED_DECISIONS'],
      [ENUMS.DECISION_VISIBILITIES, 'DECISION_VISIBILITIES'],
      [ENUMS.DECISION_ACCOUNTS, 'DECISION_ACCOUNTS'],
    ];
    for (const [ours, name] of lists) expect(keys(name)).toEqual(expect.arrayContaining([...ours]));
  });

  it('emits, for every statement, published enum values and the fields the rules require', async () => {
    const lines = await collect(decisionExportLines(an, range('2026-03'), 'sor-jsonl'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const sor = JSON.parse(line) as StatementOfReasons & Record<string, unknown>;
      const restrictions = ['decision_visibility', 'decision_monetary', 'decision_provision', 'decision_account'].filter((f) => sor[f]);
      expect(restrictions.length).toBeGreaterThan(0);
      for (const v of sor.decision_visibility ?? []) expect(keys('DECISION_VISIBILITIES')).toContain(v);
      if (sor.decision_visibility?.includes('DECISION_VISIBILITY_OTHER'))
        expect(sor.decision_visibility_other?.length).toBeLessThanOrEqual(500);
      if (sor.decision_visibility?.includes('DECISION_VISIBILITY_OTHER')) expect(sor.decision_visibility_other).toBeTruthy();
      if (sor.decision_account) expect(keys('DECISION_ACCOUNTS')).toContain(sor.decision_account);
      expect(keys('DECISION_GROUNDS')).toContain(sor.decision_ground);
      if (sor.decision_ground === 'DECISION_GROUND_ILLEGAL_CONTENT') {
        expect(sor.illegal_content_legal_ground?.length).toBeGreaterThan(0);
        expect(sor.illegal_content_legal_ground!.length).toBeLessThanOrEqual(500);
        expect(sor.illegal_content_explanation!.length).toBeLessThanOrEqual(2000);
      } else {
        expect(sor.incompatible_content_ground?.length).toBeGreaterThan(0);
        expect(sor.incompatible_content_ground!.length).toBeLessThanOrEqual(500);
        expect(sor.incompatible_content_explanation!.length).toBeLessThanOrEqual(2000);
      }
      expect(sor.decision_facts.length).toBeGreaterThan(0);
      expect(sor.decision_facts.length).toBeLessThanOrEqual(5000);
      for (const c of sor.content_type) expect(keys('CONTENT_TYPES')).toContain(c);
      expect(keys('STATEMENT_CATEGORIES')).toContain(sor.category);
      expect(sor.content_date >= '2000-01-01' && sor.content_date <= '2038-01-01').toBe(true);
      expect(sor.application_date >= '2020-01-01' && sor.application_date <= '2038-01-01').toBe(true);
      expect(sor.content_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(sor.application_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(keys('SOURCE_TYPES')).toContain(sor.source_type);
      expect(sor).not.toHaveProperty('source_identity');
      expect(keys('AUTOMATED_DETECTIONS')).toContain(sor.automated_detection);
      expect(keys('AUTOMATED_DECISIONS')).toContain(sor.automated_decision);
      expect(sor.puid).toMatch(/^[a-zA-Z0-9-_]{1,500}$/);
      for (const code of sor.territorial_scope ?? []) expect(ENUMS.EU_EEA_COUNTRIES).toContain(code);
      if (sor.content_language) expect(sor.content_language).toMatch(/^[A-Z]{2}$/);
    }
  });

  it('maps every seeded policy to a published category and ground', async () => {
    for (const m of await listDsaMappings({ db })) {
      expect(keys('STATEMENT_CATEGORIES')).toContain(m.category);
      expect(keys('DECISION_GROUNDS')).toContain(m.ground);
    }
  });
});
