/**
 * Flood limits of the fake Bot API server.
 *
 * Telegram's Bot FAQ, as quoted on grammY's "Scaling Up IV: Flood Limits" page, gives three
 * numbers and no algorithm. A bot should avoid more than one message per second in a single
 * chat ("we may allow short bursts that go over this limit, but eventually you'll begin
 * receiving 429 errors"), no more than 20 messages per minute in the same group, and about
 * 30 messages per second for bulk notifications. The fake models
 * each as a token bucket: a burst up to the bucket's capacity passes at once, then calls
 * are paced at the refill rate. A rejected call takes no token from any bucket.
 *
 * What counts against which bucket:
 * - per chat: new messages, text and markup edits, and drafts. Telegram does not publish
 *   an edit or draft limit. Counting them here means a bot that streams edits or drafts
 *   faster than the per-chat pace gets 429, so its pacing code is exercised in tests.
 * - per group (negative chat ids): the same calls, at 20 per minute.
 * - global: new messages only (sendMessage, sendPhoto).
 */

/** Limits in messages per time unit. Pass `limits: false` to the fake to switch all off. */
export interface RateLimitOptions {
  /** Sustained rate allowed in one chat, per second. */
  chatMessagesPerSecond: number;
  /**
   * Messages one chat may receive at once before pacing starts. Telegram allows "short
   * bursts" without a size; 3 is an estimate that lets a reply, an edit and a follow-up
   * through while a tight loop of sends still hits 429 on the fourth call.
   */
  chatBurst: number;
  /** Messages per minute in one group or supergroup, also the burst size there. */
  groupMessagesPerMinute: number;
  /** Messages per second over all chats, also the burst size. */
  globalMessagesPerSecond: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitOptions = {
  chatMessagesPerSecond: 1,
  chatBurst: 3,
  groupMessagesPerMinute: 20,
  globalMessagesPerSecond: 30,
};

/** `send` creates a message; `edit` and `draft` change what the user sees in a chat. */
export type LimitedCallKind = 'send' | 'edit' | 'draft';

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** A bucket of `capacity` tokens that refills continuously at `refillPerSecond`. */
export class TokenBucket {
  #tokens: number;
  #updatedAt: number | undefined;

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
  ) {
    this.#tokens = capacity;
  }

  /** Milliseconds until one token is available at `nowMs`; 0 when one is available now. */
  waitMs(nowMs: number): number {
    this.#refill(nowMs);
    if (this.#tokens >= 1) {
      return 0;
    }

    return ((1 - this.#tokens) / this.refillPerSecond) * 1000;
  }

  /** Removes one token; call only after `waitMs` returned 0 for the same `nowMs`. */
  take(nowMs: number): void {
    this.#refill(nowMs);
    this.#tokens -= 1;
  }

  #refill(nowMs: number): void {
    if (this.#updatedAt !== undefined && nowMs > this.#updatedAt) {
      const refilled = ((nowMs - this.#updatedAt) / 1000) * this.refillPerSecond;
      this.#tokens = Math.min(this.capacity, this.#tokens + refilled);
    }
    this.#updatedAt = Math.max(nowMs, this.#updatedAt ?? nowMs);
  }
}

/**
 * Decides whether a message-producing call may pass now, and how long to wait if not.
 * Time is passed in, so the decisions are reproducible in unit tests.
 */
export class RateLimiter {
  readonly #options: RateLimitOptions;
  readonly #global: TokenBucket;
  /** One bucket per chat id, created on the chat's first limited call. */
  readonly #chats = new Map<number, TokenBucket>();
  /** One bucket per group chat id, on top of the per-chat bucket. */
  readonly #groups = new Map<number, TokenBucket>();

  constructor(options: RateLimitOptions = DEFAULT_RATE_LIMITS) {
    this.#options = options;
    this.#global = new TokenBucket(options.globalMessagesPerSecond, options.globalMessagesPerSecond);
  }

  /**
   * Takes a token from every bucket that applies to the call, or from none of them when
   * any is empty. `retryAfterSeconds` is whole seconds, at least 1, as Telegram sends it.
   */
  check(chatId: number, kind: LimitedCallKind, nowMs: number): RateLimitDecision {
    const buckets = [this.#chatBucket(chatId)];
    if (chatId < 0) {
      buckets.push(this.#groupBucket(chatId));
    }
    if (kind === 'send') {
      buckets.push(this.#global);
    }

    const waitMs = Math.max(...buckets.map((bucket) => bucket.waitMs(nowMs)));
    if (waitMs > 0) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }

    for (const bucket of buckets) {
      bucket.take(nowMs);
    }
    return { allowed: true };
  }

  #chatBucket(chatId: number): TokenBucket {
    let bucket = this.#chats.get(chatId);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.#options.chatBurst, this.#options.chatMessagesPerSecond);
      this.#chats.set(chatId, bucket);
    }
    return bucket;
  }

  #groupBucket(chatId: number): TokenBucket {
    let bucket = this.#groups.get(chatId);
    if (bucket === undefined) {
      const perMinute = this.#options.groupMessagesPerMinute;
      bucket = new TokenBucket(perMinute, perMinute / 60);
      this.#groups.set(chatId, bucket);
    }
    return bucket;
  }
}
