// `/trustops export dsa-report <period>` and the `dsa` verbs of issue 17 (keyword, report-config,
// submissions). The shared subcommands file only hands over to these.
import type { WebClient } from '@slack/web-api';
import type { Actor, DomainDeps } from '../../../domain/deps';
import { KEYWORD_EXAMPLE, setDsaKeyword } from '../../../domain/exports/dsa-report/keywords';
import { dsaReportFiles } from '../../../domain/exports/dsa-report/report';
import { REPORT_CONFIG_EXAMPLE, readReportSettings, SETTING_KEYS, setReportSetting } from '../../../domain/exports/dsa-report/settings';
import {
  listDsaSubmissions,
  RETRY_EXAMPLE,
  readSubmissionStart,
  retryDsaSubmissions,
  START_EXAMPLE,
  setSubmissionStart,
} from '../../../domain/exports/dsa-tdb/submissions';
import { whileBuilding } from '../../../domain/metrics/building';
import { parseMetricsQuery } from '../../../domain/metrics/lookup';
import { requireRole } from '../../../domain/roles/roles';
import { badInput } from '../../../errors';
import { uploadExport } from '../../exports';
import type { SlackMessage } from '../../views/blocks';
import { dsaSubmissionsMessage, reportSettingsMessage, submissionStartMessage } from '../../views/dsa-report';
import { okMessage } from '../../views/feedback';

export const DSA_REPORT_EXAMPLE = '/trustops export dsa-report 2026-H1';

type Ctx = {
  deps: DomainDeps;
  actor: Actor;
  client: WebClient;
  channelId: string;
  progress(text: string, opts?: { atOnce?: boolean }): void;
};

/** `export dsa-report <period>`: one CSV per sheet of the Commission's template, uploaded here. */
export async function exportDsaReport(ctx: Ctx, text: string): Promise<SlackMessage> {
  const { deps } = ctx;
  if (!text.trim()) throw badInput('Say which reporting period: `2026-H1`, `2026-H2` or `2026`.', DSA_REPORT_EXAMPLE);
  const query = await parseMetricsQuery(deps, text);
  if (Object.keys(query.filters).length || query.by)
    throw badInput('The DSA report covers the whole service: filters and `by:` do not apply.', DSA_REPORT_EXAMPLE);
  const { files, warnings } = await whileBuilding(
    deps.analytics,
    (t) => ctx.progress(t, { atOnce: true }),
    () => dsaReportFiles(deps, ctx.actor, query.range),
  );
  const uploaded = await uploadExport(ctx.client, { channelId: ctx.channelId, files });
  return okMessage(
    `Uploaded the DSA transparency report, ${files.length} sheets: ${uploaded}.${warnings.map((w) => `\n:warning: ${w}`).join('')}`,
  );
}

/** The `dsa` verbs besides `map`: `keyword`, `report-config` and `submissions`. */
export async function dsaCommand(deps: DomainDeps, actor: Actor, args: readonly string[], rest: string): Promise<SlackMessage> {
  const [verb, first, ...more] = args;
  if (verb === 'keyword') {
    if (!first || more.length !== 1) throw badInput('`dsa keyword` needs a policy and a keyword (or `other`).', KEYWORD_EXAMPLE);
    const r = await setDsaKeyword(deps, { actor, policy: first, keyword: more[0]! });
    return okMessage(`Policy \`${r.policy}\` is now reported under ${r.category}, ${r.keyword ?? 'KEYWORD_OTHER'}.`);
  }
  if (verb === 'report-config') {
    if (!first) {
      await requireRole(deps, actor, 'admin', 'see the DSA report settings');
      return reportSettingsMessage(await readReportSettings(deps));
    }
    // The value is everything after the key, as typed (a name may have spaces), without surrounding quotes.
    const value = rest
      .trim()
      .replace(/^report-config\s+\S+\s*/i, '')
      .replace(/^"(.*)"$/s, '$1');
    const r = await setReportSetting(deps, { actor, key: first, value });
    return okMessage(`DSA report setting \`${r.key}\` (${SETTING_KEYS[r.key]}) is now ${r.value}.`);
  }
  if (verb === 'submissions' && first === 'retry') {
    const target = more[0];
    if (!target || more.length !== 1) throw badInput('`dsa submissions retry` needs a puid or `all-refused`.', RETRY_EXAMPLE);
    const n = await retryDsaSubmissions(deps, actor, target);
    if (n === 0) throw badInput(`No refused statement matches \`${target}\`.`, RETRY_EXAMPLE);
    return okMessage(
      `${n} refused statement${n === 1 ? '' : 's'} of reasons will be built again from the decision and its mapping and resent.`,
    );
  }
  if (verb === 'submissions' && first === 'start') {
    if (more.length === 0) {
      await requireRole(deps, actor, 'admin', 'see the start of DSA statement submission');
      return submissionStartMessage(await readSubmissionStart(deps.db), deps.timeZone);
    }
    if (more.length !== 1) throw badInput('`dsa submissions start` takes one date or instant.', START_EXAMPLE);
    const r = await setSubmissionStart(deps, actor, more[0]!);
    return okMessage(
      `Statements of reasons are now sent for restricting decisions decided from ${r.start.toISOString()}${r.before ? ` (it was ${r.before.toISOString()})` : ''}: ${r.queued} earlier skipped statement${r.queued === 1 ? '' : 's'} queued to be sent, ${r.skipped} waiting statement${r.skipped === 1 ? '' : 's'} before it skipped.`,
    );
  }
  if (verb === 'submissions' && first !== undefined && first !== 'retry')
    throw badInput('`dsa submissions` takes `retry <puid|all-refused>` or `start [<date>]`, or nothing.', START_EXAMPLE);
  if (verb === 'submissions') return dsaSubmissionsMessage(await listDsaSubmissions(deps, actor));
  throw badInput(
    '`dsa` commands: `map`, `keyword <policy> <KEYWORD_…>`, `report-config [<key> <value>]`, `submissions [retry <puid|all-refused> | start [<date>]]`.',
    REPORT_CONFIG_EXAMPLE,
  );
}
