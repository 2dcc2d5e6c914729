import { listFailedAlerts } from '../../../domain/alerts/failed';
import { CASE_EXAMPLE, getCaseDetail } from '../../../domain/cases/detail';
import { ESCALATE_EXAMPLE, raiseEscalation, SEVERITIES, SEVERITY_RULES, type Severity } from '../../../domain/escalations/escalations';
import { listDsaMappings, setDsaMapping } from '../../../domain/exports/dsa-mapping';
import { exportFiles } from '../../../domain/exports/files';
import { MAX_ID, parseId } from '../../../domain/ids';
import { addReportType, listReportTypes } from '../../../domain/intake/report-types';
import { addRoute, listRoutes, ROUTE_ADD_EXAMPLE, removeRoute } from '../../../domain/intake/routing';
import { whileBuilding } from '../../../domain/metrics/building';
import { lookUpMetrics, METRICS_EXAMPLE, parseMetricsQuery } from '../../../domain/metrics/lookup';
import { RANGE_EXAMPLES } from '../../../domain/metrics/range';
import { type AssignedRole, ROLES, setGroupRole, setRole } from '../../../domain/roles/roles';
import { slaSummary } from '../../../domain/sla/summary';
import { addSurface, listSurfaces } from '../../../domain/surfaces/surfaces';
import { createIntakeToken, listIntakeTokens, revokeIntakeToken, TOKEN_CREATE_EXAMPLE } from '../../../domain/tokens/tokens';
import { AppError, badInput } from '../../../errors';
import { uploadExport } from '../../exports';
import { failedAlertsMessage } from '../../views/alerts-failed';
import { caseMessage } from '../../views/case';
import { describeRule, reportTypeListMessage, routeListMessage } from '../../views/catalog';
import { dsaMappingMessage } from '../../views/dsa';
import { okMessage } from '../../views/feedback';
import { helpMessage } from '../../views/help';
import { metricsMessage } from '../../views/metrics';
import { slaSummaryMessage } from '../../views/sla-summary';
import { surfaceListMessage } from '../../views/surfaces';
import { md, mention } from '../../views/text';
import { tokenCreatedMessage, tokenListMessage } from '../../views/tokens';
import { closest, parseGroupRef, parseUserRef } from './args';
import { COPYRIGHT_SUBCOMMANDS } from './copyright';
import { DIGEST_SUBCOMMANDS } from './digests';
import { dsaCommand, exportDsaReport } from './dsa-report';

import type { Subcommand } from './types';

export type { CommandContext, Subcommand } from './types';

const EXPORT_EXAMPLE = '/trustops export dsa 2026-H1';
const EXPORTS = ['metrics', 'dsa', 'decisions'] as const;
const DSA_MAP_EXAMPLE = '/trustops dsa map hate_speech ILLEGAL_OR_HARMFUL_SPEECH incompatible';
const TYPE_ADD_EXAMPLE = '/trustops type add deepfake "Deepfake" urgent';
const SURFACE_ADD_EXAMPLE = '/trustops surface add mcp_apps "MCP Apps"';
const ROLE_EXAMPLE = '/trustops role @jane approver';
const ROUTE_REMOVE_EXAMPLE = '/trustops route remove 3';

