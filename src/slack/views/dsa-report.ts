import type { ReportSettings } from '../../domain/exports/dsa-report/sheets';
import type { SubmissionStart, SubmissionView } from '../../domain/exports/dsa-tdb/submissions';
import { localDate } from '../../domain/time';
import { type Block, context, header, LIMIT, message, type SlackMessage, section } from './blocks';
import { joinMd, type Mrkdwn, md, toMrkdwn, truncate } from './text';

/** "3 h 20 min", "2 d 4 h", "45 s". */
function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

function reasonsText(reasons: unknown): string {
  if (reasons === null || reasons === undefined) return 'no reason given';
  if (typeof reasons === 'string') return reasons;
  if (typeof reasons === 'object' && !Array.isArray(reasons))
    return Object.entries(reasons as Record<string, unknown>)
      .map(([field, m]) => `${field}: ${Array.isArray(m) ? m.join(' ') : String(m)}`)
      .join('; ');
  return JSON.stringify(reasons);
}

const PUID_SHOWN = 80;
const REASON_SHOWN = 200;

/** Lines packed into as few sections as fit Slack's 3,000 characters each (review #13): no line is cut off. */
function sections(lines: readonly Mrkdwn[]): Block[] {
  const out: Mrkdwn[][] = [];
  let size = 0;
  for (const line of lines) {
    const n = toMrkdwn(line).length + 1;
    if (!out.length || size + n > LIMIT.sectionText) {
      out.push([]);
      size = 0;
    }
    out.at(-1)!.push(line);
    size += n;
  }
  return out.map((chunk) => section(joinMd(chunk, '\n')));
}

/** `/trustops dsa submissions`: where the statements of reasons stand, and each refused one with the database's reasons. */
export function dsaSubmissionsMessage(v: SubmissionView): SlackMessage {
  const { pending, sending, accepted, refused, skipped } = v.counts;
  const oldest = v.oldestUnaccepted
    ? `the oldest not accepted was decided ${age(v.now.getTime() - v.oldestUnaccepted.getTime())} ago`
    : 'every statement is accepted';
  const summary = `Statements of reasons: ${accepted} accepted, ${pending + sending} waiting, ${refused} refused; ${oldest}.`;
  const start = v.start
    ? `Sent for restricting decisions decided from ${v.start.start.toISOString()} (set by ${v.start.setBy === 'system' ? 'TrustOps when submission was turned on' : v.start.setBy}); ${skipped} decided before it ${skipped === 1 ? 'is' : 'are'} not sent. Move it with \`/trustops dsa submissions start <YYYY-MM-DD>\`.`
    : 'No start yet: it is set to the moment submission is turned on (TRUSTOPS_DSA_TDB_URL and _TOKEN), or by `/trustops dsa submissions start <YYYY-MM-DD>`; decisions decided before it are never sent.';
  const refusedLines = v.refused.map(
    (r) =>
      md`• \`${truncate(r.puid, PUID_SHOWN)}\` (decision ${String(r.decisionId)}, ${String(r.attempts)} attempt${r.attempts === 1 ? '' : 's'}): ${truncate(reasonsText(r.reasons), REASON_SHOWN)}`,
  );
  const retryLines = v.retrying.map(
    (r) =>
      md`• \`${truncate(r.puid, PUID_SHOWN)}\`: ${truncate(r.lastError ?? '', REASON_SHOWN)} — next try ${r.nextAttemptAt.toISOString()}`,
  );
  return message(summary, [
    header('DSA Transparency Database'),
    section(summary),
    section(start),
    ...(refusedLines.length
      ? sections([
          md`*Refused* (fix the decision or its mapping, then \`/trustops dsa submissions retry <puid|all-refused>\`):`,
          ...refusedLines,
        ])
      : []),
    ...(retryLines.length ? sections([md`*Retrying*:`, ...retryLines]) : []),
    context(
      refused > v.refused.length
        ? `Showing the first ${v.refused.length} of ${refused} refused statements.`
        : 'Submission runs when TRUSTOPS_DSA_TDB_URL and TRUSTOPS_DSA_TDB_TOKEN are set.',
    ),
  ]);
}

/** `/trustops dsa submissions start`: from when statements are sent. */
export function submissionStartMessage(s: SubmissionStart | null, timeZone: string): SlackMessage {
  const text = s
    ? `Statements of reasons are sent for restricting decisions decided from ${s.start.toISOString()} (${localDate(s.start, timeZone)} in ${timeZone}), set by ${s.setBy === 'system' ? 'TrustOps when submission was turned on' : s.setBy} at ${s.setAt.toISOString()}. Decisions decided before it are never sent.`
    : 'No start yet: it is set to the moment submission is first turned on (TRUSTOPS_DSA_TDB_URL and TRUSTOPS_DSA_TDB_TOKEN), so decisions recorded before are not sent unless you move it back.';
  return message(text, [
    section(text),
    context(
      'Change it (admins, audited): `/trustops dsa submissions start <YYYY-MM-DD>` (midnight in the configured time zone) or an ISO instant. Back queues the decisions in between; forward skips the waiting ones before it.',
    ),
  ]);
}

export function reportSettingsMessage(s: ReportSettings): SlackMessage {
  const show = (v: string | number | null) => (v === null ? '_not set_' : String(v));
  const lines = [
    md`• \`service\`: ${show(s.serviceName)}`,
    md`• \`provider\`: ${show(s.providerName)}`,
    md`• \`recipients\`: ${show(s.averageMonthlyRecipients)}`,
    md`• \`previous\`: ${show(s.previousPublicationDate)}`,
  ];
  return message('DSA report settings', [
    header('DSA transparency report settings'),
    section(joinMd(lines, '\n')),
    context('Change one: `/trustops dsa report-config <service|provider|recipients|previous> <value>` (admins).'),
  ]);
}
