import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StreamCoalescer } from '../../../../src/adapters/shared/stream-coalescer.js';

const logger = pino({ level: 'silent' });

describe('StreamCoalescer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the newest text and drops the ones in between', async () => {
    const shown: string[] = [];
    const coalescer = new StreamCoalescer(async (text) => void shown.push(text), 1_000, logger, () => Date.now());
    coalescer.push('a');
    await vi.advanceTimersByTimeAsync(0);
    coalescer.push('ab');
    coalescer.push('abc');
    coalescer.push('abcd');
    await vi.advanceTimersByTimeAsync(1_000);
    await coalescer.close();
    expect(shown).toEqual(['a', 'abcd']);
  });

  it('never sends the same text twice', async () => {
    const shown: string[] = [];
    const coalescer = new StreamCoalescer(async (text) => void shown.push(text), 100, logger, () => Date.now());
    coalescer.push('same');
    await vi.advanceTimersByTimeAsync(0);
    coalescer.push('same');
    await vi.advanceTimersByTimeAsync(500);
    await coalescer.close();
    expect(shown).toEqual(['same']);
  });

  it('sends nothing while the text is blank', async () => {
    const flush = vi.fn(async () => undefined);
    const coalescer = new StreamCoalescer(flush, 100, logger, () => Date.now());
    coalescer.push('');
    coalescer.push('   \n');
    await vi.advanceTimersByTimeAsync(500);
    await coalescer.close();
    expect(flush).not.toHaveBeenCalled();
  });

  it('keeps updates at least the interval apart', async () => {
    const times: number[] = [];
    const coalescer = new StreamCoalescer(async () => void times.push(Date.now()), 1_000, logger, () => Date.now());
    for (let index = 1; index <= 30; index += 1) {
      coalescer.push('x'.repeat(index));
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(2_000);
    await coalescer.close();
    expect(times.length).toBeGreaterThanOrEqual(3);
    for (let index = 1; index < times.length; index += 1) expect(times[index]! - times[index - 1]!).toBeGreaterThanOrEqual(1_000);
  });

  it('runs one update at a time', async () => {
    let running = 0;
    let maxRunning = 0;
    const coalescer = new StreamCoalescer(
      async () => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setTimeout(resolve, 300));
        running -= 1;
      },
      0,
      logger,
      () => Date.now(),
    );
    for (let index = 1; index <= 10; index += 1) {
      coalescer.push(`text ${index}`);
      await vi.advanceTimersByTimeAsync(50);
    }
    await vi.advanceTimersByTimeAsync(2_000);
    await coalescer.close();
    expect(maxRunning).toBe(1);
  });

  it('stops after three failures in a row', async () => {
    const flush = vi.fn(async () => {
      throw new Error('429');
    });
    const coalescer = new StreamCoalescer(flush, 10, logger, () => Date.now());
    for (let index = 1; index <= 10; index += 1) {
      coalescer.push(`text ${index}`);
      await vi.advanceTimersByTimeAsync(20);
    }
    await coalescer.close();
    expect(flush).toHaveBeenCalledTimes(3);
  });

  it('close waits for the update in flight and takes no more text', async () => {
    const shown: string[] = [];
    const coalescer = new StreamCoalescer(
      async (text) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        shown.push(text);
      },
      0,
      logger,
      () => Date.now(),
    );
    coalescer.push('first');
    await vi.advanceTimersByTimeAsync(0);
    const closed = coalescer.close();
    coalescer.push('late');
    await vi.advanceTimersByTimeAsync(500);
    await closed;
    expect(shown).toEqual(['first']);
  });
});
