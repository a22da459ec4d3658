import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake AUTOMATIC1111 / Forge image API on 127.0.0.1 for tests. It serves
 * `POST /sdapi/v1/txt2img`, records each request body, and responds with a 1x1 PNG as base64
 * in the WebUI's `{ images, parameters, info }` shape, or with the failure set in `behaviour`.
 */

/** What the next requests get. */
export type FakeTxt2ImgBehaviour =
  | { kind: 'image'; seed?: number }
  /** An HTTP error status with a short text body. */
  | { kind: 'status'; status: number }
  /** Accepts the request and never responds. */
  | { kind: 'hang' }
  /** A 200 response whose `images[0]` is not a PNG. */
  | { kind: 'not_png' };

export interface RecordedTxt2ImgRequest {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

export interface FakeTxt2Img {
  /** Server root, e.g. `http://127.0.0.1:40123`. */
  baseUrl: string;
  requests: RecordedTxt2ImgRequest[];
  behaviour: FakeTxt2ImgBehaviour;
  /** Closes the server and destroys open connections, hanging ones included. */
  close(): Promise<void>;
}

/** A valid 1x1 transparent PNG. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** Seed the fake reports in `info` when the request has seed -1 (random). */
export const FAKE_RANDOM_SEED = 424242;

export async function startFakeTxt2Img(): Promise<FakeTxt2Img> {
  const requests: RecordedTxt2ImgRequest[] = [];
  const fake = { requests, behaviour: { kind: 'image' } as FakeTxt2ImgBehaviour };

  const server = createServer((request, response) => {
    void handle(request, response).catch(() => response.destroy());
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { unparsed: text };
    }
    requests.push({ method: request.method ?? '', path: request.url ?? '', body });

    if (request.method !== 'POST' || request.url !== '/sdapi/v1/txt2img') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
      return;
    }

    const behaviour = fake.behaviour;
    if (behaviour.kind === 'hang') return;
    if (behaviour.kind === 'status') {
      response.writeHead(behaviour.status, { 'content-type': 'text/plain' }).end('Internal Server Error');
      return;
    }

    let seed = typeof body.seed === 'number' && body.seed !== -1 ? body.seed : FAKE_RANDOM_SEED;
    if (behaviour.kind === 'image' && behaviour.seed !== undefined) seed = behaviour.seed;
    const image = behaviour.kind === 'not_png' ? Buffer.from('GIF89a not a png').toString('base64') : TINY_PNG.toString('base64');
    const payload = { images: [image], parameters: body, info: JSON.stringify({ seed, all_seeds: [seed], prompt: body.prompt }) };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return Object.assign(fake, {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  });
}
