/**
 * Handlers of the methods that create, change or remove what a chat shows: sendMessage,
 * editMessageText, editMessageReplyMarkup, deleteMessage, sendPhoto and sendMessageDraft.
 */

import { BAD_REQUEST, badRequest } from './errors.js';
import {
  MAX_MESSAGE_TEXT_LENGTH,
  parseCaption,
  parseFormattedText,
  parseMessageText,
  type FormattedText,
} from './formatting.js';
import {
  currentContent,
  enforceRateLimit,
  isInlineKeyboard,
  toTelegramMessage,
  type MethodContext,
  type MethodHandler,
} from './method-context.js';
import {
  readChatId,
  readMessageId,
  readOptionalInteger,
  readOptionalJson,
  readOptionalString,
  type Params,
} from './params.js';
import { findUpload } from './request-body.js';
import type { ChatRecord } from './state.js';
import type { MessageContent, SentMessage, SentPhoto } from './types.js';

export const sendMessage: MethodHandler = (params, context) => {
  const chatId = readChatId(params);
  const record = context.state.reachableChat(chatId);
  const formatted = parseMessageText(
    readOptionalString(params, 'text'),
    readOptionalString(params, 'parse_mode'),
    readOptionalJson(params, 'entities'),
  );
  const replyMarkup = readOptionalJson(params, 'reply_markup');

  enforceRateLimit(context, chatId, 'send');

  const message = storeMessage(context, record, 'sendMessage', params, {
    ...formatted,
    reply_markup: replyMarkup,
    at: context.now,
  });
  return toTelegramMessage(context.botInfo, record.chat, message);
};

export const sendPhoto: MethodHandler = (params, context) => {
  const chatId = readChatId(params);
  const record = context.state.reachableChat(chatId);
  const photo = readPhoto(params, context);
  const caption = parseCaption(
    readOptionalString(params, 'caption'),
    readOptionalString(params, 'parse_mode'),
    readOptionalJson(params, 'caption_entities'),
  );
  const replyMarkup = readOptionalJson(params, 'reply_markup');

  enforceRateLimit(context, chatId, 'send');

  const content: MessageContent = { reply_markup: replyMarkup, at: context.now };
  if (caption !== undefined) {
    content.caption = caption.text;
    content.parse_mode = caption.parse_mode;
    content.html = caption.html;
    content.entities = caption.entities;
  }
  const message = storeMessage(context, record, 'sendPhoto', params, content);
  message.photo = photo;
  return toTelegramMessage(context.botInfo, record.chat, message);
};

export const editMessageText: MethodHandler = (params, context) => {
  const chatId = readChatId(params);
  const record = context.state.reachableChat(chatId);
  const messageId = readMessageId(params);
  const formatted = parseMessageText(
    readOptionalString(params, 'text'),
    readOptionalString(params, 'parse_mode'),
    readOptionalJson(params, 'entities'),
  );
  const message = findEditableMessage(record, messageId);
  if (message.text === undefined) {
    throw badRequest(BAD_REQUEST.noTextToEdit);
  }

  // Telegram removes the inline keyboard when an edit does not repeat it.
  const next: MessageContent = {
    ...formatted,
    reply_markup: readOptionalJson(params, 'reply_markup'),
    at: context.now,
  };
  if (sameContent(message, next)) {
    throw badRequest(BAD_REQUEST.notModified);
  }

  enforceRateLimit(context, chatId, 'edit');
  applyEdit(context, message, next);
  return toTelegramMessage(context.botInfo, record.chat, message, true);
};

export const editMessageReplyMarkup: MethodHandler = (params, context) => {
  const chatId = readChatId(params);
  const record = context.state.reachableChat(chatId);
  const message = findEditableMessage(record, readMessageId(params));

  const next: MessageContent = {
    ...currentContent(message),
    reply_markup: readOptionalJson(params, 'reply_markup'),
    at: context.now,
  };
  if (sameContent(message, next)) {
    throw badRequest(BAD_REQUEST.notModified);
  }

  enforceRateLimit(context, chatId, 'edit');
  applyEdit(context, message, next);
  return toTelegramMessage(context.botInfo, record.chat, message, true);
};

