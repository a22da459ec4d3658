import { helpCommand, startCommand } from '../../commands/core-commands.js';
import type { CommandDefinition, CommandReply, CommandServices } from '../../commands/types.js';
import { chooseLocale } from '../../engine/actor.js';
import { activePreferences } from '../../engine/preferences.js';
import type { Locale, PlatformUser } from '../../engine/types.js';
import { findUser, usernameFor } from '../../engine/users.js';

/**
 * Commands whose reply invites the user to write a message. The bot ignores plain messages in
 * Telegram groups and Discord server channels, so there the reply ends with a note to write
 * in a private chat instead.
 */
const MESSAGE_INVITING_COMMANDS: ReadonlySet<CommandDefinition> = new Set<CommandDefinition>([
  startCommand,
  helpCommand,
] as CommandDefinition[]);

/**
 * Appends the localized `notice.private_chat` to the reply of `/start` or `/help` outside a
 * private chat. Returns other replies, refusals included, unchanged.
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
