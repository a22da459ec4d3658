import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** The place to start reading one DM channel's history after a restart or a new gateway session. */
export interface CatchUpPoint {
  channelId: string;
  /** Snowflake after which messages are read; messages with greater ids may be missed ones. */
  afterId: string;
}

/**
 * Finds, for each known Discord DM channel, the message id after which its history may contain
 * messages the bot never handled. Discord does not resend messages sent while the bot was
 * offline or between gateway sessions, so the adapter reads them from the channel history.
 *
 * Known channels are the `conversations.chat_id`s on Discord and the channels of journaled
 * messages. A channel starts after its newest handled or failed message, or just before its
 * oldest message still marked `received` (a crash interrupted it), whichever is older.
 * NOTE: a channel with no journaled message is skipped, because there is no id to start from.
 * That happens only when `platform_updates` rows were deleted by hand.
 */
export async function catchUpPoints(db: Kysely<Database>): Promise<CatchUpPoint[]> {
  const fromConversations = await db
    .selectFrom('conversations')
    .select('chat_id')
    .distinct()
    .where('platform', '=', 'discord')
    .where('chat_id', 'is not', null)
    .execute();
  const fromJournal = await db
    .selectFrom('platform_updates')
    .select('chat_id')
    .distinct()
    .where('platform', '=', 'discord')
    .where('chat_id', 'is not', null)
    .execute();
  const channelIds = new Set([...fromConversations, ...fromJournal].map((row) => row.chat_id).filter((id): id is string => id !== null));

  const points: CatchUpPoint[] = [];
  for (const channelId of channelIds) {
    const afterId = await startingPoint(db, channelId);
    if (afterId !== undefined) points.push({ channelId, afterId });
  }
  return points;
}

async function startingPoint(db: Kysely<Database>, channelId: string): Promise<string | undefined> {
  const journal = db.selectFrom('platform_updates').select('update_key').where('platform', '=', 'discord').where('chat_id', '=', channelId);

  // Snowflakes are decimal text; ordering by length, then text, orders them numerically.
  const newestFinished = await journal
    .where('status', '!=', 'received')
    .orderBy(sql`length(update_key)`, 'desc')
    .orderBy('update_key', 'desc')
    .executeTakeFirst();
  const oldestUnfinished = await journal
    .where('status', '=', 'received')
    .orderBy(sql`length(update_key)`, 'asc')
    .orderBy('update_key', 'asc')
    .executeTakeFirst();

  const candidates: bigint[] = [];
  if (newestFinished) candidates.push(BigInt(newestFinished.update_key));
  if (oldestUnfinished) candidates.push(BigInt(oldestUnfinished.update_key) - 1n);
  if (candidates.length === 0) return undefined;
  return candidates.reduce((older, candidate) => (candidate < older ? candidate : older)).toString();
}
