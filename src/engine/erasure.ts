import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';

/** Rows deleted per table by `eraseUserData`. */
export interface ErasureCounts {
  conversations: number;
  messages: number;
  conversationSummaries: number;
  userPreferences: number;
  answerCache: number;
  feedback: number;
  sessions: number;
  modelPresets: number;
}

/**
 * Deletes what the bot stores about a user (`/forget_me`), in one transaction: their
 * conversations with the messages and summaries in them, preferences, cached answers,
 * feedback, login sessions and the presets they own (global ones included, which other users
 * then lose). The `users` row stays, so a ban, a role or local access survive, but its
 * `display_name` and `platform_username` are cleared. `usage_counters` stay too: they hold
 * only daily counts, and the daily limits need them.
 *
 * Each table is deleted from explicitly rather than through `ON DELETE CASCADE`, so the
 * result does not depend on `PRAGMA foreign_keys` being on.
 * `platform_updates` is left alone: a handled update keeps no payload (the journal drops it at
 * finish) and the sweep job deletes handled rows after a few days, while the rows still guard
 * against answering an update twice.
 */
export async function eraseUserData(db: Kysely<Database>, userId: number): Promise<ErasureCounts> {
  return db.transaction().execute(async (trx) => {
    const conversationIds = trx.selectFrom('conversations').select('id').where('user_id', '=', userId);

    // Feedback is matched by voter and by conversation, which also takes votes without a reply id.
    const feedback = await trx
      .deleteFrom('feedback')
      .where((eb) => eb.or([eb('user_id', '=', userId), eb('conversation_id', 'in', conversationIds)]))
      .executeTakeFirst();
    const summaries = await trx.deleteFrom('conversation_summaries').where('conversation_id', 'in', conversationIds).executeTakeFirst();
    const messages = await trx.deleteFrom('messages').where('conversation_id', 'in', conversationIds).executeTakeFirst();
    const conversations = await trx.deleteFrom('conversations').where('user_id', '=', userId).executeTakeFirst();
    const preferences = await trx.deleteFrom('user_preferences').where('user_id', '=', userId).executeTakeFirst();
    const answerCache = await trx.deleteFrom('answer_cache').where('user_id', '=', userId).executeTakeFirst();
    const sessions = await trx.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();

    // Other users' conversations that used one of these presets lose it, as `ON DELETE SET NULL` would do.
    const ownedPresets = trx.selectFrom('model_presets').select('id').where('owner_id', '=', userId);
    await trx.updateTable('conversations').set({ preset_id: null }).where('preset_id', 'in', ownedPresets).execute();
    const presets = await trx.deleteFrom('model_presets').where('owner_id', '=', userId).executeTakeFirst();

    await trx.updateTable('users').set({ display_name: null, platform_username: null }).where('id', '=', userId).execute();

    return {
      conversations: Number(conversations.numDeletedRows),
      messages: Number(messages.numDeletedRows),
      conversationSummaries: Number(summaries.numDeletedRows),
      userPreferences: Number(preferences.numDeletedRows),
      answerCache: Number(answerCache.numDeletedRows),
      feedback: Number(feedback.numDeletedRows),
      sessions: Number(sessions.numDeletedRows),
      modelPresets: Number(presets.numDeletedRows),
    };
  });
}
