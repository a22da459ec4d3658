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
 * Calls one chat may get at once before its per-chat rate applies. Telegram's Bot Support
 * FAQ ("My bot is hitting limits") allows "short bursts" over one message per second in a
 * chat, without giving a size. Two let the final message of a streamed reply follow its last
 * draft at once, instead of up to a second later, while the sustained rate stays at
 * `chatPerSecond`.
 */
export const CHAT_BURST = 2;

/**
 * Schedules each send at the earliest moment that keeps both rates, so the bot stays under
 * Telegram's limits instead of provoking 429 replies. The per-chat rate allows a burst of
 * `CHAT_BURST` calls; the global rate allows none. The rates are read on every call, so an
 * admin's change of `telegram.*_per_second` applies at once.
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
    // `chatDue` is the chat's next slot at its sustained rate, and a call may come up to
    // CHAT_BURST - 1 intervals before it. This is the generic cell rate algorithm, a token bucket.
    const chatInterval = chatPerSecond > 0 ? 1000 / chatPerSecond : 0;
    const chatDue = Math.max(this.#chatNext.get(chatId) ?? 0, now);
    if (chatPerSecond > 0) slot = Math.max(slot, chatDue - (CHAT_BURST - 1) * chatInterval);

    if (globalPerSecond > 0) this.#globalNext = slot + 1000 / globalPerSecond;
    if (chatPerSecond > 0) this.#chatNext.set(chatId, Math.max(chatDue, slot) + chatInterval);
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
