import type { Transformer } from 'grammy';

/**
 * Methods that post or change a message in a chat and so count against the per-chat limit.
 * Chat actions and callback answers are not paced.
 */
const PACED_METHODS = new Set([
  'sendMessage',
  'editMessageText',
  'sendMessageDraft',
  'sendPhoto',
  'sendDocument',
  'sendMediaGroup',
  'copyMessage',
  'forwardMessage',
]);

/**
 * Methods that add a new message. Only these count against the global rate: Telegram's
 * 30-per-second figure is about sending messages to many chats, not about edits or drafts.
 */
const NEW_MESSAGE_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendDocument', 'sendMediaGroup', 'copyMessage', 'forwardMessage']);

export interface PacingRates {
  /** Messages per second across all chats; Telegram's FAQ gives about 30. 0 turns global pacing off. */
  globalPerSecond: number;
  /** Messages per second in one chat; Telegram's FAQ advises at most 1. 0 turns per-chat pacing off. */
  chatPerSecond: number;
}

/**
 * Schedules each send at the earliest moment that keeps both rates, so the bot stays under
 * Telegram's limits instead of provoking 429 replies. The rates are read on every call, so
 * an admin's change of `telegram.*_per_second` applies at once.
 */
export class SendPacer {
  #globalNext = 0;
  #chatNext = new Map<string, number>();

  constructor(
    private readonly rates: () => PacingRates,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds the call must wait; reserves its slot. `countsGlobally` is false for edits and drafts. */
  reserve(chatId: string, countsGlobally = true): number {
    const { chatPerSecond } = this.rates();
    const globalPerSecond = countsGlobally ? this.rates().globalPerSecond : 0;
    const now = this.now();
    let slot = now;
    if (globalPerSecond > 0) slot = Math.max(slot, this.#globalNext);
    if (chatPerSecond > 0) slot = Math.max(slot, this.#chatNext.get(chatId) ?? 0);

    if (globalPerSecond > 0) this.#globalNext = slot + 1000 / globalPerSecond;
    if (chatPerSecond > 0) this.#chatNext.set(chatId, slot + 1000 / chatPerSecond);
    this.#forgetIdleChats(now);
    return slot - now;
  }

  /** Drops chats whose next slot has passed, so the map does not grow with every chat ever seen. */
  #forgetIdleChats(now: number): void {
    if (this.#chatNext.size < 10_000) return;
    for (const [chatId, next] of this.#chatNext) if (next < now) this.#chatNext.delete(chatId);
  }

  transformer(): Transformer {
    return async (previous, method, payload, signal) => {
      if (PACED_METHODS.has(method)) {
        const chatId = (payload as { chat_id?: number | string }).chat_id;
        const wait = this.reserve(String(chatId ?? 'none'), NEW_MESSAGE_METHODS.has(method));
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      return previous(method, payload, signal);
    };
  }
}
