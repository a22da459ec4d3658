import type { Kysely } from 'kysely';
import OpenAI from 'openai';
import type pino from 'pino';

import type { Database } from '../db/schema.js';
import { loadCatalog, type ModelCatalog, type ModelEntry, type ProviderConfig } from './catalog.js';
import { AllModelsFailedError, CompletionAbortedError, ContextLengthError, NoModelAvailableError } from './errors.js';
import { classifyFailure, type Failure } from './failure.js';
import { callModel, type ModelCallResult } from './model-call.js';
import { ProviderRateLimiter } from './rate-limiter.js';
import { fetchMarkingStreamEnd } from './stream-end.js';
import { orderCandidates } from './selection.js';
import type { AttemptRecord, CompletionRequest, CompletionResult, ModelRouter } from './types.js';

export interface ModelRouterOptions {
  db: Kysely<Database>;
  /** Environment variables that API keys are read from (`api_configs.settings.api_key_env`). */
  env: Record<string, string | undefined>;
  /** Base URL per provider name, e.g. `{ groq: GROQ_BASE_URL, ollama: LOCAL_LLM_BASE_URL }`. */
  baseUrlOverrides?: Record<string, string | undefined>;
  logger: pino.Logger;
  /**
   * Longest Retry-After, in seconds, that a 429 is waited out on the same model. A longer or
   * missing Retry-After sends the request to the next model at once, so a user never waits
   * minutes for an answer another model could give now. Default 5.
   */
  maxRetryAfterSeconds?: number;
  /** Clock for the per-provider rate limit; tests replace it. */
  now?: () => number;
}

/** The router plus control over the configuration it reads from the database. */
export interface ReloadableModelRouter extends ModelRouter {
  /** Reads `model_configs` and `api_configs` again, e.g. after an admin changed them. */
  reload(): Promise<ModelCatalog>;
  /** The catalog in use, loaded on first call. */
  catalog(): Promise<ModelCatalog>;
}

const DEFAULT_MAX_RETRY_AFTER_SECONDS = 5;

/** Added to the wait for a free rate-limit slot. */
const SLOT_WAIT_MARGIN_MS = 10;

const ABORTED: Failure = { kind: 'aborted', message: 'Aborted by the caller' };

interface LoadedState {
  catalog: ModelCatalog;
  /** One `openai` client per provider name. */
  clients: Map<string, OpenAI>;
}

/** Outcome of trying one model, retries included: a result, or null to move on to the next. */
type ModelOutcome = (ModelCallResult & { entry: ModelEntry }) | null;

/**
 * Creates the model router. The catalog is loaded from the database on first use and on
 * `reload()`; the rate-limit windows survive reloads.
 *
 * `complete` tries the candidates from `orderCandidates` in order and returns the first
 * non-empty answer. Per model: a 429 whose Retry-After is at most `maxRetryAfterSeconds` is
 * retried on the same model up to `api_configs.retry_count` times. Any other failure moves on
 * to the next model at once: a 429 with a longer or no Retry-After, 5xx, a timeout, a network
 * error, a broken stream, an error event in a stream, a 4xx other than context length, an empty
 * answer, or a used-up `api_configs.rate_limit`. When every candidate was skipped for its
 * `rate_limit` alone and a slot frees within `maxRetryAfterSeconds`, the router waits for it and
 * tries the candidates once more. A `background` request may use only half of each `rate_limit`.
 *
 * Throws `ContextLengthError` on the first context-length 400, `AllModelsFailedError` when
 * every candidate failed, `NoModelAvailableError` when there is no candidate, and
 * `CompletionAbortedError` when `request.signal` aborts.
 *
 * When a model fails mid-stream and the next one starts, `request.onText` starts again from the
 * new model's text, so its argument can get shorter.
 */
