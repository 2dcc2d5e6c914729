import type { Actor, DomainDeps } from '../../../domain/deps';
import { ROLES, type RoleName, setRole } from '../../../domain/roles/roles';
import { addSurface, listSurfaces } from '../../../domain/surfaces/surfaces';
import { AppError, badInput } from '../../../errors';
import type { SlackMessage } from '../../views/blocks';
import { okMessage } from '../../views/feedback';
import { type HelpEntry, helpMessage } from '../../views/help';
import { surfaceListMessage } from '../../views/surfaces';
import { closest, parseUserRef } from './args';

export type CommandContext = { deps: DomainDeps; actor: Actor; args: string[]; channelId: string };

export type Subcommand = HelpEntry & {
  name: string;
  run(ctx: CommandContext): Promise<SlackMessage>;
};

const SURFACE_ADD_EXAMPLE = '/trustops surface add mcp_apps "MCP Apps"';
const ROLE_EXAMPLE = '/trustops role @jane approver';

export const SUBCOMMANDS: readonly Subcommand[] = [
  {
    name: 'help',
    usage: '/trustops help',
    description: 'List every command with an example.',
    example: '/trustops help',
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
        return okMessage(`Added surface \`${surface.key}\` (${surface.name}). Intake, routing and metrics accept it now.`);
      }
      throw badInput(`\`surface ${verb}\` is not a surface command: use \`list\` or \`add\`.`, SURFACE_ADD_EXAMPLE);
    },
  },
  {
    name: 'role',
    usage: '/trustops role <@user> <viewer|analyst|approver|admin>',
    description: "Set a person's role (admins). Unknown users are viewers.",
    example: ROLE_EXAMPLE,
    async run({ deps, actor, args }) {
      const [who, role, ...extra] = args;
      const userId = parseUserRef(who);
      if (!userId) throw badInput(`\`${who ?? ''}\` is not a user: mention them with @.`, ROLE_EXAMPLE);
      if (!role || !(ROLES as readonly string[]).includes(role) || extra.length > 0) {
        throw badInput(`The role must be one of ${ROLES.map((r) => `\`${r}\``).join(', ')}.`, ROLE_EXAMPLE);
      }
      const result = await setRole(deps, { actor, userId, role: role as RoleName });
      return okMessage(
        result.changed ? `<@${userId}> is now ${result.after} (was ${result.before}).` : `<@${userId}> already is ${result.after}.`,
      );
    },
  },
];

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
