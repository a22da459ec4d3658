import type { AttemptRecord } from './types.js';

/**
 * The prompt does not fit the model's context window (HTTP 400 `context_length_exceeded`), or
 * the provider rejected the request as too large (HTTP 413). The router stops at the first
 * such response and does not try other models, because the caller can fix it by trimming the
 * conversation and asking again.
 */
export class ContextLengthError extends Error {
  override readonly name = 'ContextLengthError';

  constructor(
    readonly model: string,
    readonly provider: string,
    readonly attempts: AttemptRecord[],
    providerMessage: string,
  ) {
    super(
      `Prompt is too long for model "${model}" (provider "${provider}"): ${providerMessage}. ` +
        'Trim the conversation and try again.',
    );
  }
}

/** Every candidate model was tried and none produced an answer; `attempts` lists each try. */
export class AllModelsFailedError extends Error {
  override readonly name = 'AllModelsFailedError';

  constructor(
    readonly purpose: string,
    readonly attempts: AttemptRecord[],
  ) {
    const tried = attempts.map((attempt) => `${attempt.model} (${attempt.errorKind ?? 'failed'})`).join(', ');
    super(`Every model for purpose "${purpose}" failed: ${tried}.`);
  }
}

/**
 * No active model may serve the request: none is configured for the purpose (or `chat`),
 * its provider is disabled, or the caller's access and the persona's providers exclude all.
 */
export class NoModelAvailableError extends Error {
  override readonly name = 'NoModelAvailableError';

  constructor(readonly purpose: string) {
    super(
      `No usable model for purpose "${purpose}": check the active model_configs rows, ` +
        'their api_configs rows and API keys, and the caller\'s access.',
    );
  }
}

/** The caller's `signal` aborted the request; `attempts` lists the tries made until then. */
export class CompletionAbortedError extends Error {
  override readonly name = 'CompletionAbortedError';

  constructor(readonly attempts: AttemptRecord[]) {
    super('The completion request was aborted by the caller.');
  }
}
