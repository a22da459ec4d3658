import { DiscordAPIError, HTTPError, RESTJSONErrorCodes } from 'discord.js';
import { maskSecrets } from '../../logger.js';

/** Discord JSON error codes the adapter reacts to, named as in discord-api-types. */
export const DiscordErrorCode = {
  /** 403 on a DM: the user blocked the bot, left every shared server or closed DMs. */
  cannotMessageUser: RESTJSONErrorCodes.CannotSendMessagesToThisUser,
  /** The interaction token expired (after 15 minutes) or was never acknowledged in time. */
  invalidWebhookToken: RESTJSONErrorCodes.InvalidWebhookToken,
  /** The interaction webhook is gone, for example after an acknowledgement was missed. */
  unknownWebhook: RESTJSONErrorCodes.UnknownWebhook,
  /** The interaction was not acknowledged within 3 seconds. */
  unknownInteraction: RESTJSONErrorCodes.UnknownInteraction,
  /** The interaction was acknowledged before. */
  alreadyAcknowledged: RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged,
} as const;

/** Returns true when `error` is a Discord API error with the given JSON error code. */
export function isDiscordError(error: unknown, code: number): boolean {
  return error instanceof DiscordAPIError && error.code === code;
}

/** Returns true when an interaction token can no longer be used, so a reply must go to the channel. */
export function isExpiredInteractionToken(error: unknown): boolean {
  return isDiscordError(error, DiscordErrorCode.invalidWebhookToken) || isDiscordError(error, DiscordErrorCode.unknownWebhook);
}

/**
 * Describes an error for a log line with the bot token and any interaction token masked.
 * Discord API errors name the method, URL, status and code; other errors give their name and
 * message.
 */
export function describeDiscordError(error: unknown, token: string): string {
  if (error instanceof DiscordAPIError) {
    const url = maskInteractionTokens(error.url);
    return maskSecrets(`${error.method} ${url}: ${error.status} code ${String(error.code)} ${error.message}`, [token]);
  }
  if (error instanceof HTTPError) {
    return maskSecrets(`HTTPError ${error.method} ${maskInteractionTokens(error.url)}: ${error.status}`, [token]);
  }
  if (error instanceof Error) return maskSecrets(`${error.name}: ${error.message}`, [token]);
  return maskSecrets(String(error), [token]);
}

/** Interaction tokens sit in the path of callback and webhook URLs and act as credentials for 15 minutes. */
function maskInteractionTokens(url: string): string {
  return url.replace(/\/(interactions|webhooks)\/(\d+)\/[^/?]+/g, '/$1/$2/[redacted]');
}
