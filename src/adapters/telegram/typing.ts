import type { Api } from 'grammy';
import type { Logger } from 'pino';
import { describeTelegramError } from './bot-api-helpers.js';

/** Telegram shows a chat action for 5 seconds or until a message arrives, so it is renewed sooner. */
export const CHAT_ACTION_RENEW_MS = 4_500;

/**
 * Sends a chat action (typing, upload_photo) now and every few seconds until `stop()` is
 * called. A failed action is logged and otherwise ignored: it is only a hint to the user.
 */
export function keepChatAction(
  api: Api,
  chatId: number,
  logger: Logger,
  action: 'typing' | 'upload_photo' = 'typing',
): { stop(): void } {
  let stopped = false;
  const send = () => {
    if (stopped) return;
    api.sendChatAction(chatId, action).catch((error: unknown) => {
      logger.debug({ err: describeTelegramError(error), chatId, action }, 'chat action failed');
    });
  };
  send();
  const timer = setInterval(send, CHAT_ACTION_RENEW_MS);
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
