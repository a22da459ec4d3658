import { banCommand, unbanCommand } from './admin-commands/ban.js';
import { configCommand } from './admin-commands/config.js';
import { identityCommand } from './admin-commands/identity.js';
import { inviteCommand } from './admin-commands/invite.js';
import { limitsCommand } from './admin-commands/limits.js';
import { lockCommand, unlockCommand } from './admin-commands/local-access.js';
import { roleCommand } from './admin-commands/role.js';
import { statsCommand } from './admin-commands/stats.js';
import { textCommand } from './admin-commands/text.js';
import { helpCommand, newCommand, startCommand } from './core-commands.js';
import type { CommandDefinition } from './types.js';
import { voteCommand } from './user-commands/feedback.js';
import { forgetMeCommand } from './user-commands/forget-me.js';
import { historyCommand } from './user-commands/history.js';
import { imagineCommand } from './user-commands/imagine.js';
import { languageCommand } from './user-commands/language.js';
import { modelCommand } from './user-commands/model.js';
import { personaCommand } from './user-commands/persona.js';
import { prefsCommand } from './user-commands/prefs.js';
import { presetCommand } from './user-commands/preset.js';
import { redeemCommand } from './user-commands/redeem.js';
import { usageCommand } from './user-commands/usage.js';

/**
 * Every command the bot offers, in menu order: the basics, then user commands, then admin
 * commands. Adapters register these with the platform (except `hidden` ones, which only
 * buttons run) and route invocations to `dispatchCommand`.
 */
export const COMMANDS: readonly CommandDefinition[] = [
  startCommand,
  helpCommand,
  newCommand,
  personaCommand,
  modelCommand,
  presetCommand,
  prefsCommand,
  usageCommand,
  historyCommand,
  redeemCommand,
  languageCommand,
  imagineCommand,
  forgetMeCommand,
  voteCommand,
  banCommand,
  unbanCommand,
  inviteCommand,
  roleCommand,
  unlockCommand,
  lockCommand,
  limitsCommand,
  configCommand,
  statsCommand,
  textCommand,
  identityCommand,
] as CommandDefinition[];

export function findCommand(name: string): CommandDefinition | undefined {
  const lower = name.toLowerCase();
  return COMMANDS.find((command) => command.name === lower || command.nameTr === lower);
}
