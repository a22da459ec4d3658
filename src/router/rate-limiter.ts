/** Length of the sliding window behind `api_configs.rate_limit`, which counts requests per minute. */
export const RATE_WINDOW_MS = 60_000;

/**
 * Per-provider sliding window of sent requests. The router takes a slot before every request
 * (retries included) and, when none is free, moves on to the next model. It waits only when
 * no model has a slot (see `waitMs`).
 * Counts live in this process only, so several bot processes sharing one key each get the full
 * limit.
 */
export class ProviderRateLimiter {
  /** Send times per provider name, oldest first, pruned to the last window. */
  readonly #sentAt = new Map<string, number[]>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * Takes a slot for `provider` and returns true, or returns false when `limitPerMinute` requests
   * were already sent in the last minute. A limit of 0 (or less) means no limit.
   */
  tryAcquire(provider: string, limitPerMinute: number): boolean {
    if (limitPerMinute <= 0) return true;

    const now = this.#now();
    const windowStart = now - RATE_WINDOW_MS;
    const sentAt = (this.#sentAt.get(provider) ?? []).filter((time) => time > windowStart);

    if (sentAt.length >= limitPerMinute) {
      this.#sentAt.set(provider, sentAt);
      return false;
    }
    sentAt.push(now);
    this.#sentAt.set(provider, sentAt);
    return true;
  }

  /** Returns the milliseconds until `provider` has a free slot under `limitPerMinute`, or 0 when it has one now. */
  waitMs(provider: string, limitPerMinute: number): number {
    if (limitPerMinute <= 0) return 0;
    const now = this.#now();
    const inWindow = (this.#sentAt.get(provider) ?? []).filter((time) => time > now - RATE_WINDOW_MS);
    if (inWindow.length < limitPerMinute) return 0;
    // The slot frees when the oldest send that keeps the count at the limit leaves the window.
    const freeing = inWindow[inWindow.length - limitPerMinute]!;
    return freeing + RATE_WINDOW_MS - now;
  }
}
