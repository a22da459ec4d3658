import type { Update } from 'grammy/types';
import pino from 'pino';
import { openDatabase } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';

import type { ChatCompletionBody, FakeOpenAI } from '../tests/support/fake-openai.js';
import type { FakeTelegram } from '../tests/support/fake-telegram/fake-telegram.js';
import { clientIo, httpIo } from './floor-io.js';
import { kyselyStore, rawStore } from './floor-store.js';
import { PRIMARY_MODEL_ID } from './stack.js';

/**
 * The floor for the engine overhead figures: a bot reduced to the I/O one chat turn of the
 * real bot makes, and nothing else. It long-polls getUpdates, and per text message makes the
 * bot's HTTP calls (sendChatAction without waiting, one streamed chat completion read to the
 * end, sendMessage) and its SQLite writes in the same transactions: the update journal row,
 * the user message with the conversation's `updated_at`, the reply with `updated_at` and the
 * usage upsert, the delivery record, and the journal's finish. It uses the same fakes, SQLite
 * pragmas and schema as the bot, and none of the bot's reads. Turns of one chat run one after
 * another, as the bot runs them.
 *
 * It comes in two stacks. `raw` sends its requests with `node:http` on a keep-alive agent and
 * writes with prepared better-sqlite3 statements: the least the turn's I/O can cost. `libraries`
 * makes the same calls through the libraries the bot is built on: grammY's `Api`, the `openai`
 * client, and Kysely on the bot's connection. It uses each the plain way, without the bot's
 * transformers, middleware or checks, so it is the least a bot on those libraries can cost.
 *
 * The payloads match the bot's in size. The fakes run in the measured process, and their
 * work grows with what they receive. So the completion request carries the bot's system
 * prompt and the chat's newest messages (kept in memory, not read back), and the stored
 * messages carry metadata with the same keys as the bot's.
 */
export interface FloorBot {
  stop(): Promise<void>;
}

export interface FloorOptions {
  /**
   * The fields of a completion request the bot sent, with only the messages that come before
   * the chat's history (system prompt, example dialogue). The floor sends these messages
   * followed by the chat's history. Without it the floor sends the history alone.
   */
  requestTemplate?: ChatCompletionBody;
  /** Messages of history in each request, the new user message included; the bot's default is 40. */
  historyMessages?: number;
  /** The clients and store of the floor, `raw` unless set (see `startFloorBot`). */
  stack?: FloorStack;
}

export type FloorStack = 'raw' | 'libraries';

/** The bot's `summary_max_messages` default: the most messages a chat prompt carries. */
const DEFAULT_HISTORY_MESSAGES = 40;

export async function startFloorBot(
  telegram: FakeTelegram,
  openai: FakeOpenAI,
  databasePath: string,
  options: FloorOptions = {},
): Promise<FloorBot> {
  // The schema comes from the bot's own migrations, so the inserts hit the same indexes.
  const migrated = openDatabase(databasePath);
  await migrateToLatest(migrated, pino({ level: 'silent' }));
  await migrated.destroy();

  const libraries = options.stack === 'libraries';
  const store = libraries ? kyselyStore(databasePath) : rawStore(databasePath);
  const io = libraries ? clientIo(telegram, openai) : httpIo(telegram, openai);

  const { messages: templateMessages = [], ...requestFields } = options.requestTemplate ?? {
    model: PRIMARY_MODEL_ID,
    messages: [],
    stream: true,
    stream_options: { include_usage: true },
  };
  const historyMessages = options.historyMessages ?? DEFAULT_HISTORY_MESSAGES;

  interface FloorChat {
    ids: Promise<{ userId: number; conversationId: string }>;
    queue: Promise<void>;
    history: Array<{ role: string; content: string }>;
  }
  const chats = new Map<number, FloorChat>();
  const chatFor = (chatId: number): FloorChat => {
    let chat = chats.get(chatId);
    if (chat === undefined) {
      chat = { ids: store.createChat(chatId), queue: Promise.resolve(), history: [] };
      chats.set(chatId, chat);
    }
    return chat;
  };

  const handleTurn = async (update: Update, chatId: number, text: string): Promise<void> => {
    const chat = chatFor(chatId);
    const { userId, conversationId } = await chat.ids;
    const key = String(update.update_id);
    await store.beginUpdate(key, chatId, JSON.stringify(update));
    const userMetadata = { platform: 'telegram', platform_message_id: String(update.message?.message_id), locale: 'en' };
    await store.storeUserMessage(conversationId, text, JSON.stringify(userMetadata));
    chat.history.push({ role: 'user', content: text });
    if (chat.history.length > historyMessages) chat.history.splice(0, chat.history.length - historyMessages);
    // The bot shows a typing action without waiting for it, and so does the floor.
    void io.sendChatAction(chatId).catch(() => undefined);

    const started = Date.now();
    const { content: answer, usage } = await io.complete({ ...requestFields, messages: [...templateMessages, ...chat.history] });
    chat.history.push({ role: 'assistant', content: answer });

    const latencyMs = Date.now() - started;
    const replyMetadata = {
      status: 'complete',
      cached: false,
      model: requestFields.model,
      model_id: requestFields.model,
      provider: 'groq',
      engine: 'cloud',
      latency_ms: latencyMs,
      usage,
      finish_reason: 'stop',
      attempts: [{ model: requestFields.model, provider: 'groq', ok: true, latencyMs }],
      identity_rewrites: 0,
      persona: 'standard',
      preset_id: null,
      locale: 'en',
    };
    const replyId = await store.storeReply(conversationId, userId, answer, JSON.stringify(replyMetadata));
    const messageId = await io.sendMessage(chatId, answer);
    await store.recordDelivery(replyId, JSON.stringify({ platform_message_ids: [String(messageId)] }));
    await store.finishUpdate(key);
  };

  const polling = new AbortController();
  let offset = 0;
  const poll = async (): Promise<void> => {
    while (!polling.signal.aborted) {
      let updates: Update[];
      try {
        updates = await io.getUpdates(offset, polling.signal);
      } catch (error) {
        if (polling.signal.aborted) return;
        throw error;
      }
      for (const update of updates) {
        offset = update.update_id + 1;
        const message = update.message;
        if (message?.text === undefined) continue;
        const chat = chatFor(message.chat.id);
        chat.queue = chat.queue.then(() => handleTurn(update, message.chat.id, message.text!));
      }
    }
  };
  const polled = poll();

  return {
    async stop() {
      polling.abort();
      await polled.catch(() => undefined);
      await Promise.allSettled([...chats.values()].map((chat) => chat.queue));
      io.close();
      await store.close();
    },
  };
}
