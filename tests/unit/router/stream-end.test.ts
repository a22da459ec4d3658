import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { fetchMarkingStreamEnd, sawDoneMarker } from '../../../src/router/stream-end.js';

/** Body pieces the server writes one by one, with the content type of the response. */
let reply: { contentType: string; pieces: string[] };
let server: Server;
let url: string;

beforeEach(async () => {
  server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': reply.contentType });
    void (async () => {
      for (const piece of reply.pieces) {
        response.write(piece);
        // A pause between writes so each piece arrives as its own chunk.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      response.end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function readMarked(pieces: string[], contentType = 'text/event-stream'): Promise<{ body: string; sawDone: boolean | undefined }> {
  reply = { contentType, pieces };
  const response = await fetchMarkingStreamEnd(url, { method: 'POST' });
  const body = await response.text();
  return { body, sawDone: sawDoneMarker(response) };
}

const CHUNK = 'data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n';

describe('fetchMarkingStreamEnd', () => {
  it('passes the body through unchanged', async () => {
    const { body, sawDone } = await readMarked([CHUNK, 'data: [DONE]\n\n']);

    expect(body).toBe(`${CHUNK}data: [DONE]\n\n`);
    expect(sawDone).toBe(true);
  });

  it('reports a stream without the marker', async () => {
    const { sawDone } = await readMarked([CHUNK, CHUNK]);

    expect(sawDone).toBe(false);
  });

  it('finds a marker split across chunks', async () => {
    const { sawDone } = await readMarked([`${CHUNK}da`, 'ta: [DO', 'NE]\r\n\r\n']);

    expect(sawDone).toBe(true);
  });

  it('finds a marker without a final line break', async () => {
    const { sawDone } = await readMarked([CHUNK, 'data:[DONE]']);

    expect(sawDone).toBe(true);
  });

  it('ignores the marker text inside content', async () => {
    const quoted = 'data: {"choices":[{"index":0,"delta":{"content":"data: [DONE]"},"finish_reason":null}]}\n\n';

    const { sawDone } = await readMarked([quoted]);

    expect(sawDone).toBe(false);
  });

  it('leaves other responses unwatched', async () => {
    const { body, sawDone } = await readMarked(['{"ok":true}'], 'application/json');

    expect(body).toBe('{"ok":true}');
    expect(sawDone).toBeUndefined();
  });
});
