import { MessageFlags, type RepliableInteraction } from 'discord.js';
import type { Logger } from 'pino';
import { isExpiredInteractionToken } from './errors.js';
import { INTERACTION_TOKEN_LIFETIME_MS, INTERACTION_TOKEN_MARGIN_MS } from './limits.js';
import { NO_MENTIONS, sendMessages, type DeliveryResult, type OutgoingMessage, type PostableChannel } from './message-delivery.js';

export interface InteractionReplyOptions {
  /** Sends followups as ephemeral messages; the deferred reply's own flag decides the first one. */
  ephemeral: boolean;
  /**
   * False sends every message as a followup. Use it after `deferUpdate`, where `@original` is
   * the message that carried the component and must stay as it is. Defaults to true.
   */
  replaceOriginal?: boolean;
  /** The channel a reply goes to once the interaction token can no longer be used. */
  fallbackChannel: () => Promise<PostableChannel>;
  logger: Logger;
  logContext?: Record<string, unknown>;
  now?: () => number;
}

/**
 * Delivers the messages of a reply to an interaction acknowledged with `deferReply`: the first
 * replaces the "thinking" message (`editReply`), later ones are followups. With
 * `replaceOriginal: false` every message is a followup. Once the token is
 * close to its 15-minute end, or Discord rejects it (50027, 10015), the remaining messages go
 * to the fallback channel as ordinary messages.
 */
export async function deliverInteractionReply(
  interaction: RepliableInteraction,
  messages: readonly OutgoingMessage[],
  options: InteractionReplyOptions,
): Promise<DeliveryResult> {
  const now = options.now ?? Date.now;
  const result: DeliveryResult = { messageIds: [] };
  const replaceOriginal = options.replaceOriginal ?? true;

  for (const [index, message] of messages.entries()) {
    if (tokenExpiresSoon(interaction, now())) {
      options.logger.warn({ interactionId: interaction.id, ...options.logContext }, 'interaction token expired; replying in the channel');
      return appendChannelDelivery(result, messages.slice(index), options);
    }

    try {
      const sent =
        index === 0 && replaceOriginal
          ? await interaction.editReply({ ...message, allowedMentions: NO_MENTIONS })
          : await interaction.followUp({
              ...message,
              allowedMentions: NO_MENTIONS,
              ...(options.ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
            });
      result.messageIds.push(sent.id);
    } catch (error) {
      if (isExpiredInteractionToken(error)) {
        options.logger.warn({ err: error, interactionId: interaction.id, ...options.logContext }, 'interaction token rejected; replying in the channel');
        return appendChannelDelivery(result, messages.slice(index), options);
      }
      options.logger.error({ err: error, interactionId: interaction.id, part: index, ...options.logContext }, 'interaction reply failed');
      result.error = error;
      return result;
    }
  }
  return result;
}

function tokenExpiresSoon(interaction: RepliableInteraction, now: number): boolean {
  return now - interaction.createdTimestamp > INTERACTION_TOKEN_LIFETIME_MS - INTERACTION_TOKEN_MARGIN_MS;
}

async function appendChannelDelivery(
  result: DeliveryResult,
  messages: readonly OutgoingMessage[],
  options: InteractionReplyOptions,
): Promise<DeliveryResult> {
  let channel: PostableChannel;
  try {
    channel = await options.fallbackChannel();
  } catch (error) {
    options.logger.error({ err: error, ...options.logContext }, 'fallback channel could not be opened');
    return { ...result, error };
  }
  const delivered = await sendMessages(channel, messages, options.logger, options.logContext);
  return { messageIds: [...result.messageIds, ...delivered.messageIds], error: delivered.error };
}
