import { GrammyError, InlineKeyboard, type Api } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { Logger } from 'pino';
import type { ReplyButton } from '../../commands/types.js';
import { TELEGRAM_MESSAGE_MAX_LENGTH } from '../../render/limits.js';
import { splitPlainText, splitTelegramHtml } from '../../render/split-telegram.js';
import { markdownToTelegramHtml } from '../../render/telegram-html.js';

/** Telegram caps `callback_data` at 64 bytes. */
export const CALLBACK_DATA_MAX_BYTES = 64;

export interface DeliveryResult {
  /** Telegram message ids of the chunks that arrived, in order. */
  messageIds: string[];
  /** Set when a chunk could not be delivered even as plain text; later chunks were not sent. */
  error?: unknown;
  /** Chunks that went out as plain text because Telegram rejected their HTML. */
  plainTextFallbacks: number;
}

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

function isFormattingRejection(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 400 &&
    /can't parse entities|message is too long|text is empty/i.test(error.description)
  );
}

/**
 * Sends a Markdown reply as Telegram HTML, split under 4096 UTF-16 units per message. When
 * Telegram rejects a chunk's formatting, that chunk goes out as plain text instead of being
 * lost. The buttons go under the last message.
 */
export async function sendTelegramReply(
  api: Api,
  chatId: number,
  markdown: string,
  options: { buttons?: ReplyButton[][]; logger: Logger; logContext?: Record<string, unknown> },
): Promise<DeliveryResult> {
  const chunks = splitTelegramHtml(markdownToTelegramHtml(markdown), TELEGRAM_MESSAGE_MAX_LENGTH);
  const keyboard = inlineKeyboardFor(options.buttons);
  const result: DeliveryResult = { messageIds: [], plainTextFallbacks: 0 };

  for (const [index, chunk] of chunks.entries()) {
    const replyMarkup = index === chunks.length - 1 ? keyboard : undefined;
    try {
      const sent = await api.sendMessage(chatId, chunk, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_markup: replyMarkup,
      });
      result.messageIds.push(String(sent.message_id));
    } catch (error) {
      if (!isFormattingRejection(error)) {
        options.logger.error({ err: error, chatId, chunk: index, ...options.logContext }, 'reply chunk could not be sent');
        result.error = error;
        return result;
      }
      options.logger.warn({ err: error, chatId, chunk: index, ...options.logContext }, 'Telegram rejected HTML; sending plain text');
      result.plainTextFallbacks += 1;
      const parts = splitPlainText(telegramHtmlToPlainText(chunk), TELEGRAM_MESSAGE_MAX_LENGTH);
      for (const [partIndex, part] of parts.entries()) {
        try {
          const sent = await api.sendMessage(chatId, part, {
            reply_markup: partIndex === parts.length - 1 ? replyMarkup : undefined,
          });
          result.messageIds.push(String(sent.message_id));
        } catch (plainError) {
          options.logger.error({ err: plainError, chatId, chunk: index, ...options.logContext }, 'plain-text fallback failed');
          result.error = plainError;
          return result;
        }
      }
    }
  }
  return result;
}
