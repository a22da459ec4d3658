import { Writable } from 'node:stream';
import { GrammyError, HttpError } from 'grammy';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { retryNetworkErrors } from '../../../../src/adapters/telegram/network-retry.js';
import { createLogger } from '../../../../src/logger.js';

const TOKEN = '123456:AAF-unit-test-token-SECRET';

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

function captureLogs(): { logger: ReturnType<typeof createLogger>; lines: () => LogLine[]; text: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return {
    logger: createLogger('trace', sink),
    lines: () =>
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as LogLine),
    text: () => text,
  };
}

/** Builds an HttpError as grammY does for a refused connection, whose fetch error contains the URL with the token. */
function connectionRefused(method: string): HttpError {
  const cause = Object.assign(
    new Error(`request to http://127.0.0.1:9/bot${TOKEN}/${method} failed, reason: connect ECONNREFUSED 127.0.0.1:9`),
    { name: 'FetchError', code: 'ECONNREFUSED' },
  );
  return new HttpError(`Network request for '${method}' failed!`, cause);
}

type Previous = Parameters<ReturnType<typeof retryNetworkErrors>>[0];
type Signal = Parameters<ReturnType<typeof retryNetworkErrors>>[3];

/** Returns a `previous` step that fails with `failures[i]` on call i and then succeeds. */
function failingCalls(failures: unknown[]): { previous: Previous; calls: () => number } {
  let calls = 0;
  const previous = (async () => {
    const failure = failures[calls];
    calls += 1;
    if (failure !== undefined) throw failure;
    return { ok: true, result: true };
  }) as unknown as Previous;
  return { previous, calls: () => calls };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('retryNetworkErrors', () => {
  it('retries a network error and returns the result', async () => {
    const logs = captureLogs();
    const transformer = retryNetworkErrors({ logger: logs.logger, delaysMs: [1, 1, 1] });
    const { previous, calls } = failingCalls([connectionRefused('sendMessage'), connectionRefused('sendMessage')]);

    const result = await transformer(previous, 'sendMessage', { chat_id: 42, text: 'private words' } as never, undefined);

    expect(result).toEqual({ ok: true, result: true });
    expect(calls()).toBe(3);
    const retries = logs.lines().filter((line) => line.level === 40);
    expect(retries.map((line) => line.attempt)).toEqual([1, 2]);
    expect(retries[0]).toMatchObject({ method: 'sendMessage', chat_id: 42, retryInMs: 1 });
    expect(logs.text()).not.toContain('private words');
    expect(logs.lines().some((line) => line.msg === 'Telegram API request succeeded after network errors')).toBe(true);
  });

  it('fails after the last retry without the token', async () => {
    const logs = captureLogs();
    const transformer = retryNetworkErrors({ logger: logs.logger, delaysMs: [1, 1] });
    const { previous, calls } = failingCalls(Array.from({ length: 10 }, () => connectionRefused('sendMessage')));

    const error = await transformer(previous, 'sendMessage', { chat_id: 42, message_id: 7 } as never, undefined).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    expect(calls()).toBe(3);
    expect(error).toBeInstanceOf(HttpError);
    const httpError = error as HttpError;
    expect(httpError.message).toBe("Network request for 'sendMessage' failed! (connect ECONNREFUSED 127.0.0.1:9)");
    expect(String((httpError.error as Error).message)).not.toContain(TOKEN);
    expect(JSON.stringify(httpError, Object.getOwnPropertyNames(httpError))).not.toContain(TOKEN);
    expect(logs.lines().filter((line) => line.level === 40)).toHaveLength(2);
    expect(logs.lines()[0]).toMatchObject({ chat_id: 42, message_id: 7 });
    expect(logs.text()).not.toContain(TOKEN);
  });

  it('passes a Bot API error through at once', async () => {
    const logs = captureLogs();
    const transformer = retryNetworkErrors({ logger: logs.logger, delaysMs: [1, 1] });
    const apiError = new GrammyError('Call failed', { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' }, 'sendMessage', {});
    const { previous, calls } = failingCalls([apiError]);

    await expect(transformer(previous, 'sendMessage', { chat_id: 42 } as never, undefined)).rejects.toBe(apiError);
    expect(calls()).toBe(1);
    expect(logs.lines()).toHaveLength(0);
  });

  it('does not retry chat actions', async () => {
    const logs = captureLogs();
    const transformer = retryNetworkErrors({ logger: logs.logger, delaysMs: [1, 1] });
    const { previous, calls } = failingCalls([connectionRefused('sendChatAction')]);

    await expect(transformer(previous, 'sendChatAction', { chat_id: 42 } as never, undefined)).rejects.toBeInstanceOf(HttpError);
    expect(calls()).toBe(1);
  });

  it('does not retry an aborted call', async () => {
    const logs = captureLogs();
    const transformer = retryNetworkErrors({ logger: logs.logger, delaysMs: [1, 1] });
    const { previous, calls } = failingCalls([connectionRefused('getUpdates')]);
    const controller = new AbortController();
    controller.abort();

    await expect(transformer(previous, 'getUpdates', {} as never, controller.signal as unknown as Signal)).rejects.toBeInstanceOf(HttpError);
    expect(calls()).toBe(1);
  });

  it('retries getUpdates past the retry limit', async () => {
    vi.useFakeTimers();
    const logs = captureLogs();
    const transformer = retryNetworkErrors({ logger: logs.logger, delaysMs: [1] });
    const { previous, calls } = failingCalls(Array.from({ length: 8 }, () => connectionRefused('getUpdates')));

    const result = transformer(previous, 'getUpdates', { offset: 5 } as never, undefined);
    await vi.runAllTimersAsync();

    await expect(result).resolves.toEqual({ ok: true, result: true });
    expect(calls()).toBe(9);
    const retries = logs.lines().filter((line) => line.level === 40);
    expect(retries.map((line) => line.retryInMs)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(retries.every((line) => line.method === 'getUpdates' && line.offset === 5)).toBe(true);
  });

  it('stops waiting when the signal aborts', async () => {
    const logs = captureLogs();
    const transformer = retryNetworkErrors({ logger: logs.logger, delaysMs: [60_000] });
    const { previous, calls } = failingCalls([connectionRefused('getUpdates')]);
    const controller = new AbortController();

    const result = transformer(previous, 'getUpdates', {} as never, controller.signal as unknown as Signal);
    setTimeout(() => controller.abort(), 20);

    await expect(result).rejects.toBeInstanceOf(HttpError);
    expect(calls()).toBe(1);
  });
});
