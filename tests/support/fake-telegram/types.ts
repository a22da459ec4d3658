/**
 * Records the fake Bot API server keeps for test assertions. Field names follow the Bot API
 * (snake_case) where they mirror a protocol value.
 */

import type { BotCommand, MessageEntity } from 'grammy/types';

import type { ResponseParameters } from './errors.js';

/** A Telegram user who writes to the bot. */
export interface FakeUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_premium?: true;
}

/** The JSON body of the fake's reply to a call. */
export type ApiResponse =
  | { ok: true; result: unknown }
  | { ok: false; error_code: number; description: string; parameters?: ResponseParameters };

/** One API call as the bot made it, with the fake's reply. */
export interface RecordedCall {
  /** Method name as it appeared in the URL (Telegram treats it case-insensitively). */
  method: string;
  params: Record<string, unknown>;
  /** Arrival time, `Date.now()` milliseconds. */
  at: number;
  response: ApiResponse;
}

/** The error reply `failNext` injects. */
export interface InjectedError {
  error_code: number;
  description: string;
  /** Seconds; sent as `parameters.retry_after`, as Telegram does with 429. */
  retry_after?: number;
}

/** An uploaded or referenced photo of a sent message. */
export interface SentPhoto {
  /** `upload` for a multipart file, `reference` for a file_id or URL string. */
  source: 'upload' | 'reference';
  /** The file_id or URL, for a reference. The fake never fetches URLs. */
  reference?: string;
  filename?: string;
  /** Size in bytes, for an upload. */
  size?: number;
}

/** What a message showed at one point of its life. */
export interface MessageContent {
  /** Text of a text message. */
  text?: string;
  /** Caption of a media message. */
  caption?: string;
  parse_mode?: string;
  /** The HTML markup as sent, when `parse_mode` is HTML. */
  html?: string;
  entities?: MessageEntity[];
  reply_markup?: unknown;
  /** When this content was set, `Date.now()` milliseconds. */
  at: number;
}

/** The current state of a message the bot sent, with its earlier versions. */
export interface SentMessage extends MessageContent {
  message_id: number;
  chat_id: number;
  /** When the message was sent, `Date.now()` milliseconds. */
  sent_at: number;
  /** The method that created the message (sendMessage, sendPhoto). */
  method: string;
  photo?: SentPhoto;
  /** Earlier versions, oldest first; empty until the first edit. */
  history: MessageContent[];
  /** Parameters of the call that created the message. */
  params: Record<string, unknown>;
}

/** One accepted sendMessageDraft call. */
export interface DraftRecord {
  chat_id: number;
  draft_id: number;
  text: string;
  parse_mode?: string;
  html?: string;
  entities?: MessageEntity[];
  at: number;
}

/** One accepted sendChatAction call. */
export interface ChatActionRecord {
  chat_id: number;
  action: string;
  at: number;
}

/** One accepted answerCallbackQuery call. */
export interface CallbackAnswer {
  callback_query_id: string;
  text?: string;
  show_alert?: boolean;
  url?: string;
  at: number;
}

/** Commands stored by setMyCommands for one scope and language. */
export interface StoredCommands {
  scope: Record<string, unknown>;
  language_code: string;
  commands: BotCommand[];
}
