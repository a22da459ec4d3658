import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { describe, expect, it } from 'vitest';

import {
  ModelTimeoutError,
  StreamInterruptedError,
  classifyFailure,
  parseRetryAfterMs,
} from '../../../src/router/failure.js';

function apiError(status: number, error: Record<string, unknown>, headers: Record<string, string> = {}): APIError {
  return APIError.generate(status, { error }, undefined, new Headers(headers));
}

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-12-04T19:37:00.000Z');

  it.each([
    [{ 'retry-after': '1' }, 1000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after-ms': '250' }, 250],
    [{ 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    [{ 'retry-after': 'Fri, 04 Dec 2026 19:37:03 GMT' }, 3000],
    [{ 'retry-after': 'soon' }, undefined],
    [{ 'retry-after': '-3' }, undefined],
    [{}, undefined],
  ])('reads %j', (headers, expected) => {
    expect(parseRetryAfterMs(new Headers(headers), now)).toBe(expected);
  });
});

describe('classifyFailure', () => {
  it('reads a 429 with its wait', () => {
    const failure = classifyFailure(apiError(429, { message: 'slow down' }, { 'retry-after': '2' }));
    expect(failure.kind).toBe('rate_limited');
    expect(failure.status).toBe(429);
    expect(failure.retryAfterMs).toBe(2000);
  });

  it.each([
    [400, { message: 'too long', code: 'context_length_exceeded' }, 'context_length'],
    [400, { message: "This model's maximum context length is 8192 tokens" }, 'context_length'],
    [400, { message: 'bad field', code: 'invalid_value' }, 'bad_request'],
    [413, { message: 'Request too large for model on tokens per minute (TPM): Limit 6000, Requested 6294', type: 'tokens', code: 'rate_limit_exceeded' }, 'context_length'],
    [401, { message: 'Invalid API Key' }, 'auth'],
    [404, { message: 'The model `x` does not exist', code: 'model_not_found' }, 'not_found'],
    [422, { message: 'unprocessable' }, 'bad_request'],
    [500, { message: 'boom' }, 'server_error'],
    [503, { message: 'over capacity' }, 'server_error'],
  ])('maps status %i %j', (status, error, kind) => {
    expect(classifyFailure(apiError(status, error)).kind).toBe(kind);
  });

  it('maps connection errors', () => {
    expect(classifyFailure(new APIConnectionTimeoutError()).kind).toBe('timeout');
    expect(classifyFailure(new APIConnectionError({ cause: new Error('ECONNREFUSED') })).kind).toBe('network');
    expect(classifyFailure(new ModelTimeoutError(1000)).kind).toBe('timeout');
  });

  it('tells a stream error event from a cut', () => {
    const errorEvent = new APIError(undefined, { message: 'overloaded' }, undefined, undefined);
    expect(classifyFailure(new StreamInterruptedError(errorEvent)).kind).toBe('stream_error');
    expect(classifyFailure(new StreamInterruptedError(new TypeError('terminated'))).kind).toBe('stream_cut');
  });
});
