import type { Chat } from 'grammy/types';
import { helpCommand, newCommand, startCommand } from '../../commands/core-commands.js';
import type { CommandDefinition, CommandServices } from '../../commands/types.js';
import type { PlatformUser } from '../../engine/types.js';
import { readUserLocale } from '../shared/user-locale.js';

/**
 * Commands that run in groups and supergroups as in a private chat. Every member of a group
 * can read a command's reply and press its buttons, so the other commands, whose replies
 * show personal data or act on the presser's account, run in private chats only. `/start`
 * and `/help` show nothing personal, and `/new` replies that conversations happen in private.
 */
const GROUP_COMMANDS: ReadonlySet<CommandDefinition> = new Set<CommandDefinition>([
  startCommand,
  helpCommand,
  newCommand,
] as CommandDefinition[]);

/** Returns whether a chat is a private chat with the bot. A missing chat counts as not private. */
export function isPrivateChat(chat: Pick<Chat, 'type'> | undefined): boolean {
  return chat?.type === 'private';
}

/** Returns whether `definition` may run in a group or supergroup. */
export function runsInGroupChats(definition: CommandDefinition): boolean {
  return GROUP_COMMANDS.has(definition);
}

/**
 * Returns the localized `command.private_only` text for `user`. The locale is read without
 * writing: unlike `resolveActor`, this neither creates the user nor stores the language
 * Telegram reports, so a refused command changes nothing in the database.
 */
export async function privateOnlyText(services: CommandServices, user: PlatformUser): Promise<string> {
  return services.texts.t(await readUserLocale(services, user), 'command.private_only');
}
