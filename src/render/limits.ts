/**
 * Platform text limits. Each value is the maximum the platform accepts. Code that sends text
 * splits or truncates against these constants and never repeats the numbers inline.
 */

/**
 * Maximum length of a Telegram message text, in UTF-16 code units, counted after entity
 * parsing (so `&lt;b&gt;` counts as 3 and the tags of HTML parse mode count as 0).
 * Source: Telegram Bot API, `sendMessage` parameter `text` ("1-4096 characters after
 * entities parsing").
 */
export const TELEGRAM_MESSAGE_MAX_LENGTH = 4096;

/**
 * Maximum length of a Telegram media caption, in UTF-16 code units after entity parsing.
 * Source: Telegram Bot API, `sendPhoto` parameter `caption` ("0-1024 characters after
 * entities parsing").
 */
export const TELEGRAM_CAPTION_MAX_LENGTH = 1024;

/**
 * Maximum length of a Discord message `content` for a bot, in characters.
 * Source: Discord API reference, Create Message (`content`, up to 2000 characters).
 * Code in this project counts UTF-16 code units, which is never less than Discord's count.
 */
export const DISCORD_MESSAGE_MAX_LENGTH = 2000;

/**
 * Maximum length of a Discord embed `description`, in characters.
 * Source: Discord API reference, Embed Limits (description: 4096 characters).
 */
export const DISCORD_EMBED_DESCRIPTION_MAX_LENGTH = 4096;
