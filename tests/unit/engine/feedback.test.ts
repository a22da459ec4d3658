import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { appendMessage, startConversation } from '../../../src/engine/conversations.js';
import { recordFeedback } from '../../../src/engine/feedback.js';
import { createUser } from '../../../src/engine/users.js';
import { createTempDatabase, type TempDatabase } from '../../support/temp-db.js';

let temp: TempDatabase;
let ownerId: number;
let otherId: number;
let conversationId: string;
let replyId: number;
let userMessageId: number;

beforeEach(async () => {
  temp = await createTempDatabase();
  ownerId = (await createUser(temp.db, { platform: 'telegram', id: '1' }, 'user')).id;
  otherId = (await createUser(temp.db, { platform: 'telegram', id: '2' }, 'user')).id;
  const conversation = await startConversation(temp.db, { userId: ownerId, platform: 'telegram', chatId: '1' });
  conversationId = conversation.id;
  userMessageId = await appendMessage(temp.db, conversationId, 'user', 'Hi');
  replyId = await appendMessage(temp.db, conversationId, 'assistant', 'Hello there!', { status: 'complete' });
});

afterEach(async () => {
  await temp.cleanup();
});

async function feedbackRows() {
  return temp.db.selectFrom('feedback').selectAll().execute();
}

describe('recordFeedback', () => {
  it('stores a vote with the reply text', async () => {
    const result = await recordFeedback(temp.db, { userId: ownerId, replyMessageId: replyId, type: 'like' });

    expect(result).toEqual({ kind: 'recorded', type: 'like', conversationId, changed: false });
    const rows = await feedbackRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      user_id: ownerId,
      message_id: replyId,
      conversation_id: conversationId,
      message_content: 'Hello there!',
      feedback_type: 'like',
    });
  });

  it('replaces an earlier vote', async () => {
    await recordFeedback(temp.db, { userId: ownerId, replyMessageId: replyId, type: 'like' });

    const result = await recordFeedback(temp.db, { userId: ownerId, replyMessageId: replyId, type: 'dislike' });

    expect(result).toMatchObject({ kind: 'recorded', changed: true });
    const rows = await feedbackRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.feedback_type).toBe('dislike');
  });

  it('keeps one row for a repeated vote', async () => {
    await recordFeedback(temp.db, { userId: ownerId, replyMessageId: replyId, type: 'like' });
    const result = await recordFeedback(temp.db, { userId: ownerId, replyMessageId: replyId, type: 'like' });

    expect(result).toMatchObject({ kind: 'recorded', changed: false });
    expect(await feedbackRows()).toHaveLength(1);
  });

  it("rejects another user's reply", async () => {
    const result = await recordFeedback(temp.db, { userId: otherId, replyMessageId: replyId, type: 'like' });

    expect(result).toEqual({ kind: 'not_found' });
    expect(await feedbackRows()).toHaveLength(0);
  });

  it('rejects a user message', async () => {
    expect(await recordFeedback(temp.db, { userId: ownerId, replyMessageId: userMessageId, type: 'like' })).toEqual({ kind: 'not_found' });
  });

  it('rejects an unknown id', async () => {
    expect(await recordFeedback(temp.db, { userId: ownerId, replyMessageId: 99_999, type: 'dislike' })).toEqual({ kind: 'not_found' });
  });
});
