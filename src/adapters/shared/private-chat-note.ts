import { helpCommand, startCommand } from '../../commands/core-commands.js';
import type { CommandDefinition, CommandReply, CommandServices } from '../../commands/types.js';
import type { PlatformUser } from '../../engine/types.js';
import { readUserLocale } from './user-locale.js';

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
