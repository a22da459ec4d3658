/**
 * Everything the fake Bot API server remembers: chats and their messages, drafts, chat
 * actions, commands, callback queries, injected failures and the log of calls.
 * Method handlers change it; the `FakeTelegram` accessors read it.
 */

import type { Chat } from 'grammy/types';

import { BAD_REQUEST, badRequest, blockedByUser } from './errors.js';
import type {
  CallbackAnswer,
  ChatActionRecord,
  DraftRecord,
  InjectedError,
  RecordedCall,
  SentMessage,
  StoredCommands,
} from './types.js';

export interface ChatRecord {
  chat: Chat;
  /** Message ids are per chat and shared by the user's and the bot's messages. */
  lastMessageId: number;
  botMessages: Map<number, SentMessage>;
  userMessageIds: Set<number>;
}

interface PendingFailure {
  error: InjectedError;
  remaining: number;
}

export class FakeState {
  readonly calls: RecordedCall[] = [];
  readonly drafts: DraftRecord[] = [];
  readonly chatActions: ChatActionRecord[] = [];
  readonly callbackAnswers: CallbackAnswer[] = [];
  /** Commands by scope and language, keyed by `commandsKey`. */
  readonly commands = new Map<string, StoredCommands>();
  /** Callback query ids sent to the bot, mapped to whether the bot answered them. */
  readonly callbackQueries = new Map<string, { answered: boolean }>();

  readonly #chats = new Map<number, ChatRecord>();
  readonly #blockedChats = new Set<number>();
  /** Failures injected with `failNext`, by lower-case method name. */
  readonly #failures = new Map<string, PendingFailure>();
  readonly #listeners = new Set<() => void>();

  /** Makes a chat known, so the bot may send to it. Keeps an existing record. */
  registerChat(chat: Chat): ChatRecord {
    let record = this.#chats.get(chat.id);
    if (record === undefined) {
      record = { chat, lastMessageId: 0, botMessages: new Map(), userMessageIds: new Set() };
      this.#chats.set(chat.id, record);
    }
    return record;
  }

  /** Returns the chat the bot addresses, or throws "chat not found" when the user never wrote. */
  chat(chatId: number): ChatRecord {
    const record = this.#chats.get(chatId);
    if (record === undefined) {
      throw badRequest(BAD_REQUEST.chatNotFound);
    }
    return record;
  }

  /** Like `chat`, but fails with 403 when the user blocked the bot. */
  reachableChat(chatId: number): ChatRecord {
    const record = this.chat(chatId);
    if (this.#blockedChats.has(chatId)) {
      throw blockedByUser();
    }
    return record;
  }

  allocateMessageId(record: ChatRecord): number {
    record.lastMessageId += 1;
    return record.lastMessageId;
  }

  /** Returns the bot's messages that were not deleted, in the order they were sent. */
  sentMessages(chatId?: number): SentMessage[] {
    const records = chatId === undefined ? [...this.#chats.values()] : [this.#chats.get(chatId)];
    return records
      .flatMap((record) => (record === undefined ? [] : [...record.botMessages.values()]))
      .sort((a, b) => a.sent_at - b.sent_at || a.message_id - b.message_id);
  }

  setBlocked(chatId: number, blocked: boolean): void {
    if (blocked) {
      this.#blockedChats.add(chatId);
    } else {
      this.#blockedChats.delete(chatId);
    }
  }

  failNext(method: string, error: InjectedError, times: number): void {
    this.#failures.set(method.toLowerCase(), { error, remaining: times });
  }

  /** Returns the injected error for this call of `method` and counts it down. */
  takeFailure(method: string): InjectedError | undefined {
    const key = method.toLowerCase();
    const failure = this.#failures.get(key);
    if (failure === undefined) {
      return undefined;
    }

    failure.remaining -= 1;
    if (failure.remaining <= 0) {
      this.#failures.delete(key);
    }
    return failure.error;
  }

  /** Registers a callback run after every change; returns a function that removes it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  notifyChange(): void {
    for (const listener of [...this.#listeners]) {
      listener();
    }
  }
}

/** Key of a commands list: Telegram stores one list per scope and language code. */
export function commandsKey(scope: Record<string, unknown>, languageCode: string): string {
  const normalizedScope = {
    type: scope['type'] ?? 'default',
    chat_id: scope['chat_id'],
    user_id: scope['user_id'],
  };
  return JSON.stringify([normalizedScope, languageCode]);
}
