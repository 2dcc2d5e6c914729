import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Analytics } from '../../../src/analytics/types';
import { fixedClock } from '../../../src/clock';
import type { DomainDeps } from '../../../src/domain/deps';
import { dsaAggregates } from '../../../src/domain/exports/dsa';
import * as figuresModule from '../../../src/domain/exports/dsa-report/figures';
import { setDsaKeyword } from '../../../src/domain/exports/dsa-report/keywords';
import { buildDsaReport, dsaReportFiles, periodWarning } from '../../../src/domain/exports/dsa-report/report';
import { setReportSetting } from '../../../src/domain/exports/dsa-report/settings';
import { parseRange } from '../../../src/domain/metrics/range';
import { NO_GROUPS } from '../../../src/domain/roles/groups';
import { AppError } from '../../../src/errors';
import type { PrismaClient } from '../../../src/generated/prisma/client';
import { openTestAnalytics } from '../../support/analytics';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { facts } from '../../support/facts';
import { describeWithReference, REFERENCE_DIR } from '../../support/reference';

const NOW = new Date('2026-07-10T12:00:00Z');
const H1 = () => parseRange('2026-H1', { now: NOW, timeZone: 'UTC' });
const HOUR = 3_600_000;
const ADMIN = { id: 'UADMIN', origin: 'slack' as const };

let t: TestDatabase;
let db: PrismaClient;
let analytics: Analytics;
let deps: DomainDeps;

/*
 * The half year 2026-H1 (UTC). Seeded mapping: hate_speech → ILLEGAL_OR_HARMFUL_SPEECH (T&C ground), csam →
 * PROTECTION_OF_MINORS (illegal), fraud → SCAMS_AND_FRAUD (T&C), ip_infringement → IP (illegal), harassment →
 * CYBER_VIOLENCE (T&C); keywords: hate_speech KEYWORD_HATE_SPEECH, csam KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL,
 * harassment KEYWORD_CYBER_HARASSMENT, ip_infringement KEYWORD_COPYRIGHT_INFRINGEMENT; fraud none; weird_policy unmapped.
 *
 * case opened      first report                           decisions (hours after the first report / opening)
 * C1   02-01 00:00 r1 notice hate_speech, 3 items          d1 content_removed human (2)            [d11 07-01 00:00, out]
 * C2   03-01 00:00 r2 trusted flagger csam                 d2 content_disabled automated (1)
 * C3   03-02 00:00 r3 notice csam                          d3 account_banned human (5)
 * C4   04-01 00:00 r4 notice, no category                  d4 no_violation spam human (1)
 * C5   04-02 00:00 r5 own initiative fraud                 d5 account_suspended automated (0.5), repeat offender: manifestly illegal content
 * C6   04-03 00:00 none (own initiative)                   d6 content_demoted weird_policy human (3)
 * C7   05-01 00:00 r7 own initiative csam                  d7 content_removed automated (0.25), d8 account_warned human (1)
 * C8   05-10 00:00 r8 trusted flagger ip_infringement, 2 items  d9 content_removed human (4), d10 account_banned human (6): a repeat-infringer ban
 * No case: r9 notice harassment 06-30 23:59:59.999 (in); r10 notice hate_speech 07-01 00:00 (out).
 *
 * Appeals: a1 d1 02-02 overturned after 10 h; a2 d3 03-03 upheld after 20 h; a3 d2 03-04 partially overturned after 30 h;
 *          a4 d4 04-02 closed (omitted) after 5 h; a5 d5 04-03 pending, complaint type account given;
 *          a6 d8 (a warning) 05-02 pending; a7 d9 07-01 (out).
 * QA of automated decisions: 30 × d2 agree; 1 × d5 disagree, correct action no_violation.
 */
