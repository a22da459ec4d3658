import { randomInt } from 'node:crypto';
import { GrammyError, type Api } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { Logger } from 'pino';
import type { ReplyButton } from '../../commands/types.js';
import { TELEGRAM_MESSAGE_MAX_LENGTH } from '../../render/limits.js';
import { splitPlainText, splitTelegramHtml } from '../../render/split-telegram.js';
import { markdownToTelegramHtml } from '../../render/telegram-html.js';
import {
  inlineKeyboardFor,
  isFormattingRejection,
  isNotModified,
  telegramHtmlToPlainText,
  type DeliveryResult,
} from './bot-api-helpers.js';

interface SentChunk {
  messageId: number;
  /** What the message shows now: HTML, or plain text after a fallback. */
  content: string;
  plain: boolean;
}

export interface StreamWriterOptions {
  /** Streams with sendMessageDraft (private chats, Bot API 9.5+); otherwise sends and edits messages. */
  useDrafts: boolean;
  logger: Logger;
  logContext?: Record<string, unknown>;
  /** Called once when drafts turn out to be unavailable, so later replies skip them. */
  onDraftsUnavailable?: () => void;
}

/**
 * Delivers one reply to a Telegram chat, while it is written and when it is complete.
 *
 * Partial text goes out as a draft (sendMessageDraft), or where drafts are unavailable as a
 * message that is edited as the text grows. Text beyond 4096 UTF-16 units continues in the
 * next message: completed chunks become permanent messages at once. `finish` sends the final
 * text, edits messages whose content changed, and falls back to plain text for a chunk whose
 * formatting Telegram rejects.
 */
export class TelegramStreamWriter {
  readonly #api: Api;
  readonly #chatId: number;
  readonly #options: StreamWriterOptions;
  readonly #draftId = randomInt(1, 2 ** 31 - 1);
  readonly #sent: SentChunk[] = [];
  #useDrafts: boolean;

  constructor(api: Api, chatId: number, options: StreamWriterOptions) {
    this.#api = api;
    this.#chatId = chatId;
    this.#options = options;
    this.#useDrafts = options.useDrafts;
  }

  /** Permanent messages sent so far. */
  get messageIds(): string[] {
    return this.#sent.map((chunk) => String(chunk.messageId));
  }

  /** Shows the text written so far; text that renders to nothing visible is not sent. */
  async showPartial(markdown: string): Promise<void> {
    const chunks = splitTelegramHtml(markdownToTelegramHtml(markdown), TELEGRAM_MESSAGE_MAX_LENGTH);
    if (chunks.length === 0) return;

    for (let index = 0; index < chunks.length - 1; index += 1) await this.#put(index, chunks[index]!, undefined);

    const live = chunks.at(-1)!;
    if (this.#useDrafts) {
      try {
        await this.#api.sendMessageDraft(this.#chatId, this.#draftId, live, { parse_mode: 'HTML' });
        return;
      } catch (error) {
        if (!(error instanceof GrammyError) || error.error_code === 429) throw error;
        this.#options.logger.warn(
          { err: `${error.error_code} ${error.description}`, chatId: this.#chatId, ...this.#options.logContext },
          'sendMessageDraft unavailable; streaming by editing a message',
        );
        this.#useDrafts = false;
        this.#options.onDraftsUnavailable?.();
      }
    }
    await this.#put(chunks.length - 1, live, undefined);
  }

  /**
   * Sends the complete reply. Returns the delivered message ids; on a failure that even plain
   * text cannot get past, `error` is set and the ids of what did arrive are kept.
   */
  async finish(markdown: string, buttons?: ReplyButton[][]): Promise<DeliveryResult> {
    return this.finishRendered(splitTelegramHtml(markdownToTelegramHtml(markdown), TELEGRAM_MESSAGE_MAX_LENGTH), buttons);
  }

  /**
   * Sends a complete reply that is already Telegram HTML, one message per chunk. Each chunk
   * must parse on its own and have at most 4096 visible UTF-16 units, as `splitTelegramHtml`
   * returns them. Returns what `finish` returns.
   */
  async finishRendered(chunks: readonly string[], buttons?: ReplyButton[][]): Promise<DeliveryResult> {
    const result: DeliveryResult = { messageIds: [], plainTextFallbacks: 0 };
    if (chunks.length === 0) return result;
    const keyboard = inlineKeyboardFor(buttons);

    try {
      for (const [index, chunk] of chunks.entries()) {
        const markup = index === chunks.length - 1 ? keyboard : undefined;
        result.plainTextFallbacks += await this.#put(index, chunk, markup);
      }
      await this.#removeExtraMessages(chunks.length);
    } catch (error) {
      this.#options.logger.error({ err: error, chatId: this.#chatId, ...this.#options.logContext }, 'reply could not be delivered');
      result.error = error;
    }
    result.messageIds = this.messageIds;
    return result;
  }

  /**
   * Makes message `index` show `html`: sends it when it does not exist yet, edits it when its
   * content differs. Returns how many plain-text fallbacks were needed (0 or 1).
   */
  async #put(index: number, html: string, markup: InlineKeyboardMarkup | undefined): Promise<number> {
    const existing = this.#sent[index];
    if (existing && existing.content === html && !existing.plain && markup === undefined) return 0;
    try {
      await this.#write(index, html, false, markup);
      return 0;
    } catch (error) {
      if (!isFormattingRejection(error)) throw error;
      this.#options.logger.warn(
        { err: error, chatId: this.#chatId, chunk: index, ...this.#options.logContext },
        'Telegram rejected HTML; sending plain text',
      );
      const parts = splitPlainText(telegramHtmlToPlainText(html), TELEGRAM_MESSAGE_MAX_LENGTH);
      // Plain text is never longer than the visible text of its chunk, so it takes one message.
      await this.#write(index, parts.join('\n'), true, markup);
      return 1;
    }
  }

  async #write(index: number, content: string, plain: boolean, markup: InlineKeyboardMarkup | undefined): Promise<void> {
    const parseMode = plain ? {} : { parse_mode: 'HTML' as const };
    const existing = this.#sent[index];
    if (!existing) {
      const message = await this.#api.sendMessage(this.#chatId, content, {
        ...parseMode,
        link_preview_options: { is_disabled: true },
        reply_markup: markup,
      });
      this.#sent[index] = { messageId: message.message_id, content, plain };
      return;
    }
    try {
      await this.#api.editMessageText(this.#chatId, existing.messageId, content, {
        ...parseMode,
        link_preview_options: { is_disabled: true },
        reply_markup: markup,
      });
    } catch (error) {
      if (!isNotModified(error)) throw error;
    }
    this.#sent[index] = { messageId: existing.messageId, content, plain };
  }

  /** Deletes messages left over when the final text needs fewer messages than the stream did. */
  async #removeExtraMessages(keep: number): Promise<void> {
    while (this.#sent.length > keep) {
      const extra = this.#sent.pop()!;
      await this.#api.deleteMessage(this.#chatId, extra.messageId).catch((error: unknown) => {
        this.#options.logger.warn({ err: error, chatId: this.#chatId, messageId: extra.messageId }, 'extra message could not be deleted');
      });
    }
  }
}
