import type OpenAI from 'openai';
import type {
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';

import type { ModelEntry } from './catalog.js';
import { ModelTimeoutError, StreamInterruptedError } from './failure.js';
import { ThinkBlockFilter, stripThinkBlocks } from './think-filter.js';
import type { ChatMessage, TokenUsage } from './types.js';

export interface ModelCallOptions {
  client: OpenAI;
  entry: ModelEntry;
  messages: readonly ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  onText?: (textSoFar: string) => void;
  /** The caller's signal; aborting it aborts the HTTP request. */
  signal?: AbortSignal;
}

export interface ModelCallResult {
  /** Visible answer: reasoning blocks removed, trimmed; may be empty. */
  text: string;
  usage: TokenUsage | null;
  finishReason: string | null;
}

/**
 * Sends one chat completion to one model, streaming unless `capabilities.streaming` is false.
 *
 * The provider's timeout is enforced here as an idle timer that starts with the request and
 * restarts on every stream chunk. A slow but steady stream therefore runs to its end, and a
 * silent one is aborted with `ModelTimeoutError`. A non-streaming call gets the whole timeout
 * for the response and its body. Errors raised while reading a started stream are wrapped in
 * `StreamInterruptedError`; other errors come from the `openai` client unchanged.
 */
export async function callModel(options: ModelCallOptions): Promise<ModelCallResult> {
  const { entry, signal } = options;
  const timeoutMs = entry.api.timeoutMs;
  const controller = new AbortController();
  let timedOut = false;
  const idleTimer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  // `refresh()` restarts the same timer, where a new one per chunk would allocate each time.
  const restartIdleTimer = (): void => {
    idleTimer.refresh();
  };
  const abortFromCaller = (): void => controller.abort();

  if (signal?.aborted) controller.abort();
  signal?.addEventListener('abort', abortFromCaller, { once: true });

  try {
    const body = requestBody(options);
    const requestOptions = { signal: controller.signal, timeout: timeoutMs };
    const streaming = entry.capabilities['streaming'] !== false;
    const result = streaming
      ? await readStream(options, body, requestOptions, restartIdleTimer, () => timedOut)
      : await readJson(options, body, requestOptions);
    if (timedOut) throw new ModelTimeoutError(timeoutMs);
    return result;
  } catch (error) {
    if (timedOut) throw new ModelTimeoutError(timeoutMs);
    throw error;
  } finally {
    clearTimeout(idleTimer);
    signal?.removeEventListener('abort', abortFromCaller);
  }
}

type RequestBody = Omit<ChatCompletionCreateParamsBase, 'stream' | 'stream_options'>;
type RequestOptions = { signal: AbortSignal; timeout: number };

/** Model parameters first, then the request's own temperature and token limit over them. */
function requestBody(options: ModelCallOptions): RequestBody {
  const { entry } = options;
  const messages: ChatCompletionMessageParam[] = options.messages.map((message) => ({
    role: message.role,
    content: message.content,
  }));

  const body: RequestBody = { ...entry.parameters, model: entry.modelId, messages };
  if (options.temperature !== undefined) body.temperature = options.temperature;
  if (options.maxTokens !== undefined) body.max_tokens = options.maxTokens;
  return body;
}

async function readJson(options: ModelCallOptions, body: RequestBody, requestOptions: RequestOptions): Promise<ModelCallResult> {
  const completion = await options.client.chat.completions.create({ ...body, stream: false }, requestOptions);
  const choice = completion.choices[0];
  const text = stripThinkBlocks(choice?.message.content ?? '').trim();
  if (text !== '') options.onText?.(text);

  return {
    text,
    usage: completion.usage ? toTokenUsage(completion.usage) : null,
    finishReason: choice?.finish_reason ?? null,
  };
}

async function readStream(
  options: ModelCallOptions,
  body: RequestBody,
  requestOptions: RequestOptions,
  onChunk: () => void,
  hasTimedOut: () => boolean,
): Promise<ModelCallResult> {
  const stream = await options.client.chat.completions.create(
    { ...body, stream: true, stream_options: { include_usage: true } },
    requestOptions,
  );

  const filter = new ThinkBlockFilter();
  let visible = '';
  let usage: TokenUsage | null = null;
  let finishReason: string | null = null;

  const addVisible = (piece: string): void => {
    if (piece === '') return;
    visible += piece;
    const visibleSoFar = visible.trimStart();
    if (visibleSoFar !== '') options.onText?.(visibleSoFar);
  };

  try {
    for await (const chunk of stream) {
      onChunk();
      if (chunk.usage) usage = toTokenUsage(chunk.usage);
      // Usage-only chunks, and Azure's first chunk, carry no choices.
      const choice = chunk.choices[0];
      if (choice === undefined) continue;
      if (choice.finish_reason) finishReason = choice.finish_reason;
      const content = choice.delta?.content;
      if (content) addVisible(filter.push(content));
    }
  } catch (error) {
    if (hasTimedOut()) throw new ModelTimeoutError(options.entry.api.timeoutMs);
    throw new StreamInterruptedError(error);
  }

  // An abort ends the `openai` stream without an error, so the caller checks `hasTimedOut`
  // and the caller's signal after this returns.
  addVisible(filter.end());
  return { text: visible.trim(), usage, finishReason };
}

function toTokenUsage(usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }): TokenUsage {
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens,
  };
}
