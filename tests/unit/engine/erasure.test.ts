import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { nowIso, utcDate } from '../../../src/db/values.js';
import { appendMessage, startConversation } from '../../../src/engine/conversations.js';
import { eraseUserData } from '../../../src/engine/erasure.js';
import { recordFeedback } from '../../../src/engine/feedback.js';
import { setPreference } from '../../../src/engine/preferences.js';
import { countAnsweredChat, countGeneratedImage } from '../../../src/engine/usage.js';
import { createUser } from '../../../src/engine/users.js';
import { createTempDatabase, type TempDatabase } from '../../support/temp-db.js';

let temp: TempDatabase;

beforeEach(async () => {
  temp = await createTempDatabase();
});

afterEach(async () => {
  await temp.cleanup();
});

/** Gives a user a row in every table `eraseUserData` covers; returns the user id and a preset id. */
async function addUserWithData(id: string): Promise<{ userId: number; presetId: number; conversationId: string }> {
  const { db } = temp;
  const user = await createUser(db, { platform: 'telegram', id, displayName: `Person ${id}`, username: `user${id}` }, 'user');
  const preset = await db
    .insertInto('model_presets')
    .values({ name: `preset-${id}`, description: null, system_prompt_template: 'x', temperature: 0.5, max_tokens: null, model_name: null, is_global: 0, owner_id: user.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  const conversation = await startConversation(db, { userId: user.id, platform: 'telegram', chatId: id }, { presetId: preset.id });
  const messageId = await appendMessage(db, conversation.id, 'user', 'secret question');
  const replyId = await appendMessage(db, conversation.id, 'assistant', 'secret answer', { status: 'complete' });
  await db
    .insertInto('conversation_summaries')
    .values({ conversation_id: conversation.id, summary: 'secret summary', updated_at: nowIso(), message_count_at_update: 2, last_message_id: messageId })
    .execute();
  await setPreference(db, user.id, { key: 'tone', value: 'casual', category: 'style', source: 'explicit' });
  await db
    .insertInto('answer_cache')
    .values({ user_id: user.id, cache_key: `key-${id}`, question: 'q', answer: 'a', engine: 'cloud', created_at: nowIso(), expires_at: null })
    .execute();
  await recordFeedback(db, { userId: user.id, replyMessageId: replyId, type: 'like' });
  await db
    .insertInto('sessions')
    .values({ id: `session-${id}`, user_id: user.id, type: 'active_session', expires_at: nowIso(new Date(Date.now() + 3_600_000)), user_agent: null, created_at: nowIso() })
    .execute();
  await countAnsweredChat(db, user.id, 'cloud', utcDate());
  await countGeneratedImage(db, user.id, utcDate());
  return { userId: user.id, presetId: preset.id, conversationId: conversation.id };
}

async function countRows(table: 'user_preferences' | 'answer_cache' | 'feedback' | 'sessions' | 'conversations' | 'usage_counters', userId: number): Promise<number> {
  const row = await temp.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function countConversationRows(table: 'messages' | 'conversation_summaries', conversationId: string): Promise<number> {
  const row = await temp.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('conversation_id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describe('eraseUserData', () => {
  it('deletes every row of the user', async () => {
    const erased = await addUserWithData('1');

    const counts = await eraseUserData(temp.db, erased.userId);

    expect(counts).toEqual({
      conversations: 1,
      messages: 2,
      conversationSummaries: 1,
      userPreferences: 1,
      answerCache: 1,
      feedback: 1,
      sessions: 1,
      modelPresets: 1,
    });
    for (const table of ['user_preferences', 'answer_cache', 'feedback', 'sessions', 'conversations'] as const) {
      expect(await countRows(table, erased.userId), table).toBe(0);
    }
    expect(await countConversationRows('messages', erased.conversationId)).toBe(0);
    expect(await countConversationRows('conversation_summaries', erased.conversationId)).toBe(0);
    expect(await temp.db.selectFrom('model_presets').selectAll().where('owner_id', '=', erased.userId).execute()).toHaveLength(0);
  });

  it('keeps usage counters and the user row', async () => {
    const erased = await addUserWithData('1');
    await temp.db.updateTable('users').set({ is_banned: 1, role: 'vip' }).where('id', '=', erased.userId).execute();

    await eraseUserData(temp.db, erased.userId);

    const usage = await temp.db.selectFrom('usage_counters').selectAll().where('user_id', '=', erased.userId).execute();
    expect(usage).toHaveLength(1);
    expect(usage[0]).toMatchObject({ total_chat_count: 1, groq_count: 1, image_count: 1 });
    const user = await temp.db.selectFrom('users').selectAll().where('id', '=', erased.userId).executeTakeFirst();
    expect(user).toMatchObject({ is_banned: 1, role: 'vip', display_name: null, platform_username: null });
  });

  it("leaves other users' data alone", async () => {
    const erased = await addUserWithData('1');
    const kept = await addUserWithData('2');

    await eraseUserData(temp.db, erased.userId);

    for (const table of ['user_preferences', 'answer_cache', 'feedback', 'sessions', 'conversations', 'usage_counters'] as const) {
      expect(await countRows(table, kept.userId), table).toBe(1);
    }
    expect(await countConversationRows('messages', kept.conversationId)).toBe(2);
    expect(await countConversationRows('conversation_summaries', kept.conversationId)).toBe(1);
    const user = await temp.db.selectFrom('users').selectAll().where('id', '=', kept.userId).executeTakeFirst();
    expect(user?.display_name).toBe('Person 2');
  });

  it("clears the erased preset from others' conversations", async () => {
    const erased = await addUserWithData('1');
    const kept = await addUserWithData('2');
    await temp.db.updateTable('model_presets').set({ is_global: 1 }).where('id', '=', erased.presetId).execute();
    await temp.db.updateTable('conversations').set({ preset_id: erased.presetId }).where('id', '=', kept.conversationId).execute();

    await eraseUserData(temp.db, erased.userId);

    const conversation = await temp.db.selectFrom('conversations').select('preset_id').where('id', '=', kept.conversationId).executeTakeFirst();
    expect(conversation?.preset_id).toBeNull();
  });
});
