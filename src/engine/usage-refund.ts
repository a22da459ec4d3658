import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { parseJson } from '../db/values.js';
import { refundUsage, type UsageRefund } from './usage.js';

/** The keys of a stored reply's metadata that tell what its turn counted. */
interface CountedReplyMetadata {
  status?: unknown;
  kind?: unknown;
  cached?: unknown;
  engine?: unknown;
  usage_date?: unknown;
  usage_refunded?: unknown;
}

/**
 * Returns what a stored reply added to `usage_counters`. Returns undefined when nothing can
 * be taken back, because the reply is not complete, was already refunded, or has no `usage_date`.
 */
export function countedUsageOf(metadata: CountedReplyMetadata): { date: string; refund: UsageRefund } | undefined {
  if (metadata.status !== 'complete' || metadata.usage_refunded === true) return undefined;
  if (typeof metadata.usage_date !== 'string') return undefined;
  if (metadata.kind === 'image') return { date: metadata.usage_date, refund: { chat: 0, cloud: 0, local: 0, image: 1 } };
  // A cache hit counts as a chat but not as a model call.
  const fromModel = metadata.cached !== true;
  return {
    date: metadata.usage_date,
    refund: {
      chat: 1,
      cloud: fromModel && metadata.engine === 'cloud' ? 1 : 0,
      local: fromModel && metadata.engine === 'local' ? 1 : 0,
      image: 0,
    },
  };
}

/**
 * Takes back the counts of a reply that reached no one, and returns whether it took any back.
 * The caller marks the reply in the same transaction, so a second failure report refunds nothing.
 */
export async function refundUndeliveredReply(db: Kysely<Database>, replyMessageId: number): Promise<boolean> {
  const row = await db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .select(['messages.extra_metadata', 'conversations.user_id'])
    .where('messages.id', '=', replyMessageId)
    .where('messages.role', '=', 'assistant')
    .executeTakeFirst();
  if (!row) return false;
  const metadata = parseJson<unknown>(row.extra_metadata, null);
  if (typeof metadata !== 'object' || metadata === null) return false;
  const counted = countedUsageOf(metadata as CountedReplyMetadata);
  if (!counted) return false;
  await refundUsage(db, row.user_id, counted.date, counted.refund);
  return true;
}
