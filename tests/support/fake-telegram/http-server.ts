/**
 * The HTTP side of the fake Bot API server: it listens on 127.0.0.1, splits
 * `/bot<token>/<method>` URLs, reads bodies, and writes the JSON reply with the HTTP status
 * equal to `error_code`, as Telegram does.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ApiResponse } from './types.js';

/** One HTTP request addressed to a bot method. */
export interface IncomingCall {
  token: string;
  method: string;
  url: URL;
  contentType: string | undefined;
  body: Buffer;
  /** Aborted when the client disconnects before the reply is written. */
  signal: AbortSignal;
}

export type CallDispatcher = (call: IncomingCall) => Promise<ApiResponse>;

export interface ApiServer {
  /** `http://127.0.0.1:<port>`, the `apiRoot` for grammY's client options. */
  origin: string;
  close(): Promise<void>;
}

const BOT_PATH_PATTERN = /^\/bot([^/]+)\/([^/]+)\/?$/;

const NOT_FOUND: ApiResponse = { ok: false, error_code: 404, description: 'Not Found' };

/** Starts the server on an ephemeral port of 127.0.0.1 and resolves once it listens. */
export async function listenApiServer(dispatch: CallDispatcher): Promise<ApiServer> {
  /** Requests whose reply is not written yet; close() lets them finish. */
  const inFlight = new Set<Promise<void>>();
  const server = createServer((request, response) => {
    const handled = handleRequest(dispatch, request, response);
    inFlight.add(handled);
    void handled.finally(() => inFlight.delete(handled));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => closeServer(server, inFlight),
  };
}

async function handleRequest(
  dispatch: CallDispatcher,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const match = BOT_PATH_PATTERN.exec(url.pathname);
  if (match === null || (request.method !== 'GET' && request.method !== 'POST')) {
    writeJson(response, NOT_FOUND);
    return;
  }

  const aborted = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) {
      aborted.abort();
    }
  });

  let reply: ApiResponse;
  try {
    const body = await readBody(request);
    reply = await dispatch({
      token: decodeURIComponent(match[1] ?? ''),
      method: match[2] ?? '',
      url,
      contentType: request.headers['content-type'],
      body,
      signal: aborted.signal,
    });
  } catch (error) {
    // The dispatcher turns every API error into a reply itself, so only a failed body read lands here.
    reply = { ok: false, error_code: 500, description: `Internal Server Error: ${(error as Error).message}` };
  }

  if (!response.destroyed) {
    writeJson(response, reply);
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function writeJson(response: ServerResponse, reply: ApiResponse): void {
  const status = reply.ok ? 200 : reply.error_code;
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(reply));
}

/**
 * Stops accepting connections, waits for replies under way (a released long poll among
 * them), then drops every connection, including idle keep-alive ones.
 */
async function closeServer(server: Server, inFlight: Set<Promise<void>>): Promise<void> {
  const closed = new Promise<void>((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
  });
  await Promise.allSettled([...inFlight]);
  server.closeAllConnections();
  await closed;
}
