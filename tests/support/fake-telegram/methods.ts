/**
 * The Bot API methods the fake implements. Telegram treats method names case-insensitively,
 * so lookups go through `findMethod`.
 */

import {
  answerCallbackQuery,
  deleteMyCommands,
  deleteWebhook,
  getMe,
  getMyCommands,
  getUpdates,
  sendChatAction,
  setMyCommands,
} from './bot-methods.js';
import {
  deleteMessage,
  editMessageReplyMarkup,
  editMessageText,
  sendMessage,
  sendMessageDraft,
  sendPhoto,
} from './message-methods.js';
import type { MethodHandler } from './method-context.js';

const HANDLERS: Record<string, MethodHandler> = {
  getMe,
  getUpdates,
  deleteWebhook,
  setMyCommands,
  getMyCommands,
  deleteMyCommands,
  sendChatAction,
  answerCallbackQuery,
  sendMessage,
  sendPhoto,
  sendMessageDraft,
  editMessageText,
  editMessageReplyMarkup,
  deleteMessage,
};

const HANDLERS_BY_LOWER_CASE_NAME = new Map(
  Object.entries(HANDLERS).map(([name, handler]) => [name.toLowerCase(), handler]),
);

/** The handler of `method`, or undefined when the fake does not implement it. */
export function findMethod(method: string): MethodHandler | undefined {
  return HANDLERS_BY_LOWER_CASE_NAME.get(method.toLowerCase());
}