export function createModelRouter(options: ModelRouterOptions): ReloadableModelRouter {
  const logger = options.logger.child({ component: 'model-router' });
  const maxRetryAfterMs = (options.maxRetryAfterSeconds ?? DEFAULT_MAX_RETRY_AFTER_SECONDS) * 1000;
  const limiter = new ProviderRateLimiter(options.now);
  let state: Promise<LoadedState> | null = null;

  const load = async (): Promise<LoadedState> => {
    const catalog = await loadCatalog(options.db, {
      env: options.env,
      baseUrlOverrides: options.baseUrlOverrides ?? {},
      logger,
    });
    const clients = new Map<string, OpenAI>();
    for (const model of catalog.models) {
      if (!clients.has(model.provider)) clients.set(model.provider, createClient(model.api));
    }
    logger.info(
      {
        models: catalog.models.map((model) => model.name),
        disabledProviders: catalog.disabledProviders.map((provider) => provider.name),
      },
      'model catalog loaded',
    );
    return { catalog, clients };
  };

  const reload = async (): Promise<LoadedState> => {
    const loading = load();
    state = loading;
    try {
      return await loading;
    } catch (error) {
      // Forget the failed load so that the next request tries again.
      if (state === loading) state = null;
      throw error;
    }
  };

  const current = (): Promise<LoadedState> => state ?? reload();

  const tryModel = async (
    entry: ModelEntry,
    client: OpenAI,
    request: CompletionRequest,
    attempts: AttemptRecord[],
    isLastCandidate: boolean,
  ): Promise<ModelOutcome> => {
    const ids = { ...request.logContext, model: entry.name, provider: entry.provider };
    let retriesLeft = entry.api.retryCount;

    const limitPerMinute = rateLimitFor(entry, request);
    for (;;) {
      if (!limiter.tryAcquire(entry.provider, limitPerMinute)) {
        const failure: Failure = {
          kind: 'rate_limited_local',
          message: `Rate limit of ${limitPerMinute} requests per minute reached${request.background ? ' for background requests' : ''}`,
        };
        attempts.push(failedAttempt(entry, failure, 0));
        // Logged at info because the model did not fail and the router may still wait for a slot.
        logger.info({ ...ids, limitPerMinute }, 'model skipped: its provider is at its request limit');
        return null;
      }

      const startedAt = Date.now();
      let failure: Failure;
      try {
        const result = await callModel({
          client,
          entry,
          messages: request.messages,
          temperature: request.temperature,
          maxTokens: request.maxTokens,
          onText: request.onText,
          signal: request.signal,
        });
        const latencyMs = Date.now() - startedAt;
        if (request.signal?.aborted) {
          attempts.push(failedAttempt(entry, ABORTED, latencyMs));
          throw new CompletionAbortedError(attempts);
        }
        if (result.text !== '') {
          attempts.push({ model: entry.name, provider: entry.provider, ok: true, latencyMs });
          return { ...result, entry };
        }
        failure = { kind: 'empty', message: 'The model returned no visible text' };
        attempts.push(failedAttempt(entry, failure, latencyMs));
        logFallback(logger, ids, failure, isLastCandidate);
        return null;
      } catch (error) {
        if (error instanceof CompletionAbortedError) throw error;
        const latencyMs = Date.now() - startedAt;
        if (request.signal?.aborted) {
          attempts.push(failedAttempt(entry, ABORTED, latencyMs));
          throw new CompletionAbortedError(attempts);
        }
        failure = redactKey(classifyFailure(error), entry.api.apiKey);
        attempts.push(failedAttempt(entry, failure, latencyMs));
      }

      if (failure.kind === 'context_length') {
        logger.warn({ ...ids, status: failure.status, errorKind: failure.kind }, 'prompt exceeds the context window');
        throw new ContextLengthError(entry.name, entry.provider, attempts, failure.message);
      }

      const retryAfterMs = failure.retryAfterMs;
      if (failure.kind === 'rate_limited' && retryAfterMs !== undefined && retryAfterMs <= maxRetryAfterMs && retriesLeft > 0) {
        retriesLeft -= 1;
        logger.warn(
          { ...ids, status: failure.status, errorKind: failure.kind, retryAfterMs, retriesLeft },
          'rate limited by the provider; retrying the same model after Retry-After',
        );
        const waited = await sleep(retryAfterMs, request.signal);
        if (!waited) throw new CompletionAbortedError(attempts);
        continue;
      }

      logFallback(logger, ids, failure, isLastCandidate);
      return null;
    }
  };

  return {
    async complete(request: CompletionRequest): Promise<CompletionResult> {
      const startedAt = Date.now();
      const { catalog, clients } = await current();
      const candidates = orderCandidates(catalog.models, request);
      if (candidates.length === 0) {
        logger.warn({ ...request.logContext, purpose: request.purpose }, 'no model available for the request');
        throw new NoModelAvailableError(request.purpose);
      }

      const attempts: AttemptRecord[] = [];
      if (request.signal?.aborted) throw new CompletionAbortedError(attempts);

      for (let round = 0; ; round += 1) {
        for (const [index, entry] of candidates.entries()) {
          const client = clients.get(entry.provider);
          if (client === undefined) continue;
          const outcome = await tryModel(entry, client, request, attempts, index === candidates.length - 1);
          if (outcome === null) continue;

          return {
            text: outcome.text,
            model: entry.name,
            modelId: entry.modelId,
            provider: entry.provider,
            engine: entry.engine,
            latencyMs: Date.now() - startedAt,
            usage: outcome.usage,
            finishReason: outcome.finishReason,
            attempts,
          };
        }

        // Every candidate was skipped for its per-minute limit alone: wait once for the first
        // slot to free, within the same bound as a Retry-After, rather than fail at once.
        const onlyRateLimited = attempts.length > 0 && attempts.every((attempt) => attempt.errorKind === 'rate_limited_local');
        const waitMs = Math.min(...candidates.map((entry) => limiter.waitMs(entry.provider, rateLimitFor(entry, request))));
        if (round > 0 || !onlyRateLimited || waitMs > maxRetryAfterMs) throw new AllModelsFailedError(request.purpose, attempts);
        logger.info({ ...request.logContext, waitMs }, 'every model is at its request limit; waiting for a free slot');
        // A timer can fire a millisecond or two before `Date.now()` reaches the slot.
        if (!(await sleep(waitMs + SLOT_WAIT_MARGIN_MS, request.signal))) throw new CompletionAbortedError(attempts);
      }
    },

    async reload(): Promise<ModelCatalog> {
      return (await reload()).catalog;
    },

    async catalog(): Promise<ModelCatalog> {
      return (await current()).catalog;
    },
  };
}

