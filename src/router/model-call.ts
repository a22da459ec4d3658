import type OpenAI from 'openai';
import type {
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';

import type { ModelEntry } from './catalog.js';
import { ModelTimeoutError, StreamInterruptedError } from './failure.js';
import { sawDoneMarker } from './stream-end.js';
import { ThinkBlockFilter, stripThinkBlocks } from './think-filter.js';
import type { ChatMessage, TokenUsage } from './types.js';

/**
 * Maximum characters of completion text, reasoning included, read from one model call.
 * A model that repeats itself streams until its server stops it, because every chunk restarts
 * the idle timer and a request without `max_tokens` leaves the length to the server's default.
 * Reading stops here and the completion counts as cut off (`finishReason` `length`). 50,000
 * characters are about 12,500 tokens at an estimated four characters per token, and 13
 * Telegram messages.
 */
export const MAX_COMPLETION_CHARS = 50_000;

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
 * `StreamInterruptedError`, and so is a stream that ends with neither a finish reason nor
 * `[DONE]`. Other errors come from the `openai` client unchanged. A completion longer than
 * `MAX_COMPLETION_CHARS` is cut there and returned with `finishReason` `length`.
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
  const content = choice?.message.content ?? '';
  const overCap = content.length > MAX_COMPLETION_CHARS;
  const text = stripThinkBlocks(overCap ? cutAt(content, MAX_COMPLETION_CHARS) : content).trim();
  if (text !== '') options.onText?.(text);

  return {
    text,
    usage: completion.usage ? toTokenUsage(completion.usage) : null,
    finishReason: overCap ? 'length' : (choice?.finish_reason ?? null),
  };
}

async function readStream(
  options: ModelCallOptions,
  body: RequestBody,
  requestOptions: RequestOptions,
  onChunk: () => void,
  hasTimedOut: () => boolean,
): Promise<ModelCallResult> {
  const { data: stream, response } = await options.client.chat.completions
    .create({ ...body, stream: true, stream_options: { include_usage: true } }, requestOptions)
    .withResponse();

  const filter = new ThinkBlockFilter();
  // Visible text without its leading white space. Trimming only until the first visible
  // character, instead of trimming the whole text again for each chunk, keeps a long
  // completion linear in its length.
  let visible = '';
  let receivedChars = 0;
  let usage: TokenUsage | null = null;
  let finishReason: string | null = null;

  const addVisible = (piece: string): void => {
    if (piece === '') return;
    visible = visible === '' ? piece.trimStart() : visible + piece;
    if (visible !== '') options.onText?.(visible);
  };

  try {
    for await (const chunk of stream) {
      onChunk();
      if (chunk.usage) usage = toTokenUsage(chunk.usage);
      // Usage-only chunks, and Azure's first chunk, carry no choices.
      const choice = chunk.choices[0];
      if (choice === undefined) continue;
      if (choice.finish_reason) finishReason = choice.finish_reason;
      const content = choice.delta?.content ?? '';
      const reasoningChars = reasoningLength(choice.delta);
      if (content === '' && reasoningChars === 0) continue;

      if (receivedChars + reasoningChars + content.length > MAX_COMPLETION_CHARS) {
        addVisible(filter.push(cutAt(content, MAX_COMPLETION_CHARS - receivedChars - reasoningChars)));
        finishReason = 'length';
        // Leaving the loop makes the `openai` stream abort the request.
        break;
      }
      receivedChars += reasoningChars + content.length;
      addVisible(filter.push(content));
    }
  } catch (error) {
    if (hasTimedOut()) throw new ModelTimeoutError(options.entry.api.timeoutMs);
    throw new StreamInterruptedError(error);
  }

  // An abort ends the `openai` stream without an error, so the caller checks `hasTimedOut`
  // and the caller's signal after this returns. A stream that the server closed with neither
  // a finish reason nor `[DONE]` was given up halfway, so its text is not a whole completion.
  if (finishReason === null && !hasTimedOut() && !options.signal?.aborted && sawDoneMarker(response) === false) {
    throw new StreamInterruptedError(new Error('the server ended the stream without a finish reason or [DONE]'));
  }
  addVisible(filter.end());
  return { text: visible.trim(), usage, finishReason };
}

/**
 * Returns the length of the reasoning a delta carries outside `content`, in the field names
 * OpenAI-compatible servers use for it: `reasoning` (as in OpenRouter's stream delta) and
 * `reasoning_content` (as in Z.ai's). Neither is shown, but both count toward `MAX_COMPLETION_CHARS`.
 */
function reasoningLength(delta: object | undefined): number {
  if (delta === undefined) return 0;
  const { reasoning, reasoning_content: reasoningContent } = delta as { reasoning?: unknown; reasoning_content?: unknown };
  return (typeof reasoning === 'string' ? reasoning.length : 0) + (typeof reasoningContent === 'string' ? reasoningContent.length : 0);
}

/** Returns the first `length` UTF-16 code units of `text`, one fewer when that would split a surrogate pair. */
function cutAt(text: string, length: number): string {
  const end = Math.max(0, length);
  const lastCode = text.charCodeAt(end - 1);
  const splitsPair = end < text.length && lastCode >= 0xd800 && lastCode <= 0xdbff;
  return text.slice(0, splitsPair ? end - 1 : end);
}

function toTokenUsage(usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }): TokenUsage {
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens,
  };
}