async function load(): Promise<void> {
  const f = facts(db);
  const ids = f.ids;
  await f.openCase('C1', '2026-02-01T00:00:00Z', { status: 'decided' });
  await f.openCase('C2', '2026-03-01T00:00:00Z', { status: 'decided' });
  await f.openCase('C3', '2026-03-02T00:00:00Z', { status: 'decided' });
  await f.openCase('C4', '2026-04-01T00:00:00Z', { status: 'decided' });
  await f.openCase('C5', '2026-04-02T00:00:00Z', { status: 'decided' });
  await f.openCase('C6', '2026-04-03T00:00:00Z', { status: 'decided' });
  await f.openCase('C7', '2026-05-01T00:00:00Z', { status: 'decided' });
  await f.openCase('C8', '2026-05-10T00:00:00Z', { status: 'decided' });
  await f.report('r1', 'C1', '2026-02-01T00:00:00Z', { category: 'hate_speech' });
  await f.report('r2', 'C2', '2026-03-01T00:00:00Z', { category: 'csam', trusted: true });
  await f.report('r3', 'C3', '2026-03-02T00:00:00Z', { category: 'csam' });
  await f.report('r4', 'C4', '2026-04-01T00:00:00Z');
  await f.report('r5', 'C5', '2026-04-02T00:00:00Z', { category: 'fraud', own: true });
  await f.report('r7', 'C7', '2026-05-01T00:00:00Z', { category: 'csam', own: true });
  await f.report('r8', 'C8', '2026-05-10T00:00:00Z', { category: 'ip_infringement', trusted: true });
  await f.report('r9', null, '2026-06-30T23:59:59.999Z', { category: 'harassment' });
  await f.report('r10', null, '2026-07-01T00:00:00.000Z', { category: 'hate_speech' });
  await db.report.update({ where: { externalId: 'r1' }, data: { items: 3 } });
  await db.report.update({ where: { externalId: 'r8' }, data: { items: 2 } });

  const later = (iso: string, hours: number) => new Date(new Date(iso).getTime() + hours * HOUR).toISOString();
  await f.decide('d1', 'C1', later('2026-02-01T00:00:00Z', 2), 'content_removed', 'hate_speech', false);
  await f.decide('d2', 'C2', later('2026-03-01T00:00:00Z', 1), 'content_disabled', 'csam', true);
  await f.decide('d3', 'C3', later('2026-03-02T00:00:00Z', 5), 'account_banned', 'csam', false);
  await f.decide('d4', 'C4', later('2026-04-01T00:00:00Z', 1), 'no_violation', 'spam', false);
  await f.decide('d5', 'C5', later('2026-04-02T00:00:00Z', 0.5), 'account_suspended', 'fraud', true);
  await f.decide('d6', 'C6', later('2026-04-03T00:00:00Z', 3), 'content_demoted', 'weird_policy', false);
  await f.decide('d7', 'C7', later('2026-05-01T00:00:00Z', 0.25), 'content_removed', 'csam', true);
  await f.decide('d8', 'C7', later('2026-05-01T00:00:00Z', 1), 'account_warned', 'csam', false);
  await f.decide('d9', 'C8', later('2026-05-10T00:00:00Z', 4), 'content_removed', 'ip_infringement', false);
  await f.decide('d10', 'C8', later('2026-05-10T00:00:00Z', 6), 'account_banned', 'ip_infringement', false);
  await f.decide('d11', 'C1', '2026-07-01T00:00:00.000Z', 'content_removed', 'hate_speech', false);
  await db.decision.update({ where: { id: ids.d5! }, data: { suspensionReason: 'manifestly_illegal_content' } });

  await f.appeal('d1', '2026-02-02T00:00:00Z', 'overturned', 10 * HOUR);
  await f.appeal('d3', '2026-03-03T00:00:00Z', 'upheld', 20 * HOUR);
  await f.appeal('d2', '2026-03-04T00:00:00Z', 'partially_overturned', 30 * HOUR);
  await f.appeal('d4', '2026-04-02T00:00:00Z', 'closed', 5 * HOUR);
  await db.appeal.create({
    data: { decisionId: ids.d5!, outcome: 'pending', complaintType: 'account', filedAt: new Date('2026-04-03T00:00:00Z') },
  });
  await f.appeal('d8', '2026-05-02T00:00:00Z', 'pending');
  await f.appeal('d9', '2026-07-01T00:00:00Z', 'pending');

  for (let k = 0; k < 30; k++) await f.qa('d2', '2026-03-10T00:00:00Z', 'agree');
  await db.qaReview.create({
    data: { decisionId: ids.d5!, outcome: 'disagree', correctAction: 'no_violation', reviewedAt: new Date('2026-04-10T00:00:00Z') },
  });

  await setReportSetting(deps, { actor: ADMIN, key: 'service', value: 'Claude' });
  await setReportSetting(deps, { actor: ADMIN, key: 'provider', value: 'Anthropic PBC' });
  await setReportSetting(deps, { actor: ADMIN, key: 'recipients', value: '1,234,567' });
  await setReportSetting(deps, { actor: ADMIN, key: 'previous', value: '2026-02-27' });
}

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.prisma;
  analytics = await openTestAnalytics(t);
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

