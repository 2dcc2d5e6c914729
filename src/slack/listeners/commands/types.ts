import type { WebClient } from '@slack/web-api';
import type { Actor, DomainDeps } from '../../../domain/deps';
import type { RoleName } from '../../../domain/roles/roles';
import type { SlackMessage } from '../../views/blocks';
import type { HelpEntry } from '../../views/help';

// The shape of a subcommand, apart from the list (subcommands.ts), so a module of subcommands spread into
// that list can name its type without an import circle.

/** `args` are the words after the subcommand (quotes group words); `rest` is that text as typed. */
export type CommandContext = {
  deps: DomainDeps;
  actor: Actor;
  args: string[];
  rest: string;
  channelId: string;
  client: WebClient;
  /** Replaces the "working…" answer of a long command with a progress line (throttled). */
  progress(text: string, opts?: { atOnce?: boolean }): void;
};

export type Subcommand = HelpEntry & {
  name: string;
  /** The least role that may run it at all (viewer when unset); operations check finer roles themselves. */
  role?: RoleName;
  run(ctx: CommandContext): Promise<SlackMessage>;
};
