/**
 * Reads the parameters of a Bot API call from an HTTP request.
 *
 * Telegram accepts parameters in the URL query string and in application/json,
 * application/x-www-form-urlencoded and multipart/form-data bodies. Outside JSON every value
 * is a string, and objects (reply_markup, entities, commands...) arrive JSON-serialized;
 * `params.ts` converts them per parameter.
 */

import { badRequest } from './errors.js';
import { multipartBoundary, parseMultipart, type MultipartPart } from './multipart.js';

/** A file part of a multipart upload. Only its metadata is kept. */
export interface UploadedFile {
  /** Form field name of the part. */
  field: string;
  filename: string;
  contentType: string;
  /** Size in bytes. */
  size: number;
}

export interface ParsedRequest {
  params: Record<string, unknown>;
  /** Uploaded files by form field name. */
  files: Map<string, UploadedFile>;
}

/** Merges query-string and body parameters; body values win on a name clash. */
export function parseRequestParams(url: URL, contentType: string | undefined, body: Buffer): ParsedRequest {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const files = new Map<string, UploadedFile>();
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

  if (body.length === 0) {
    return { params, files };
  }

  if (mediaType === 'application/json') {
    Object.assign(params, parseJsonObject(body));
  } else if (mediaType === 'application/x-www-form-urlencoded') {
    Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  } else if (mediaType === 'multipart/form-data') {
    readMultipart(contentType ?? '', body, params, files);
  }

  return { params, files };
}

function parseJsonObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('invalid JSON in the request body');
  }

  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('the request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function readMultipart(
  contentType: string,
  body: Buffer,
  params: Record<string, unknown>,
  files: Map<string, UploadedFile>,
): void {
  const boundary = multipartBoundary(contentType);
  if (boundary === undefined) {
    throw badRequest("can't parse multipart/form-data body: the Content-Type has no boundary");
  }

  let parts: MultipartPart[];
  try {
    parts = parseMultipart(body, boundary);
  } catch (error) {
    throw badRequest(`can't parse multipart/form-data body: ${(error as Error).message}`);
  }

  for (const part of parts) {
    if (part.filename === undefined) {
      params[part.name] = part.data.toString('utf8');
    } else {
      files.set(part.name, {
        field: part.name,
        filename: part.filename,
        contentType: part.contentType ?? 'application/octet-stream',
        size: part.data.length,
      });
    }
  }
}

/**
 * Finds the upload a file parameter refers to: either an `attach://<field>` reference (the
 * form grammY sends) or a part named like the parameter itself.
 */
export function findUpload(
  name: string,
  params: Record<string, unknown>,
  files: Map<string, UploadedFile>,
): UploadedFile | undefined {
  const value = params[name];
  if (typeof value === 'string' && value.startsWith('attach://')) {
    return files.get(value.slice('attach://'.length));
  }
  return files.get(name);
}
