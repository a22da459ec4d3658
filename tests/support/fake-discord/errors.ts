import { RESTJSONErrorCodes } from 'discord.js';

/** One validation failure inside an "Invalid Form Body" error, addressed by its JSON path. */
export interface FieldError {
  path: ReadonlyArray<string | number>;
  code: string;
  message: string;
}

/** The JSON body of a Discord REST error: `{ message, code, errors? }`. */
export interface DiscordErrorBody {
  message: string;
  code: number;
  errors?: Record<string, unknown>;
}

/**
 * An HTTP error response the fake sends. Route handlers throw it, and the REST server turns it
 * into the status, JSON body and extra headers it carries.
 */
export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: DiscordErrorBody | Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${String((body as { message?: unknown }).message ?? '')}`);
    this.name = 'DiscordHttpError';
  }
}

function error(status: number, code: number, message: string): DiscordHttpError {
  return new DiscordHttpError(status, { message, code });
}

/**
 * Builds a 400 "Invalid Form Body" (50035) error whose `errors` object nests each failure under
 * its path and ends in `_errors: [{ code, message }]`, the shape Discord's API reference shows.
 */
export function invalidFormBody(fieldErrors: readonly FieldError[]): DiscordHttpError {
  const errors: Record<string, unknown> = {};

  for (const fieldError of fieldErrors) {
    let node = errors;
    for (const key of fieldError.path) {
      const name = String(key);
      node[name] ??= {};
      node = node[name] as Record<string, unknown>;
    }
    const list = (node._errors ??= []) as Array<{ code: string; message: string }>;
    list.push({ code: fieldError.code, message: fieldError.message });
  }

  return new DiscordHttpError(400, {
    message: 'Invalid Form Body',
    code: RESTJSONErrorCodes.InvalidFormBodyOrContentType,
    errors,
  });
}

/** The Discord errors the fake returns, with the codes from discord-api-types' `RESTJSONErrorCodes`. */
export const discordErrors = {
  unauthorized: () => error(401, RESTJSONErrorCodes.GeneralError, '401: Unauthorized'),
  notFound: () => error(404, RESTJSONErrorCodes.GeneralError, '404: Not Found'),
  methodNotAllowed: () => error(405, RESTJSONErrorCodes.GeneralError, '405: Method Not Allowed'),
  malformedBody: () => error(400, RESTJSONErrorCodes.GeneralError, '400: Bad Request'),
  unknownChannel: () => error(404, RESTJSONErrorCodes.UnknownChannel, 'Unknown Channel'),
  unknownMessage: () => error(404, RESTJSONErrorCodes.UnknownMessage, 'Unknown Message'),
  unknownUser: () => error(404, RESTJSONErrorCodes.UnknownUser, 'Unknown User'),
  unknownWebhook: () => error(404, RESTJSONErrorCodes.UnknownWebhook, 'Unknown Webhook'),
  unknownApplication: () => error(404, RESTJSONErrorCodes.UnknownApplication, 'Unknown Application'),
  missingAccess: () => error(403, RESTJSONErrorCodes.MissingAccess, 'Missing Access'),
  unknownApplicationCommand: () =>
    error(404, RESTJSONErrorCodes.UnknownApplicationCommand, 'Unknown application command'),
  unknownInteraction: () => error(404, RESTJSONErrorCodes.UnknownInteraction, 'Unknown interaction'),
  alreadyAcknowledged: () =>
    error(
      400,
      RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged,
      'Interaction has already been acknowledged.',
    ),
  invalidWebhookToken: () => error(401, RESTJSONErrorCodes.InvalidWebhookToken, 'Invalid Webhook Token'),
  emptyMessage: () => error(400, RESTJSONErrorCodes.CannotSendAnEmptyMessage, 'Cannot send an empty message'),
  cannotMessageUser: () =>
    error(403, RESTJSONErrorCodes.CannotSendMessagesToThisUser, 'Cannot send messages to this user'),
  cannotExecuteInDm: () =>
    error(403, RESTJSONErrorCodes.CannotExecuteActionOnDMChannel, 'Cannot execute action on a DM channel'),
  cannotEditOthersMessage: () =>
    error(
      403,
      RESTJSONErrorCodes.CannotEditMessageAuthoredByAnotherUser,
      'Cannot edit a message authored by another user',
    ),
} as const;
