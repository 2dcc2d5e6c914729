// The template's sheets from the report's figures: one table per sheet (header, rows), checked before
// anything is written. Pure: figures, settings and dates in, sheets out.
import { proportion } from '../../digests/wilson';
import type { AppealFigures, NoticeFigures, OwnInitiativeFigures, ReportFigures, Scoped } from './figures';
import { rowKey, zeroNotice, zeroOwn } from './figures';
import { COMPLAINT_TYPES, SUSPENSION_INDICATORS, SUSPENSION_REASONS } from './restrictions';
import {
  HEADERS,
  KEYWORD_OTHER,
  RESTRICTION_COLUMNS,
  rowLabel,
  type SheetName,
  TEMPLATE_CATEGORIES,
  TEMPLATE_KEYWORDS,
  type TemplateRow,
  templateRows,
} from './template';

export type Cell = string | number | null;
export type Sheet = { name: SheetName; header: readonly string[]; rows: Cell[][] };

/** What admins configure (dsa_report_settings); null when not set. */
export type ReportSettings = {
  serviceName: string | null;
  providerName: string | null;
  averageMonthlyRecipients: number | null;
  previousPublicationDate: string | null;
};

/** The reporting period as dates (end inclusive), the date of publication, and the mapping's keyword-less policies. */
export type ReportContext = {
  startDate: string;
  endDate: string;
  publishedOn: string;
  settings: ReportSettings;
  /** Per category, the policies mapped to it without a keyword (their figures are its KEYWORD_OTHER row). */
  otherPolicies: Record<string, string[]>;
  /** Policies with no mapping at all (reported under STATEMENT_CATEGORY_OTHER_VIOLATION_TC, KEYWORD_OTHER). */
  unmappedPolicies: string[];
};

const NOT_TRACKED = 'TrustOps does not record this';

const APPLICABILITY: Record<SheetName, string> = {
  '1_report_identification': 'Art. 15 DSA: all providers of intermediary services',
  '3_member_states_orders': 'Art. 15(1)(a) DSA: all providers of intermediary services',
  '4_notices': 'Art. 15(1)(b) DSA: providers of hosting services',
  '5_own_initiative_illegal': 'Art. 15(1)(c) DSA: all providers of intermediary services',
  '6_own_initiative_TC': 'Art. 15(1)(c) DSA: all providers of intermediary services',
  '7_appeals_and_recidivism': 'Art. 15(1)(d), 20, 21, 23 and 24(1) DSA: providers of online platforms',
  '8_automated_means': 'Art. 15(1)(e) DSA: all providers of intermediary services',
  '9_human_resources': 'Art. 42(2) DSA: very large online platforms and search engines',
  '10_AMAR': 'Art. 24(2) DSA: providers of online platforms',
  '11_qualitative': 'Art. 15(1)(c) DSA: all providers of intermediary services',
};

