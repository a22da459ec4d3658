import type { Api } from 'grammy';
import type { Logger } from 'pino';
import type { ReplyButton } from '../../commands/types.js';
import type { DeliveryResult } from './bot-api-helpers.js';
import { TelegramStreamWriter } from './stream-writer.js';

/**
 * Sends a complete Markdown reply as Telegram HTML, split under 4096 UTF-16 units per message.
 * When Telegram rejects a chunk's formatting, that chunk goes out as plain text instead of
 * being lost. The buttons go under the last message.
 */
export function sendTelegramReply(
  api: Api,
  chatId: number,
  markdown: string,
  options: { buttons?: ReplyButton[][]; logger: Logger; logContext?: Record<string, unknown> },
): Promise<DeliveryResult> {
  const writer = new TelegramStreamWriter(api, chatId, {
    useDrafts: false,
    logger: options.logger,
    logContext: options.logContext,
  });
  return writer.finish(markdown, options.buttons);
}

