import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';
import { nowIso } from '../db/values.js';

export type FeedbackType = 'like' | 'dislike';

export const FEEDBACK_TYPES: readonly FeedbackType[] = ['like', 'dislike'];

export type FeedbackResult =
  | { kind: 'recorded'; type: FeedbackType; conversationId: string; changed: boolean }
  /** The id is not an assistant message in a conversation of this user. */
  | { kind: 'not_found' };

/**
 * Stores a user's 👍 or 👎 on one reply. There is one vote per user per reply (the unique
 * index on `feedback.user_id, message_id`), so voting again replaces the earlier vote. The
 * row keeps the reply text and conversation, so the vote stays readable if the reply's
 * conversation is later removed. Only assistant messages of the user's own conversations
 * can be voted on; any other id returns `not_found`.
 */
export async function recordFeedback(
  db: Kysely<Database>,
  vote: { userId: number; replyMessageId: number; type: FeedbackType },
): Promise<FeedbackResult> {
  return db.transaction().execute(async (trx) => {
    const reply = await trx
      .selectFrom('messages')
      .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
      .select(['messages.content', 'messages.conversation_id'])
      .where('messages.id', '=', vote.replyMessageId)
      .where('messages.role', '=', 'assistant')
      .where('conversations.user_id', '=', vote.userId)
      .executeTakeFirst();
    if (!reply) return { kind: 'not_found' };

    const previous = await trx
      .selectFrom('feedback')
      .select('feedback_type')
      .where('user_id', '=', vote.userId)
      .where('message_id', '=', vote.replyMessageId)
      .executeTakeFirst();

    await trx
      .insertInto('feedback')
      .values({
        user_id: vote.userId,
        message_id: vote.replyMessageId,
        conversation_id: reply.conversation_id,
        message_content: reply.content,
        feedback_type: vote.type,
        created_at: nowIso(),
      })
      .onConflict((conflict) =>
        conflict.columns(['user_id', 'message_id']).doUpdateSet({ feedback_type: vote.type, created_at: nowIso() }),
      )
      .execute();

    return {
      kind: 'recorded',
      type: vote.type,
      conversationId: reply.conversation_id,
      changed: previous !== undefined && previous.feedback_type !== vote.type,
    };
  });
}
