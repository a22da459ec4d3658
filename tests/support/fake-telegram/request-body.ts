/**
 * Reads the parameters of a Bot API call from an HTTP request.
 *
 * Telegram accepts parameters in the URL query string and in application/json,
 * application/x-www-form-urlencoded and multipart/form-data bodies. Outside JSON every value
 * is a string, and objects (reply_markup, entities, commands...) arrive JSON-serialized;
 * `params.ts` converts them per parameter.
 */

import { badRequest } from './errors.js';

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
export async function parseRequestParams(
  url: URL,
  contentType: string | undefined,
  body: Buffer,
): Promise<ParsedRequest> {
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
    await readMultipart(contentType ?? '', body, params, files);
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

/** Uses the WHATWG `Request` of Node's fetch to split the multipart body. */
async function readMultipart(
  contentType: string,
  body: Buffer,
  params: Record<string, unknown>,
  files: Map<string, UploadedFile>,
): Promise<void> {
  let form: FormData;
  try {
    const request = new Request('http://127.0.0.1/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    form = await request.formData();
  } catch (error) {
    throw badRequest(`can't parse multipart/form-data body: ${(error as Error).message}`);
  }

  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') {
      params[field] = value;
    } else {
      files.set(field, {
        field,
        filename: value.name,
        contentType: value.type,
        size: value.size,
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
