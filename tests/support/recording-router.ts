import type { CompletionRequest, CompletionResult, ModelRouter } from '../../src/router/types.js';

export interface RecordingRouterOptions {
  /**
   * When set, `complete` streams the reply through `request.onText` in pieces of this many
   * UTF-16 code units, passing the text so far each time, as a streaming model call does.
   */
  streamChunkSize?: number;
}

/**
 * Router double that records each request and returns `reply(request)` as the completion
 * text of a finished cloud call to model `summary-test`. An exception thrown by `reply`
 * rejects `complete`, as a router does when every model failed.
 */
export class RecordingRouter implements ModelRouter {
  readonly requests: CompletionRequest[] = [];

  constructor(
    private readonly reply: (request: CompletionRequest) => Promise<string> | string,
    private readonly options: RecordingRouterOptions = {},
  ) {
    const chunkSize = options.streamChunkSize;
    if (chunkSize !== undefined && !(Number.isInteger(chunkSize) && chunkSize > 0)) {
      throw new RangeError(`Invalid streamChunkSize ${chunkSize}: expected a positive integer`);
    }
  }

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    this.requests.push(request);
    const text = await this.reply(request);
    const chunkSize = this.options.streamChunkSize;
    if (chunkSize !== undefined) {
      for (let end = chunkSize; end < text.length + chunkSize; end += chunkSize) {
        request.onText?.(text.slice(0, end));
      }
    }
    return {
      text,
      model: 'summary-test',
      modelId: 'summary-test-model',
      provider: 'groq',
      engine: 'cloud',
      latencyMs: 1,
      usage: null,
      finishReason: 'stop',
      attempts: [],
    };
  }

  /** Returns the contents of the last request's messages joined by newlines, or '' before any request. */
  lastRequestText(): string {
    const request = this.requests.at(-1);
    return request === undefined ? '' : request.messages.map((message) => message.content).join('\n');
  }
}