function otherDescription(ctx: ReportContext, category: string): string {
  const policies = ctx.otherPolicies[category] ?? [];
  const unmapped = category === 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC' ? ctx.unmappedPolicies : [];
  const parts = [
    policies.length ? `TrustOps policies mapped to this category without a more specific keyword: ${policies.join(', ')}` : '',
    unmapped.length ? `policies with no DSA mapping, reported as violations of the terms and conditions: ${unmapped.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? `${parts.join('; ')}.` : 'No TrustOps policy is reported here: every policy of this category names a keyword.';
}

/** Builds every sheet of the template, in the template's order. */
export function buildSheets(f: ReportFigures, ctx: ReportContext): Sheet[] {
  const service = ctx.settings.serviceName;
  const period = `${ctx.startDate}/${ctx.endDate}`;
  const common = (sheet: SheetName): Cell[] => [APPLICABILITY[sheet], service, period];
  const longRow = (sheet: SheetName, section: string, indicator: string, scope: string, value: Cell, context: string | null): Cell[] => [
    ...common(sheet),
    section,
    indicator,
    scope,
    value,
    context,
  ];

  const identification: Sheet = {
    name: '1_report_identification',
    header: HEADERS.identification,
    rows: [
      ['Name of the service provider', ctx.settings.providerName],
      ['Date of the publication of the report', ctx.publishedOn],
      ['Date of the publication of the latest previous report', ctx.settings.previousPublicationDate],
      ['Starting date of reporting period', ctx.startDate],
      ['Ending date of reporting period', ctx.endDate],
    ].map(([indicator, value]) => [APPLICABILITY['1_report_identification'], service, indicator ?? null, value ?? null]),
  };

  const orders: Sheet = {
    name: '3_member_states_orders',
    header: HEADERS.longForm,
    rows: [
      ['Number of orders to act against illegal content (Art. 9)', 'Total number'],
      ['Median time to inform the authority of the receipt of the order', 'Median time'],
      ['Median time to give effect to the order', 'Median time'],
      ['Number of orders to provide information (Art. 10)', 'Total number'],
    ].map(([indicator, scope]) =>
      longRow(
        '3_member_states_orders',
        "Orders from Member States' authorities",
        indicator!,
        scope!,
        null,
        `${NOT_TRACKED}: orders from Member States' authorities are handled outside TrustOps.`,
      ),
    ),
  };

  const noticeRow = (r: TemplateRow): Cell[] => {
    const key = r.kind === 'total' ? rowKey() : r.kind === 'category' ? rowKey(r.category) : rowKey(r.category, r.keyword);
    const n: NoticeFigures = f.notices[key] ?? zeroNotice();
    const medianContext = (m: number | null, tf: boolean) =>
      m !== null ? null : `No ${tf ? 'Trusted Flagger notice' : 'notice'} in this row led to an action in the period.`;
    const contexts: (string | null)[] = [
      r.kind === 'total' ? 'Notices received in the period (reports not marked own-initiative), each counted once.' : null,
      null,
      r.kind === 'total' ? 'Each notice counts the items of information it names (1 unless intake says otherwise).' : null,
      null,
      medianContext(n.medianHours, false) ??
        (r.kind === 'total'
          ? "From the receipt of the case's first notice to the action, in hours; notices with no action are left out."
          : null),
      medianContext(n.medianHoursTf, true),
      r.kind === 'total' ? 'Actions on notice-based cases decided in the period, under a policy reported as illegal content.' : null,
      null,
      r.kind === 'total'
        ? 'Actions on notice-based cases decided in the period, under a policy reported as a terms-and-conditions violation.'
        : null,
      null,
    ];
    return [
      ...common('4_notices'),
      rowLabel(r),
      r.kind === 'keyword' && r.keyword === KEYWORD_OTHER ? otherDescription(ctx, r.category) : null,
      n.received,
      n.receivedTf,
      n.items,
      n.itemsTf,
      n.medianHours,
      n.medianHoursTf,
      n.law,
      n.lawTf,
      n.tc,
      n.tcTf,
      ...contexts,
    ];
  };
  const notices: Sheet = { name: '4_notices', header: HEADERS.notices, rows: templateRows(true).map(noticeRow) };

  const ownSheet = (name: '5_own_initiative_illegal' | '6_own_initiative_TC', figures: Record<string, OwnInitiativeFigures>): Sheet => ({
    name,
    header: HEADERS.ownInitiative,
    rows: templateRows(false).map((r) => {
      const key = r.kind === 'total' ? rowKey() : r.kind === 'category' ? rowKey(r.category) : rowKey(r.category, r.keyword);
      const o = figures[key] ?? zeroOwn();
      const contexts: (string | null)[] = [
        o.warnings
          ? `Includes ${o.warnings} warning${o.warnings === 1 ? '' : 's'}, which restrict nothing and so fill no restriction column.`
          : r.kind === 'total'
            ? "Actions decided in the period on cases opened at the provider's own initiative."
            : null,
        r.kind === 'total' ? 'Own-initiative actions decided by automated means.' : null,
        ...RESTRICTION_COLUMNS.map(() => null),
      ];
      return [
        ...common(name),
        rowLabel(r),
        r.kind === 'keyword' && r.keyword === KEYWORD_OTHER ? otherDescription(ctx, r.category) : null,
        o.measures,
        o.automated,
        ...RESTRICTION_COLUMNS.map((c) => o.byColumn[c]),
        ...contexts,
      ];
    }),
  });

  const SECTION_ICM = 'Internal complaints mechanism';
  const appealRows = (indicator: string, a: AppealFigures, context: string | null): Cell[][] => [
    longRow('7_appeals_and_recidivism', SECTION_ICM, indicator, 'Total number', a.total, context),
    longRow('7_appeals_and_recidivism', SECTION_ICM, indicator, 'Decisions upheld', a.upheld, null),
    longRow('7_appeals_and_recidivism', SECTION_ICM, indicator, 'Decisions partially reversed', a.partiallyReversed, null),
    longRow('7_appeals_and_recidivism', SECTION_ICM, indicator, 'Decisions reversed', a.reversed, null),
    longRow(
      '7_appeals_and_recidivism',
      SECTION_ICM,
      indicator,
      'Median time',
      a.medianHours,
      a.medianHours === null
        ? 'No complaint filed in the period has been decided yet.'
        : 'From submission to decision, in hours; complaints not yet decided or closed without a decision are left out.',
    ),
    longRow('7_appeals_and_recidivism', SECTION_ICM, indicator, 'Decision omitted', a.omitted, null),
  ];
  const ODS = 'Out-of-court dispute settlement bodies';
  const appeals: Sheet = {
    name: '7_appeals_and_recidivism',
    header: HEADERS.longForm,
    rows: [
      ...appealRows(
        'Number of complaints submitted to the internal-complaints mechanism',
        f.appeals.all,
        f.appeals.untyped
          ? `Complaints filed in the period. ${f.appeals.untyped} of them (about warnings) fit none of the complaint types below.`
          : 'Complaints (appeals) filed in the period.',
      ),
      longRow(
        '7_appeals_and_recidivism',
        SECTION_ICM,
        'Number of restrictions newly imposed as a result of an internal complaint',
        'Total number',
        null,
        `${NOT_TRACKED}: an appeal records whether the decision stood, not new restrictions it led to.`,
      ),
      ...Object.entries(COMPLAINT_TYPES).flatMap(([type, indicator]) =>
        appealRows(
          indicator,
          f.appeals.byType[type] ?? { total: 0, upheld: 0, partiallyReversed: 0, reversed: 0, omitted: 0, medianHours: null },
          null,
        ),
      ),
      ...[
        'Total number',
        'Decisions upheld',
        'Decisions partially reversed',
        'Decisions reversed',
        'Median time',
        'Decision omitted',
        'Percentage of outcomes implemented',
      ].map((scope) =>
        longRow(
          '7_appeals_and_recidivism',
          ODS,
          'Number of disputes submitted to out-of-court dispute settlement bodies',
          scope,
          null,
          `${NOT_TRACKED}: out-of-court disputes are handled outside TrustOps.`,
        ),
      ),
      ...SUSPENSION_REASONS.map((reason) =>
        longRow(
          '7_appeals_and_recidivism',
          'Suspensions imposed on repeated offenders',
          SUSPENSION_INDICATORS[reason],
          'Total number',
          f.suspensions[reason] ?? 0,
          reason === 'manifestly_illegal_content'
            ? 'Suspensions and terminations decided in the period with this reason; copyright repeat-infringer bans count here.'
            : null,
        ),
      ),
    ],
  };

  const AUTO = 'Use of automated means for content moderation';
  const scopedRows = (indicator: string, s: Scoped, scopes: (keyof Scoped)[], context: string): Cell[][] =>
    scopes.map((scope, k) => longRow('8_automated_means', AUTO, indicator, SCOPE_NAMES[scope], s[scope], k === 0 ? context : null));
  const rate = (indicator: string, k: number, n: number, what: string, none: string): Cell[] => {
    const p = proportion(k, n);
    if (n === 0) return longRow('8_automated_means', AUTO, indicator, 'Total number', null, none);
    if (!p.enough)
      return longRow(
        '8_automated_means',
        AUTO,
        indicator,
        'Total number',
        null,
        `Too few QA reviews to estimate: ${k} of ${n} ${what} (at least 30 and a 95 % interval no wider than 20 points are needed).`,
      );
    const i = p.interval!;
    return longRow(
      '8_automated_means',
      AUTO,
      indicator,
      'Total number',
      round(p.rate!),
      `Estimated from ${n} QA reviews (${k} ${what}); 95 % interval ${round(i.lower)}–${round(i.upper)}.`,
    );
  };
  const q = f.qa;
  /**
   * Recall from two QA samples of different populations (review #7): automated actions (P in the period) reviewed
   * for precision, automated no_violation decisions (N) reviewed for missed violations (false omission rate).
   * Each rate is weighted by its population, recall = P·precision ÷ (P·precision + N·FOR), so unequal sampling
   * rates do not bias it; its interval comes from the two Wilson intervals (approximate, conservative).
   */
  const recall = (qa: typeof q, positives: number, negatives: number): Cell[] => {
    const indicator = 'Accuracy of the automated means - Recall';
    const blank = (why: string) => longRow('8_automated_means', AUTO, indicator, 'Total number', null, why);
    if (qa.negatives === 0) return blank('Recall needs QA reviews of automated no_violation decisions too; there were none in the period.');
    if (qa.positives === 0) return blank('Recall needs QA reviews of automated actions too; there were none in the period.');
    const prec = proportion(qa.truePositives, qa.positives);
    const fo = proportion(qa.falseNegatives, qa.negatives);
    const of = (p: number, f: number) => (positives * p + negatives * f === 0 ? null : (positives * p) / (positives * p + negatives * f));
    const value = of(prec.rate!, fo.rate!);
    const lower = of(prec.interval!.lower, fo.interval!.upper);
    const upper = of(prec.interval!.upper, fo.interval!.lower);
    const samples = `${qa.truePositives} of ${qa.positives} reviewed automated actions confirmed, ${qa.falseNegatives} of ${qa.negatives} reviewed automated no_violation decisions missed a violation, weighted by the period's ${positives} automated actions and ${negatives} automated no_violation decisions`;
    if (value === null) return blank(`No violation among the automated decisions by QA's estimate (${samples}).`);
    const width = (upper ?? 1) - (lower ?? 0);
    if (qa.positives < 30 || qa.negatives < 30 || width > 0.2)
      return blank(
        `Too few QA reviews to estimate: ${samples} (at least 30 reviews in each sample and a 95 % interval no wider than 20 points are needed).`,
      );
    return longRow(
      '8_automated_means',
      AUTO,
      indicator,
      'Total number',
      round(value),
      `Estimated: ${samples}; 95 % interval ${round(lower ?? 0)}–${round(upper ?? 1)} (approximate, from the two samples' Wilson intervals).`,
    );
  };
  const automated: Sheet = {
    name: '8_automated_means',
    header: HEADERS.longForm,
    rows: [
      ...scopedRows(
        'Number of measures solely taken by automated means',
        f.automated.measuresAutomated,
        ['total', 'ownInitiative', 'namTotal', 'namTrustedFlagger'],
        'Actions (every decision but no_violation) decided in the period by automated means.',
      ),
      ...scopedRows(
        'Number of measures not taken by automated means',
        f.automated.measuresNotAutomated,
        ['total', 'ownInitiative', 'namTotal', 'namTrustedFlagger'],
        'Actions decided in the period by people.',
      ),
      rate(
        'Accuracy of the automated means - Accuracy',
        q.agreed,
        q.reviewed,
        'agreed with the automated decision',
        'No QA review of an automated decision in the period.',
      ),
      rate(
        'Accuracy of the automated means - Precision',
        q.truePositives,
        q.positives,
        'automated actions confirmed as violations',
        'No QA review of an automated action in the period.',
      ),
      recall(q, f.automated.measuresAutomated.total, f.automated.negativesAutomated),
      ...scopedRows(
        'Number of notices solely processed by automated means',
        f.automated.noticesAutomated,
        ['namTotal', 'namTrustedFlagger'],
        "Notices (each counted once, as on 4_notices) whose case's first decision, whatever it decided (no_violation included), was taken in the period by automated means.",
      ),
      ...scopedRows(
        'Number of notices not processed by automated means',
        f.automated.noticesNotAutomated,
        ['namTotal', 'namTrustedFlagger'],
        "Notices (each counted once, as on 4_notices) whose case's first decision, whatever it decided (no_violation included), was taken in the period by a person.",
      ),
    ],
  };

  const untracked = (name: SheetName, section: string, indicators: string[], why: string): Sheet => ({
    name,
    header: HEADERS.longForm,
    rows: indicators.map((indicator) => longRow(name, section, indicator, 'Total number', null, why)),
  });
  const recipients = ctx.settings.averageMonthlyRecipients;
  const amar: Sheet = {
    name: '10_AMAR',
    header: HEADERS.longForm,
    rows: [
      longRow(
        '10_AMAR',
        'Average monthly active recipients of the service',
        'Average monthly active recipients of the service in the Union',
        'Total number',
        recipients,
        recipients === null
          ? 'Not configured: an admin sets it with `/trustops dsa report-config recipients <number>`.'
          : 'As configured by an admin (TrustOps does not count recipients).',
      ),
    ],
  };

  return [
    identification,
    orders,
    notices,
    ownSheet('5_own_initiative_illegal', f.ownIllegal),
    ownSheet('6_own_initiative_TC', f.ownTc),
    appeals,
    automated,
    untracked(
      '9_human_resources',
      'Human resources dedicated to content moderation',
      [
        'Number of human resources dedicated to content moderation',
        'Qualifications and linguistic expertise of the persons carrying out content moderation',
      ],
      `${NOT_TRACKED}: staffing is reported by the provider, not derived from cases.`,
    ),
    amar,
    untracked(
      '11_qualitative',
      'Qualitative information',
      [
        "Summary of the content moderation engaged in at the provider's own initiative",
        'Description of the automated means used for content moderation',
        'Safeguards applied to the use of automated means',
      ],
      'Qualitative text is written by the provider; TrustOps does not produce it.',
    ),
  ];
}

