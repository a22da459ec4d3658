import { describe, expect, it } from 'vitest';

import { ProviderRateLimiter, RATE_WINDOW_MS } from '../../../src/router/rate-limiter.js';

describe('ProviderRateLimiter', () => {
  it('allows the limit per window', () => {
    let now = 1_000_000;
    const limiter = new ProviderRateLimiter(() => now);

    expect(limiter.tryAcquire('groq', 2)).toBe(true);
    now += 10;
    expect(limiter.tryAcquire('groq', 2)).toBe(true);
    expect(limiter.tryAcquire('groq', 2)).toBe(false);
  });

  it('frees a slot as the window slides', () => {
    let now = 1_000_000;
    const limiter = new ProviderRateLimiter(() => now);

    expect(limiter.tryAcquire('groq', 1)).toBe(true);
    now += RATE_WINDOW_MS - 1;
    expect(limiter.tryAcquire('groq', 1)).toBe(false);
    now += 1;
    expect(limiter.tryAcquire('groq', 1)).toBe(true);
  });

  it('does not count refused requests', () => {
    let now = 1_000_000;
    const limiter = new ProviderRateLimiter(() => now);

    expect(limiter.tryAcquire('groq', 1)).toBe(true);
    now += 30_000;
    expect(limiter.tryAcquire('groq', 1)).toBe(false);
    now += 30_000;
    expect(limiter.tryAcquire('groq', 1)).toBe(true);
  });

  it('reports the wait for a slot', () => {
    let now = 1_000_000;
    const limiter = new ProviderRateLimiter(() => now);

    expect(limiter.waitMs('groq', 2)).toBe(0);
    limiter.tryAcquire('groq', 2);
    now += 10_000;
    limiter.tryAcquire('groq', 2);
    expect(limiter.waitMs('groq', 0)).toBe(0);

    const wait = limiter.waitMs('groq', 2);
    expect(wait).toBe(RATE_WINDOW_MS - 10_000);
    now += wait - 1;
    expect(limiter.tryAcquire('groq', 2)).toBe(false);
    now += 1;
    expect(limiter.waitMs('groq', 2)).toBe(0);
    expect(limiter.tryAcquire('groq', 2)).toBe(true);
  });

  it('keeps providers apart', () => {
    const limiter = new ProviderRateLimiter(() => 5);

    expect(limiter.tryAcquire('groq', 1)).toBe(true);
    expect(limiter.tryAcquire('ollama', 1)).toBe(true);
    expect(limiter.tryAcquire('groq', 1)).toBe(false);
  });

  it('treats zero as no limit', () => {
    const limiter = new ProviderRateLimiter(() => 5);
    for (let index = 0; index < 1000; index += 1) {
      expect(limiter.tryAcquire('groq', 0)).toBe(true);
    }
  });
});