/** The files as a reader of them sees them: each CSV parsed back, per RFC 4180. */
async function files(): Promise<Record<string, { text: string; rows: string[][] }>> {
  const { files } = await dsaReportFiles(deps, ADMIN, H1());
  const out: Record<string, { text: string; rows: string[][] }> = {};
  for (const file of files) {
    let text = '';
    for await (const line of file.lines as Iterable<string>) text += line;
    out[file.filename] = { text, rows: parse(text, { relax_column_count: false }) as string[][] };
  }
  return out;
}

// ---- What the reference says, read from it (never from the code under test) ----
function reference() {
  const md = readFileSync(path.join(REFERENCE_DIR, 'dsa-transparency-template.md'), 'utf8');
  const cats = md.slice(md.indexOf('## Categories and their keywords'));
  const order: { category: string; keywords: string[] }[] = [];
  for (const token of cats.match(/STATEMENT_CATEGORY_[A-Z_]+:|KEYWORD_[A-Z_]+/g) ?? []) {
    if (token.endsWith(':')) order.push({ category: token.slice(0, -1), keywords: [] });
    else if (token !== 'KEYWORD_OTHER') order.at(-1)!.keywords.push(token);
  }
  const headerOf = (sheet: string) => {
    const m = new RegExp(`\`${sheet}\`[^:]*: \`([^\`]+)\``).exec(md.slice(md.indexOf('## Header rows')));
    return m![1]!.split(/,(?=[A-Z])/);
  };
  return { order, headerOf };
}

const PERIOD = '2026-01-01/2026-06-30';
const csv = (name: string) => `${name}_2026-01-01_2026-06-30.csv`;

