/**
 * Platform-neutral event and reply types. Adapters translate platform updates into these,
 * so no grammY or discord.js type reaches the engine.
 */

export type Platform = 'telegram' | 'discord';

export type Locale = 'tr' | 'en';

export const SUPPORTED_LOCALES: readonly Locale[] = ['tr', 'en'];

/** The person behind an event, as the platform describes them. */
export interface PlatformUser {
  platform: Platform;
  /** Platform user id as text. */
  id: string;
  displayName?: string;
  /** Platform @username without the @. */
  username?: string;
  /** Platform language, e.g. Telegram `language_code` or a Discord interaction locale. */
  languageCode?: string;
}

export interface IncomingMessage {
  user: PlatformUser;
  /** Chat or channel id as text. */
  chatId: string;
  /** True for a one-to-one chat with the bot. */
  isPrivate: boolean;
  text: string;
  /** Platform message id as text. */
  messageId: string;
  /**
   * True when a crash interrupted an earlier attempt at this message, so its user message may
   * already be stored and must not be stored twice.
   */
  redelivered?: boolean;
}

/** Why a message was not answered by a model. */
export type RefusalReason =
  | 'banned'
  | 'invite_required'
  | 'limit_per_minute'
  | 'limit_daily_chat'
  | 'limit_daily_cloud'
  | 'limit_daily_local'
  | 'input_too_long'
  | 'empty_message';

export type TurnOutcome =
  /** A model (or the answer cache) answered; `text` is Markdown. */
  | { kind: 'answer'; text: string; locale: Locale; replyMessageId: number; conversationId: string; cached: boolean; notices: string[] }
  /** The message was refused before any model call; `text` is the localized reason. */
  | { kind: 'refused'; reason: RefusalReason; text: string; locale: Locale }
  /**
   * Every model failed; the user message is stored and `text` is the localized error.
   * `partialText` is what a stream had written before it was cut, stored as interrupted.
   */
  | { kind: 'failed'; text: string; partialText: string; locale: Locale; replyMessageId: number; conversationId: string }
  /**
   * The message was handled again after a crash, and its reply had been delivered before it:
   * nothing is sent, so the user does not get the same reply twice.
   */
  | { kind: 'delivered'; replyMessageId: number; conversationId: string };
