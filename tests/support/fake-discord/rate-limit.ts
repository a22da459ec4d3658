import { createHash } from 'node:crypto';

/** A rate limit: at most `limit` requests per `windowMs`, counted in fixed windows. */
export interface BucketLimit {
  limit: number;
  windowMs: number;
}

/**
 * Rate limits the fake enforces. Discord's docs say limits change and must be read from headers,
 * so these defaults are common observed values, not documented constants.
 */
export interface FakeRateLimitOptions {
  /** Per-route bucket advertised in X-RateLimit-* headers and enforced, per top-level resource. */
  route: BucketLimit;
  /** Bucket for POST /channels/{id}/messages, advertised and enforced per channel. */
  messageCreate: BucketLimit;
  /**
   * Per-channel limit on message edits (channel messages and interaction webhook messages).
   * It is not advertised in the headers of successful responses, so clients meet it as a 429 with
   * `X-RateLimit-Scope: shared`, like Discord's per-resource limits. `null` turns it off.
   */
  messageEdit: BucketLimit | null;
}

export const DEFAULT_RATE_LIMITS: FakeRateLimitOptions = {
  route: { limit: 50, windowMs: 1_000 },
  messageCreate: { limit: 5, windowMs: 5_000 },
  messageEdit: { limit: 5, windowMs: 5_000 },
};

/** The state of one bucket after taking (or failing to take) a request slot. */
export interface BucketState {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetAtMs: number;
  bucketId: string;
}

interface Window {
  startedAtMs: number;
  used: number;
}

/**
 * Fixed-window buckets keyed by route and top-level resource. A window starts at the first
 * request after the previous one ended, which is how Discord's `X-RateLimit-Reset-After` behaves.
 */
export class RateLimiter {
  readonly #windows = new Map<string, Window>();

  take(bucketName: string, resourceKey: string, bucket: BucketLimit, nowMs: number = Date.now()): BucketState {
    const key = `${bucketName}\u0000${resourceKey}`;
    let window = this.#windows.get(key);
    if (!window || nowMs >= window.startedAtMs + bucket.windowMs) {
      window = { startedAtMs: nowMs, used: 0 };
      this.#windows.set(key, window);
    }

    const allowed = window.used < bucket.limit;
    if (allowed) {
      window.used += 1;
    }

    return {
      allowed,
      limit: bucket.limit,
      remaining: Math.max(0, bucket.limit - window.used),
      resetAtMs: window.startedAtMs + bucket.windowMs,
      bucketId: bucketHash(bucketName),
    };
  }
}

/** A stable opaque bucket id, like the hex strings Discord sends in `X-RateLimit-Bucket`. */
export function bucketHash(bucketName: string): string {
  return createHash('sha1').update(bucketName).digest('hex').slice(0, 32);
}

/** The X-RateLimit-* headers Discord sends on every response of a rate-limited route. */
export function rateLimitHeaders(state: BucketState, nowMs: number = Date.now()): Record<string, string> {
  return {
    'x-ratelimit-limit': String(state.limit),
    'x-ratelimit-remaining': String(state.remaining),
    'x-ratelimit-reset': (state.resetAtMs / 1000).toFixed(3),
    'x-ratelimit-reset-after': (Math.max(0, state.resetAtMs - nowMs) / 1000).toFixed(3),
    'x-ratelimit-bucket': state.bucketId,
  };
}

/**
 * The headers and body of a 429 response. `Retry-After` is whole seconds rounded up and
 * `retry_after` keeps the fraction, as in the examples of Discord's rate-limit docs.
 */
export function tooManyRequests(
  state: BucketState,
  scope: 'user' | 'shared',
  nowMs: number = Date.now(),
): { headers: Record<string, string>; body: Record<string, unknown> } {
  const retryAfterSeconds = Math.max(0.001, (state.resetAtMs - nowMs) / 1000);
  return {
    headers: {
      'retry-after': String(Math.ceil(retryAfterSeconds)),
      'x-ratelimit-scope': scope,
    },
    body: {
      message: scope === 'shared' ? 'The resource is being rate limited.' : 'You are being rate limited.',
      retry_after: Number(retryAfterSeconds.toFixed(3)),
      global: false,
    },
  };
}
