import { randomUUID } from 'node:crypto';
import http from 'node:http';
import SqliteDatabase from 'better-sqlite3';
import type { Update } from 'grammy/types';
import pino from 'pino';
import { openDatabase } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { nowIso, utcDate } from '../src/db/values.js';
import type { ChatCompletionBody, FakeOpenAI } from '../tests/support/fake-openai.js';
import type { FakeTelegram } from '../tests/support/fake-telegram/fake-telegram.js';
import { PRIMARY_MODEL_ID } from './stack.js';

/**
 * The floor for the engine overhead figures: a bot reduced to the I/O one chat turn of the
 * real bot makes, and nothing else. It long-polls getUpdates, and per text message makes the
 * bot's HTTP calls (sendChatAction without waiting, one streamed chat completion read to the
 * end, sendMessage) and its SQLite writes in the same transactions: the update journal row,
 * the user message with the conversation's `updated_at`, the reply with `updated_at` and the
 * usage upsert, the delivery record, and the journal's finish. It uses the same fakes, SQLite
 * pragmas and schema as the bot, with prepared statements on better-sqlite3 and `node:http`
 * requests on a keep-alive agent, and none of the bot's reads. Turns of one chat run one after
 * another, as the bot runs them.
 *
 * `node:http` rather than the global `fetch`: on Node 20, `fetch` (undici) made the floor
 * take about twice as long per turn, which a floor must not hide as I/O cost.
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
}

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

  const sqlite = new SqliteDatabase(databasePath);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  const statements = {
    insertUser: sqlite.prepare('INSERT INTO users (username, created_at) VALUES (?, ?) RETURNING id'),
    insertConversation: sqlite.prepare(
      'INSERT INTO conversations (id, user_id, platform, chat_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    insertMessage: sqlite.prepare(
      'INSERT INTO messages (conversation_id, role, content, extra_metadata, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id',
    ),
    touchConversation: sqlite.prepare('UPDATE conversations SET updated_at = ? WHERE id = ?'),
    insertUpdate: sqlite.prepare(
      `INSERT INTO platform_updates (platform, update_key, chat_id, payload, status, received_at) VALUES ('telegram', ?, ?, ?, 'received', ?)`,
    ),
    finishUpdate: sqlite.prepare(
      `UPDATE platform_updates SET status = 'handled', handled_at = ?, payload = '{}', chat_id = NULL WHERE platform = 'telegram' AND update_key = ?`,
    ),
    recordDelivery: sqlite.prepare('UPDATE messages SET extra_metadata = json_patch(extra_metadata, ?) WHERE id = ?'),
    upsertUsage: sqlite.prepare(
      `INSERT INTO usage_counters (user_id, usage_date, total_chat_count, groq_count, local_count) VALUES (?, ?, 1, 1, 0)
       ON CONFLICT (user_id, usage_date) DO UPDATE SET total_chat_count = total_chat_count + 1, groq_count = groq_count + 1`,
    ),
  };

  const { messages: templateMessages = [], ...requestFields } = options.requestTemplate ?? {
    model: PRIMARY_MODEL_ID,
    messages: [],
    stream: true,
    stream_options: { include_usage: true },
  };
  const historyMessages = options.historyMessages ?? DEFAULT_HISTORY_MESSAGES;

  interface FloorChat {
    userId: number;
    conversationId: string;
    queue: Promise<void>;
    history: Array<{ role: string; content: string }>;
  }
  const chats = new Map<number, FloorChat>();
  const chatFor = (chatId: number) => {
    let chat = chats.get(chatId);
    if (chat === undefined) {
      const now = nowIso();
      const user = statements.insertUser.get(`telegram:${chatId}`, now) as { id: number };
      const conversationId = randomUUID();
      statements.insertConversation.run(conversationId, user.id, 'telegram', String(chatId), now, now);
      chat = { userId: user.id, conversationId, queue: Promise.resolve(), history: [] };
      chats.set(chatId, chat);
    }
    return chat;
  };

  const botUrl = `${telegram.apiRoot}/bot${telegram.token}`;
  const agent = new http.Agent({ keepAlive: true });
  const post = (url: string, body: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    postText(agent, url, body, headers, signal);
  const postJson = async (url: string, body: unknown, signal?: AbortSignal): Promise<unknown> =>
    JSON.parse(await post(url, JSON.stringify(body), {}, signal)) as unknown;
  const completionsUrl = `${openai.baseURL}/chat/completions`;

  const storeUserMessage = sqlite.transaction((conversationId: string, text: string, metadata: string) => {
    const now = nowIso();
    statements.insertMessage.get(conversationId, 'user', text, metadata, now);
    statements.touchConversation.run(now, conversationId);
  });
  const storeReply = sqlite.transaction((conversationId: string, userId: number, answer: string, metadata: string) => {
    const now = nowIso();
    const reply = statements.insertMessage.get(conversationId, 'assistant', answer, metadata, now) as { id: number };
    statements.touchConversation.run(now, conversationId);
    statements.upsertUsage.run(userId, utcDate());
    return reply.id;
  });

  const handleTurn = async (update: Update, chatId: number, text: string): Promise<void> => {
    const chat = chatFor(chatId);
    const key = String(update.update_id);
    statements.insertUpdate.run(key, String(chatId), JSON.stringify(update), nowIso());
    const userMetadata = { platform: 'telegram', platform_message_id: String(update.message?.message_id), locale: 'en' };
    storeUserMessage(chat.conversationId, text, JSON.stringify(userMetadata));
    chat.history.push({ role: 'user', content: text });
    if (chat.history.length > historyMessages) chat.history.splice(0, chat.history.length - historyMessages);
    // The bot shows a typing action without waiting for it, and so does the floor.
    void postJson(`${botUrl}/sendChatAction`, { chat_id: chatId, action: 'typing' }).catch(() => undefined);

    const started = Date.now();
    const request = JSON.stringify({ ...requestFields, messages: [...templateMessages, ...chat.history] });
    const { content: answer, usage } = readStream(await post(completionsUrl, request, { authorization: 'Bearer floor' }));
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
    const replyId = storeReply(chat.conversationId, chat.userId, answer, JSON.stringify(replyMetadata));
    const sent = (await postJson(`${botUrl}/sendMessage`, { chat_id: chatId, text: answer })) as {
      result?: { message_id?: number };
    };
    statements.recordDelivery.run(JSON.stringify({ platform_message_ids: [String(sent.result?.message_id)] }), replyId);
    statements.finishUpdate.run(nowIso(), key);
  };

  const polling = new AbortController();
  let offset = 0;
  const poll = async (): Promise<void> => {
    while (!polling.signal.aborted) {
      let updates: Update[];
      try {
        const reply = (await postJson(
          `${botUrl}/getUpdates`,
          { offset, timeout: 30, allowed_updates: ['message'] },
          polling.signal,
        )) as { ok: boolean; result?: Update[] };
        updates = reply.result ?? [];
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
      agent.destroy();
      sqlite.close();
    },
  };
}

/** POSTs a JSON body and resolves with the whole response body as text. */
function postText(agent: http.Agent, url: string, body: string, headers: Record<string, string>, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        signal,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (part: Buffer) => parts.push(part));
        response.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Joins the `delta.content` pieces of an SSE chat completion stream and takes its usage. */
function readStream(body: string): { content: string; usage: unknown } {
  let content = '';
  let usage: unknown = null;
  for (const line of body.split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const chunk = JSON.parse(line.slice('data: '.length)) as {
      choices?: Array<{ delta?: { content?: string } }>;
      usage?: unknown;
    };
    content += chunk.choices?.[0]?.delta?.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  return { content, usage };
}
