import { randomUUID } from 'node:crypto';
import SqliteDatabase from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { openDatabase } from '../src/db/connection.js';
import type { Database } from '../src/db/schema.js';
import { nowIso, utcDate } from '../src/db/values.js';

/**
 * The SQLite writes of one floor turn, in the bot's transactions. Every method returns a
 * promise, so one turn's code serves both stores. For the raw store that costs one resolved
 * promise per call, an estimated few microseconds per turn.
 */
export interface FloorStore {
  /** Creates the chat's user and conversation. */
  createChat(chatId: number): Promise<{ userId: number; conversationId: string }>;
  /** The update journal row. */
  beginUpdate(key: string, chatId: number, payload: string): Promise<void>;
  /** The user message and the conversation's `updated_at`, in one transaction. */
  storeUserMessage(conversationId: string, text: string, metadata: string): Promise<void>;
  /** The reply, the conversation's `updated_at` and the usage upsert, in one transaction. */
  storeReply(conversationId: string, userId: number, answer: string, metadata: string): Promise<number>;
  recordDelivery(replyId: number, patch: string): Promise<void>;
  finishUpdate(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens a store of prepared better-sqlite3 statements with the bot's pragmas: the least the writes can cost. */
export function rawStore(databasePath: string): FloorStore {
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

  return {
    async createChat(chatId) {
      const now = nowIso();
      const user = statements.insertUser.get(`telegram:${chatId}`, now) as { id: number };
      const conversationId = randomUUID();
      statements.insertConversation.run(conversationId, user.id, 'telegram', String(chatId), now, now);
      return { userId: user.id, conversationId };
    },
    async beginUpdate(key, chatId, payload) {
      statements.insertUpdate.run(key, String(chatId), payload, nowIso());
    },
    async storeUserMessage(conversationId, text, metadata) {
      storeUserMessage(conversationId, text, metadata);
    },
    async storeReply(conversationId, userId, answer, metadata) {
      return storeReply(conversationId, userId, answer, metadata);
    },
    async recordDelivery(replyId, patch) {
      statements.recordDelivery.run(patch, replyId);
    },
    async finishUpdate(key) {
      statements.finishUpdate.run(nowIso(), key);
    },
    async close() {
      sqlite.close();
    },
  };
}

/**
 * Opens a store that builds the same statements with Kysely on the bot's own connection
 * (`openDatabase`, with its pragmas and its prepared-statement reuse).
 */
export function kyselyStore(databasePath: string): FloorStore {
  const db: Kysely<Database> = openDatabase(databasePath);
  const insertMessage = (executor: Kysely<Database>, conversationId: string, role: 'user' | 'assistant', content: string, metadata: string, now: string) =>
    executor
      .insertInto('messages')
      .values({ conversation_id: conversationId, role, content, extra_metadata: metadata, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
  const touchConversation = (executor: Kysely<Database>, conversationId: string, now: string) =>
    executor.updateTable('conversations').set({ updated_at: now }).where('id', '=', conversationId).execute();

  return {
    async createChat(chatId) {
      const now = nowIso();
      // Runs once per chat. It is the raw store's short insert, because the typed builder
      // requires the columns that have defaults.
      const inserted = await sql<{ id: number }>`INSERT INTO users (username, created_at) VALUES (${`telegram:${chatId}`}, ${now}) RETURNING id`.execute(db);
      const user = inserted.rows[0]!;
      const conversationId = randomUUID();
      await db
        .insertInto('conversations')
        .values({ id: conversationId, user_id: user.id, platform: 'telegram', chat_id: String(chatId), created_at: now, updated_at: now })
        .execute();
      return { userId: user.id, conversationId };
    },
    async beginUpdate(key, chatId, payload) {
      await db
        .insertInto('platform_updates')
        .values({ platform: 'telegram', update_key: key, chat_id: String(chatId), payload, status: 'received', received_at: nowIso() })
        .execute();
    },
    async storeUserMessage(conversationId, text, metadata) {
      await db.transaction().execute(async (trx) => {
        const now = nowIso();
        await insertMessage(trx, conversationId, 'user', text, metadata, now);
        await touchConversation(trx, conversationId, now);
      });
    },
    async storeReply(conversationId, userId, answer, metadata) {
      return db.transaction().execute(async (trx) => {
        const now = nowIso();
        const reply = await insertMessage(trx, conversationId, 'assistant', answer, metadata, now);
        await touchConversation(trx, conversationId, now);
        await trx
          .insertInto('usage_counters')
          .values({ user_id: userId, usage_date: utcDate(), total_chat_count: 1, groq_count: 1, local_count: 0 })
          .onConflict((conflict) =>
            conflict.columns(['user_id', 'usage_date']).doUpdateSet((eb) => ({
              total_chat_count: eb('usage_counters.total_chat_count', '+', 1),
              groq_count: eb('usage_counters.groq_count', '+', 1),
            })),
          )
          .execute();
        return reply.id;
      });
    },
    async recordDelivery(replyId, patch) {
      await db
        .updateTable('messages')
        .set({ extra_metadata: sql<string>`json_patch(extra_metadata, ${patch})` })
        .where('id', '=', replyId)
        .execute();
    },
    async finishUpdate(key) {
      await db
        .updateTable('platform_updates')
        .set({ status: 'handled', handled_at: nowIso(), payload: '{}', chat_id: null })
        .where('platform', '=', 'telegram')
        .where('update_key', '=', key)
        .execute();
    },
    close: () => db.destroy(),
  };
}
