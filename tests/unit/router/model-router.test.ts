import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';

import type { Kysely } from 'kysely';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Database } from '../../../src/db/schema.js';
import {
  AllModelsFailedError,
  CompletionAbortedError,
  ContextLengthError,
  NoModelAvailableError,
} from '../../../src/router/errors.js';
import { MAX_COMPLETION_CHARS } from '../../../src/router/model-call.js';
import { createModelRouter, type ModelRouterOptions } from '../../../src/router/model-router.js';
import type { CompletionRequest, RouterAccess } from '../../../src/router/types.js';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai.js';
import { createTempDatabase, type TempDatabase } from '../../support/temp-db.js';

const NOW = '2026-12-04T19:37:03.000Z';
const GROQ_KEY = 'gsk-test-key-123456';
const CLOUD_ONLY: RouterAccess = { canUseLocal: false, censorshipLevel: 1 };
const FULL_ACCESS: RouterAccess = { canUseLocal: true, censorshipLevel: 1 };

interface ProviderRow {
  name: string;
  baseUrl: string;
  settings: Record<string, unknown>;
  /** Seconds; 1 keeps timeout tests fast. */
  timeout?: number;
  retryCount?: number;
  rateLimit?: number;
}

interface ModelRow {
  name: string;
  provider: string;
  modelId: string;
  purpose?: string;
  isDefault?: boolean;
  priority?: number;
  parameters?: Record<string, unknown>;
  capabilities?: Record<string, unknown>;
}

async function insertProvider(db: Kysely<Database>, row: ProviderRow): Promise<void> {
  await db
    .insertInto('api_configs')
    .values({
      name: row.name,
      display_name: row.name,
      base_url: row.baseUrl,
      is_active: 1,
      timeout: row.timeout ?? 1,
      rate_limit: row.rateLimit ?? 0,
      retry_count: row.retryCount ?? 2,
      settings: JSON.stringify(row.settings),
      description: null,
      created_at: NOW,
      updated_at: NOW,
    })
    .execute();
}

async function insertModel(db: Kysely<Database>, row: ModelRow): Promise<void> {
  await db
    .insertInto('model_configs')
    .values({
      name: row.name,
      display_name: row.name,
      provider: row.provider,
      model_id: row.modelId,
      purpose: row.purpose ?? 'chat',
      is_active: 1,
      is_default: row.isDefault === true ? 1 : 0,
      priority: row.priority ?? 0,
      parameters: JSON.stringify(row.parameters ?? {}),
      capabilities: JSON.stringify(row.capabilities ?? {}),
      description: null,
      created_at: NOW,
      updated_at: NOW,
    })
    .execute();
}

/** Creates a logger that collects its JSON lines, for checking warnings and that no key is logged. */
function capturingLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>>; raw: string[] } {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      raw.push(chunk.toString());
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines, raw };
}

function chatRequest(overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    purpose: 'chat',
    messages: [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Hello' },
    ],
    access: CLOUD_ONLY,
    logContext: { conversationId: 'conv-1', userId: 42 },
    ...overrides,
  };
}

let fake: FakeOpenAI;
let temp: TempDatabase;
let log: ReturnType<typeof capturingLogger>;

beforeEach(async () => {
  fake = await startFakeOpenAI();
  temp = await createTempDatabase();
  log = capturingLogger();
});

afterEach(async () => {
  await fake.close();
  await temp.cleanup();
});

/**
 * Inserts the usual set-up: `primary` (default chat model) on `groq`, which needs GROQ_API_KEY, and
 * `secondary` on `backup`, which needs no key. Both providers point at the fake.
 */
