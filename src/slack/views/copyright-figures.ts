// The answer to `/trustops copyright [range] [by:…]`: the cohort's figures, the chosen grouping, the
// false-positive rate by claimant and by detection source, repeat infringers and open disputes.
import type { CopyrightFigures, CopyrightRow } from '../../domain/copyright/figures';
import { actions, type Block, button, context, fields, header, message, type SlackMessage, section } from './blocks';
import { joinMd, md, truncate } from './text';

export const COPYRIGHT_EXPORT_ACTION = 'copyright_figures_export';
export type CopyrightExportValue = { q: string };

const count = (n: number) => n.toLocaleString('en');
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const hours = (h: number | null) => (h === null ? '—' : `${h.toLocaleString('en', { maximumFractionDigits: 1 })} h`);

const KIND: Record<string, string> = { rights_holder: 'rights holder', agent: 'agent', automated_agent: 'automated agent' };
const keyText = (by: string, key: string | undefined) => (by === 'sender_kind' ? (KIND[key ?? ''] ?? key ?? '—') : (key ?? '—'));

function groupLine(by: string, r: CopyrightRow) {
  return md`*${truncate(keyText(by, r.key), 120)}* — ${count(r.notices)} notices · ${count(r.takenDown)} taken down · ${count(r.rejected)} rejected · ${count(r.counterNotices)} counter-notices · false positives ${pct(r.falsePositiveRate)} (${count(r.falsePositives)})`;
}

export function copyrightFiguresMessage(f: CopyrightFigures, opts: { q: string }): SlackMessage {
  const t = f.total;
  const scope = `${f.query.range.label} · notices received in the range and what became of them · by ${f.query.by.replace('_', ' ')}`;
  const blocks: Block[] = [
    header('Copyright figures'),
    context(scope),
    fields([
      md`*Notices received*\n${count(t.notices)}`,
      md`*Complete / incomplete*\n${count(t.complete)} / ${count(t.incomplete)}`,
      md`*Taken down*\n${count(t.takenDown)} (${count(t.itemsTakenDown)} items)`,
      md`*Rejected*\n${count(t.rejected)}`,
      md`*Time to action*\nmedian ${hours(t.timeToActionMedianHours)} · p90 ${hours(t.timeToActionP90Hours)}`,
      md`*Retractions*\n${count(t.retractions)}`,
      md`*Counter-notices*\n${count(t.counterNotices)}`,
      md`*Restored*\nin window ${count(t.restoredInWindow)} · late ${count(t.restoredLate)} · false positive ${count(t.restoredFalsePositive)}`,
      md`*Held for suit*\n${count(t.heldForSuit)}`,
      md`*False-positive rate*\n${pct(t.falsePositiveRate)} (${count(t.falsePositives)} of ${count(t.takenDown)} taken down)`,
    ]),
  ];
  if (f.rows.length) {
    blocks.push(section(md`*By ${f.query.by.replace('_', ' ')}*${f.query.by === 'claimant' ? ' (top 10)' : ''}`));
    blocks.push(
      section(
        joinMd(
          f.rows.slice(0, 12).map((r) => groupLine(f.query.by, r)),
          '\n',
        ),
      ),
    );
  }
  const fpBy = (by: string, rows: readonly CopyrightRow[]) =>
    rows.length
      ? joinMd(
          rows.map((r) => md`${truncate(keyText(by, r.key), 80)} ${pct(r.falsePositiveRate)}`),
          ' · ',
        )
      : '—';
  if (f.query.by !== 'claimant') blocks.push(section(md`*False-positive rate by claimant*\n${fpBy('claimant', f.byClaimant)}`));
  if (f.query.by !== 'sender_kind')
    blocks.push(section(md`*False-positive rate by detection source*\n${fpBy('sender_kind', f.bySenderKind)}`));
  const infringers = f.repeatInfringers.top.map((a) => md`\`${truncate(a.accountId, 60)}\` ${a.strikes}`);
  blocks.push(
    section(
      md`*Repeat infringers now* (${f.policy.strikes}+ strikes in ${f.policy.windowDays} days): ${count(f.repeatInfringers.count)}${infringers.length ? md`\n${joinMd(infringers, ' · ')}` : ''}`,
    ),
  );
  const disputes = f.openDisputes.soonest.map((d) => {
    const left =
      d.businessDaysLeft === null
        ? 'incomplete, no clock'
        : d.businessDaysLeft < 0
          ? `overdue by ${-d.businessDaysLeft} business days`
          : `${d.businessDaysLeft} business days to ${d.latestRestoreOn}`;
    return md`• ${truncate(d.counterNoticeExternalId, 60)} on ${truncate(d.noticeExternalId, 60)} — ${left}`;
  });
  blocks.push(section(md`*Open disputes*: ${count(f.openDisputes.count)}${disputes.length ? md`\n${joinMd(disputes, '\n')}` : ''}`));
  blocks.push(
    ...actions([
      button({
        text: 'Export CSV',
        actionId: COPYRIGHT_EXPORT_ACTION,
        value: JSON.stringify({ q: opts.q } satisfies CopyrightExportValue),
        style: 'primary',
      }),
    ]),
  );
  return message(
    `Copyright figures, ${f.query.range.label}: ${count(t.notices)} notices, ${count(t.takenDown)} taken down, false-positive rate ${pct(t.falsePositiveRate)}`,
    blocks,
  );
}
