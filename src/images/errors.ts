/** Reason a `txt2img` call failed. */
export type ImageFailureKind =
  /** No response within the `api_configs.timeout` of the `forge` row. */
  | 'timeout'
  /** The server responded with a non-2xx HTTP status. */
  | 'http_status'
  /** The connection failed before a response arrived (refused, reset, DNS). */
  | 'network'
  /** A 2xx response without a decodable PNG in `images[0]`. */
  | 'bad_response';

/**
 * Thrown by `generateImage`. The message names the URL and what failed; `kind` lets callers
 * choose a reply without parsing the message, and `status` is the HTTP status for
 * `http_status`.
 */
export class ImageGenerationError extends Error {
  override readonly name = 'ImageGenerationError';

  constructor(
    message: string,
    readonly kind: ImageFailureKind,
    readonly url: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
