import { InputFile, type Api } from 'grammy';
import type { Logger } from 'pino';
import { TELEGRAM_CAPTION_MAX_LENGTH, TELEGRAM_MESSAGE_MAX_LENGTH } from '../../render/limits.js';
import { splitPlainText } from '../../render/split-telegram.js';
import { describeTelegramError, isFormattingRejection, telegramHtmlToPlainText } from './bot-api-helpers.js';
import { renderTelegramReply, TelegramStreamWriter } from './stream-writer.js';

/** A generated image with its Markdown texts, as `/imagine` returns it. */
export interface TelegramImage {
  png: Buffer;
  /** Markdown caption of at most 1024 characters before rendering. */
  caption: string;
  /** Markdown sent as messages after the photo. */
  followUpText?: string;
}

export interface ImageDelivery {
  /** Telegram message ids of the photo and of the messages after it, in order. */
  messageIds: string[];
  /** Set when the photo itself was not sent. Nothing else was sent then. */
  photoError?: unknown;
  /** Set when a message after the photo could not be delivered. */
  followUpError?: unknown;
}

/**
 * Sends a generated image as a photo. The caption is rendered from Markdown to Telegram HTML,
 * like every other reply, so escaped characters show without their backslashes.
 *
 * Telegram counts the 1024-unit caption limit after entity parsing (`TELEGRAM_CAPTION_MAX_LENGTH`).
 * Rendering usually shortens the text, but a thematic break (`---`) renders longer, so the
 * rendered caption is split at that limit. What does not fit is sent as messages after the
 * photo, followed by the rendered follow-up text. When Telegram rejects the caption's HTML,
 * the photo goes out with the caption as plain text.
 */
export async function sendTelegramImage(
  api: Api,
  chatId: number,
  image: TelegramImage,
  options: { logger: Logger; logContext?: Record<string, unknown> },
): Promise<ImageDelivery> {
  const [captionHtml, ...overflow] = renderTelegramReply(image.caption, TELEGRAM_CAPTION_MAX_LENGTH);

  let photoMessageId: number;
  try {
    photoMessageId = await sendPhoto(api, chatId, image.png, captionHtml, options);
  } catch (error) {
    return { messageIds: [], photoError: error };
  }

  const followUpChunks = [...overflow, ...renderTelegramReply(image.followUpText ?? '', TELEGRAM_MESSAGE_MAX_LENGTH)];
  const writer = new TelegramStreamWriter(api, chatId, { useDrafts: false, logger: options.logger, logContext: options.logContext });
  const followUp = await writer.finishRendered(followUpChunks);

  const delivery: ImageDelivery = { messageIds: [String(photoMessageId), ...followUp.messageIds] };
  if (followUp.error !== undefined) delivery.followUpError = followUp.error;
  return delivery;
}

/** Sends the photo with an HTML caption, or with its plain text when Telegram rejects the HTML. Returns the message id. */
async function sendPhoto(
  api: Api,
  chatId: number,
  png: Buffer,
  captionHtml: string | undefined,
  options: { logger: Logger; logContext?: Record<string, unknown> },
): Promise<number> {
  const photo = (): InputFile => new InputFile(png, 'image.png');
  if (captionHtml === undefined) return (await api.sendPhoto(chatId, photo())).message_id;

  try {
    return (await api.sendPhoto(chatId, photo(), { caption: captionHtml, parse_mode: 'HTML' })).message_id;
  } catch (error) {
    if (!isFormattingRejection(error)) throw error;
    options.logger.warn(
      { err: describeTelegramError(error), chatId, ...options.logContext },
      'caption HTML rejected by Telegram, sending it as plain text',
    );
    // The visible text of the chunk fits the limit, so its plain text is one part.
    const [plainCaption] = splitPlainText(telegramHtmlToPlainText(captionHtml), TELEGRAM_CAPTION_MAX_LENGTH);
    return (await api.sendPhoto(chatId, photo(), plainCaption === undefined ? {} : { caption: plainCaption })).message_id;
  }
}
