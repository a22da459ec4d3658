/**
 * Typed readers for Bot API call parameters, which arrive as JSON values or as strings
 * depending on how the client encoded the request.
 */

import { BAD_REQUEST, badRequest } from './errors.js';

export type Params = Record<string, unknown>;

/** Reads `chat_id`. Channel usernames (`@name`) are not supported and are not found. */
export function readChatId(params: Params): number {
  const value = params['chat_id'];
  if (value === undefined || value === null || value === '') {
    throw badRequest(BAD_REQUEST.chatIdEmpty);
  }

  const chatId = toInteger(value);
  if (chatId === undefined) {
    throw badRequest(BAD_REQUEST.chatNotFound);
  }
  return chatId;
}

export function readMessageId(params: Params): number {
  const messageId = readOptionalInteger(params, 'message_id');
  if (messageId === undefined) {
    throw badRequest(BAD_REQUEST.messageIdMissing);
  }
  return messageId;
}

export function readOptionalInteger(params: Params, name: string): number | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') {
    return undefined;
  }

  const integer = toInteger(value);
  if (integer === undefined) {
    throw badRequest(`invalid ${name} specified`);
  }
  return integer;
}

export function readOptionalString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) {
    return undefined;
  }
  return typeof value === 'string' ? value : String(value);
}

export function readOptionalBoolean(params: Params, name: string): boolean | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  return value === true || value === 'true' || value === '1' || value === 1;
}

/**
 * Reads a parameter that holds an object or array: the value itself in a JSON body, a
 * JSON-serialized string otherwise.
 */
export function readOptionalJson(params: Params, name: string): unknown {
  const value = params[name];
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    return value;
  }

  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw badRequest(`can't parse ${name} JSON object`);
  }
}

function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? value : undefined;
  }
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) {
    const integer = Number(value.trim());
    return Number.isSafeInteger(integer) ? integer : undefined;
  }
  return undefined;
}