describeWithReference('export dsa-report on the hand-computed half year', () => {
  let out: Awaited<ReturnType<typeof files>>;
  const ref = () => reference();
  beforeAll(async () => {
    out = await files();
  });

  it('makes one file per sheet of the template, in its order', () => {
    expect(Object.keys(out)).toEqual(
      [
        '1_report_identification',
        '3_member_states_orders',
        '4_notices',
        '5_own_initiative_illegal',
        '6_own_initiative_TC',
        '7_appeals_and_recidivism',
        '8_automated_means',
        '9_human_resources',
        '10_AMAR',
        '11_qualitative',
      ].map(csv),
    );
  });

  it('1_report_identification: the configured names and the dates', () => {
    expect(out[csv('1_report_identification')]!.rows.map((r) => r.slice(1))).toEqual([
      ['Service', 'Indicator', 'Value'],
      ['Claude', 'Name of the service provider', 'Anthropic PBC'],
      ['Claude', 'Date of the publication of the report', '2026-07-10'],
      ['Claude', 'Date of the publication of the latest previous report', '2026-02-27'],
      ['Claude', 'Starting date of reporting period', '2026-01-01'],
      ['Claude', 'Ending date of reporting period', '2026-06-30'],
    ]);
    expect(out[csv('1_report_identification')]!.text.split('\r\n')[0]).toBe('Applicability,Service,Indicator,Value');
  });

  it('4_notices: the exact header, every row in the template order, and the figures', () => {
    const { order, headerOf } = ref();
    const listed = headerOf('4_notices');
    const figures = listed.slice(5);
    const header = [...listed, ...figures.map((f) => `Contextual information on ${f}`)];
    const file = out[csv('4_notices')]!;
    expect(file.rows[0]).toEqual(header);
    expect(file.text.split('\r\n')[0]).toContain(',"Description of the sub-category ""Other""",');
    const labels = [
      'TOTAL',
      ...order.flatMap((c) => [c.category, ...c.keywords, 'KEYWORD_OTHER']),
      'STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE',
    ];
    expect(file.rows.slice(1).map((r) => r[3])).toEqual(labels);

    // received, TF, items, items TF, median h, median h TF, law, law TF, T&C, T&C TF
    const expected: Record<string, string[]> = {
      TOTAL: ['6', '2', '9', '3', '4', '4', '4', '3', '1', '0'],
      STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH: ['1', '0', '3', '0', '2', '', '0', '0', '1', '0'],
      'STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH/KEYWORD_HATE_SPEECH': ['1', '0', '3', '0', '2', '', '0', '0', '1', '0'],
      STATEMENT_CATEGORY_PROTECTION_OF_MINORS: ['2', '1', '2', '1', '3', '1', '2', '1', '0', '0'],
      'STATEMENT_CATEGORY_PROTECTION_OF_MINORS/KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL': ['2', '1', '2', '1', '3', '1', '2', '1', '0', '0'],
      STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS: ['1', '1', '2', '2', '5', '5', '2', '2', '0', '0'],
      'STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS/KEYWORD_COPYRIGHT_INFRINGEMENT': [
        '1',
        '1',
        '2',
        '2',
        '5',
        '5',
        '2',
        '2',
        '0',
        '0',
      ],
      STATEMENT_CATEGORY_CYBER_VIOLENCE: ['1', '0', '1', '0', '', '', '0', '0', '0', '0'],
      'STATEMENT_CATEGORY_CYBER_VIOLENCE/KEYWORD_CYBER_HARASSMENT': ['1', '0', '1', '0', '', '', '0', '0', '0', '0'],
      STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE: ['1', '0', '1', '0', '', '', '0', '0', '0', '0'],
    };
    let category = '';
    for (const row of file.rows.slice(1)) {
      const label = row[3]!;
      if (!label.startsWith('KEYWORD_')) category = label;
      const key = label.startsWith('KEYWORD_') ? `${category}/${label}` : label;
      expect([key, row.slice(0, 3)]).toEqual([key, ['Art. 15(1)(b) DSA: providers of hosting services', 'Claude', PERIOD]]);
      expect([key, row.slice(5, 15)]).toEqual([key, expected[key] ?? ['0', '0', '0', '0', '', '', '0', '0', '0', '0']]);
      // A blank median always says why.
      for (const k of [4, 5]) if (row[5 + k] === '') expect([key, row[15 + k]]).toEqual([key, expect.stringMatching(/led to an action/)]);
      if (label === 'KEYWORD_OTHER') expect([key, row[4]]).toEqual([key, expect.any(String)]);
      else expect([key, row[4]]).toEqual([key, '']);
    }
    const descriptions = Object.fromEntries(file.rows.filter((r) => r[3] === 'KEYWORD_OTHER').map((r, k) => [order[k]!.category, r[4]]));
    expect(descriptions.STATEMENT_CATEGORY_SCAMS_AND_FRAUD).toBe(
      'TrustOps policies mapped to this category without a more specific keyword: fraud.',
    );
    expect(descriptions.STATEMENT_CATEGORY_OTHER_VIOLATION_TC).toMatch(/no DSA mapping.*weird_policy/);
  });

  it('5 and 6: own-initiative measures by ground, with the restriction columns', () => {
    const { headerOf } = ref();
    const restrictionsAt = (r: string[]) =>
      r
        .slice(5, 21)
        .map((v) => (v === '0' ? '' : v))
        .join('|');
    const five = out[csv('5_own_initiative_illegal')]!;
    const listed = headerOf('5_own_initiative_illegal');
    expect(five.rows[0]).toEqual([...listed, ...listed.slice(5).map((f) => `Contextual Information on ${f}`)]);
    const nonZero = (sheet: string[][]) =>
      Object.fromEntries(
        sheet
          .slice(1)
          .map((r, k, all) => {
            let category = '';
            for (let j = k; j >= 0; j--)
              if (!all[j]![3]!.startsWith('KEYWORD_')) {
                category = all[j]![3]!;
                break;
              }
            return [r[3]!.startsWith('KEYWORD_') ? `${category}/${r[3]}` : r[3]!, restrictionsAt(r)] as const;
          })
          .filter(([, v]) => v.replaceAll('|', '') !== ''),
      );
    // measures | automated | Removal Disable Demoted Age Interaction Labelled Other | Monetary S T O | Provision S T | Account S T
    expect(nonZero(five.rows)).toEqual({
      TOTAL: '2|1|1|||||||||||||',
      STATEMENT_CATEGORY_PROTECTION_OF_MINORS: '2|1|1|||||||||||||',
      'STATEMENT_CATEGORY_PROTECTION_OF_MINORS/KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL': '2|1|1|||||||||||||',
    });
    expect(five.rows[1]![21]).toBe('Includes 1 warning, which restrict nothing and so fill no restriction column.');
    const six = out[csv('6_own_initiative_TC')]!;
    expect(nonZero(six.rows)).toEqual({
      TOTAL: '2|1|||1||||||||||1|',
      STATEMENT_CATEGORY_SCAMS_AND_FRAUD: '1|1|||||||||||||1|',
      'STATEMENT_CATEGORY_SCAMS_AND_FRAUD/KEYWORD_OTHER': '1|1|||||||||||||1|',
      STATEMENT_CATEGORY_OTHER_VIOLATION_TC: '1||||1|||||||||||',
      'STATEMENT_CATEGORY_OTHER_VIOLATION_TC/KEYWORD_OTHER': '1||||1|||||||||||',
    });
  });

  it('7_appeals_and_recidivism: complaints by type and outcome, medians in hours, and repeat offenders', () => {
    const { headerOf } = ref();
    const file = out[csv('7_appeals_and_recidivism')]!;
    expect(file.rows[0]).toEqual(headerOf('7_appeals_and_recidivism'));
    const body = file.rows.slice(1).map((r) => [r[3], r[4], r[5], r[6]]);
    const icm = (indicator: string, values: string[]) =>
      ['Total number', 'Decisions upheld', 'Decisions partially reversed', 'Decisions reversed', 'Median time', 'Decision omitted'].map(
        (scope, k) => ['Internal complaints mechanism', indicator, scope, values[k]],
      );
    const ods = [
      'Total number',
      'Decisions upheld',
      'Decisions partially reversed',
      'Decisions reversed',
      'Median time',
      'Decision omitted',
      'Percentage of outcomes implemented',
    ];
    expect(body).toEqual([
      ...icm('Number of complaints submitted to the internal-complaints mechanism', ['6', '1', '1', '1', '20', '1']),
      ['Internal complaints mechanism', 'Number of restrictions newly imposed as a result of an internal complaint', 'Total number', ''],
      ...icm('Complaint regarding a decision to remove or disable access to or restrict visibility of information', [
        '2',
        '0',
        '1',
        '1',
        '20',
        '0',
      ]),
      ...icm('Complaint regarding a decision to suspend or terminate the provision of the service', ['0', '0', '0', '0', '', '0']),
      ...icm('Complaint regarding a decision to suspend or terminate an account', ['2', '1', '0', '0', '20', '0']),
      ...icm('Complaint regarding a decision to restrict the ability to monetise information', ['0', '0', '0', '0', '', '0']),
      ...icm('Complaint regarding a decision not to take action on a notice submitted in accordance with Article 16', [
        '1',
        '0',
        '0',
        '0',
        '',
        '1',
      ]),
      ...icm('Complaint regarding a decision not to take action on a notice submitted by a Trusted Flagger', ['0', '0', '0', '0', '', '0']),
      ...ods.map((scope) => [
        'Out-of-court dispute settlement bodies',
        'Number of disputes submitted to out-of-court dispute settlement bodies',
        scope,
        '',
      ]),
      [
        'Suspensions imposed on repeated offenders',
        'Number of suspensions enacted for the provision of manifestly illegal content',
        'Total number',
        '2',
      ],
      [
        'Suspensions imposed on repeated offenders',
        'Number of suspensions enacted for the submission of manifestly unfounded notices',
        'Total number',
        '0',
      ],
      [
        'Suspensions imposed on repeated offenders',
        'Number of suspensions enacted for the submission of manifestly unfounded complaints',
        'Total number',
        '0',
      ],
    ]);
    expect(file.rows[1]![7]).toMatch(/^Complaints filed in the period\. 1 of them \(about warnings\)/);
    // Every blank says why.
    for (const r of file.rows.slice(1)) if (r[6] === '') expect([r[4], r[5], r[7]]).toEqual([r[4], r[5], expect.stringMatching(/\S/)]);
  });

  it('8_automated_means: measures and notices by scope; accuracy and precision from 31 QA reviews; recall blank and why', () => {
    const file = out[csv('8_automated_means')]!;
    const body = file.rows.slice(1).map((r) => [r[4], r[5], r[6]]);
    expect(body).toEqual([
      ['Number of measures solely taken by automated means', 'Total number', '3'],
      ['Number of measures solely taken by automated means', 'Own-initiative', '2'],
      ['Number of measures solely taken by automated means', 'NAM Total', '1'],
      ['Number of measures solely taken by automated means', 'NAM Trusted Flagger', '1'],
      ['Number of measures not taken by automated means', 'Total number', '6'],
      ['Number of measures not taken by automated means', 'Own-initiative', '2'],
      ['Number of measures not taken by automated means', 'NAM Total', '4'],
      ['Number of measures not taken by automated means', 'NAM Trusted Flagger', '2'],
      ['Accuracy of the automated means - Accuracy', 'Total number', '0.967742'],
      ['Accuracy of the automated means - Precision', 'Total number', '0.967742'],
      ['Accuracy of the automated means - Recall', 'Total number', ''],
      // Notices, not decisions: r2 (trusted flagger) by d2, automated; r1, r3, r4 and r8 (trusted flagger) by a
      // person (d1, d3, d4 — a no_violation — and d9: C8's second decision d10 processes no further notice); r9
      // has no case, so nothing processed it.
      ['Number of notices solely processed by automated means', 'NAM Total', '1'],
      ['Number of notices solely processed by automated means', 'NAM Trusted Flagger', '1'],
      ['Number of notices not processed by automated means', 'NAM Total', '4'],
      ['Number of notices not processed by automated means', 'NAM Trusted Flagger', '1'],
    ]);
    expect(file.rows[9]![7]).toBe('Estimated from 31 QA reviews (30 agreed with the automated decision); 95 % interval 0.838059–0.994283.');
    expect(file.rows[11]![7]).toBe('Recall needs QA reviews of automated no_violation decisions too; there were none in the period.');
  });

  it('what TrustOps does not track is blank with a line that says so, never a zero', () => {
    for (const name of ['3_member_states_orders', '9_human_resources', '11_qualitative']) {
      const rows = out[csv(name)]!.rows.slice(1);
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect([name, r[6], r[7]]).toEqual([name, '', expect.stringMatching(/TrustOps/)]);
    }
    expect(out[csv('10_AMAR')]!.rows[1]!.slice(6)).toEqual(['1234567', 'As configured by an admin (TrustOps does not count recipients).']);
  });
});

