import type { Chat } from 'grammy/types';
import { helpCommand, newCommand, startCommand } from '../../commands/core-commands.js';
import type { CommandDefinition, CommandReply, CommandServices } from '../../commands/types.js';
import { chooseLocale } from '../../engine/actor.js';
import { activePreferences } from '../../engine/preferences.js';
import type { Locale, PlatformUser } from '../../engine/types.js';
import { findUser, usernameFor } from '../../engine/users.js';

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

/**
 * Group commands whose reply invites the user to write a message. The bot ignores plain
 * messages in groups, so there the reply ends with a note to write in a private chat instead.
 */
const MESSAGE_INVITING_COMMANDS: ReadonlySet<CommandDefinition> = new Set<CommandDefinition>([
  startCommand,
  helpCommand,
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

/**
 * Appends the localized `notice.private_chat` to the group reply of `/start` or `/help`,
 * because both invite the user to write a message and the bot ignores plain messages in a
 * group. Returns other replies, refusals included, unchanged.
 */
export async function withPrivateChatNote(
  services: CommandServices,
  definition: CommandDefinition,
  reply: CommandReply,
  user: PlatformUser,
): Promise<CommandReply> {
  if (!MESSAGE_INVITING_COMMANDS.has(definition) || reply.isError) return reply;
  const note = services.texts.t(await readUserLocale(services, user), 'notice.private_chat');
  return { ...reply, text: `${reply.text}\n\n${note}` };
}

/** Reads the locale that `resolveActor` would pick for `user`, through the same `chooseLocale`, without writing. */
export async function readUserLocale(services: CommandServices, user: PlatformUser): Promise<Locale> {
  const row = await findUser(services.db, usernameFor(user));
  const preferences = row ? await activePreferences(services.db, row.id) : [];
  return chooseLocale(services.settings, user.languageCode, preferences);
}
