/**
 * Text rules of the fake Bot API server: parse modes, length limits and the entities of
 * incoming commands.
 *
 * Telegram measures lengths "after entities parsing", that is on the visible text once
 * the markup is removed, in UTF-16 code units (the `length` of a JS string).
 */

import type { MessageEntity } from 'grammy/types';

import { checkTelegramHtml } from '../telegram-html-checker.js';
import { BAD_REQUEST, TelegramApiError, badRequest } from './errors.js';

/** Maximum text length of sendMessage, editMessageText and sendMessageDraft (Bot API docs). */
export const MAX_MESSAGE_TEXT_LENGTH = 4096;

/** Maximum caption length of sendPhoto and other media (Bot API docs). */
export const MAX_CAPTION_LENGTH = 1024;

/** Text of a message or caption as the bot sent it and as the user sees it. */
export interface FormattedText {
  /** Visible text after entity parsing. */
  text: string;
  parse_mode?: string;
  /** The markup as sent, when `parse_mode` is HTML. */
  html?: string;
  /** Entities the bot passed explicitly (instead of a parse mode). */
  entities?: MessageEntity[];
}

/**
 * Parses `raw` according to `parseMode`, throwing Telegram's 400 reply when the markup is
 * invalid. HTML goes through the strict checker shared with the renderer tests.
 *
 * NOTE: MarkdownV2 and Markdown are valid on Telegram but the fake rejects them as
 * unsupported, because it has no checker for them. Entities are not derived from HTML
 * either: `html` keeps the markup for assertions instead.
 */
export function parseFormattedText(
  raw: string,
  parseMode: string | undefined,
  entities: unknown,
): FormattedText {
  if (parseMode === undefined || parseMode === '') {
    const formatted: FormattedText = { text: raw };
    if (Array.isArray(entities)) {
      formatted.entities = entities as MessageEntity[];
    }
    return formatted;
  }

  if (parseMode.toLowerCase() !== 'html') {
    throw badRequest(BAD_REQUEST.unsupportedParseMode);
  }

  const checked = checkTelegramHtml(raw);
  if (!checked.ok) {
    // The checker already words the error as Telegram does, prefix included.
    throw new TelegramApiError(400, checked.error);
  }
  return { text: checked.text, parse_mode: parseMode, html: raw };
}

/** Validates a message text: present, not blank after parsing, at most 4096 units. */
export function parseMessageText(
  raw: string | undefined,
  parseMode: string | undefined,
  entities: unknown,
): FormattedText {
  if (raw === undefined) {
    throw badRequest(BAD_REQUEST.textEmpty);
  }

  const formatted = parseFormattedText(raw, parseMode, entities);
  if (formatted.text.trim() === '') {
    throw badRequest(BAD_REQUEST.textEmpty);
  }
  if (formatted.text.length > MAX_MESSAGE_TEXT_LENGTH) {
    throw badRequest(BAD_REQUEST.textTooLong);
  }
  return formatted;
}

/** Validates an optional caption: at most 1024 units after parsing. */
export function parseCaption(
  raw: string | undefined,
  parseMode: string | undefined,
  entities: unknown,
): FormattedText | undefined {
  if (raw === undefined || raw === '') {
    return undefined;
  }

  const formatted = parseFormattedText(raw, parseMode, entities);
  if (formatted.text.length > MAX_CAPTION_LENGTH) {
    throw badRequest(BAD_REQUEST.captionTooLong);
  }
  return formatted;
}

/**
 * Returns the `bot_command` entity Telegram clients attach to a text that starts with a
 * command, such as `/start CODE` or `/help@some_bot`.
 */
export function commandEntities(text: string): MessageEntity[] {
  const match = /^\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?/.exec(text);
  if (match === null) {
    return [];
  }
  return [{ type: 'bot_command', offset: 0, length: match[0].length }];
}
