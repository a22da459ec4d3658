/**
 * Builds the updates a user's actions produce and queues them for getUpdates.
 */

import type { Chat, Update, UserFromGetMe } from 'grammy/types';

import { commandEntities } from './formatting.js';
import { toTelegramMessage } from './method-context.js';
import type { FakeState } from './state.js';
import type { FakeUser } from './types.js';
import type { UpdateQueue, UpdateWithoutId } from './update-queue.js';

export interface SendTextOptions {
  /** Unix time in seconds; defaults to now. */
  date?: number;
  /** A message of the bot the user replies to. */
  replyToMessageId?: number;
}

export interface UserInputDeps {
  state: FakeState;
  updates: UpdateQueue;
  botInfo: UserFromGetMe;
}

export function privateChatOf(user: FakeUser): Chat.PrivateChat {
  const chat: Chat.PrivateChat = { id: user.id, type: 'private', first_name: user.first_name };
  if (user.last_name !== undefined) {
    chat.last_name = user.last_name;
  }
  if (user.username !== undefined) {
    chat.username = user.username;
  }
  return chat;
}

/** Queues a `message` update of a text the user wrote to the bot in their private chat. */
export function queueText(
  deps: UserInputDeps,
  from: FakeUser,
  text: string,
  options: SendTextOptions = {},
): Update {
  const record = deps.state.registerChat(privateChatOf(from));
  const messageId = deps.state.allocateMessageId(record);
  record.userMessageIds.add(messageId);

  const message: Record<string, unknown> = {
    message_id: messageId,
    from: { is_bot: false, ...from },
    chat: record.chat,
    date: options.date ?? nowInSeconds(),
    text,
  };

  const entities = commandEntities(text);
  if (entities.length > 0) {
    message['entities'] = entities;
  }

  if (options.replyToMessageId !== undefined) {
    const replied = record.botMessages.get(options.replyToMessageId);
    if (replied === undefined) {
      throw new Error(
        `sendText: the bot has no message ${options.replyToMessageId} in chat ${record.chat.id} to reply to`,
      );
    }
    message['reply_to_message'] = toTelegramMessage(deps.botInfo, record.chat, replied);
  }

  return push(deps, { message } as unknown as UpdateWithoutId);
}

/** Queues a `callback_query` update: the user pressed an inline button of a bot message. */
export function queueCallback(
  deps: UserInputDeps,
  from: FakeUser,
  messageId: number,
  data: string,
): Update {
  const record = deps.state.registerChat(privateChatOf(from));
  const message = record.botMessages.get(messageId);
  if (message === undefined) {
    throw new Error(`sendCallback: the bot has no message ${messageId} in chat ${record.chat.id}`);
  }

  const id = String(deps.state.callbackQueries.size + 1 + 4_000_000_000_000_000);
  deps.state.callbackQueries.set(id, { answered: false });

  const callbackQuery = {
    id,
    from: { is_bot: false, ...from },
    message: toTelegramMessage(deps.botInfo, record.chat, message, message.history.length > 0),
    chat_instance: `chat-instance-${record.chat.id}`,
    data,
  };
  return push(deps, { callback_query: callbackQuery } as UpdateWithoutId);
}

/**
 * Queues any update. Every message-like object (one with a `chat`) makes its chat known to
 * the fake and gets a `message_id` and `date` when it has none. A `callback_query` with an
 * `id` can then be answered with answerCallbackQuery.
 */
export function queueRawUpdate(deps: UserInputDeps, raw: Record<string, unknown>): Update {
  for (const value of Object.values(raw)) {
    if (isObject(value) && isObject(value['chat'])) {
      completeMessage(deps, value);
    }
  }

  const callbackQuery = raw['callback_query'];
  if (isObject(callbackQuery)) {
    if (typeof callbackQuery['id'] === 'string') {
      deps.state.callbackQueries.set(callbackQuery['id'], { answered: false });
    }
    if (isObject(callbackQuery['message']) && isObject(callbackQuery['message']['chat'])) {
      deps.state.registerChat(callbackQuery['message']['chat'] as unknown as Chat);
    }
  }

  return push(deps, raw as UpdateWithoutId);
}

function completeMessage(deps: UserInputDeps, message: Record<string, unknown>): void {
  const record = deps.state.registerChat(message['chat'] as unknown as Chat);

  if (typeof message['message_id'] === 'number') {
    record.lastMessageId = Math.max(record.lastMessageId, message['message_id']);
  } else {
    message['message_id'] = deps.state.allocateMessageId(record);
  }
  record.userMessageIds.add(message['message_id'] as number);

  if (typeof message['date'] !== 'number') {
    message['date'] = nowInSeconds();
  }
}

function push(deps: UserInputDeps, update: UpdateWithoutId): Update {
  const queued = deps.updates.push(update);
  deps.state.notifyChange();
  return queued;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nowInSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
