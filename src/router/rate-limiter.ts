/** Length of the sliding window behind `api_configs.rate_limit`, which counts requests per minute. */
export const RATE_WINDOW_MS = 60_000;

/**
 * Per-provider sliding window of sent requests. The router takes a slot before every request
 * (retries included) and, when none is free, moves on to the next model instead of waiting.
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
}
