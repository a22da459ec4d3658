/**
 * What a method handler of the fake Bot API server works with, and the helpers the
 * handlers share.
 */

import type { Chat, Message, UserFromGetMe } from 'grammy/types';

import { tooManyRequests } from './errors.js';
import type { LimitedCallKind, RateLimiter } from './limits.js';
import type { Params } from './params.js';
import type { UploadedFile } from './request-body.js';
import type { FakeState } from './state.js';
import type { UpdateQueue } from './update-queue.js';
import type { MessageContent, SentMessage } from './types.js';

export interface MethodContext {
  state: FakeState;
  updates: UpdateQueue;
  /** Undefined when the fake runs with `limits: false`. */
  limiter: RateLimiter | undefined;
  botInfo: UserFromGetMe;
  /** Files uploaded with this call. */
  files: Map<string, UploadedFile>;
  /** Aborted when the client disconnects before the reply is sent. */
  signal: AbortSignal;
  /** Arrival time of the call, `Date.now()` milliseconds. */
  now: number;
}

/** Returns the call's `result`, or throws `TelegramApiError` for an error reply. */
export type MethodHandler = (params: Params, context: MethodContext) => unknown;

/** Throws Telegram's 429 reply when the call would exceed a flood limit. */
export function enforceRateLimit(context: MethodContext, chatId: number, kind: LimitedCallKind): void {
  const decision = context.limiter?.check(chatId, kind, context.now);
  if (decision !== undefined && !decision.allowed) {
    throw tooManyRequests(decision.retryAfterSeconds);
  }
}

/** Copies the content fields of a sent message, for its edit history. */
export function currentContent(message: SentMessage): MessageContent {
  const { text, caption, parse_mode, html, entities, reply_markup, at } = message;
  return { text, caption, parse_mode, html, entities, reply_markup, at };
}

/**
 * Builds the Message object Telegram returns for a bot's message. Only inline keyboards
 * appear in it: Telegram does not echo reply keyboards or keyboard removals.
 */
export function toTelegramMessage(
  botInfo: UserFromGetMe,
  chat: Chat,
  message: SentMessage,
  edited = false,
): Message {
  const result: Record<string, unknown> = {
    message_id: message.message_id,
    from: {
      id: botInfo.id,
      is_bot: true,
      first_name: botInfo.first_name,
      username: botInfo.username,
    },
    chat,
    date: Math.floor(message.sent_at / 1000),
  };

  if (edited) {
    result['edit_date'] = Math.floor(message.at / 1000);
  }
  if (message.text !== undefined) {
    result['text'] = message.text;
    if (message.entities !== undefined) {
      result['entities'] = message.entities;
    }
  }
  if (message.photo !== undefined) {
    result['photo'] = [
      {
        file_id: `fake-photo-${message.chat_id}-${message.message_id}`,
        file_unique_id: `fake-unique-${message.chat_id}-${message.message_id}`,
        // The fake does not decode images, so the dimensions are placeholders.
        width: 1280,
        height: 1280,
        file_size: message.photo.size,
      },
    ];
  }
  if (message.caption !== undefined) {
    result['caption'] = message.caption;
    if (message.entities !== undefined) {
      result['caption_entities'] = message.entities;
    }
  }
  if (isInlineKeyboard(message.reply_markup)) {
    result['reply_markup'] = message.reply_markup;
  }

  return result as unknown as Message;
}

export function isInlineKeyboard(markup: unknown): boolean {
  return typeof markup === 'object' && markup !== null && 'inline_keyboard' in markup;
}
