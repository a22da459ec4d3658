/**
 * Error replies of the fake Bot API server, worded as Telegram words them.
 *
 * Telegram replies to a failed call with `{ ok: false, error_code, description, parameters? }`
 * and an HTTP status equal to `error_code`. Descriptions start with the status text
 * ("Bad Request: ...", "Forbidden: ...") and client code matches on them, so the wording
 * here matters as much as the code.
 *
 * NOTE: most descriptions are copied from real server replies quoted in public bug reports.
 * The wording of these is unconfirmed: a missing `draft_id`, `message_id` or photo, an
 * invalid command description, more than 100 commands, an unsupported parse mode and a
 * malformed request body.
 */

/** The `parameters` object Telegram adds to some errors. */
export interface ResponseParameters {
  retry_after?: number;
  migrate_to_chat_id?: number;
}

/** An error reply as the fake sends it. Throw it from a method handler to fail the call. */
export class TelegramApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(`${errorCode}: ${description}`);
    this.name = 'TelegramApiError';
  }
}

export function badRequest(detail: string): TelegramApiError {
  return new TelegramApiError(400, `Bad Request: ${detail}`);
}

export function unauthorized(): TelegramApiError {
  return new TelegramApiError(401, 'Unauthorized');
}

export function blockedByUser(): TelegramApiError {
  return new TelegramApiError(403, 'Forbidden: bot was blocked by the user');
}

export function methodNotFound(): TelegramApiError {
  return new TelegramApiError(404, 'Not Found');
}

/** Sent to a held getUpdates request when a newer one for the same token arrives. */
export function getUpdatesConflict(): TelegramApiError {
  return new TelegramApiError(
    409,
    'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
  );
}

export function tooManyRequests(retryAfterSeconds: number): TelegramApiError {
  return new TelegramApiError(429, `Too Many Requests: retry after ${retryAfterSeconds}`, {
    retry_after: retryAfterSeconds,
  });
}

/** Descriptions of the 400 replies, without the "Bad Request: " prefix. */
export const BAD_REQUEST = {
  chatIdEmpty: 'chat_id is empty',
  chatNotFound: 'chat not found',
  textEmpty: 'message text is empty',
  textTooLong: 'message is too long',
  captionTooLong: 'message caption is too long',
  unsupportedParseMode: 'unsupported parse_mode',
  notModified:
    'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
  messageToEditNotFound: 'message to edit not found',
  messageCantBeEdited: "message can't be edited",
  noTextToEdit: 'there is no text in the message to edit',
  messageToDeleteNotFound: 'message to delete not found',
  messageIdMissing: 'message identifier is not specified',
  noPhoto: 'there is no photo in the request',
  wrongChatAction: 'wrong parameter action in request',
  commandInvalid: 'BOT_COMMAND_INVALID',
  commandDescriptionInvalid: 'BOT_COMMAND_DESCRIPTION_INVALID',
  tooManyCommands: 'BOT_COMMANDS_TOO_MUCH',
  draftPeerInvalid: 'TEXTDRAFT_PEER_INVALID',
  draftIdInvalid: 'draft_id must be non-zero',
  callbackQueryInvalid: 'query is too old and response timeout expired or query ID is invalid',
} as const;
