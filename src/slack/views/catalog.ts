import type { ReportType } from '../../domain/intake/report-types';
import type { RoutingRule } from '../../domain/intake/routing';
import { context, header, type SlackMessage, section } from './blocks';
import { escapeMrkdwn } from './text';

export function reportTypeListMessage(types: readonly ReportType[]): SlackMessage {
  const lines = types.map(
    (t) => `• \`${t.key}\` — ${escapeMrkdwn(t.name)}${t.urgent ? ' :rotating_light: _urgent: posts a triage card_' : ''}`,
  );
  return {
    text: `${types.length} report types: ${types.map((t) => t.key).join(', ')}`,
    blocks: [
      header(`Report types (${types.length})`),
      section(lines.join('\n') || '_none yet_'),
      context('Admins add one with `/trustops type add <key> "<name>" [urgent]`.'),
    ],
  };
}

export function describeRule(r: RoutingRule): string {
  const when = [
    r.reportType && `type:${r.reportType}`,
    r.surface && `surface:${r.surface}`,
    r.language && `language:${r.language}`,
    r.jurisdiction && `jurisdiction:${r.jurisdiction}`,
  ].filter(Boolean);
  return `${when.map((w) => `\`${escapeMrkdwn(w as string)}\``).join(' ')} → queue \`${escapeMrkdwn(r.queueKey)}\`, priority ${escapeMrkdwn(r.priority)}`;
}

export function routeListMessage(rules: readonly RoutingRule[]): SlackMessage {
  const lines = rules.map((r) => `*${r.id}* (position ${r.position}) ${describeRule(r)}`);
  lines.push('_Anything else_ → queue `default`, priority normal');
  return {
    text: `${rules.length} routing rules`,
    blocks: [
      header(`Routing rules (${rules.length})`),
      section(lines.join('\n').slice(0, 3000)),
      context(
        'The first matching rule wins. Admins: `/trustops route add queue:<queue> [priority:<p>] [type:…] [surface:…] [language:…] [jurisdiction:…] [position:<n>]`, `/trustops route remove <id>`.',
      ),
    ],
  };
}
