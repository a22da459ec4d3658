/**
 * Discord platform limits the adapter respects. Message and embed text limits live in
 * `render/limits.ts` with the splitters that enforce them.
 */

/**
 * Discord shows a typing indicator for about 10 seconds, or until the bot's next message
 * arrives (API reference, Trigger Typing Indicator), so the adapter renews it sooner.
 */
export const TYPING_RENEW_MS = 8_000;

/**
 * Time a bot has to send the first response to an interaction before Discord invalidates it
 * with 10062 "Unknown interaction" (API reference, Receiving and Responding).
 */
export const INTERACTION_ACKNOWLEDGE_WINDOW_MS = 3_000;

/**
 * Lifetime of an interaction token for `editReply` and `followUp`; later calls fail with
 * 50027 "Invalid Webhook Token" (API reference, Receiving and Responding).
 */
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60 * 1_000;

/**
 * Safety margin before the token lifetime ends: a reply due this close to the end goes to the
 * channel instead, so a slow request does not land after the token expired.
 */
export const INTERACTION_TOKEN_MARGIN_MS = 30_000;

/** Maximum length of a component `custom_id` (API reference, Message Components). */
export const CUSTOM_ID_MAX_LENGTH = 100;

/** Maximum length of a button label (API reference, Button). */
export const BUTTON_LABEL_MAX_LENGTH = 80;

/** Maximum number of buttons in one action row (API reference, Action Row). */
export const BUTTONS_PER_ROW_MAX = 5;

/** Maximum number of action rows on one message (API reference, Action Row). */
export const ACTION_ROWS_MAX = 5;

/** Maximum number of embeds on one message (API reference, Embed Limits). */
export const EMBEDS_PER_MESSAGE_MAX = 10;

/** Maximum number of characters across all embeds of one message (API reference, Embed Limits). */
export const EMBED_TOTAL_MAX_LENGTH = 6_000;

/** Maximum length of an embed title (API reference, Embed Limits). */
export const EMBED_TITLE_MAX_LENGTH = 256;

/** Maximum length of a command or option description (API reference, Application Commands). */
export const COMMAND_DESCRIPTION_MAX_LENGTH = 100;

/** Maximum `limit` of Get Channel Messages (API reference, Channel). */
export const MESSAGE_HISTORY_PAGE_MAX = 100;

/** A string select menu offers at most 25 options (discord-api-types, `APIStringSelectComponent`). */
export const SELECT_OPTIONS_MAX = 25;

/** A select option's label is at most 100 characters (discord-api-types, `APISelectMenuOption`). */
export const SELECT_OPTION_LABEL_MAX_LENGTH = 100;

/** A select option's value is at most 100 characters (discord-api-types, `APISelectMenuOption`). */
export const SELECT_OPTION_VALUE_MAX_LENGTH = 100;