/** Bots may delete their own messages and, in private chats, the user's messages. */
export const deleteMessage: MethodHandler = (params, context) => {
  const record = context.state.chat(readChatId(params));
  const messageId = readMessageId(params);

  if (record.botMessages.delete(messageId) || record.userMessageIds.delete(messageId)) {
    context.state.notifyChange();
    return true;
  }
  throw badRequest(BAD_REQUEST.messageToDeleteNotFound);
};

/**
 * Records a draft. Drafts exist only in private chats, and each one counts against the
 * chat's flood limit like a message.
 *
 * NOTE: some client libraries (aiogram 3.26) document the draft `text` as 1-4096
 * characters. The grammY 1.46 types installed here document 0-4096, where an empty text
 * shows a "Thinking…" placeholder, so the fake accepts an empty text.
 */
export const sendMessageDraft: MethodHandler = (params, context) => {
  const chatId = readChatId(params);
  const record = context.state.reachableChat(chatId);
  if (record.chat.type !== 'private') {
    throw badRequest(BAD_REQUEST.draftPeerInvalid);
  }

  const draftId = readOptionalInteger(params, 'draft_id');
  if (draftId === undefined || draftId === 0) {
    throw badRequest(BAD_REQUEST.draftIdInvalid);
  }

  const raw = readOptionalString(params, 'text') ?? '';
  const formatted: FormattedText =
    raw === ''
      ? { text: '' }
      : parseFormattedText(raw, readOptionalString(params, 'parse_mode'), readOptionalJson(params, 'entities'));
  if (formatted.text.length > MAX_MESSAGE_TEXT_LENGTH) {
    throw badRequest(BAD_REQUEST.textTooLong);
  }

  enforceRateLimit(context, chatId, 'draft');

  context.state.drafts.push({ chat_id: chatId, draft_id: draftId, ...formatted, at: context.now });
  context.state.notifyChange();
  return true;
};

function storeMessage(
  context: MethodContext,
  record: ChatRecord,
  method: string,
  params: Params,
  content: MessageContent,
): SentMessage {
  const message: SentMessage = {
    ...content,
    message_id: context.state.allocateMessageId(record),
    chat_id: record.chat.id,
    sent_at: context.now,
    method,
    history: [],
    params,
  };
  record.botMessages.set(message.message_id, message);
  context.state.notifyChange();
  return message;
}

function findEditableMessage(record: ChatRecord, messageId: number): SentMessage {
  const message = record.botMessages.get(messageId);
  if (message !== undefined) {
    return message;
  }
  if (record.userMessageIds.has(messageId)) {
    throw badRequest(BAD_REQUEST.messageCantBeEdited);
  }
  throw badRequest(BAD_REQUEST.messageToEditNotFound);
}

function applyEdit(context: MethodContext, message: SentMessage, next: MessageContent): void {
  message.history.push(currentContent(message));
  message.text = message.text === undefined ? undefined : next.text;
  message.caption = message.caption === undefined ? undefined : (next.caption ?? next.text);
  message.parse_mode = next.parse_mode;
  message.html = next.html;
  message.entities = next.entities;
  message.reply_markup = next.reply_markup;
  message.at = next.at;
  context.state.notifyChange();
}

/**
 * Telegram compares the visible text, its entities and the inline keyboard. The fake does
 * not derive entities from HTML, so it compares the markup instead; HTML without any tags
 * or entities counts as plain text.
 */
function sameContent(current: MessageContent, next: MessageContent): boolean {
  const currentText = current.text ?? current.caption;
  const nextText = next.text ?? next.caption;
  return (
    currentText === nextText &&
    formattingKey(current) === formattingKey(next) &&
    markupKey(current.reply_markup) === markupKey(next.reply_markup)
  );
}

function formattingKey(content: MessageContent): string {
  const text = content.text ?? content.caption;
  if (content.html !== undefined && content.html !== text) {
    return `html:${content.html}`;
  }
  return JSON.stringify(content.entities ?? []);
}

function markupKey(markup: unknown): string {
  return isInlineKeyboard(markup) ? JSON.stringify(markup) : 'none';
}

function readPhoto(params: Params, context: MethodContext): SentPhoto {
  const upload = findUpload('photo', params, context.files);
  if (upload !== undefined) {
    return { source: 'upload', filename: upload.filename, size: upload.size };
  }

  const reference = readOptionalString(params, 'photo');
  if (reference === undefined || reference === '' || reference.startsWith('attach://')) {
    throw badRequest(BAD_REQUEST.noPhoto);
  }
  return { source: 'reference', reference };
}
