/**
 * Detection of the `data: [DONE]` line that ends an OpenAI-style SSE stream. The stream
 * iterator of the `openai` package (6.49, `Stream.fromSSEResponse`) ends without an error
 * when the server closes the response normally, whether or not `[DONE]` came, so a completion
 * the server gave up on halfway would look whole. `fetchMarkingStreamEnd` is passed to the
 * client as its `fetch`, and `sawDoneMarker` then returns whether a response body contained
 * the marker.
 */

/** Responses whose body is watched, with whether `[DONE]` was seen so far. */
const watched = new WeakMap<Response, { sawDone: boolean }>();

/** Characters at the start of a line that decide whether it is the marker. `data: [DONE]` has 12. */
const LINE_START_CHARS = 16;

/** The SSE field `data` with its one optional space, then the marker the `openai` package checks for. */
const DONE_LINE = /^data: ?\[DONE\]/;

/**
 * Calls the global `fetch` and, for a `text/event-stream` response, returns a copy whose body
 * is passed through unchanged while it is scanned for the `[DONE]` line.
 */
export async function fetchMarkingStreamEnd(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  const contentType = response.headers.get('content-type') ?? '';
  if (response.body === null || !contentType.toLowerCase().startsWith('text/event-stream')) return response;

  const state = { sawDone: false };
  const decoder = new TextDecoder();
  // The start of the line still being received. Only the start of a line can make it the marker.
  let lineStart = '';
  const scan = (text: string): void => {
    const lines = (lineStart + text).split(/\r\n|\r|\n/);
    const unfinished = lines.pop() ?? '';
    if (lines.some((line) => DONE_LINE.test(line))) state.sawDone = true;
    lineStart = unfinished.slice(0, LINE_START_CHARS);
  };

  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(chunk);
        if (!state.sawDone) scan(decoder.decode(chunk, { stream: true }));
      },
      flush() {
        // A last line without a line break still counts.
        if (!state.sawDone) scan(`${decoder.decode()}\n`);
      },
    }),
  );
  const watchedResponse = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  watched.set(watchedResponse, state);
  return watchedResponse;
}

/**
 * Returns whether the body of `response` contained the `[DONE]` line, or undefined when the
 * response did not come through `fetchMarkingStreamEnd` as an event stream.
 */
export function sawDoneMarker(response: Response): boolean | undefined {
  return watched.get(response)?.sawDone;
}
