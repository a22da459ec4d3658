import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ConversationRow, Database } from '../db/schema.js';
import { nowIso, toJson } from '../db/values.js';
import type { Platform } from './types.js';

/** A conversation title is the first message cut to this many characters. */
export const TITLE_MAX_LENGTH = 50;

export function titleFrom(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const characters = [...flat];
  if (characters.length <= TITLE_MAX_LENGTH) return flat;
  return `${characters.slice(0, TITLE_MAX_LENGTH - 1).join('').trimEnd()}…`;
}

export interface ChatRef {
  userId: number;
  platform: Platform;
  chatId: string;
}

export async function findActiveConversation(db: Kysely<Database>, ref: ChatRef): Promise<ConversationRow | undefined> {
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('user_id', '=', ref.userId)
    .where('platform', '=', ref.platform)
    .where('chat_id', '=', ref.chatId)
    .where('is_active', '=', 1)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/** Starts a conversation and makes it the only active one of the user in that chat. */
export async function startConversation(
  db: Kysely<Database>,
  ref: ChatRef,
  options: { title?: string | null; presetId?: number | null } = {},
): Promise<ConversationRow> {
  const now = nowIso();
  const row: ConversationRow = {
    id: randomUUID(),
    user_id: ref.userId,
    title: options.title ?? null,
    preset_id: options.presetId ?? null,
    created_at: now,
    updated_at: now,
    platform: ref.platform,
    chat_id: ref.chatId,
    is_active: 1,
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('conversations')
      .set({ is_active: 0 })
      .where('user_id', '=', ref.userId)
      .where('platform', '=', ref.platform)
      .where('chat_id', '=', ref.chatId)
      .where('is_active', '=', 1)
      .execute();
    await trx.insertInto('conversations').values(row).execute();
  });
  return row;
}

export type MessageStatus = 'complete' | 'interrupted' | 'failed';

/** Inserts a message and moves the conversation's `updated_at` in one transaction; returns the message id. */
export async function appendMessage(
  db: Kysely<Database>,
  conversationId: string,
  role: 'user' | 'assistant' | 'system',
  content: string,
  metadata: Record<string, unknown> = {},
): Promise<number> {
  const now = nowIso();
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('messages')
      .values({ conversation_id: conversationId, role, content, extra_metadata: toJson(metadata), created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.updateTable('conversations').set({ updated_at: now }).where('id', '=', conversationId).execute();
    return inserted.id;
  });
}

/** Merges keys into a message's `extra_metadata`, e.g. the platform message ids a reply was sent as. */
export async function mergeMessageMetadata(
  db: Kysely<Database>,
  messageId: number,
  patch: Record<string, unknown>,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('messages').select('extra_metadata').where('id', '=', messageId).executeTakeFirst();
    if (!row) return;
    let metadata: Record<string, unknown> = {};
    try {
      metadata = JSON.parse(row.extra_metadata) as Record<string, unknown>;
    } catch {
      metadata = {};
    }
    await trx
      .updateTable('messages')
      .set({ extra_metadata: toJson({ ...metadata, ...patch }) })
      .where('id', '=', messageId)
      .execute();
  });
}

/** Number of messages in the conversation before the current turn; 0 means the turn is context-free. */
export async function countMessages(db: Kysely<Database>, conversationId: string): Promise<number> {
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}
