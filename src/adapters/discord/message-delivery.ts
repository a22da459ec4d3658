import type { APIActionRowComponent, APIComponentInMessageActionRow, APIEmbed, AttachmentPayload, MessageCreateOptions } from 'discord.js';
import type { Logger } from 'pino';
import { DISCORD_MESSAGE_MAX_LENGTH } from '../../render/limits.js';
import { splitDiscordMarkdown } from '../../render/split-discord.js';

/** A channel the bot can post messages into, such as a DM channel. */
export interface PostableChannel {
  id: string;
  send(options: MessageCreateOptions): Promise<{ id: string }>;
}

/** The parts of a message the adapter sends: text, embeds, files and button rows. */
export interface OutgoingMessage {
  content?: string;
  embeds?: APIEmbed[];
  files?: AttachmentPayload[];
  components?: Array<APIActionRowComponent<APIComponentInMessageActionRow>>;
}

export interface DeliveryResult {
  /** Discord message ids of the messages that arrived, in order. */
  messageIds: string[];
  /** Set when a message could not be sent; the messages after it were not sent either. */
  error?: unknown;
}

/** Replies never ping anyone, whatever the model wrote. */
export const NO_MENTIONS = { parse: [] } as const;

/**
 * Sends a Markdown chat reply as plain messages split under Discord's 2000-character limit,
 * with ``` code blocks closed at the end of a message and opened again in the next. Stops at
 * the first failed message and returns what arrived with the error.
 */
export async function sendChatReply(
  channel: PostableChannel,
  markdown: string,
  logger: Logger,
  logContext: Record<string, unknown> = {},
): Promise<DeliveryResult> {
  const chunks = splitDiscordMarkdown(markdown, DISCORD_MESSAGE_MAX_LENGTH);
  return sendMessages(
    channel,
    chunks.map((content) => ({ content })),
    logger,
    logContext,
  );
}

/** Sends messages in order; stops at the first failure and returns what arrived with the error. */
export async function sendMessages(
  channel: PostableChannel,
  messages: readonly OutgoingMessage[],
  logger: Logger,
  logContext: Record<string, unknown> = {},
): Promise<DeliveryResult> {
  const result: DeliveryResult = { messageIds: [] };
  for (const [index, message] of messages.entries()) {
    try {
      const sent = await channel.send({ ...message, allowedMentions: NO_MENTIONS });
      result.messageIds.push(sent.id);
    } catch (error) {
      logger.error({ err: error, channelId: channel.id, part: index, ...logContext }, 'reply message could not be sent');
      result.error = error;
      return result;
    }
  }
  return result;
}
