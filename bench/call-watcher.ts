import { performance } from 'node:perf_hooks';
import type { FakeTelegram } from '../tests/support/fake-telegram/fake-telegram.js';
import type { RecordedCall } from '../tests/support/fake-telegram/types.js';

const REARM_MS = 1_000;

/** A call the fake Bot API replied to, with the `performance.now()` at which it was recorded. */
export interface TimedCall {
  call: RecordedCall;
  /** Milliseconds on the `performance.now()` clock. */
  at: number;
}

/**
 * Timestamps every call the fake Bot API replies to, on the sub-millisecond `performance.now()`
 * clock (the fake's own `at` is `Date.now()`). It hooks the fake's change notification through
 * `waitFor`, which runs right after each call is recorded and before its reply is written.
 *
 * NOTE: each notification copies the fake's call log, so the cost grows with the number of
 * calls. Keep one watcher to a few thousand calls, or start a fresh fake.
 */
export class CallWatcher {
  readonly #listeners = new Set<(timed: TimedCall) => void>();
  #seen: number;
  #stopped = false;

  constructor(telegram: FakeTelegram) {
    this.#seen = telegram.calls().length;
    this.#watch(telegram);
  }

  /**
   * Re-arms `waitFor` every second, so no timer outlives `stop()` by more than that. A re-arm
   * runs in the same task as the timeout, before any I/O callback, so no change is missed.
   */
  #watch(telegram: FakeTelegram): void {
    telegram
      .waitFor((fake) => {
        if (this.#stopped) return true;
        const calls = fake.calls();
        const now = performance.now();
        for (let index = this.#seen; index < calls.length; index += 1) {
          const timed = { call: calls[index]!, at: now };
          for (const listener of this.#listeners) listener(timed);
        }
        this.#seen = calls.length;
        return false;
      }, REARM_MS)
      .catch(() => {
        if (!this.#stopped) this.#watch(telegram);
      });
  }

  /** Calls `listener` for every call recorded from now on; returns a function that removes it. */
  onCall(listener: (timed: TimedCall) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves with the first call that matches `predicate`, rejecting after `timeoutMs`. */
  next(predicate: (call: RecordedCall) => boolean, timeoutMs = 30_000): Promise<TimedCall> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        remove();
        reject(new Error(`no matching Bot API call within ${timeoutMs} ms`));
      }, timeoutMs);
      const remove = this.onCall((timed) => {
        if (!predicate(timed.call)) return;
        clearTimeout(timer);
        remove();
        resolve(timed);
      });
    });
  }

  /** Stops watching; the last armed `waitFor` ends within a second. */
  stop(): void {
    this.#stopped = true;
    this.#listeners.clear();
  }
}

/** `chat_id` of a recorded call as a number, or undefined. */
export function chatIdOf(call: RecordedCall): number | undefined {
  const value = call.params['chat_id'];
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value !== '') return Number(value);
  return undefined;
}

export function isMethod(call: RecordedCall, method: string): boolean {
  return call.method.toLowerCase() === method.toLowerCase();
}
