/** Every action_id, callback_id and block_id the bot uses; listeners and views share these. */
export const ActionId = {
  helpOpen: 'help_open',
} as const;

export const CallbackId = {} as const;

export const COMMAND = '/trustops';
