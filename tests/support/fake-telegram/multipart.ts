/**
 * A small multipart/form-data reader (RFC 7578) for upload calls such as sendPhoto.
 *
 * It exists because the WHATWG `Request.formData()` of Node 20 rejects the bodies grammY
 * 1.46 writes: grammY omits the space after `content-disposition:` and leaves filenames
 * unquoted, which Telegram accepts. Header names are matched case-insensitively and
 * parameter values may be quoted or bare.
 */

export interface MultipartPart {
  name: string;
  /** Present for file parts. */
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Reads the `boundary` parameter of a multipart Content-Type header. */
export function multipartBoundary(contentType: string): string | undefined {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** Splits `body` into its parts; throws when the body is not delimited by `boundary`. */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const opening = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  if (body.indexOf(opening) === -1) {
    throw new Error(`boundary "${boundary}" not found in the body`);
  }

  const parts: MultipartPart[] = [];
  let cursor = body.indexOf(opening) + opening.length;

  while (true) {
    // "--" right after a delimiter closes the body.
    if (body[cursor] === 0x2d && body[cursor + 1] === 0x2d) {
      return parts;
    }
    if (body[cursor] === 0x0d && body[cursor + 1] === 0x0a) {
      cursor += 2;
    }

    const end = body.indexOf(delimiter, cursor);
    if (end === -1) {
      throw new Error('the body ends without a closing boundary');
    }
    parts.push(parsePart(body.subarray(cursor, end)));
    cursor = end + delimiter.length;
  }
}

function parsePart(part: Buffer): MultipartPart {
  const headerEnd = part.indexOf('\r\n\r\n');
  if (headerEnd === -1) {
    throw new Error('a part has no blank line after its headers');
  }

  const headers = new Map<string, string>();
  for (const line of part.subarray(0, headerEnd).toString('utf8').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
  }

  const disposition = headers.get('content-disposition') ?? '';
  const name = dispositionParameter(disposition, 'name');
  if (name === undefined) {
    throw new Error('a part has no name in its content-disposition header');
  }

  const result: MultipartPart = { name, data: part.subarray(headerEnd + 4) };
  const filename = dispositionParameter(disposition, 'filename');
  if (filename !== undefined) {
    result.filename = filename;
  }
  const contentType = headers.get('content-type');
  if (contentType !== undefined) {
    result.contentType = contentType;
  }
  return result;
}

function dispositionParameter(disposition: string, parameter: string): string | undefined {
  const pattern = new RegExp(`;\\s*${parameter}=(?:"([^"]*)"|([^;]*))`, 'i');
  const match = pattern.exec(disposition);
  if (match === null) {
    return undefined;
  }
  return match[1] ?? match[2]?.trim();
}
