import { GrammyError, InlineKeyboard } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { ReplyButton } from '../../commands/types.js';
import { maskUrlTokens } from '../../logger.js';

/** Telegram caps `callback_data` at 64 bytes. */
export const CALLBACK_DATA_MAX_BYTES = 64;

export interface DeliveryResult {
  /** Telegram message ids of the reply, in order. */
  messageIds: string[];
  /** Set when a chunk could not be delivered even as plain text; later chunks were not sent. */
  error?: unknown;
  /** Chunks that went out as plain text because Telegram rejected their HTML. */
  plainTextFallbacks: number;
}

/**
 * Inline keyboard for command buttons. A button whose command is empty or exceeds 64 bytes is
 * left out, and so is a row left empty; undefined when no button remains.
 */
export function inlineKeyboardFor(buttons: ReplyButton[][] | undefined): InlineKeyboardMarkup | undefined {
  if (!buttons || buttons.length === 0) return undefined;
  const rows = buttons
    .map((row) => row.filter((button) => fitsCallbackData(button.command)).map((button) => InlineKeyboard.text(button.label, button.command)))
    .filter((row) => row.length > 0);
  return rows.length > 0 ? new InlineKeyboard(rows) : undefined;
}

/** Telegram rejects a button whose `callback_data` is empty or longer than 64 bytes. */
function fitsCallbackData(command: string): boolean {
  const bytes = Buffer.byteLength(command, 'utf8');
  return bytes >= 1 && bytes <= CALLBACK_DATA_MAX_BYTES;
}

/** Visible text of Telegram HTML: tags removed, entities decoded. */
export function telegramHtmlToPlainText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(lt|gt|quot|amp|#\d+|#x[0-9a-f]+);/gi, (entity, name: string) => {
      const lower = name.toLowerCase();
      if (lower === 'lt') return '<';
      if (lower === 'gt') return '>';
      if (lower === 'quot') return '"';
      if (lower === 'amp') return '&';
      const code = lower.startsWith('#x') ? Number.parseInt(lower.slice(2), 16) : Number.parseInt(lower.slice(1), 10);
      // `String.fromCodePoint` throws a RangeError above U+10FFFF.
      return Number.isInteger(code) && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    });
}

/** Whether a Bot API error says a message already has the requested content: a success for us. */
export function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 && /message is not modified/i.test(error.description);
}

/** Whether Telegram rejected a message for its formatting or size, so plain text may get through. */
export function isFormattingRejection(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 400 &&
    /can't parse entities|message is too long|text is empty/i.test(error.description)
  );
}

/**
 * Returns whether Telegram rejected sendMessageDraft because the method itself is unavailable
 * to the bot, rather than because of the chat or the text. The description is checked as well
 * as the code, because the Bot API documents `error_code` as subject to change.
 *
 * NOTE: a Bot API server older than sendMessageDraft is assumed to reply 404 "Not Found" to
 * it. No Telegram document found states this.
 */
export function isDraftMethodUnavailable(error: GrammyError): boolean {
  return error.error_code === 404 || /^not found$|method is not available/i.test(error.description);
}

/**
 * One-line description of a Bot API error for logs and stored delivery errors, without the
 * request payload and with the bot token of request URLs masked. Log this instead of the error
 * object: grammY's HttpError keeps the fetch error, whose message contains the request URL
 * with the token, and pino would serialize it.
 */
export function describeTelegramError(error: unknown): string {
  if (error instanceof GrammyError) return `${error.method}: ${error.error_code} ${error.description}`;
  if (error instanceof Error) return maskUrlTokens(`${error.name}: ${error.message}`);
  return maskUrlTokens(String(error));
}