export const SUBCOMMANDS: readonly Subcommand[] = [
  {
    name: 'help',
    usage: '/trustops help',
    description: 'List every command with an example.',
    example: '/trustops help',
    role: 'none',
    run: async () => helpMessage(SUBCOMMANDS),
  },
  {
    name: 'surface',
    usage: '/trustops surface list | add <key> "<display name>"',
    description: 'List the product surfaces reports come from, or add one (admins).',
    example: SURFACE_ADD_EXAMPLE,
    async run({ deps, actor, args }) {
      const [verb, key, ...nameWords] = args;
      if (verb === 'list' || verb === undefined) return surfaceListMessage(await listSurfaces(deps));
      if (verb === 'add') {
        if (!key || nameWords.length === 0) throw badInput('`surface add` needs a key and a display name.', SURFACE_ADD_EXAMPLE);
        const surface = await addSurface(deps, { actor, key, name: nameWords.join(' ') });
        return okMessage(`Added surface \`${surface.key}\` (${surface.name}). Intake and routing accept it now.`);
      }
      throw badInput(`\`surface ${verb}\` is not a surface command: use \`list\` or \`add\`.`, SURFACE_ADD_EXAMPLE);
    },
  },
  {
    name: 'type',
    usage: '/trustops type list | add <key> "<display name>" [urgent]',
    description: 'List the report types intake accepts, or add one (admins); urgent types post a triage card.',
    example: TYPE_ADD_EXAMPLE,
    async run({ deps, actor, args }) {
      const [verb, key, ...rest] = args;
      if (verb === 'list' || verb === undefined) return reportTypeListMessage(await listReportTypes(deps));
      if (verb === 'add') {
        const urgent = rest.at(-1)?.toLowerCase() === 'urgent';
        const nameWords = urgent ? rest.slice(0, -1) : rest;
        if (!key || nameWords.length === 0) throw badInput('`type add` needs a key and a display name.', TYPE_ADD_EXAMPLE);
        const type = await addReportType(deps, { actor, key, name: nameWords.join(' '), urgent });
        return okMessage(`Added report type \`${type.key}\` (${type.name})${type.urgent ? ', urgent' : ''}. Intake accepts it now.`);
      }
      throw badInput(`\`type ${verb}\` is not a type command: use \`list\` or \`add\`.`, TYPE_ADD_EXAMPLE);
    },
  },
  {
    name: 'route',
    usage:
      '/trustops route list | add queue:<queue> [priority:…] [type:…] [surface:…] [language:…] [jurisdiction:…] [position:<n>] | remove <id>',
    description: 'Show or change how reports are routed to vendor queues (changes: admins).',
    example: ROUTE_ADD_EXAMPLE,
    async run({ deps, actor, args }) {
      const [verb, ...rest] = args;
      if (verb === 'list' || verb === undefined) return routeListMessage(await listRoutes(deps));
      if (verb === 'add') {
        const opts = parseOptions(
          rest,
          ['queue', 'priority', 'type', 'surface', 'language', 'jurisdiction', 'position'],
          ROUTE_ADD_EXAMPLE,
        );
        if (!opts.queue) throw badInput('`route add` needs `queue:<queue>`.', ROUTE_ADD_EXAMPLE);
        const position = opts.position === undefined ? undefined : Number(opts.position);
        if (position !== undefined && !(Number.isInteger(position) && Math.abs(position) <= MAX_ID))
          throw badInput(`\`position:\` must be a whole number, at most ${MAX_ID}.`, ROUTE_ADD_EXAMPLE);
        const rule = await addRoute(deps, {
          actor,
          queue: opts.queue,
          priority: opts.priority,
          reportType: opts.type,
          surface: opts.surface,
          language: opts.language,
          jurisdiction: opts.jurisdiction,
          position,
        });
        return okMessage(md`Added routing rule ${rule.id}: ${describeRule(rule)}.`);
      }
      if (verb === 'remove') {
        const id = parseId(rest[0]);
        if (id === undefined || rest.length > 1)
          throw badInput(
            rest.length > 0
              ? `\`${rest.join(' ')}\` is not a routing rule id: \`route remove\` needs the rule id from \`/trustops route list\`.`
              : '`route remove` needs the rule id from `/trustops route list`.',
            ROUTE_REMOVE_EXAMPLE,
          );
        await removeRoute(deps, { actor, id });
        return okMessage(`Removed routing rule ${id}.`);
      }
      throw badInput(`\`route ${verb}\` is not a route command: use \`list\`, \`add\` or \`remove\`.`, ROUTE_ADD_EXAMPLE);
    },
  },
  {
    name: 'sla',
    usage: '/trustops sla [vendor|queue]',
    description: 'At-risk and breached cases, the oldest breach, and SLA attainment today and over 7 days.',
    example: '/trustops sla acme_review',
    async run({ deps, args }) {
      if (args.length > 1) throw badInput('`sla` takes at most one vendor or queue.', '/trustops sla acme_review');
      return slaSummaryMessage(await slaSummary(deps, { scope: args[0], timeZone: deps.timeZone }));
    },
  },
  {
    name: 'escalate',
    usage: '/trustops escalate <case-id> <sev1|sev2|sev3|sev4> <reason…>',
    description: `Ask approvers for an internal decision on a case (analysts). sev1 needs ${SEVERITY_RULES.sev1.quorum} approvers and expires after ${SEVERITY_RULES.sev1.deadlineHours} h.`,
    example: ESCALATE_EXAMPLE,
    async run({ deps, actor, rest }) {
      const m = /^(\S+)(?:\s+(\S+))?(?:\s+([\s\S]*))?$/.exec(rest.trim());
      const caseId = parseId(m?.[1]);
      if (caseId === undefined)
        throw badInput(m?.[1] ? `\`${m[1]}\` is not a case id.` : '`escalate` needs a case id, a severity and a reason.', ESCALATE_EXAMPLE);
      const severity = m?.[2]?.toLowerCase();
      if (!severity || !(SEVERITIES as readonly string[]).includes(severity))
        throw badInput(
          `${severity ? `\`${severity}\` is not a severity` : 'The severity is missing'}: use one of ${SEVERITIES.map((s) => `\`${s}\``).join(', ')}.`,
          ESCALATE_EXAMPLE,
        );
      const raised = await raiseEscalation(deps, { actor, caseId, severity: severity as Severity, reason: m?.[3] ?? '', source: 'manual' });
      return raised.created
        ? okMessage(
            `Escalation ${raised.escalationId} raised on case #${caseId} (${severity}); the card is on its way to the escalation channel.`,
          )
        : okMessage(`Case #${caseId} already has a pending escalation (${raised.escalationId}); nothing new was raised.`);
    },
  },
  {
    name: 'case',
    usage: '/trustops case <case-id>',
    description: 'A case with its reports, decisions, escalations and full audit timeline (never the reported content).',
    example: CASE_EXAMPLE,
    async run({ deps, actor, args }) {
      const caseId = parseId(args[0]);
      if (caseId === undefined || args.length > 1)
        throw badInput(args[0] ? `\`${args.join(' ')}\` is not a case id.` : '`case` needs a case id.', CASE_EXAMPLE);
      return caseMessage(await getCaseDetail(deps, actor, caseId));
    },
  },
  {
    name: 'metrics',
    usage: '/trustops metrics <range> [surface:X] [type:Y] [policy:Z] [vendor:V] [by:surface|type|policy|action|vendor|day|week] [tz:Zone]',
    description: `Enforcement figures for a date range (${RANGE_EXAMPLES.slice(0, 6).join(', ')}, …), with Export CSV and Post to channel.`,
    example: METRICS_EXAMPLE,
    async run({ deps, rest, progress }) {
      // While the analytics copy is being built the figures wait for it: say how far it has come.
      return metricsMessage(
        await whileBuilding(
          deps.analytics,
          (text) => progress(text, { atOnce: true }),
          () => lookUpMetrics(deps, rest),
        ),
        { q: rest },
      );
    },
  },
  {
    name: 'export',
    usage: '/trustops export <metrics|dsa|decisions> <range> [filters] | dsa-report <period>',
    description:
      'Uploads files to this conversation: `metrics` the figures as CSV; `dsa` the DSA transparency aggregates as CSV and JSON; `decisions` one row per decision as CSV and a DSA statement of reasons per decision as JSON lines.',
    example: EXPORT_EXAMPLE,
    async run({ deps, actor, rest, client, channelId, progress }) {
      const [kind, ...more] = rest.trim().split(/\s+/);
      if (kind === 'dsa-report') return exportDsaReport({ deps, actor, client, channelId, progress }, more.join(' '));
      if (!kind || !(EXPORTS as readonly string[]).includes(kind))
        throw badInput(
          `${kind ? `\`${kind}\` is not an export` : 'Say what to export'}: use ${EXPORTS.map((e) => `\`${e}\``).join(', ')}.`,
          EXPORT_EXAMPLE,
        );
      const query = await parseMetricsQuery(deps, more.join(' '));
      // Files stream their lines from the analytics copy as they upload: while it is being built, say how far
      // it has come until the lines flow.
      const uploaded = await whileBuilding(
        deps.analytics,
        (text) => progress(text, { atOnce: true }),
        async () =>
          uploadExport(client, {
            channelId,
            files: await exportFiles(deps, actor, kind as (typeof EXPORTS)[number], query),
            progress: (file, rows) => progress(`Writing ${file.filename}: ${rows.toLocaleString('en')} lines so far…`),
          }),
      );
      return okMessage(`Uploaded ${uploaded} to this conversation.`);
    },
  },
  {
    name: 'dsa',
    usage:
      '/trustops dsa map [<policy> <category> <illegal|incompatible>] | keyword <policy> <KEYWORD_…> | report-config [<key> <value>] | submissions [retry <puid|all-refused> | start [<YYYY-MM-DD>]]',
    description:
      'How policies are reported under the DSA: list the mapping to statement categories, or change one (admins). `submissions`: statements of reasons sent to the Transparency Database; `submissions start <date>` (admins): decisions decided before it are never sent (by default, the moment submission was turned on).',
    example: DSA_MAP_EXAMPLE,
    async run({ deps, actor, args, rest }) {
      const [verb, policy, category, ground, ...extra] = args;
      if (verb !== 'map') return dsaCommand(deps, actor, args, rest);
      if (!policy) return dsaMappingMessage(await listDsaMappings(deps));
      if (!category || !ground || extra.length)
        throw badInput('`dsa map` needs a policy, a DSA statement category and a ground (illegal or incompatible).', DSA_MAP_EXAMPLE);
      const m = await setDsaMapping(deps, { actor, policy, category, ground });
      return okMessage(`Policy \`${m.policy}\` is now reported as ${m.category} on ${m.ground}.`);
    },
  },
  {
    name: 'role',
    usage: '/trustops role <@user> <viewer|analyst|approver|admin>',
    description:
      "Set a person's role, or a user group's (`@group`: its members get it unless their own is higher). Admins. People with neither get `TRUSTOPS_DEFAULT_ROLE` (viewer unless set to none).",
    example: ROLE_EXAMPLE,
    async run({ deps, actor, args }) {
      const [who, role, ...extra] = args;
      const userId = parseUserRef(who);
      const groupId = userId ? undefined : parseGroupRef(who);
      if (!userId && !groupId)
        throw badInput(`\`${who ?? ''}\` is not a user: mention them with @ (a user group works too).`, ROLE_EXAMPLE);
      if (!role || !(ROLES as readonly string[]).includes(role) || extra.length > 0) {
        throw badInput(`The role must be one of ${ROLES.map((r) => `\`${r}\``).join(', ')}.`, ROLE_EXAMPLE);
      }
      if (groupId) {
        const g = await setGroupRole(deps, { actor, groupId, role: role as AssignedRole });
        return okMessage(
          g.changed
            ? md`<!subteam^${groupId}> is now ${g.after}${g.before ? ` (was ${g.before})` : ''}; its members have that role unless their own is higher.`
            : md`<!subteam^${groupId}> already is ${g.after}.`,
        );
      }
      if (!userId) throw badInput(`\`${who ?? ''}\` is not a user: mention them with @ (a user group works too).`, ROLE_EXAMPLE);
      const result = await setRole(deps, { actor, userId, role: role as AssignedRole });
      return okMessage(
        result.changed
          ? md`${mention(userId)} is now ${result.after} (was ${result.before}).`
          : md`${mention(userId)} already is ${result.after}.`,
      );
    },
  },
  {
    name: 'alerts',
    usage: '/trustops alerts failed',
    description: 'Alerts delivery gave up on, with the reason (analysts); admins can Retry each once the cause is mended.',
    example: '/trustops alerts failed',
    async run({ deps, actor, args }) {
      if (args.length !== 1 || args[0] !== 'failed') throw badInput('`alerts` has one command: `failed`.', '/trustops alerts failed');
      return failedAlertsMessage(await listFailedAlerts(deps, { actor }));
    },
  },
  {
    name: 'token',
    usage: '/trustops token create <vendor> | list | revoke <id>',
    description:
      "Intake API tokens of a vendor's own, filing only for that vendor's queues (admins). A new token is shown once, only to you; only its hash is kept.",
    example: TOKEN_CREATE_EXAMPLE,
    async run({ deps, actor, args }) {
      const [verb, arg, ...extra] = args;
      if (verb === 'list' || verb === undefined) return tokenListMessage(await listIntakeTokens(deps, { actor }));
      if (verb === 'create') {
        if (!arg || extra.length) throw badInput('`token create` needs one vendor key.', TOKEN_CREATE_EXAMPLE);
        return tokenCreatedMessage(await createIntakeToken(deps, { actor, vendor: arg }));
      }
      if (verb === 'revoke') {
        const id = parseId(arg);
        if (id === undefined || extra.length)
          throw badInput('`token revoke` needs the token id from `/trustops token list`.', '/trustops token revoke 3');
        const revoked = await revokeIntakeToken(deps, { actor, id });
        return okMessage(`Revoked intake token ${revoked.id} (vendor ${revoked.vendor}); it is refused from now on.`);
      }
      throw badInput(`\`token ${verb}\` is not a token command: use \`create\`, \`list\` or \`revoke\`.`, TOKEN_CREATE_EXAMPLE);
    },
  },
  ...DIGEST_SUBCOMMANDS,
  ...COPYRIGHT_SUBCOMMANDS,
];

/** `key:value` words; an unknown key or a word without a colon is a mistake worth naming. */
function parseOptions(words: readonly string[], keys: readonly string[], example: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const w of words) {
    const at = w.indexOf(':');
    const key = at > 0 ? w.slice(0, at).toLowerCase() : '';
    if (!keys.includes(key) || at === w.length - 1)
      throw badInput(`\`${w}\` is not one of ${keys.map((k) => `\`${k}:\``).join(', ')}.`, example);
    out[key] = w.slice(at + 1);
  }
  return out;
}

export function findSubcommand(name: string | undefined): Subcommand {
  const wanted = (name ?? 'help').toLowerCase();
  const found = SUBCOMMANDS.find((s) => s.name === wanted);
  if (found) return found;
  const guess = closest(
    wanted,
    SUBCOMMANDS.map((s) => s.name),
  );
  const suggestion = guess ? SUBCOMMANDS.find((s) => s.name === guess) : undefined;
  throw new AppError(
    'unknown_subcommand',
    `\`${wanted}\` is not a TrustOps command.${suggestion ? ` Did you mean \`${suggestion.name}\`?` : ''} \`/trustops help\` lists them all.`,
    suggestion?.example ?? '/trustops help',
  );
}
