import type { Figures, MetricsResult } from '../../domain/metrics/figures';
import { ActionId } from '../ids';
import { actions, type Block, button, context, fields, header, message, type SlackMessage, section } from './blocks';
import { joinMd, type Mrkdwn, md } from './text';

// Groups per page: each is one section, and a page stays well inside Slack's 50 blocks.
const GROUPS_PER_PAGE = 20;

/** What the Export CSV / Post to channel / page buttons carry: the look-up, to run again. */
export type MetricsButtonValue = { q: string; page?: number };

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)} %`);
const count = (n: number) => n.toLocaleString('en');

/** "2 h 05 min", "45 s", "3 d 4 h": a duration as people read it; "—" when there is none. */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** The figures of one look-up (or one group), as label → value, in the order they are shown and exported. */
export function figureRows(f: Figures): [string, string][] {
  return [
    ['Reports received', count(f.reportsReceived)],
    ['Decisions', count(f.decisions)],
    ['Cases decided', count(f.casesDecided)],
    ['Action rate', pct(f.actionRate)],
    ['Time to action, median', duration(f.timeToAction.medianMs)],
    ['Time to action, p90', duration(f.timeToAction.p90Ms)],
    ['First-action SLA met', `${pct(f.firstActionSla.rate)} (${count(f.firstActionSla.met)}/${count(f.firstActionSla.total)})`],
    ['Resolution SLA met', `${pct(f.resolutionSla.rate)} (${count(f.resolutionSla.met)}/${count(f.resolutionSla.total)})`],
    ['Escalations', count(f.escalations)],
    ['Appeals', `${count(f.appeals.filed)} filed, ${count(f.appeals.overturned)} overturned (${pct(f.appeals.overturnRate)})`],
    ['Automated share', `${pct(f.automated.share)} (${count(f.automated.automated)} automated, ${count(f.automated.human)} human)`],
    ['QA accuracy', `${pct(f.qa.accuracy)} (${count(f.qa.agree)}/${count(f.qa.reviewed)})`],
  ];
}

function groupLine(key: string, f: Figures): Mrkdwn {
  const figures = [
    `${count(f.reportsReceived)} reports`,
    `${count(f.decisions)} decisions`,
    `action ${pct(f.actionRate)}`,
    `time to action ${duration(f.timeToAction.medianMs)} (p90 ${duration(f.timeToAction.p90Ms)})`,
    `SLA ${pct(f.firstActionSla.rate)} / ${pct(f.resolutionSla.rate)}`,
    `${count(f.escalations)} escalations`,
    `appeals ${count(f.appeals.filed)} (${pct(f.appeals.overturnRate)} overturned)`,
    `automated ${pct(f.automated.share)}`,
    `QA ${pct(f.qa.accuracy)}`,
  ];
  return md`*${key}* — ${figures.join(' · ')}`;
}

/** The answer to `/trustops metrics`: totals, groups by page, and the buttons to export or share it. */
export function metricsMessage(r: MetricsResult, opts: { q: string; page?: number }): SlackMessage {
  const filters = Object.entries(r.query.filters).map(([k, v]) => `${k}:${v}`);
  const scope = [r.query.range.label, ...filters, ...(r.query.by ? [`by ${r.query.by}`] : [])].join(' · ');
  const rows = figureRows(r.total).map(([k, v]) => md`*${k}*\n${v}`);
  const byType = Object.entries(r.total.actionsByType).map(([a, n]) => `${a} ${count(n)}`);
  const blocks: Block[] = [
    header('Enforcement metrics'),
    context(scope),
    fields(rows.slice(0, 10)),
    fields(rows.slice(10)),
    section(md`*Actions by type*\n${byType.length ? joinMd(byType, ' · ') : '—'}`),
  ];
  const groups = r.groups ?? [];
  const pages = Math.max(1, Math.ceil(groups.length / GROUPS_PER_PAGE));
  const page = Math.min(Math.max(1, opts.page ?? 1), pages);
  if (groups.length) {
    blocks.push(section(md`*By ${r.query.by ?? ''}* (${groups.length})`));
    for (const g of groups.slice((page - 1) * GROUPS_PER_PAGE, page * GROUPS_PER_PAGE)) blocks.push(section(groupLine(g.key, g.figures)));
    if (pages > 1) blocks.push(context(`Page ${page} of ${pages}`));
  }
  // A button carries the look-up to run again; one too long for Slack's 2,000 characters is not offered.
  const metricsButton = (text: string, actionId: string, value: MetricsButtonValue, style?: 'primary') =>
    button({ text, actionId, value: JSON.stringify(value), style });
  blocks.push(
    ...actions([
      metricsButton('Export CSV', ActionId.metricsExport, { q: opts.q }, 'primary'),
      metricsButton('Post to channel', ActionId.metricsPost, { q: opts.q, page }),
      page > 1 ? metricsButton('◀ Previous', ActionId.metricsPrev, { q: opts.q, page: page - 1 }) : undefined,
      page < pages ? metricsButton('Next ▶', ActionId.metricsNext, { q: opts.q, page: page + 1 }) : undefined,
    ]),
  );
  return message(
    `Enforcement metrics, ${scope}: ${count(r.total.reportsReceived)} reports, ${count(r.total.decisions)} decisions, action rate ${pct(r.total.actionRate)}`,
    blocks,
  );
}
