import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';

/** Category of a failed try of one model, stored as `AttemptRecord.errorKind`. */
export type FailureKind =
  /** HTTP 429 from the provider. */
  | 'rate_limited'
  /** The provider's `api_configs.rate_limit` was used up in this process; no request was sent. */
  | 'rate_limited_local'
  | 'server_error'
  /** No response, or no stream chunk, within the provider's timeout. */
  | 'timeout'
  /** Connection refused, reset or failed before a response. */
  | 'network'
  /** The connection broke after the stream had started. */
  | 'stream_cut'
  /** The provider sent an error event inside a stream that had started with HTTP 200. */
  | 'stream_error'
  | 'context_length'
  | 'auth'
  | 'not_found'
  /** Any other HTTP 4xx. */
  | 'bad_request'
  /** The model answered with no visible text. */
  | 'empty'
  /** The caller's signal aborted the request. */
  | 'aborted'
  | 'unknown';

export interface Failure {
  kind: FailureKind;
  status?: number;
  message: string;
  /** From the `retry-after-ms` or `retry-after` header of a 429, when present and valid. */
  retryAfterMs?: number;
}

/** No chunk (or no response) arrived within the timeout, measured by the router. */
export class ModelTimeoutError extends Error {
  override readonly name = 'ModelTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`No data from the model for ${timeoutMs} ms`);
  }
}

/** An error raised while reading a stream that had already started. */
export class StreamInterruptedError extends Error {
  override readonly name = 'StreamInterruptedError';

  constructor(cause: unknown) {
    super(`Stream interrupted: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Provider error codes and messages that mean the prompt exceeds the context window. Groq and
 * OpenAI send the code; other OpenAI-compatible servers only state it in the message.
 */
const CONTEXT_LENGTH_CODE = 'context_length_exceeded';
const CONTEXT_LENGTH_MESSAGE = /context length|context window|maximum context|too many tokens/i;

/** Maps an error from one model call to a failure kind, status and message. */
export function classifyFailure(error: unknown): Failure {
  if (error instanceof ModelTimeoutError) {
    return { kind: 'timeout', message: error.message };
  }

  if (error instanceof StreamInterruptedError) {
    const cause = error.cause;
    // An `{"error": ...}` event makes the `openai` stream throw an APIError without a status.
    const isErrorEvent = cause instanceof APIError && !(cause instanceof APIConnectionError) && cause.status === undefined;
    return { kind: isErrorEvent ? 'stream_error' : 'stream_cut', message: error.message };
  }

  if (error instanceof APIConnectionTimeoutError) {
    return { kind: 'timeout', message: error.message };
  }
  if (error instanceof APIConnectionError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { kind: 'network', message: `${error.message}${cause}` };
  }

  if (error instanceof APIError) {
    return classifyStatus(error);
  }

  return { kind: 'unknown', message: error instanceof Error ? error.message : String(error) };
}

function classifyStatus(error: APIError): Failure {
  const status = error.status;
  const message = error.message;

  if (status === undefined) return { kind: 'unknown', message };
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(error.headers);
    return retryAfterMs === undefined ? { kind: 'rate_limited', status, message } : { kind: 'rate_limited', status, message, retryAfterMs };
  }
  if (status === 400 && (error.code === CONTEXT_LENGTH_CODE || CONTEXT_LENGTH_MESSAGE.test(message))) {
    return { kind: 'context_length', status, message };
  }
  // 413 Content Too Large: the request itself is too big, so only a shorter prompt can pass.
  // Groq sends it for a single request above a model's tokens-per-minute limit (its messages
  // give 12,000 tokens for `llama-3.3-70b-versatile` on the `on_demand` tier), so a long
  // conversation reaches it well before the context window.
  if (status === 413) return { kind: 'context_length', status, message };
  if (status === 401 || status === 403) return { kind: 'auth', status, message };
  if (status === 404) return { kind: 'not_found', status, message };
  if (status === 408) return { kind: 'timeout', status, message };
  if (status >= 500) return { kind: 'server_error', status, message };
  return { kind: 'bad_request', status, message };
}

/**
 * Reads the delay that a 429 response requests: `retry-after-ms` (milliseconds, sent by OpenAI) first, then
 * `retry-after` as seconds or as an HTTP date. Returns undefined when neither is usable.
 */
export function parseRetryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (headers === undefined) return undefined;

  const milliseconds = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;

  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;

  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
