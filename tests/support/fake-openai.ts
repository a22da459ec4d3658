import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake OpenAI-compatible chat API on 127.0.0.1 for tests. It serves `POST /v1/chat/completions`
 * (JSON or SSE streaming, in the `chat.completion` and `chat.completion.chunk` shapes) and
 * `GET /v1/models`, and plays scripted behaviours per model id: replies, HTTP errors, hangs,
 * stalls, cut connections, error events inside a 200 stream and streams that end early without `[DONE]`.
 */

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

/** A successful reply. `text` defaults to `Reply to: <last user message>`. */
export interface FakeTextBehaviour {
  text?: string;
  /** Reasoning sent before the text as `<think>...</think>`, split across chunks like the text. */
  think?: string;
  /** `stop` by default; null sends no finish_reason at all. */
  finishReason?: string | null;
  /** Counted from the text by default; null leaves usage out of the response. */
  usage?: FakeUsage | null;
  /** Wait before the JSON response, or before each streamed chunk. */
  delayMs?: number;
  /** Characters per streamed content chunk; 5 by default. */
  chunkSize?: number;
  /** Send a chunk with `choices: []` before the first content chunk, as Azure does. */
  emptyChoicesChunk?: boolean;
  /** false leaves out the final `data: [DONE]` line of a stream. */
  sendDone?: boolean;
  /** Reasoning streamed before the text in the `delta.reasoning` field, split into chunks like the text. */
  reasoningField?: string;
}

/** An HTTP error with an OpenAI-style error body. */
export interface FakeErrorBehaviour {
  status: number;
  error: { message: string; type: string; code: string | null };
  headers?: Record<string, string>;
}

/** Accepts the request and never responds. */
export interface FakeHangBehaviour {
  hang: true;
}

/**
 * Faults in the middle of a stream after `n` content chunks of `text`. A non-streaming request
 * gets the nearest equivalent: a stall hangs, a cut closes the socket before any response, and an
 * error event becomes a 500 response.
 */
export interface FakeStallBehaviour {
  stallAfterChunks: number;
  text?: string;
  chunkSize?: number;
}

export interface FakeCutBehaviour {
  /** Destroys the socket after this many content chunks. */
  cutAfterChunks: number;
  text?: string;
  chunkSize?: number;
}

export interface FakeStreamErrorBehaviour {
  /** Sends `data: {"error": {...}}` after this many content chunks, then ends the response. */
  errorAfterChunks: number;
  text?: string;
  chunkSize?: number;
  error?: { message: string; type: string; code: string | null };
}

export interface FakeEarlyEndBehaviour {
  /**
   * Ends the response normally after this many content chunks, with no finish_reason and no
   * `data: [DONE]`, as a server that gives up mid-answer does. A non-streaming request gets a
   * 200 response whose JSON body is cut short.
   */
  endAfterChunks: number;
  text?: string;
  chunkSize?: number;
}

export type FakeBehaviour =
  | FakeTextBehaviour
  | FakeErrorBehaviour
  | FakeHangBehaviour
  | FakeStallBehaviour
  | FakeCutBehaviour
  | FakeStreamErrorBehaviour
  | FakeEarlyEndBehaviour;

export interface RecordedRequest {
  method: string;
  /** Request path, e.g. `/v1/chat/completions`. */
  path: string;
  /** The `Authorization` header as received, or undefined. */
  authorization: string | undefined;
  /** The parsed JSON body. */
  body: ChatCompletionBody;
}

/** The parts of a chat completion request body the fake reads; other fields are kept as sent. */
export interface ChatCompletionBody {
  model: string;
  messages: Array<{ role: string; content: unknown }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  [key: string]: unknown;
}

export interface FakeOpenAI {
  /** `http://127.0.0.1:PORT/v1`, ready for `new OpenAI({ baseURL })`. */
  baseURL: string;
  /** Every chat completion request received, in order. */
  requests: RecordedRequest[];
  /** Queues behaviours for `model`, consumed one per request in order. */
  script(model: string, ...behaviours: FakeBehaviour[]): void;
  /** Sets the behaviour used for `model` once its queue is empty, and lists the model. */
  setDefault(model: string, behaviour: FakeBehaviour): void;
  /** Closes the server and destroys open connections, hanging ones included. */
  close(): Promise<void>;
}

const DEFAULT_CHUNK_SIZE = 5;
const CHAT_PATH = '/v1/chat/completions';
const MODELS_PATH = '/v1/models';