async function setUpTwoProviders(
  options: { groq?: Partial<ProviderRow>; backup?: Partial<ProviderRow>; primary?: Partial<ModelRow> } = {},
): Promise<void> {
  await insertProvider(temp.db, {
    name: 'groq',
    baseUrl: fake.baseURL,
    settings: { engine: 'cloud', api_key_env: 'GROQ_API_KEY', requires_api_key: true },
    ...options.groq,
  });
  await insertProvider(temp.db, {
    name: 'backup',
    baseUrl: fake.baseURL,
    settings: { engine: 'cloud', default_api_key: 'backup-key' },
    ...options.backup,
  });
  await insertModel(temp.db, { name: 'primary', provider: 'groq', modelId: 'primary-model', isDefault: true, ...options.primary });
  await insertModel(temp.db, { name: 'secondary', provider: 'backup', modelId: 'secondary-model', priority: 1 });
  fake.setDefault('primary-model', { text: 'primary answer' });
  fake.setDefault('secondary-model', { text: 'secondary answer' });
}

function router(overrides: Partial<ModelRouterOptions> = {}) {
  return createModelRouter({
    db: temp.db,
    env: { GROQ_API_KEY: GROQ_KEY },
    logger: log.logger,
    maxRetryAfterSeconds: 5,
    ...overrides,
  });
}

function requestedModels(): string[] {
  return fake.requests.map((request) => request.body.model);
}

