import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { COMMANDS } from '../../../src/commands/registry.js';
import { feedbackButtons } from '../../../src/commands/user-commands/feedback.js';
import { MAX_BUTTON_COMMAND_BYTES } from '../../../src/commands/user-commands/buttons.js';
import { appendMessage, startConversation } from '../../../src/engine/conversations.js';
import type { PlatformUser } from '../../../src/engine/types.js';
import { addPerson, createCommandFixture, type CommandFixture } from './command-fixture.js';

let fixture: CommandFixture;

beforeEach(async () => {
  fixture = await createCommandFixture();
});

afterEach(async () => {
  await fixture.cleanup();
});

function t(key: string, variables?: Record<string, string | number>): string {
  return fixture.services.texts.t('en', key, variables);
}

/** Stores a conversation of `user` with one reply carrying `metadata`; returns the reply id. */
async function addReply(user: PlatformUser, metadata: Record<string, unknown>): Promise<number> {
  const row = await fixture.reload(user);
  if (!row) throw new Error('user missing');
  const conversation = await startConversation(fixture.services.db, { userId: row.id, platform: user.platform, chatId: `chat-${user.id}` });
  await appendMessage(fixture.services.db, conversation.id, 'user', 'Question');
  return appendMessage(fixture.services.db, conversation.id, 'assistant', 'Answer', { status: 'complete', ...metadata });
}

describe('feedbackButtons', () => {
  it('runs /vote with the reply id', () => {
    expect(feedbackButtons(123)).toEqual([
      [
        { label: '👍', command: '/vote like 123' },
        { label: '👎', command: '/vote dislike 123' },
      ],
    ]);
  });

  it('fits telegram callback data', () => {
    for (const button of feedbackButtons(Number.MAX_SAFE_INTEGER).flat()) {
      expect(Buffer.byteLength(button.command, 'utf8')).toBeLessThanOrEqual(MAX_BUTTON_COMMAND_BYTES);
    }
  });
});

describe('/vote', () => {
  it('is hidden from menus', () => {
    expect(COMMANDS.find((command) => command.name === 'vote')?.hidden).toBe(true);
  });

  it('records a vote and thanks', async () => {
    const user = await addPerson(fixture, 'telegram', '800', 'user', 'tr');
    const replyId = await addReply(user, { persona: 'standard', model: 'groq-llama-3.3-70b' });

    const reply = await fixture.run(user, `/vote like ${replyId}`);

    expect(reply).toEqual({ text: fixture.services.texts.t('tr', 'feedback.thanks') });
    const rows = await fixture.services.db.selectFrom('feedback').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ message_id: replyId, feedback_type: 'like', message_content: 'Answer' });
  });

  it("rejects a vote on another user's reply", async () => {
    const owner = await addPerson(fixture, 'telegram', '801', 'user');
    const other = await addPerson(fixture, 'telegram', '802', 'user');
    const replyId = await addReply(owner, {});

    const reply = await fixture.run(other, `/vote dislike ${replyId}`);

    expect(reply).toEqual({ text: t('feedback.not_found'), isError: true });
  });

  it('says in Turkish that the vote was not saved', async () => {
    const user = await addPerson(fixture, 'telegram', '804', 'user', 'tr');

    const reply = await fixture.run(user, '/vote like 999999');

    expect(reply).toEqual({ text: 'Bu yanıtı bulamadım, bu yüzden verdiğin oy kaydedilmedi.', isError: true });
  });

  it.each(['', 'love 1', 'like', 'like abc', 'like -4'])('shows usage for "%s"', async (argumentText) => {
    const user = await addPerson(fixture, 'discord', '803', 'user');

    const reply = await fixture.run(user, `/vote ${argumentText}`);

    expect(reply.isError).toBe(true);
    expect(reply.text).toBe(t('command.invalid_arguments', { command: 'vote', usage: '/vote like|dislike MESSAGE_ID' }));
  });
});

describe('/stats feedback', () => {
  it('breaks votes down by persona and model', async () => {
    const admin = await addPerson(fixture, 'telegram', '810', 'admin');
    const first = await addPerson(fixture, 'telegram', '811', 'user');
    const second = await addPerson(fixture, 'telegram', '812', 'user');
    const coderReply = await addReply(first, { persona: 'coder', model: 'groq-llama-3.3-70b' });
    const friendReply = await addReply(second, { persona: 'friend', model: 'groq-llama-3.1-8b' });
    const imageReply = await addReply(second, { kind: 'image', image_config: 'sdxl-default' });
    await fixture.run(first, `/vote like ${coderReply}`);
    await fixture.run(second, `/vote dislike ${friendReply}`);
    await fixture.run(second, `/vote like ${imageReply}`);

    const reply = await fixture.run(admin, '/stats');

    expect(reply.text).toContain(t('stats.feedback', { likes: 2, dislikes: 1 }));
    expect(reply.text).toContain(t('stats.feedback_by_persona'));
    expect(reply.text).toContain(t('stats.feedback_line', { name: 'coder', likes: 1, dislikes: 0 }));
    expect(reply.text).toContain(t('stats.feedback_line', { name: 'friend', likes: 0, dislikes: 1 }));
    expect(reply.text).toContain(t('stats.feedback_line', { name: t('stats.unknown_label'), likes: 1, dislikes: 0 }));
    expect(reply.text).toContain(t('stats.feedback_by_model'));
    expect(reply.text).toContain(t('stats.feedback_line', { name: 'groq-llama-3.3-70b', likes: 1, dislikes: 0 }));
    expect(reply.text).toContain(t('stats.feedback_line', { name: 'groq-llama-3.1-8b', likes: 0, dislikes: 1 }));
    expect(reply.text).toContain(t('stats.feedback_line', { name: 'sdxl-default', likes: 1, dislikes: 0 }));
  });

  it('leaves out breakdowns without votes', async () => {
    const admin = await addPerson(fixture, 'telegram', '813', 'admin');

    const reply = await fixture.run(admin, '/stats');

    expect(reply.text).not.toContain(t('stats.feedback_by_persona'));
    expect(reply.text).not.toContain(t('stats.feedback_by_model'));
  });
});
