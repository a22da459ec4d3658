/**
 * Platform text limits, each the maximum the platform accepts. The splitters in this folder
 * take them as default limits.
 */

/**
 * Maximum length of a Telegram message text, in UTF-16 code units, counted after entity
 * parsing, so the tags of HTML parse mode count 0 and `&lt;` counts 1.
 * Source: Telegram Bot API, `sendMessage` parameter `text`: "1-4096 characters after
 * entities parsing" (as quoted in the python-telegram-bot v20.5 reference).
 */
export const TELEGRAM_MESSAGE_MAX_LENGTH = 4096;

/**
 * Maximum length of a Telegram media caption, in UTF-16 code units after entity parsing.
 * Source: Telegram Bot API, `sendPhoto` parameter `caption`, 0-1024 characters.
 */
export const TELEGRAM_CAPTION_MAX_LENGTH = 1024;

/**
 * Maximum length of a Discord message `content`, in characters.
 * Source: Discord API reference, Create Message, as listed by @sapphire/discord-utilities
 * (`MessageLimits.MaximumLength`). This project counts UTF-16 code units, which is never
 * less than Discord's count.
 */
export const DISCORD_MESSAGE_MAX_LENGTH = 2000;

/**
 * Maximum length of a Discord embed `description`, in characters.
 * Source: Discord API reference, Embed Limits, as listed by @sapphire/discord-utilities
 * (`EmbedLimits.MaximumDescriptionLength`).
 */
export const DISCORD_EMBED_DESCRIPTION_MAX_LENGTH = 4096;
