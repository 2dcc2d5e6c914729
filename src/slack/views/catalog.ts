import type { ReportType } from '../../domain/intake/report-types';
import type { RoutingRule } from '../../domain/intake/routing';
import { context, header, message, type SlackMessage, section } from './blocks';
import { joinMd, type Mrkdwn, md } from './text';

export function reportTypeListMessage(types: readonly ReportType[]): SlackMessage {
  const lines = types.map((t) => md`• \`${t.key}\` — ${t.name}${t.urgent ? ' :rotating_light: _urgent: posts a triage card_' : ''}`);
  return message(`${types.length} report types: ${types.map((t) => t.key).join(', ')}`, [
    header(`Report types (${types.length})`),
    section(lines.length ? joinMd(lines, '\n') : md`_none yet_`),
    context('Admins add one with `/trustops type add <key> "<name>" [urgent]`.'),
  ]);
}

export function describeRule(r: RoutingRule): Mrkdwn {
  const when = [
    r.reportType && `type:${r.reportType}`,
    r.surface && `surface:${r.surface}`,
    r.language && `language:${r.language}`,
    r.jurisdiction && `jurisdiction:${r.jurisdiction}`,
  ].filter((w): w is string => Boolean(w));
  return md`${joinMd(
    when.map((w) => md`\`${w}\``),
    ' ',
  )} → queue \`${r.queueKey}\`, priority ${r.priority}`;
}

export function routeListMessage(rules: readonly RoutingRule[]): SlackMessage {
  const lines = rules.map((r) => md`*${r.id}* (position ${r.position}) ${describeRule(r)}`);
  lines.push(md`_Anything else_ → queue \`default\`, priority normal`);
  return message(`${rules.length} routing rules`, [
    header(`Routing rules (${rules.length})`),
    section(joinMd(lines, '\n')),
    context(
      'The first matching rule wins. Admins: `/trustops route add queue:<queue> [priority:<p>] [type:…] [surface:…] [language:…] [jurisdiction:…] [position:<n>]`, `/trustops route remove <id>`.',
    ),
  ]);
}
