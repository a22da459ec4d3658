import { HttpError, type Transformer } from 'grammy';
import type { Logger } from 'pino';
import { maskUrlTokens } from '../../logger.js';
import { describeTelegramError } from './bot-api-helpers.js';

/**
 * Waits before each retry of a Bot API call that failed with a network error, one entry per
 * retry: 5 attempts within about 8 seconds. A start-up against an unreachable API root fails
 * after these, and so does a reply, which is then recorded as a delivery failure.
 */
export const NETWORK_RETRY_DELAYS_MS: readonly number[] = [500, 1_000, 2_000, 4_000];

/** First wait of long polling after a network error. Each further wait doubles, up to the maximum below. */
const POLLING_RETRY_FIRST_DELAY_MS = 1_000;
const POLLING_RETRY_MAX_DELAY_MS = 60_000;

/**
 * Methods that are not retried: a chat action is renewed every few seconds anyway, and a
 * late one would show "typing" after the reply.
 */
const UNRETRIED_METHODS = new Set(['sendChatAction']);

export interface NetworkRetryOptions {
  logger: Logger;
  /** Describes an error for a log line with every secret masked. */
  describeError?: (error: unknown) => string;
  /** Waits before each retry; defaults to `NETWORK_RETRY_DELAYS_MS`. */
  delaysMs?: readonly number[];
}

/**
 * Creates a grammY API transformer that retries calls failing with a network error
 * (grammY's HttpError: connection refused or reset, timeout, a reply that is not JSON).
 *
 * getUpdates is retried without limit, because long polling must outlast an outage, with a
 * wait that doubles from 1 to 60 seconds. Every other method is retried after each wait of
 * `delaysMs` and then fails with the last error. Each retry is logged at warn level with the
 * method, the chat and message ids of the call and the attempt number.
 *
 * The error that leaves the transformer is an HttpError whose message includes the cause
 * (such as `connect ECONNREFUSED 127.0.0.1:9`) and whose `error` no longer contains the
 * request URL, which contains the bot token. A call whose signal is aborted is not retried.
 *
 * Install it after @grammyjs/auto-retry with `rethrowHttpErrors: true`, which leaves network
 * errors to this transformer and keeps handling 429 and 5xx replies.
 */
export function retryNetworkErrors(options: NetworkRetryOptions): Transformer {
  const describe = options.describeError ?? describeTelegramError;
  const delays = options.delaysMs ?? NETWORK_RETRY_DELAYS_MS;

  return async (previous, method, payload, signal) => {
    const polling = method === 'getUpdates';
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await previous(method, payload, signal);
        if (attempt > 1) {
          options.logger.info({ method, ...callIds(payload), attempts: attempt }, 'Telegram API request succeeded after network errors');
        }
        return result;
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        const safeError = withoutRequestUrl(error, describe);
        const delayMs = polling ? pollingDelay(attempt) : delays[attempt - 1];
        if (signal?.aborted || UNRETRIED_METHODS.has(method) || delayMs === undefined) throw safeError;

        options.logger.warn(
          { method, ...callIds(payload), attempt, retryInMs: delayMs, err: describe(safeError) },
          'Telegram API request failed with a network error; retrying',
        );
        await pause(delayMs, signal, safeError);
      }
    }
  };
}

function pollingDelay(attempt: number): number {
  return Math.min(POLLING_RETRY_MAX_DELAY_MS, POLLING_RETRY_FIRST_DELAY_MS * 2 ** Math.min(attempt - 1, 16));
}

/** Returns the ids of a call for log lines, never its text. */
function callIds(payload: unknown): Record<string, unknown> {
  if (typeof payload !== 'object' || payload === null) return {};
  const ids: Record<string, unknown> = {};
  for (const key of ['chat_id', 'message_id', 'offset'] as const) {
    const value = (payload as Record<string, unknown>)[key];
    if (typeof value === 'number' || typeof value === 'string') ids[key] = value;
  }
  return ids;
}

/**
 * Rebuilds a grammY HttpError with its cause in the message and without the fetch error,
 * whose message and stack contain the request URL and so the bot token.
 */
function withoutRequestUrl(error: HttpError, describe: (error: unknown) => string): HttpError {
  const cause = error.error;
  if (!(cause instanceof Error)) return error;
  // node-fetch words it "request to <url> failed, reason: <reason>".
  const reason = maskUrlTokens(/reason: (.*)$/s.exec(cause.message)?.[1] ?? describe(cause));
  const safeCause = new Error(reason);
  safeCause.name = cause.name;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(safeCause, { code });
  return new HttpError(`${error.message} (${reason})`, safeCause);
}

/** The abort signal grammY passes to a transformer (the abort-controller package's type). */
type CallSignal = Parameters<Transformer>[3];

/** Waits `ms`, or rejects with `error` as soon as `signal` aborts. */
function pause(ms: number, signal: CallSignal, error: Error): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
