import { randomUUID } from 'node:crypto';

import type { Insertable, Kysely } from 'kysely';

import type { ConversationTable, Database, UserTable } from '../../src/db/schema.js';
import type { ChatRole } from '../../src/router/types.js';

/** Timestamp that the helpers write when a test gives none. */
export const FIXTURE_TIME = '2026-12-04T19:37:03.000Z';

/**
 * Inserts a plain user: role `user`, not banned, model `auto`, local model locked, empty
 * limits and permissions, username `telegram:1`. Returns the new `users.id`.
 */
export async function insertUser(db: Kysely<Database>, overrides: Partial<Insertable<UserTable>> = {}): Promise<number> {
  const row = await db
    .insertInto('users')
    .values({
      username: 'telegram:1',
      role: 'user',
      is_banned: 0,
      selected_model: 'auto',
      bela_unlocked: 0,
      limits: '{}',
      permissions: '{}',
      created_at: FIXTURE_TIME,
      ...overrides,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Inserts a conversation of `userId`, created and updated at {@link FIXTURE_TIME}, with a
 * random UUID unless `overrides.id` is given. Returns the conversation id.
 */
export async function insertConversation(
  db: Kysely<Database>,
  userId: number,
  overrides: Partial<Omit<Insertable<ConversationTable>, 'user_id'>> = {},
): Promise<string> {
  const id = overrides.id ?? randomUUID();
  await db
    .insertInto('conversations')
    .values({ user_id: userId, created_at: FIXTURE_TIME, updated_at: FIXTURE_TIME, ...overrides, id })
    .execute();
  return id;
}

export interface MessageFixtureOptions {
  /**
   * `extra_metadata`: an object is stored as JSON, a string as it is (so a test can store
   * invalid JSON). Defaults to `{"status":"complete"}` for an assistant message, as the
   * engine writes for a delivered reply, and to `{}` for other roles.
   */
  metadata?: Record<string, unknown> | string;
  /** Defaults to {@link FIXTURE_TIME}. */
  createdAt?: string;
}

/** Inserts one message into `conversationId`. Returns the new `messages.id`. */
export async function insertMessage(
  db: Kysely<Database>,
  conversationId: string,
  role: ChatRole,
  content: string,
  options: MessageFixtureOptions = {},
): Promise<number> {
  const metadata = options.metadata ?? (role === 'assistant' ? { status: 'complete' } : {});
  const row = await db
    .insertInto('messages')
    .values({
      conversation_id: conversationId,
      role,
      content,
      extra_metadata: typeof metadata === 'string' ? metadata : JSON.stringify(metadata),
      created_at: options.createdAt ?? FIXTURE_TIME,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Inserts an active `locale` preference as the bot infers it from a user's platform language. */
export async function insertLocalePreference(db: Kysely<Database>, userId: number, locale: string): Promise<void> {
  await db
    .insertInto('user_preferences')
    .values({
      user_id: userId,
      key: 'locale',
      value: locale,
      category: 'system',
      source: 'inferred',
      is_active: 1,
      updated_at: FIXTURE_TIME,
    })
    .execute();
}
