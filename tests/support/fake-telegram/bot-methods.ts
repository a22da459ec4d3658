/**
 * Handlers of the methods that do not create messages: getMe, getUpdates, deleteWebhook,
 * the command list methods, sendChatAction and answerCallbackQuery.
 */

import type { BotCommand } from 'grammy/types';

import { BAD_REQUEST, badRequest } from './errors.js';
import type { MethodHandler } from './method-context.js';
import {
  readChatId,
  readOptionalBoolean,
  readOptionalInteger,
  readOptionalJson,
  readOptionalString,
  type Params,
} from './params.js';
import { commandsKey } from './state.js';

/** BotCommand.command: "1-32 characters. Can contain only lowercase English letters, digits and underscores." */
const COMMAND_NAME_PATTERN = /^[a-z0-9_]{1,32}$/;

/** BotCommand.description: "1-256 characters." */
const MAX_COMMAND_DESCRIPTION_LENGTH = 256;

/** setMyCommands: "At most 100 commands can be specified." */
const MAX_COMMANDS = 100;

/** The `action` values sendChatAction accepts (Bot API docs). */
const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

export const getMe: MethodHandler = (_params, context) => context.botInfo;

export const getUpdates: MethodHandler = (params, context) => {
  const allowedUpdates = readOptionalJson(params, 'allowed_updates');
  return context.updates.poll(
    {
      offset: readOptionalInteger(params, 'offset'),
      limit: readOptionalInteger(params, 'limit'),
      timeout: readOptionalInteger(params, 'timeout'),
      allowedUpdates: Array.isArray(allowedUpdates) ? allowedUpdates.map(String) : undefined,
    },
    context.signal,
  );
};

/** There is never a webhook; `drop_pending_updates` still clears the queue. */
export const deleteWebhook: MethodHandler = (params, context) => {
  if (readOptionalBoolean(params, 'drop_pending_updates') === true) {
    context.updates.dropPending();
  }
  return true;
};

/** Stores the commands of a scope and language. An empty list removes them, as deleteMyCommands does. */
export const setMyCommands: MethodHandler = (params, context) => {
  const commands = readCommands(params);
  const scope = readScope(params);
  const languageCode = readOptionalString(params, 'language_code') ?? '';
  const key = commandsKey(scope, languageCode);

  if (commands.length === 0) {
    context.state.commands.delete(key);
  } else {
    context.state.commands.set(key, { scope, language_code: languageCode, commands });
  }
  context.state.notifyChange();
  return true;
};

/** Returns the list stored for exactly this scope and language, or an empty list. */
export const getMyCommands: MethodHandler = (params, context) => {
  const key = commandsKey(readScope(params), readOptionalString(params, 'language_code') ?? '');
  return context.state.commands.get(key)?.commands ?? [];
};

export const deleteMyCommands: MethodHandler = (params, context) => {
  const key = commandsKey(readScope(params), readOptionalString(params, 'language_code') ?? '');
  context.state.commands.delete(key);
  context.state.notifyChange();
  return true;
};

/** Chat actions are recorded and not rate-limited. */
export const sendChatAction: MethodHandler = (params, context) => {
  const chatId = readChatId(params);
  const action = readOptionalString(params, 'action');
  if (action === undefined || !CHAT_ACTIONS.has(action)) {
    throw badRequest(BAD_REQUEST.wrongChatAction);
  }
  context.state.reachableChat(chatId);

  context.state.chatActions.push({ chat_id: chatId, action, at: context.now });
  context.state.notifyChange();
  return true;
};

/** Each callback query can be answered once; unknown or answered ids are invalid. */
export const answerCallbackQuery: MethodHandler = (params, context) => {
  const id = readOptionalString(params, 'callback_query_id') ?? '';
  const query = context.state.callbackQueries.get(id);
  if (query === undefined || query.answered) {
    throw badRequest(BAD_REQUEST.callbackQueryInvalid);
  }

  query.answered = true;
  context.state.callbackAnswers.push({
    callback_query_id: id,
    text: readOptionalString(params, 'text'),
    show_alert: readOptionalBoolean(params, 'show_alert'),
    url: readOptionalString(params, 'url'),
    at: context.now,
  });
  context.state.notifyChange();
  return true;
};

function readCommands(params: Params): BotCommand[] {
  const value = readOptionalJson(params, 'commands') ?? [];
  if (!Array.isArray(value)) {
    throw badRequest("can't parse commands JSON object");
  }
  if (value.length > MAX_COMMANDS) {
    throw badRequest(BAD_REQUEST.tooManyCommands);
  }

  return value.map((item: unknown) => {
    const command = readField(item, 'command');
    const description = readField(item, 'description');
    if (command === undefined || !COMMAND_NAME_PATTERN.test(command)) {
      throw badRequest(BAD_REQUEST.commandInvalid);
    }
    if (
      description === undefined ||
      description.trim().length === 0 ||
      description.length > MAX_COMMAND_DESCRIPTION_LENGTH
    ) {
      throw badRequest(BAD_REQUEST.commandDescriptionInvalid);
    }
    return { command, description };
  });
}

function readField(item: unknown, name: string): string | undefined {
  if (typeof item !== 'object' || item === null) {
    return undefined;
  }
  const value = (item as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function readScope(params: Params): Record<string, unknown> {
  const scope = readOptionalJson(params, 'scope');
  if (typeof scope === 'object' && scope !== null && !Array.isArray(scope)) {
    return scope as Record<string, unknown>;
  }
  return { type: 'default' };
}
