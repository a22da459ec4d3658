import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { ConversationRow, Database } from '../db/schema.js';
import { nowIso, parseJson, toJson } from '../db/values.js';
import type { Platform } from './types.js';

/** A conversation title is the first message cut to this many code points, the ellipsis included. */
export const TITLE_MAX_LENGTH = 50;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Cuts the first message to a title of at most `TITLE_MAX_LENGTH` code points. The cut falls
 * between graphemes, so a flag, a skin-tone emoji or a ZWJ sequence is kept whole or dropped.
 */
export function titleFrom(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if ([...flat].length <= TITLE_MAX_LENGTH) return flat;

  let title = '';
  let length = 0;
  for (const { segment } of graphemes.segment(flat)) {
    const segmentLength = [...segment].length;
    if (length + segmentLength > TITLE_MAX_LENGTH - 1) break;
    title += segment;
    length += segmentLength;
  }
  return `${title.trimEnd()}…`;
}

export interface ChatRef {
  userId: number;
  platform: Platform;
  chatId: string;
}

/** Selects the chat's active conversations, newest first. Normally there is one. */
function activeConversations(db: Kysely<Database>, ref: ChatRef) {
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('user_id', '=', ref.userId)
    .where('platform', '=', ref.platform)
    .where('chat_id', '=', ref.chatId)
    .where('is_active', '=', 1)
    .orderBy('created_at', 'desc');
}

export async function findActiveConversation(db: Kysely<Database>, ref: ChatRef): Promise<ConversationRow | undefined> {
  return activeConversations(db, ref).executeTakeFirst();
}

/**
 * Finds the chat's active conversation and whether it has any message yet, in one read. A chat
 * turn needs both, the second because only a conversation's first question uses the answer cache.
 */
export async function findActiveConversationForTurn(
  db: Kysely<Database>,
  ref: ChatRef,
): Promise<{ conversation: ConversationRow; hasMessages: boolean } | undefined> {
  const row = await activeConversations(db, ref)
    .select((eb) =>
      eb.exists(eb.selectFrom('messages').select('messages.id').whereRef('messages.conversation_id', '=', 'conversations.id')).as('has_messages'),
    )
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const { has_messages: hasMessages, ...conversation } = row;
  return { conversation, hasMessages: Number(hasMessages) === 1 };
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

/**
 * Inserts a message and moves the conversation's `updated_at` in one transaction; returns the
 * message id. Inside a caller's transaction it joins that one.
 */
export async function appendMessage(
  db: Kysely<Database>,
  conversationId: string,
  role: 'user' | 'assistant' | 'system',
  content: string,
  metadata: Record<string, unknown> = {},
): Promise<number> {
  const now = nowIso();
  const write = async (trx: Kysely<Database>): Promise<number> => {
    const inserted = await trx
      .insertInto('messages')
      .values({ conversation_id: conversationId, role, content, extra_metadata: toJson(metadata), created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.updateTable('conversations').set({ updated_at: now }).where('id', '=', conversationId).execute();
    return inserted.id;
  };
  return db.isTransaction ? write(db) : db.transaction().execute(write);
}

/**
 * Merges keys into a message's `extra_metadata` in one statement (SQLite's `json_patch`, a
 * JSON merge patch), e.g. the platform message ids a reply was sent as. Metadata that is not a
 * JSON object is replaced by the patch.
 */
export async function mergeMessageMetadata(
  db: Kysely<Database>,
  messageId: number,
  patch: Record<string, unknown>,
): Promise<void> {
  await db
    .updateTable('messages')
    .set({
      extra_metadata: sql<string>`CASE WHEN json_valid(extra_metadata) AND json_type(extra_metadata) = 'object'
        THEN json_patch(extra_metadata, ${toJson(patch)}) ELSE ${toJson(patch)} END`,
    })
    .where('id', '=', messageId)
    .execute();
}

/** Number of messages in the conversation. */
export async function countMessages(db: Kysely<Database>, conversationId: string): Promise<number> {
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** How many of a conversation's newest messages are searched for an already stored update. */
const RECENT_MESSAGE_WINDOW = 20;

/**
 * Id of a user message stored for the same platform message among the conversation's newest
 * messages, or undefined. Lets an update that is handled again after a crash reuse its row.
 */
export async function findRecentUserMessage(
  db: Kysely<Database>,
  conversationId: string,
  platformMessageId: string,
): Promise<number | undefined> {
  const recent = db
    .selectFrom('messages')
    .select(['id', 'role', 'extra_metadata'])
    .where('conversation_id', '=', conversationId)
    .orderBy('id', 'desc')
    .limit(RECENT_MESSAGE_WINDOW)
    .as('recent');
  const row = await db
    .selectFrom(recent)
    .select('id')
    .where('role', '=', 'user')
    .where(sql<string>`json_extract(extra_metadata, '$.platform_message_id')`, '=', platformMessageId)
    .executeTakeFirst();
  return row?.id;
}

/**
 * Returns the reply stored right after a user message when it is complete, that is, when the
 * next message of the conversation is an assistant message with `status` `complete`.
 * `delivered` is true when platform message ids were recorded for it.
 */
export async function findCompleteReplyTo(
  db: Kysely<Database>,
  conversationId: string,
  userMessageId: number,
): Promise<{ id: number; content: string; finishReason: unknown; delivered: boolean } | undefined> {
  const next = await db
    .selectFrom('messages')
    .select(['id', 'role', 'content', 'extra_metadata'])
    .where('conversation_id', '=', conversationId)
    .where('id', '>', userMessageId)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (next?.role !== 'assistant') return undefined;
  const metadata = parseJson<{ status?: unknown; finish_reason?: unknown; platform_message_ids?: unknown } | null>(next.extra_metadata, null);
  if (metadata?.status !== 'complete') return undefined;
  const delivered = Array.isArray(metadata.platform_message_ids) && metadata.platform_message_ids.length > 0;
  return { id: next.id, content: next.content, finishReason: metadata.finish_reason, delivered };
}