const SCOPE_NAMES: Record<keyof Scoped, string> = {
  total: 'Total number',
  ownInitiative: 'Own-initiative',
  namTotal: 'NAM Total',
  namTrustedFlagger: 'NAM Trusted Flagger',
};

/** Rates to six decimals: more is noise from a sample. */
const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** A failed consistency check: where, and what does not add up. */
export type CheckFailure = { sheet: SheetName; row: string; column: string; message: string };

const COUNT_COLUMNS_4 = [0, 1, 2, 3, 6, 7, 8, 9]; // of NOTICE_FIGURES: every count (not the medians)

/**
 * The template's arithmetic, on the sheets as they would be written: keywords add up to their category,
 * categories to TOTAL, and own-initiative plus notice-based actions to all actions (`export dsa`'s total).
 */
export function checkSheets(sheets: readonly Sheet[], f: ReportFigures): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const byName = new Map(sheets.map((s) => [s.name, s]));
  const LABEL = 3;
  const firstFigure = 5;

  const checkPerCategory = (sheet: Sheet, columns: number[], extraCategories: string[]) => {
    const rowOf = new Map(sheet.rows.map((r) => [String(r[LABEL]), r]));
    const value = (label: string, column: number) => Number(rowOf.get(label)?.[firstFigure + column] ?? 0);
    for (const column of columns) {
      const header = sheet.header[firstFigure + column]!;
      let categories = 0;
      for (const category of [...TEMPLATE_CATEGORIES, ...extraCategories]) {
        const row = sheet.rows.find((r) => r[LABEL] === category)!;
        const total = Number(row[firstFigure + column] ?? 0);
        categories += total;
        const keywords = [...(TEMPLATE_KEYWORDS[category as keyof typeof TEMPLATE_KEYWORDS] ?? []), KEYWORD_OTHER];
        if (!TEMPLATE_KEYWORDS[category as keyof typeof TEMPLATE_KEYWORDS]) continue;
        // Keyword rows repeat their label across categories (KEYWORD_OTHER): read them in place, after the category row.
        const start = sheet.rows.indexOf(row);
        const sum = keywords.reduce((s, _k, i) => s + Number(sheet.rows[start + 1 + i]?.[firstFigure + column] ?? 0), 0);
        if (sum !== total)
          failures.push({
            sheet: sheet.name,
            row: category,
            column: header,
            message: `its keyword rows add up to ${sum}, the category row says ${total}`,
          });
      }
      const total = value('TOTAL', column);
      if (categories !== total)
        failures.push({
          sheet: sheet.name,
          row: 'TOTAL',
          column: header,
          message: `the category rows add up to ${categories}, TOTAL says ${total}`,
        });
    }
  };
  const notices = byName.get('4_notices')!;
  checkPerCategory(notices, COUNT_COLUMNS_4, ['STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE']);
  const ownColumns = [0, 1, ...RESTRICTION_COLUMNS.map((_c, k) => 2 + k)];
  const own5 = byName.get('5_own_initiative_illegal')!;
  const own6 = byName.get('6_own_initiative_TC')!;
  checkPerCategory(own5, ownColumns, []);
  checkPerCategory(own6, ownColumns, []);

  const totalOf = (sheet: Sheet, column: number) => Number(sheet.rows[0]![firstFigure + column] ?? 0);
  const agg = f.aggregates;
  const noticeHeader = (column: number) => notices.header[firstFigure + column]!;
  if (totalOf(notices, 0) !== agg.notices.received)
    failures.push({
      sheet: '4_notices',
      row: 'TOTAL',
      column: noticeHeader(0),
      message: `says ${totalOf(notices, 0)}, the \`export dsa\` aggregates count ${agg.notices.received} notices`,
    });
  // The two derivations (the report's and `export dsa`'s) must agree category by category: nothing is
  // folded in to make them (review #6), a difference is named here and no file is written.
  for (const [category, counted] of Object.entries(agg.notices.byCategory)) {
    const row = notices.rows.find((r) => r[LABEL] === category);
    const says = Number(row?.[firstFigure] ?? 0);
    if (says !== counted.received)
      failures.push({
        sheet: '4_notices',
        row: category,
        column: noticeHeader(0),
        message: `says ${says}, the \`export dsa\` aggregates count ${counted.received} notices`,
      });
  }
  if (f.appeals.all.total !== agg.complaints.received)
    failures.push({
      sheet: '7_appeals_and_recidivism',
      row: 'Number of complaints submitted to the internal-complaints mechanism',
      column: 'Total number',
      message: `says ${f.appeals.all.total}, the \`export dsa\` aggregates count ${agg.complaints.received} complaints`,
    });
  const onNotices = totalOf(notices, 6) + totalOf(notices, 8);
  const ownInitiative = totalOf(own5, 0) + totalOf(own6, 0);
  if (onNotices + ownInitiative !== agg.actions.total)
    failures.push({
      sheet: '4_notices',
      row: 'TOTAL',
      column: `${noticeHeader(6)} + ${noticeHeader(8)}`,
      message: `notice-based actions (${onNotices}) plus own-initiative measures on sheets 5 and 6 (${ownInitiative}) are ${onNotices + ownInitiative}, but ${agg.actions.total} actions were taken in the period`,
    });
  if (ownInitiative !== agg.ownInitiative.total)
    failures.push({
      sheet: '5_own_initiative_illegal',
      row: 'TOTAL',
      column: own5.header[firstFigure]!,
      message: `sheets 5 and 6 count ${ownInitiative} own-initiative measures, the \`export dsa\` aggregates ${agg.ownInitiative.total}`,
    });
  return failures;
}

/** "4_notices, row STATEMENT_CATEGORY_…, column "Number of notices received": …" — one line per failure. */
export const describeFailure = (x: CheckFailure) => `${x.sheet}, row ${x.row}, column "${x.column}": ${x.message}`;