describe('model router against the fake server', () => {
  it('returns a non-streaming answer with usage', async () => {
    await setUpTwoProviders({
      primary: { capabilities: { streaming: false }, parameters: { temperature: 0.2, top_p: 0.9 } },
    });
    fake.script('primary-model', { text: '  Hello there  ', usage: { prompt_tokens: 11, completion_tokens: 3 } });

    const result = await router().complete(chatRequest({ maxTokens: 50 }));

    expect(result.text).toBe('Hello there');
    expect(result.model).toBe('primary');
    expect(result.modelId).toBe('primary-model');
    expect(result.provider).toBe('groq');
    expect(result.engine).toBe('cloud');
    expect(result.usage).toEqual({ promptTokens: 11, completionTokens: 3, totalTokens: 14 });
    expect(result.finishReason).toBe('stop');
    expect(result.attempts).toMatchObject([{ model: 'primary', provider: 'groq', ok: true }]);

    const body = fake.requests[0]?.body;
    expect(body?.stream).toBe(false);
    expect(body?.temperature).toBe(0.2);
    expect(body?.top_p).toBe(0.9);
    expect(body?.max_tokens).toBe(50);
    expect(body?.messages).toEqual([
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Hello' },
    ]);
  });

  it('streams an answer with usage and visible text', async () => {
    await setUpTwoProviders({ primary: { parameters: { temperature: 0.7 } } });
    fake.script('primary-model', {
      think: 'private plan',
      text: 'Streamed answer here',
      chunkSize: 3,
      usage: { prompt_tokens: 20, completion_tokens: 4 },
      emptyChoicesChunk: true,
    });
    const seen: string[] = [];

    const result = await router().complete(chatRequest({ temperature: 0.1, onText: (text) => seen.push(text) }));

    expect(result.text).toBe('Streamed answer here');
    expect(result.usage).toEqual({ promptTokens: 20, completionTokens: 4, totalTokens: 24 });
    expect(result.finishReason).toBe('stop');
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe('Streamed answer here');
    expect(seen.some((text) => text.includes('<') || text.includes('plan'))).toBe(false);

    const body = fake.requests[0]?.body;
    expect(body?.stream).toBe(true);
    expect(body?.stream_options).toEqual({ include_usage: true });
    expect(body?.temperature).toBe(0.1);
  });

  it('accepts a stream without finish reason or usage', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', { text: 'bare stream', finishReason: null, usage: null });

    const result = await router().complete(chatRequest());

    expect(result.text).toBe('bare stream');
    expect(result.finishReason).toBeNull();
    expect(result.usage).toBeNull();
  });

  it('falls back on a 500 and logs it', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', { status: 500, error: { message: 'boom', type: 'server_error', code: null } });

    const result = await router().complete(chatRequest());

    expect(result.text).toBe('secondary answer');
    expect(result.model).toBe('secondary');
    expect(result.attempts).toMatchObject([
      { model: 'primary', provider: 'groq', ok: false, errorKind: 'server_error', status: 500 },
      { model: 'secondary', provider: 'backup', ok: true },
    ]);

    const warning = log.lines.find((line) => line['errorKind'] === 'server_error');
    expect(warning?.['level']).toBe(40);
    expect(warning?.['model']).toBe('primary');
    expect(warning?.['provider']).toBe('groq');
    expect(warning?.['status']).toBe(500);
    expect(warning?.['conversationId']).toBe('conv-1');
    expect(warning?.['userId']).toBe(42);
  });

  it('retries a 429 with a short Retry-After', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', {
      status: 429,
      error: { message: 'Rate limit reached', type: 'tokens', code: 'rate_limit_exceeded' },
      headers: { 'retry-after': '1' },
    });

    const result = await router().complete(chatRequest());

    expect(result.model).toBe('primary');
    expect(result.text).toBe('primary answer');
    expect(requestedModels()).toEqual(['primary-model', 'primary-model']);
    expect(result.attempts).toMatchObject([
      { model: 'primary', ok: false, errorKind: 'rate_limited', status: 429 },
      { model: 'primary', ok: true },
    ]);
    expect(log.lines.some((line) => line['errorKind'] === 'rate_limited' && line['retryAfterMs'] === 1000)).toBe(true);
  });

  it('falls back on a 429 with a long Retry-After', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', {
      status: 429,
      error: { message: 'Rate limit reached', type: 'tokens', code: 'rate_limit_exceeded' },
      headers: { 'retry-after': '60' },
    });

    const result = await router().complete(chatRequest());

    expect(result.model).toBe('secondary');
    expect(requestedModels()).toEqual(['primary-model', 'secondary-model']);
  });

  it('falls back on a 429 without Retry-After', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', { status: 429, error: { message: 'slow down', type: 'requests', code: null } });

    const result = await router().complete(chatRequest());

    expect(result.model).toBe('secondary');
  });

  it('falls back on a 429 when retry_count is 0', async () => {
    await setUpTwoProviders({ groq: { retryCount: 0 } });
    fake.script('primary-model', {
      status: 429,
      error: { message: 'Rate limit reached', type: 'tokens', code: null },
      headers: { 'retry-after-ms': '10' },
    });

    const result = await router().complete(chatRequest());

    expect(result.model).toBe('secondary');
    expect(requestedModels()).toEqual(['primary-model', 'secondary-model']);
  });

  it('falls back when a request hangs past the timeout', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', { hang: true });

    const result = await router().complete(chatRequest());

    expect(result.model).toBe('secondary');
    expect(result.attempts[0]).toMatchObject({ model: 'primary', ok: false, errorKind: 'timeout' });
  });

  it('falls back when a JSON request hangs', async () => {
    await setUpTwoProviders({ primary: { capabilities: { streaming: false } } });
    fake.script('primary-model', { hang: true });

    const result = await router().complete(chatRequest());

    expect(result.model).toBe('secondary');
    expect(result.attempts[0]).toMatchObject({ model: 'primary', ok: false, errorKind: 'timeout' });
  });

  it('falls back when a stream stalls', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', { stallAfterChunks: 2, text: 'partial text that stops' });
    const seen: string[] = [];

    const result = await router().complete(chatRequest({ onText: (text) => seen.push(text) }));

    expect(result.model).toBe('secondary');
    expect(result.attempts[0]).toMatchObject({ model: 'primary', ok: false, errorKind: 'timeout' });
    expect(seen[0]).toBe('parti');
    expect(seen.at(-1)).toBe('secondary answer');
  });

  it('falls back when a stream is cut', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', { cutAfterChunks: 2, text: 'this stream is cut short' });

    const result = await router().complete(chatRequest());

    expect(result.model).toBe('secondary');
    expect(result.attempts[0]).toMatchObject({ model: 'primary', ok: false, errorKind: 'stream_cut' });
  });

  it('falls back when a stream ends without [DONE]', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', { endAfterChunks: 2, text: 'this answer ends early' });

    const result = await router().complete(chatRequest());

    expect(result.text).toBe('secondary answer');
    expect(result.model).toBe('secondary');
    expect(result.attempts[0]).toMatchObject({ model: 'primary', ok: false, errorKind: 'stream_cut' });
  });

  it('accepts a finished stream without [DONE]', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', { text: 'complete answer', sendDone: false });

    const result = await router().complete(chatRequest());

    expect(result.text).toBe('complete answer');
    expect(result.model).toBe('primary');
    expect(result.finishReason).toBe('stop');
  });

  it('stops a streamed answer at the size cap', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', { text: 'loop '.repeat(MAX_COMPLETION_CHARS / 5 + 2_000), chunkSize: 500 });

    const result = await router().complete(chatRequest());

    expect(result.model).toBe('primary');
    expect(result.finishReason).toBe('length');
    expect(result.text.length).toBeLessThanOrEqual(MAX_COMPLETION_CHARS);
    expect(result.text.length).toBeGreaterThan(MAX_COMPLETION_CHARS - 1_000);
    expect(result.text.startsWith('loop loop')).toBe(true);
  });

  it('counts reasoning fields toward the cap', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', { reasoningField: 'hmm '.repeat(MAX_COMPLETION_CHARS / 4 + 2_000), text: 'late answer', chunkSize: 500 });

    const result = await router().complete(chatRequest());

    expect(result.model).toBe('secondary');
    expect(result.attempts[0]).toMatchObject({ model: 'primary', ok: false, errorKind: 'empty' });
  });

  it('cuts a JSON answer at the size cap', async () => {
    await setUpTwoProviders({ primary: { capabilities: { streaming: false } } });
    fake.script('primary-model', { text: 'loop '.repeat(MAX_COMPLETION_CHARS / 5 + 2_000) });

    const result = await router().complete(chatRequest());

    expect(result.model).toBe('primary');
    expect(result.finishReason).toBe('length');
    expect(result.text.length).toBeLessThanOrEqual(MAX_COMPLETION_CHARS);
  });

  it('falls back on an error event after 200', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', {
      errorAfterChunks: 1,
      error: { message: 'Service overloaded', type: 'server_error', code: 'overloaded' },
    });

    const result = await router().complete(chatRequest());

    expect(result.model).toBe('secondary');
    expect(result.attempts[0]).toMatchObject({ model: 'primary', ok: false, errorKind: 'stream_error' });
    expect(result.attempts[0]?.message).toContain('Service overloaded');
  });

  it('falls back on an empty answer', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', { think: 'only reasoning', text: '   ' });

    const result = await router().complete(chatRequest());

    expect(result.model).toBe('secondary');
    expect(result.attempts[0]).toMatchObject({ model: 'primary', ok: false, errorKind: 'empty' });
  });

  it('falls back on an unknown model id', async () => {
    await setUpTwoProviders({ primary: { modelId: 'retired-model' } });

    const result = await router().complete(chatRequest());

    expect(result.model).toBe('secondary');
    expect(result.attempts[0]).toMatchObject({ model: 'primary', ok: false, errorKind: 'not_found', status: 404 });
  });

  it('falls back on a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await setUpTwoProviders({ groq: { baseUrl: `http://127.0.0.1:${port}/v1` } });

    const result = await router().complete(chatRequest());

    expect(result.model).toBe('secondary');
    expect(result.attempts[0]).toMatchObject({ model: 'primary', ok: false, errorKind: 'network' });
  });

  it('throws ContextLengthError without falling back', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', {
      status: 400,
      error: {
        message: 'Please reduce the length of the messages or completion.',
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
      },
    });

    const error = await router().complete(chatRequest()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ContextLengthError);
    expect((error as ContextLengthError).model).toBe('primary');
    expect((error as ContextLengthError).attempts).toHaveLength(1);
    expect(requestedModels()).toEqual(['primary-model']);
  });

  it('throws AllModelsFailedError listing every attempt', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', { status: 503, error: { message: 'over capacity', type: 'server_error', code: null } });
    fake.script('secondary-model', { status: 500, error: { message: 'boom', type: 'server_error', code: null } });

    const error = await router().complete(chatRequest()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AllModelsFailedError);
    expect((error as AllModelsFailedError).attempts).toMatchObject([
      { model: 'primary', provider: 'groq', ok: false, errorKind: 'server_error', status: 503 },
      { model: 'secondary', provider: 'backup', ok: false, errorKind: 'server_error', status: 500 },
    ]);
    expect(log.lines.some((line) => line['msg'] === 'model failed; no model left to try')).toBe(true);
  });

  it('throws NoModelAvailableError without candidates', async () => {
    await setUpTwoProviders();

    const error = await router()
      .complete(chatRequest({ allowedProviders: ['nowhere'] }))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NoModelAvailableError);
    expect(fake.requests).toHaveLength(0);
  });

  it('throws CompletionAbortedError when the caller aborts', async () => {
    await setUpTwoProviders({ groq: { timeout: 30 } });
    fake.script('primary-model', { hang: true });
    const controller = new AbortController();

    const pending = router().complete(chatRequest({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(CompletionAbortedError);
    expect(requestedModels()).toEqual(['primary-model']);
  });

  it('sends the API key from env', async () => {
    await setUpTwoProviders();
    fake.script('primary-model', { status: 500, error: { message: 'boom', type: 'server_error', code: null } });

    await router().complete(chatRequest());

    expect(fake.requests.map((request) => request.authorization)).toEqual([`Bearer ${GROQ_KEY}`, 'Bearer backup-key']);
    expect(log.raw.join('')).not.toContain(GROQ_KEY);
  });

  it('disables groq without its key', async () => {
    await setUpTwoProviders();
    const modelRouter = router({ env: {} });

    const result = await modelRouter.complete(chatRequest());
    const catalog = await modelRouter.catalog();

    expect(result.model).toBe('secondary');
    expect(requestedModels()).toEqual(['secondary-model']);
    expect(catalog.disabledProviders.map((provider) => provider.name)).toEqual(['groq']);
    const warnings = log.lines.filter((line) => line['msg'] === 'provider disabled');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.['provider']).toBe('groq');
  });

  it('skips a provider over its rate limit', async () => {
    await setUpTwoProviders({ groq: { rateLimit: 1 } });
    const modelRouter = router();

    const first = await modelRouter.complete(chatRequest());
    const second = await modelRouter.complete(chatRequest());

    expect(first.model).toBe('primary');
    expect(second.model).toBe('secondary');
    expect(second.attempts[0]).toMatchObject({ model: 'primary', ok: false, errorKind: 'rate_limited_local' });
    expect(requestedModels()).toEqual(['primary-model', 'secondary-model']);
  });

  it('waits for a slot freeing soon', async () => {
    await setUpTwoProviders({ groq: { rateLimit: 1 }, backup: { rateLimit: 1 } });
    // The clock starts just under a minute back, so the first requests' slots free at most
    // 2 s after the third request, measured on the real clock the router sleeps on. The
    // first two requests take a few milliseconds, far less than the 2 s.
    const offset = 60_000 - 2_000;
    let shift = -offset;
    const modelRouter = router({ now: () => Date.now() + shift });

    await modelRouter.complete(chatRequest());
    await modelRouter.complete(chatRequest());
    shift = 0;
    const third = await modelRouter.complete(chatRequest());

    expect(third.model).toBe('primary');
    expect(third.attempts.map((attempt) => attempt.errorKind ?? 'ok')).toEqual(['rate_limited_local', 'rate_limited_local', 'ok']);
    expect(requestedModels()).toEqual(['primary-model', 'secondary-model', 'primary-model']);
    // One skip in the second request (primary), two in the third before its wait.
    expect(log.lines.filter((line) => line['msg'] === 'model skipped: its provider is at its request limit')).toHaveLength(3);
    const waits = log.lines.filter((line) => line['msg'] === 'every model is at its request limit; waiting for a free slot');
    expect(waits).toHaveLength(1);
    expect(waits[0]?.['waitMs']).toBeGreaterThan(0);
    expect(waits[0]?.['waitMs']).toBeLessThanOrEqual(2_000);
  });

  it('fails when no slot frees soon', async () => {
    await setUpTwoProviders({ groq: { rateLimit: 1 }, backup: { rateLimit: 1 } });
    const modelRouter = router();

    await modelRouter.complete(chatRequest());
    await modelRouter.complete(chatRequest());
    const third = modelRouter.complete(chatRequest());

    await expect(third).rejects.toBeInstanceOf(AllModelsFailedError);
    expect(requestedModels()).toEqual(['primary-model', 'secondary-model']);
    expect(log.lines.filter((line) => line['msg'] === 'every model is at its request limit; waiting for a free slot')).toEqual([]);
  });

  it('keeps half the rate limit from background requests', async () => {
    await insertProvider(temp.db, {
      name: 'groq',
      baseUrl: fake.baseURL,
      settings: { engine: 'cloud', api_key_env: 'GROQ_API_KEY', requires_api_key: true },
      rateLimit: 4,
    });
    await insertModel(temp.db, { name: 'primary', provider: 'groq', modelId: 'primary-model', isDefault: true });
    fake.setDefault('primary-model', { text: 'primary answer' });
    const modelRouter = router();

    await modelRouter.complete(chatRequest({ background: true }));
    await modelRouter.complete(chatRequest({ background: true }));
    const third = await modelRouter.complete(chatRequest({ background: true })).catch((caught: unknown) => caught);
    const chat = [await modelRouter.complete(chatRequest()), await modelRouter.complete(chatRequest())];

    expect(third).toBeInstanceOf(AllModelsFailedError);
    expect((third as AllModelsFailedError).attempts).toMatchObject([{ model: 'primary', errorKind: 'rate_limited_local' }]);
    expect(chat.map((result) => result.text)).toEqual(['primary answer', 'primary answer']);
    expect(requestedModels()).toHaveLength(4);
  });

  it('uses base URL overrides', async () => {
    await setUpTwoProviders({ groq: { baseUrl: 'http://127.0.0.1:9/unused/v1' } });

    const result = await router({ baseUrlOverrides: { groq: fake.baseURL } }).complete(chatRequest());

    expect(result.model).toBe('primary');
  });

  it('routes uncensored requests to the local model', async () => {
    await setUpTwoProviders();
    await insertProvider(temp.db, {
      name: 'ollama',
      baseUrl: fake.baseURL,
      settings: { engine: 'local', api_key_env: 'LOCAL_LLM_API_KEY', default_api_key: 'ollama' },
    });
    await insertModel(temp.db, { name: 'bela', provider: 'ollama', modelId: 'bela-model', purpose: 'uncensored' });
    fake.setDefault('bela-model', { text: 'local answer' });
    const modelRouter = router();

    const local = await modelRouter.complete(chatRequest({ purpose: 'uncensored', access: FULL_ACCESS }));
    const fallback = await modelRouter.complete(chatRequest({ purpose: 'uncensored', access: CLOUD_ONLY }));

    expect(local.model).toBe('bela');
    expect(local.engine).toBe('local');
    expect(fake.requests[0]?.authorization).toBe('Bearer ollama');
    expect(fallback.model).toBe('primary');
    expect(fallback.engine).toBe('cloud');
  });

  it('picks up changed rows on reload', async () => {
    await setUpTwoProviders();
    const modelRouter = router();
    expect((await modelRouter.complete(chatRequest())).model).toBe('primary');

    await temp.db.updateTable('model_configs').set({ is_active: 0 }).where('name', '=', 'primary').execute();
    const catalog = await modelRouter.reload();

    expect(catalog.models.map((model) => model.name)).toEqual(['secondary']);
    expect((await modelRouter.complete(chatRequest())).model).toBe('secondary');
  });
});
