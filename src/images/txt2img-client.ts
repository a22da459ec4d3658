import { ImageGenerationError } from './errors.js';
import type { ImageEndpoint } from './image-config.js';
import type { Txt2ImgRequest } from './txt2img-request.js';

/** A generated image as the server returned it. */
export interface GeneratedImage {
  png: Buffer;
  /** The seed the server used: the request's seed, or the random one it picked for -1. */
  seed: number;
  /** The request parameters as the server echoed them back. */
  parameters: Record<string, unknown>;
}

/** The first bytes of every PNG file (PNG specification, section 5.2). */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Maximum length of a server error body quoted in an error message. */
const ERROR_BODY_QUOTE_LENGTH = 200;

/**
 * Sends one `POST {baseUrl}/sdapi/v1/txt2img` and returns the first image. The response is
 * `{ images: [base64 PNG], parameters, info }`, where `info` is JSON text containing the seed used.
 * Throws `ImageGenerationError` on a timeout (`endpoint.timeoutMs` for the whole exchange),
 * a network failure, a non-2xx status, or a response without a PNG. Nothing is retried,
 * because a second request would queue another full generation on the server.
 */
export async function generateImage(
  endpoint: ImageEndpoint,
  request: Txt2ImgRequest,
  fetchImpl: typeof fetch = fetch,
): Promise<GeneratedImage> {
  const url = `${endpoint.baseUrl}/sdapi/v1/txt2img`;
  const signal = AbortSignal.timeout(endpoint.timeoutMs);

  let body: unknown;
  try {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(request),
      signal,
    });
    if (!response.ok) {
      const text = (await response.text()).slice(0, ERROR_BODY_QUOTE_LENGTH);
      throw new ImageGenerationError(`txt2img at ${url} failed with HTTP ${response.status}: ${text}`, 'http_status', url, response.status);
    }
    body = await response.json();
  } catch (error) {
    if (error instanceof ImageGenerationError) throw error;
    if (signal.aborted) {
      throw new ImageGenerationError(`txt2img at ${url} timed out after ${endpoint.timeoutMs} ms; raise api_configs.timeout of "forge" if the server is just slow.`, 'timeout', url, undefined, { cause: error });
    }
    if (error instanceof SyntaxError) {
      throw new ImageGenerationError(`txt2img at ${url} returned a body that is not JSON.`, 'bad_response', url, undefined, { cause: error });
    }
    throw new ImageGenerationError(`txt2img at ${url} failed: ${(error as Error).message}; check that the server runs with --api.`, 'network', url, undefined, { cause: error });
  }

  return readImageResponse(body, request, url);
}

function readImageResponse(body: unknown, request: Txt2ImgRequest, url: string): GeneratedImage {
  const object = isPlainObject(body) ? body : {};
  const first = Array.isArray(object.images) ? object.images[0] : undefined;
  if (typeof first !== 'string' || first === '') {
    throw new ImageGenerationError(`txt2img at ${url} returned no image in "images".`, 'bad_response', url);
  }

  // Some servers prefix the data with `data:image/png;base64,`.
  const png = Buffer.from(first.replace(/^data:[^,]*,/, ''), 'base64');
  if (png.length <= PNG_SIGNATURE.length || !png.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) {
    throw new ImageGenerationError(`txt2img at ${url} returned an image that is not a PNG.`, 'bad_response', url);
  }

  const parameters = isPlainObject(object.parameters) ? object.parameters : {};
  return { png, seed: seedFromInfo(object.info) ?? request.seed, parameters };
}

/** Reads `seed` from the `info` JSON text; undefined when it is missing or not JSON. */
function seedFromInfo(info: unknown): number | undefined {
  if (typeof info !== 'string') return undefined;
  try {
    const parsed = JSON.parse(info) as unknown;
    const seed = isPlainObject(parsed) ? parsed.seed : undefined;
    return typeof seed === 'number' && Number.isFinite(seed) ? seed : undefined;
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