describe('8_automated_means counts notices processed, not decisions', () => {
  /*
   * 2026-05-15..2026-05-31 (nothing of the half year above falls in it):
   * N1  05-16 00:00 n1a trusted flagger hate_speech, n1b notice   e1 content_removed automated 05-16 01:00, e2 account_banned human 05-16 03:00
   * N2  05-17 00:00 o2 own initiative, then n2 notice 05-17 01:00 e3 content_removed human 05-17 02:00
   * N3, N4: one copyright notice of two items (cn7:0 on N3, cn7:1 on N4) e4, e5 content_removed human 05-18 (one notice: its head item's case)
   * N5  05-20 00:00 n5 notice, decided 06-02 (after the range)   e6 content_removed automated
   * N6  05-21 00:00 n6 trusted flagger notice, never decided
   * N7  05-10 00:00 n7 notice (before the range) decided 05-19 no_violation automated (e7): processed in the range
   * Automated: n1a, n1b, n7 = 3 (trusted flagger 1). By a person: n2, cn7 = 2 (trusted flagger 0).
   * Counting decisions on cases whose first report is a notice (what this replaced) gave automated 2 (e1, e7; trusted
   * flagger 1) and people 3 (e2, e4, e5; trusted flagger 1).
   */
  it('each notice once, by its case’s first decision in the period, trusted flaggers by the notice’s own flag', async () => {
    const f = facts(db);
    await f.openCase('N1', '2026-05-16T00:00:00Z', { status: 'decided' });
    await f.report('n1a', 'N1', '2026-05-16T00:00:00Z', { category: 'hate_speech', trusted: true });
    await f.report('n1b', 'N1', '2026-05-16T00:30:00Z', { category: 'hate_speech' });
    await f.decide('e1', 'N1', '2026-05-16T01:00:00Z', 'content_removed', 'hate_speech', true);
    await f.decide('e2', 'N1', '2026-05-16T03:00:00Z', 'account_banned', 'hate_speech', false);
    await f.openCase('N2', '2026-05-17T00:00:00Z', { status: 'decided' });
    await f.report('o2', 'N2', '2026-05-17T00:00:00Z', { category: 'hate_speech', own: true });
    await f.report('n2', 'N2', '2026-05-17T01:00:00Z', { category: 'hate_speech' });
    await f.decide('e3', 'N2', '2026-05-17T02:00:00Z', 'content_removed', 'hate_speech', false);
    await f.openCase('N3', '2026-05-18T00:00:00Z', { status: 'decided' });
    await f.openCase('N4', '2026-05-18T00:00:00Z', { status: 'decided' });
    await f.report('copyright-notice:cn7:0', 'N3', '2026-05-18T00:00:00Z', { category: 'ip_infringement' });
    await f.report('copyright-notice:cn7:1', 'N4', '2026-05-18T00:00:00Z', { category: 'ip_infringement' });
    await f.decide('e4', 'N3', '2026-05-18T05:00:00Z', 'content_removed', 'ip_infringement', false);
    await f.decide('e5', 'N4', '2026-05-18T05:00:00Z', 'content_removed', 'ip_infringement', false);
    await f.openCase('N5', '2026-05-20T00:00:00Z', { status: 'decided' });
    await f.report('n5', 'N5', '2026-05-20T00:00:00Z', { category: 'hate_speech' });
    await f.decide('e6', 'N5', '2026-06-02T00:00:00Z', 'content_removed', 'hate_speech', true);
    await f.openCase('N6', '2026-05-21T00:00:00Z');
    await f.report('n6', 'N6', '2026-05-21T00:00:00Z', { category: 'hate_speech', trusted: true });
    await f.openCase('N7', '2026-05-10T00:00:00Z', { status: 'decided' });
    await f.report('n7', 'N7', '2026-05-10T00:00:00Z', { category: 'hate_speech' });
    await f.decide('e7', 'N7', '2026-05-19T00:00:00Z', 'no_violation', 'hate_speech', true);
    try {
      const report = await buildDsaReport(deps, parseRange('2026-05-15..2026-05-31', { now: NOW, timeZone: 'UTC' }));
      const rows = report.sheets.find((s) => s.name === '8_automated_means')!.rows;
      const value = (indicator: string, scope: string) => rows.find((r) => r[4] === indicator && r[5] === scope)?.[6];
      expect([
        value('Number of notices solely processed by automated means', 'NAM Total'),
        value('Number of notices solely processed by automated means', 'NAM Trusted Flagger'),
        value('Number of notices not processed by automated means', 'NAM Total'),
        value('Number of notices not processed by automated means', 'NAM Trusted Flagger'),
      ]).toEqual([3, 1, 2, 0]);
    } finally {
      const cases = ['N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7'].map((c) => f.ids[c]!);
      await db.decision.deleteMany({ where: { caseId: { in: cases } } });
      await db.report.deleteMany({ where: { caseId: { in: cases } } });
      await db.case.deleteMany({ where: { id: { in: cases } } });
    }
  });
});

