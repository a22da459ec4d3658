import type { Logger } from 'pino';
import { TYPING_RENEW_MS } from './limits.js';

/** A channel that can show the bot's typing indicator. */
export interface TypingChannel {
  id: string;
  sendTyping(): Promise<void>;
}

/**
 * Shows the typing indicator now and renews it every `TYPING_RENEW_MS` until `stop()` is
 * called. A failed renewal is logged and otherwise ignored, because the indicator is only a
 * hint to the user.
 */
export function keepTyping(channel: TypingChannel, logger: Logger): { stop(): void } {
  let stopped = false;
  const send = (): void => {
    if (stopped) return;
    channel.sendTyping().catch((error: unknown) => {
      logger.debug({ err: error, channelId: channel.id }, 'typing indicator failed');
    });
  };
  send();
  const timer = setInterval(send, TYPING_RENEW_MS);
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
