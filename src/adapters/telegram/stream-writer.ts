import { randomInt } from 'node:crypto';
import { GrammyError, type Api } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { Logger } from 'pino';
import type { ReplyButton } from '../../commands/types.js';
import { escapeTelegramHtml } from '../../render/html-escape.js';
import { TELEGRAM_MESSAGE_MAX_LENGTH } from '../../render/limits.js';
import { splitPlainText, splitTelegramHtml } from '../../render/split-telegram.js';
import { markdownToTelegramHtml } from '../../render/telegram-html.js';
import {
  describeTelegramError,
  inlineKeyboardFor,
  isDraftMethodUnavailable,
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
  /**
   * Called once when Telegram reports sendMessageDraft itself as unavailable, so later
   * replies in every chat skip drafts. An error about this chat or this text does not call it.
   */
  onDraftsUnavailable?: () => void;
}

/** Thrown by `finish` as the delivery error of a reply that has no visible text to send. */
export class EmptyReplyError extends Error {
  override readonly name = 'EmptyReplyError';
}

/**
 * Renders a complete Markdown reply as Telegram HTML chunks of at most `limit` visible UTF-16
 * units. When Markdown that is not blank renders to no visible text (`#`, an empty code
 * fence, `****`), the chunks carry the Markdown itself as escaped text, so the user still
 * sees what the model wrote. Returns no chunks only for blank Markdown.
 */
export function renderTelegramReply(markdown: string, limit: number = TELEGRAM_MESSAGE_MAX_LENGTH): string[] {
  const chunks = splitTelegramHtml(markdownToTelegramHtml(markdown), limit);
  if (chunks.length > 0) return chunks;
  return splitTelegramHtml(escapeTelegramHtml(markdown), limit);
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
        this.#handleDraftError(error);
      }
    }
    await this.#put(chunks.length - 1, live, undefined);
  }

  /**
   * Handles a failed sendMessageDraft. A 403 (such as a user who blocked the bot), a 429 and a
   * network error are rethrown. When Telegram reports the method itself as unavailable, every
   * later reply streams by editing a message. Any other error concerns this chat or this text,
   * so only this reply streams by editing.
   */
  #handleDraftError(error: unknown): void {
    if (!(error instanceof GrammyError) || error.error_code === 429 || error.error_code === 403) throw error;
    const fields = { err: describeTelegramError(error), chatId: this.#chatId, ...this.#options.logContext };
    this.#useDrafts = false;
    if (isDraftMethodUnavailable(error)) {
      this.#options.logger.warn(fields, 'sendMessageDraft unavailable, so replies stream by editing a message');
      this.#options.onDraftsUnavailable?.();
      return;
    }
    this.#options.logger.warn(fields, 'sendMessageDraft rejected for this reply, so it streams by editing a message');
  }

  /**
   * Sends the complete reply, rendered by `renderTelegramReply`. Returns the delivered
   * message ids. On a failure that even plain text cannot get past, `error` is set and the
   * ids of what did arrive are kept. Blank Markdown is a failure too (an `EmptyReplyError`),
   * because the user would see nothing.
   */
  async finish(markdown: string, buttons?: ReplyButton[][]): Promise<DeliveryResult> {
    const chunks = renderTelegramReply(markdown);
    if (chunks.length === 0) {
      const error = new EmptyReplyError(`reply has no visible text to send (${markdown.length} characters of Markdown)`);
      this.#options.logger.error({ err: error.message, chatId: this.#chatId, ...this.#options.logContext }, 'reply could not be delivered');
      return { messageIds: this.messageIds, plainTextFallbacks: 0, error };
    }
    return this.finishRendered(chunks, buttons);
  }

  /**
   * Sends a complete reply that is already Telegram HTML, one message per chunk. Each chunk
   * must parse on its own and have at most 4096 visible UTF-16 units, as `splitTelegramHtml`
   * returns them. Returns what `finish` returns, except that no chunks is a success with no
   * message ids (an image without follow-up text).
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
      this.#options.logger.error(
        { err: describeTelegramError(error), chatId: this.#chatId, ...this.#options.logContext },
        'reply could not be delivered',
      );
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
        { err: describeTelegramError(error), chatId: this.#chatId, chunk: index, ...this.#options.logContext },
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
        this.#options.logger.warn(
          { err: describeTelegramError(error), chatId: this.#chatId, messageId: extra.messageId, ...this.#options.logContext },
          'extra message could not be deleted',
        );
      });
    }
  }
}
