import { GrammyError, InlineKeyboard } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { ReplyButton } from '../../commands/types.js';

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

/** Inline keyboard for command buttons; a button whose command exceeds 64 bytes is left out. */
export function inlineKeyboardFor(buttons: ReplyButton[][] | undefined): InlineKeyboardMarkup | undefined {
  if (!buttons || buttons.length === 0) return undefined;
  const keyboard = new InlineKeyboard();
  for (const row of buttons) {
    for (const button of row) {
      if (Buffer.byteLength(button.command, 'utf8') <= CALLBACK_DATA_MAX_BYTES) keyboard.text(button.label, button.command);
    }
    keyboard.row();
  }
  return keyboard;
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
      return Number.isFinite(code) ? String.fromCodePoint(code) : entity;
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