describe('the consistency checks', () => {
  it('a keyword of another category breaks the sum: the report names sheet, row and column, and makes no file', async () => {
    await db.dsaCategoryMap.update({ where: { policy: 'csam' }, data: { keyword: 'KEYWORD_PHISHING' } });
    try {
      const err = await dsaReportFiles(deps, ADMIN, H1()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).message).toContain(
        '4_notices, row STATEMENT_CATEGORY_PROTECTION_OF_MINORS, column "Number of notices received": its keyword rows add up to 0, the category row says 2',
      );
    } finally {
      await db.dsaCategoryMap.update({ where: { policy: 'csam' }, data: { keyword: 'KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL' } });
    }
  });

  it('a copyright notice naming 3 items counts once, with 3 items, on 4_notices and in export dsa (review #5)', async () => {
    // As src/domain/copyright/notices.ts records a complete notice: one report per item, positions 0, 1, 2.
    const f = facts(db);
    for (const k of [0, 1, 2])
      await f.report(`copyright-notice:dmca-9:${k}`, null, '2026-06-10T00:00:00Z', { category: 'ip_infringement' });
    try {
      const report = await buildDsaReport(deps, parseRange('2026-06', { now: NOW, timeZone: 'UTC' }));
      const rows = report.sheets.find((s) => s.name === '4_notices')!.rows;
      const ip = rows.find((r) => r[3] === 'STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS')!;
      // TOTAL: the notice and r9 (harassment, 06-30): 2 notices, 3 + 1 items.
      expect([rows[0]![5], rows[0]![7]]).toEqual([2, 4]);
      expect([ip[5], ip[7]]).toEqual([1, 3]);
      const agg = await dsaAggregates(deps, parseRange('2026-06', { now: NOW, timeZone: 'UTC' }));
      expect(agg.notices.received).toBe(2);
      expect(agg.notices.byCategory.STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS!.received).toBe(1);
    } finally {
      await db.report.deleteMany({ where: { externalId: { startsWith: 'copyright-notice:dmca-9:' } } });
    }
  });

  it('when export dsa counts other notices or complaints than the report, nothing is folded in: the check names them and no file is made (review #6)', async () => {
    const real = figuresModule.reportFigures;
    const spy = jest.spyOn(figuresModule, 'reportFigures').mockImplementation(async (...args) => {
      const f = await real(...args);
      // One copyright notice and one counter-notice more in the aggregates than the report counts.
      f.aggregates.notices.received += 1;
      f.aggregates.notices.byCategory.STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS!.received += 1;
      f.aggregates.complaints.received += 1;
      return f;
    });
    try {
      const err = await dsaReportFiles(deps, ADMIN, H1()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      const message = (err as AppError).message;
      expect(message).toContain(
        '4_notices, row STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS, column "Number of notices received": says 1, the `export dsa` aggregates count 2 notices',
      );
      expect(message).toContain(
        '7_appeals_and_recidivism, row Number of complaints submitted to the internal-complaints mechanism, column "Total number": says 6, the `export dsa` aggregates count 7 complaints',
      );
    } finally {
      spy.mockRestore();
    }
  });

  it('recall weighs the two QA samples by their populations: negatives sampled far less often do not inflate it (review #7)', async () => {
    const real = figuresModule.reportFigures;
    const spy = jest.spyOn(figuresModule, 'reportFigures').mockImplementation(async (...args) => {
      const f = await real(...args);
      // 10,000 automated actions, 1,000 reviewed, all confirmed; 1,000,000 automated no_violation decisions,
      // 1,000 reviewed, 50 of them missed violations. Truth ≈ 10,000 ÷ (10,000 + 50,000) = 1/6, not 1,000 ÷ 1,050.
      f.automated.measuresAutomated.total = 10_000;
      f.automated.negativesAutomated = 1_000_000;
      f.qa = { reviewed: 2000, agreed: 1950, positives: 1000, truePositives: 1000, negatives: 1000, falseNegatives: 50 };
      return f;
    });
    try {
      const report = await buildDsaReport(deps, H1());
      const row = report.sheets
        .find((s) => s.name === '8_automated_means')!
        .rows.find((r) => r.includes('Accuracy of the automated means - Recall'))!;
      expect(row.at(-2)).toBeCloseTo(1 / 6, 5);
      expect(String(row.at(-1))).toMatch(/weighted by the period's 10000 automated actions and 1000000 automated no_violation decisions/);
    } finally {
      spy.mockRestore();
    }
  });

  it('an admin cannot set a keyword of another category', async () => {
    await expect(setDsaKeyword(deps, { actor: ADMIN, policy: 'csam', keyword: 'KEYWORD_PHISHING' })).rejects.toThrow(
      /not a keyword of STATEMENT_CATEGORY_PROTECTION_OF_MINORS/,
    );
    await expect(setDsaKeyword(deps, { actor: { id: 'UVIEWER', origin: 'slack' }, policy: 'csam', keyword: 'other' })).rejects.toThrow();
  });

  it("a trusted flagger's appeal of a no_violation decision counts on its own 7_appeals row (review #16)", async () => {
    const f = facts(db);
    await f.openCase('CTF', '2026-06-05T00:00:00Z', { status: 'decided' });
    await f.report('rtf', 'CTF', '2026-06-05T00:00:00Z', { category: 'hate_speech', trusted: true });
    await f.decide('dtf', 'CTF', '2026-06-05T02:00:00Z', 'no_violation', 'hate_speech', false);
    await f.appeal('dtf', '2026-06-06T00:00:00Z', 'upheld', 4 * HOUR);
    const report = await buildDsaReport(deps, parseRange('2026-06', { now: NOW, timeZone: 'UTC' }));
    const rows = report.sheets.find((s) => s.name === '7_appeals_and_recidivism')!.rows;
    const total = (indicator: string) => rows.find((r) => r.includes(indicator) && r.includes('Total number'))?.at(-2);
    expect(total('Complaint regarding a decision not to take action on a notice submitted by a Trusted Flagger')).toBe(1);
    expect(total('Complaint regarding a decision not to take action on a notice submitted in accordance with Article 16')).toBe(0);
  });

  it('without a configured service or provider name the files say so in a warning naming the command (review #27)', async () => {
    const warnings = (
      await buildDsaReport(deps, H1(), {
        serviceName: null,
        providerName: 'Acme',
        averageMonthlyRecipients: null,
        previousPublicationDate: null,
      })
    ).warnings;
    expect(warnings).toEqual([
      expect.stringMatching(
        /^Not configured, so left blank: `service` \(the Service column of every sheet\)\. Set them with `\/trustops dsa report-config service/,
      ),
    ]);
    const both = await buildDsaReport(deps, H1(), {
      serviceName: 'Claude',
      providerName: 'Acme',
      averageMonthlyRecipients: null,
      previousPublicationDate: null,
    });
    expect(both.warnings).toEqual([]);
  });

  it('a range that is not a reporting period is made with a warning', async () => {
    expect(periodWarning('2026-01-01', '2026-06-30')).toBeNull();
    expect(periodWarning('2026-07-01', '2026-12-31')).toBeNull();
    expect(periodWarning('2026-01-01', '2026-12-31')).toBeNull();
    const report = await buildDsaReport(deps, parseRange('2026-03', { now: NOW, timeZone: 'UTC' }));
    expect(report.warnings[0]).toMatch(/^2026-03-01\/2026-03-31 is not a reporting period of the template/);
  });
});