/**
 * Builds a client with the `openai` package's own retries off, because the router decides
 * between retrying and falling back. Organization and project are set to null so that
 * `OPENAI_*` variables in the environment never reach another provider. Its `fetch` records
 * whether a stream ended with `[DONE]`, which `callModel` reads.
 */
function createClient(provider: ProviderConfig): OpenAI {
  return new OpenAI({
    apiKey: provider.apiKey,
    baseURL: provider.baseUrl,
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: provider.timeoutMs,
    logLevel: 'off',
    fetch: fetchMarkingStreamEnd,
  });
}

/**
 * Returns the requests per minute `request` may use on the entry's provider: the whole
 * `rate_limit` (0 for none), or half of it rounded up for a background request. The window
 * counts every request, so background work stops at half and chat turns keep the other half.
 */
function rateLimitFor(entry: ModelEntry, request: CompletionRequest): number {
  const limit = entry.api.rateLimitPerMinute;
  return request.background === true ? Math.ceil(limit / 2) : limit;
}

function failedAttempt(entry: ModelEntry, failure: Failure, latencyMs: number): AttemptRecord {
  return {
    model: entry.name,
    provider: entry.provider,
    ok: false,
    errorKind: failure.kind,
    ...(failure.status === undefined ? {} : { status: failure.status }),
    message: failure.message,
    latencyMs,
  };
}

function logFallback(logger: pino.Logger, ids: Record<string, unknown>, failure: Failure, isLastCandidate: boolean): void {
  logger.warn(
    { ...ids, status: failure.status, errorKind: failure.kind, error: failure.message },
    isLastCandidate ? 'model failed; no model left to try' : 'model failed; trying the next model',
  );
}

/** Removes the API key from a provider message, in case a provider echoes it in an error. */
function redactKey(failure: Failure, apiKey: string): Failure {
  if (apiKey.length < 8 || !failure.message.includes(apiKey)) return failure;
  return { ...failure, message: failure.message.split(apiKey).join('[redacted]') };
}

/** Waits `ms` milliseconds; returns false early when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
