import type { Api } from 'grammy';
import type { Logger } from 'pino';
import { describeTelegramError } from './bot-api-helpers.js';

/** Telegram shows a chat action for 5 seconds or until a message arrives, so it is renewed sooner. */
export const CHAT_ACTION_RENEW_MS = 4_500;

/** Bounds of `chat.typing_interval_seconds`: longer than Telegram's 5 s leaves gaps, shorter than 1 s only adds calls. */
const MIN_RENEW_MS = 1_000;
const MAX_RENEW_MS = 5_000;

/** Returns the renew interval for a `chat.typing_interval_seconds` value, kept within 1 to 5 seconds. */
export function chatActionRenewMs(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds <= 0) return CHAT_ACTION_RENEW_MS;
  return Math.min(MAX_RENEW_MS, Math.max(MIN_RENEW_MS, Math.round(seconds * 1_000)));
}

/**
 * Sends a chat action (typing, upload_photo) now and every few seconds until `stop()` is
 * called. A failed action is logged and otherwise ignored: it is only a hint to the user.
 */
export function keepChatAction(
  api: Api,
  chatId: number,
  logger: Logger,
  action: 'typing' | 'upload_photo' = 'typing',
  renewMs = CHAT_ACTION_RENEW_MS,
): { stop(): void } {
  let stopped = false;
  const send = () => {
    if (stopped) return;
    api.sendChatAction(chatId, action).catch((error: unknown) => {
      logger.debug({ err: describeTelegramError(error), chatId, action }, 'chat action failed');
    });
  };
  send();
  const timer = setInterval(send, renewMs);
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