/** Starts the fake on 127.0.0.1 with an OS-assigned port. */
export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const queues = new Map<string, FakeBehaviour[]>();
  const defaults = new Map<string, FakeBehaviour>();
  const requests: RecordedRequest[] = [];
  let completionCounter = 0;

  const knownModel = (model: string): boolean => queues.has(model) || defaults.has(model);

  const nextBehaviour = (model: string, body: ChatCompletionBody): FakeBehaviour => {
    const queued = queues.get(model)?.shift();
    if (queued !== undefined) return queued;
    return defaults.get(model) ?? { text: echoText(body) };
  };

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        sendJson(response, 500, errorBody(`fake server failed: ${String(error)}`, 'server_error', null));
      } else {
        response.destroy();
      }
    });
  });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;

    if (request.method === 'GET' && path === MODELS_PATH) {
      const models = [...new Set([...queues.keys(), ...defaults.keys()])];
      sendJson(response, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' })),
      });
      return;
    }

    if (request.method !== 'POST' || path !== CHAT_PATH) {
      sendJson(response, 404, errorBody(`Unknown route ${request.method} ${path}`, 'invalid_request_error', null));
      return;
    }

    const rawBody = await readBody(request);
    let body: ChatCompletionBody;
    try {
      body = JSON.parse(rawBody) as ChatCompletionBody;
    } catch {
      sendJson(response, 400, errorBody('The request body is not valid JSON.', 'invalid_request_error', null));
      return;
    }
    requests.push({ method: request.method, path, authorization: request.headers.authorization, body });

    if (!knownModel(body.model)) {
      sendJson(
        response,
        404,
        errorBody(`The model \`${body.model}\` does not exist`, 'invalid_request_error', 'model_not_found'),
      );
      return;
    }

    completionCounter += 1;
    const context: ReplyContext = {
      id: `chatcmpl-fake${completionCounter}`,
      model: body.model,
      created: Math.floor(Date.now() / 1000),
      body,
    };
    const behaviour = nextBehaviour(body.model, body);
    if (body.stream === true) {
      await streamReply(response, behaviour, context);
    } else {
      await jsonReply(response, behaviour, context);
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    script(model, ...behaviours) {
      const queue = queues.get(model) ?? [];
      queue.push(...behaviours);
      queues.set(model, queue);
    },
    setDefault(model, behaviour) {
      defaults.set(model, behaviour);
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

interface ReplyContext {
  id: string;
  model: string;
  created: number;
  body: ChatCompletionBody;
}

async function jsonReply(response: ServerResponse, behaviour: FakeBehaviour, context: ReplyContext): Promise<void> {
  if ('hang' in behaviour || 'stallAfterChunks' in behaviour) return;
  if ('cutAfterChunks' in behaviour) {
    response.socket?.destroy();
    return;
  }
  if ('errorAfterChunks' in behaviour) {
    const error = behaviour.error ?? defaultStreamError();
    sendJson(response, 500, { error });
    return;
  }
  if ('endAfterChunks' in behaviour) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"id": "chatcmpl-cut", "object": "chat.completion", "choices": [');
    return;
  }
  if ('status' in behaviour) {
    sendJson(response, behaviour.status, { error: behaviour.error }, behaviour.headers);
    return;
  }

  await sleep(behaviour.delayMs ?? 0);
  const content = fullContent(behaviour, context.body);
  const finishReason = behaviour.finishReason === undefined ? 'stop' : behaviour.finishReason;
  const usage = usageFor(behaviour, context.body, content);
  sendJson(response, 200, {
    id: context.id,
    object: 'chat.completion',
    created: context.created,
    model: context.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    ...(usage ? { usage } : {}),
  });
}

async function streamReply(response: ServerResponse, behaviour: FakeBehaviour, context: ReplyContext): Promise<void> {
  if ('hang' in behaviour) return;
  if ('status' in behaviour) {
    sendJson(response, behaviour.status, { error: behaviour.error }, behaviour.headers);
    return;
  }

  const includeUsage = context.body.stream_options?.include_usage === true;
  const chunk = (choices: unknown[], usage?: unknown): Record<string, unknown> => ({
    id: context.id,
    object: 'chat.completion.chunk',
    created: context.created,
    model: context.model,
    system_fingerprint: 'fp_fake',
    choices,
    ...(includeUsage ? { usage: usage ?? null } : {}),
  });
  const delta = (value: Record<string, unknown>, finishReason: string | null = null): unknown => ({
    index: 0,
    delta: value,
    logprobs: null,
    finish_reason: finishReason,
  });

  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  response.flushHeaders();

  const text = 'text' in behaviour && behaviour.text !== undefined ? behaviour.text : undefined;
  const content = isFault(behaviour)
    ? (text ?? echoText(context.body))
    : fullContent(behaviour as FakeTextBehaviour, context.body);
  const pieces = splitText(content, behaviour.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const delayMs = 'delayMs' in behaviour ? (behaviour.delayMs ?? 0) : 0;
  const faultAfter = faultPoint(behaviour);

  writeEvent(response, chunk([delta({ role: 'assistant', content: '' })]));
  if ('emptyChoicesChunk' in behaviour && behaviour.emptyChoicesChunk === true) {
    writeEvent(response, chunk([]));
  }
  const reasoning = 'reasoningField' in behaviour ? (behaviour.reasoningField ?? '') : '';
  for (const piece of splitText(reasoning, behaviour.chunkSize ?? DEFAULT_CHUNK_SIZE)) {
    if (response.destroyed) return;
    writeEvent(response, chunk([delta({ reasoning: piece })]));
  }

  for (const [index, piece] of pieces.entries()) {
    if (faultAfter !== undefined && index === faultAfter) break;
    await sleep(delayMs);
    if (response.destroyed) return;
    writeEvent(response, chunk([delta({ content: piece })]));
  }

  if ('stallAfterChunks' in behaviour) return;
  if ('cutAfterChunks' in behaviour) {
    // Let the written chunks reach the client first, so the cut happens mid-stream.
    await sleep(20);
    response.socket?.destroy();
    return;
  }
  if ('errorAfterChunks' in behaviour) {
    writeEvent(response, { error: behaviour.error ?? defaultStreamError() });
    response.end();
    return;
  }
  if ('endAfterChunks' in behaviour) {
    response.end();
    return;
  }

  const textBehaviour = behaviour as FakeTextBehaviour;
  const finishReason = textBehaviour.finishReason === undefined ? 'stop' : textBehaviour.finishReason;
  if (finishReason !== null) {
    writeEvent(response, chunk([delta({}, finishReason)]));
  }
  const usage = usageFor(textBehaviour, context.body, content);
  if (includeUsage && usage) {
    writeEvent(response, chunk([], usage));
  }
  if (textBehaviour.sendDone !== false) response.write('data: [DONE]\n\n');
  response.end();
}

function faultPoint(behaviour: FakeBehaviour): number | undefined {
  if ('stallAfterChunks' in behaviour) return behaviour.stallAfterChunks;
  if ('cutAfterChunks' in behaviour) return behaviour.cutAfterChunks;
  if ('errorAfterChunks' in behaviour) return behaviour.errorAfterChunks;
  if ('endAfterChunks' in behaviour) return behaviour.endAfterChunks;
  return undefined;
}

function isFault(behaviour: FakeBehaviour): boolean {
  return faultPoint(behaviour) !== undefined;
}

function fullContent(behaviour: FakeTextBehaviour, body: ChatCompletionBody): string {
  const text = behaviour.text ?? echoText(body);
  return behaviour.think === undefined ? text : `<think>${behaviour.think}</think>\n\n${text}`;
}

/** `Reply to: <last user message>`, the reply of a model with nothing scripted. */
export function echoText(body: ChatCompletionBody): string {
  const lastUser = [...body.messages].reverse().find((message) => message.role === 'user');
  const content = typeof lastUser?.content === 'string' ? lastUser.content : '';
  return `Reply to: ${content}`;
}

function usageFor(
  behaviour: FakeTextBehaviour,
  body: ChatCompletionBody,
  content: string,
): { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null {
  if (behaviour.usage === null) return null;
  const promptText = body.messages.map((message) => (typeof message.content === 'string' ? message.content : '')).join(' ');
  const promptTokens = behaviour.usage?.prompt_tokens ?? countWords(promptText);
  const completionTokens = behaviour.usage?.completion_tokens ?? countWords(content);
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

function countWords(text: string): number {
  return text.split(/\s+/).filter((word) => word !== '').length;
}

function splitText(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) {
    pieces.push(text.slice(start, start + size));
  }
  return pieces;
}

function defaultStreamError(): { message: string; type: string; code: string | null } {
  return { message: 'The server had an error while processing your request.', type: 'server_error', code: null };
}

function errorBody(message: string, type: string, code: string | null): unknown {
  return { error: { message, type, param: null, code } };
}

function writeEvent(response: ServerResponse, payload: unknown): void {
  response.write(`data: ${JSON.stringify(payload)}\n\n`);
}

function sendJson(response: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(payload);
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function sleep(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
