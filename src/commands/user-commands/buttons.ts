import type { ReplyButton } from '../types.js';

/**
 * Maximum size of a button's command line in UTF-8 bytes: Telegram's `callback_data` limit
 * (Bot API, InlineKeyboardButton), which the Telegram adapter sends the command line as.
 */
export const MAX_BUTTON_COMMAND_BYTES = 64;

/** Buttons per row in choice lists; narrow rows stay readable on phones. */
export const BUTTONS_PER_ROW = 2;

/**
 * Arranges buttons in rows of `perRow`. A button whose command line is longer than
 * `MAX_BUTTON_COMMAND_BYTES` is left out, because Telegram rejects the whole keyboard for it.
 * Callers list every choice in the reply text as well, so such a choice can still be typed.
 */
export function buttonRows(buttons: readonly ReplyButton[], perRow = BUTTONS_PER_ROW): ReplyButton[][] {
  const fitting = buttons.filter((button) => Buffer.byteLength(button.command, 'utf8') <= MAX_BUTTON_COMMAND_BYTES);
  const rows: ReplyButton[][] = [];
  for (let index = 0; index < fitting.length; index += perRow) {
    rows.push(fitting.slice(index, index + perRow));
  }
  return rows;
}
