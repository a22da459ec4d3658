import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TYPING_RENEW_MS } from '../../../../src/adapters/discord/limits.js';
import { keepTyping } from '../../../../src/adapters/discord/typing.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('keepTyping', () => {
  it('renews the indicator until stopped', async () => {
    vi.useFakeTimers();
    let sent = 0;
    const typing = keepTyping({ id: 'c1', sendTyping: async () => void (sent += 1) }, pino({ level: 'silent' }));

    expect(sent).toBe(1);
    await vi.advanceTimersByTimeAsync(TYPING_RENEW_MS * 2);
    expect(sent).toBe(3);

    typing.stop();
    await vi.advanceTimersByTimeAsync(TYPING_RENEW_MS * 3);
    expect(sent).toBe(3);
  });

  it('renews within the 10-second display time', () => {
    expect(TYPING_RENEW_MS).toBeLessThan(10_000);
  });

  it('survives a failed indicator', async () => {
    let attempts = 0;
    const failing = async (): Promise<void> => {
      attempts += 1;
      throw new Error('rate limited');
    };
    // An unhandled rejection here would fail the test run.
    const typing = keepTyping({ id: 'c1', sendTyping: failing }, pino({ level: 'silent' }));
    await new Promise((resolve) => setImmediate(resolve));
    typing.stop();

    expect(attempts).toBe(1);
  });
});
