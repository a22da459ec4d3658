import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { utcDate } from '../../../src/db/values.js';
import { ConversationEngine } from '../../../src/engine/conversation-engine.js';
import { appendMessage, startConversation } from '../../../src/engine/conversations.js';
import { setPreference } from '../../../src/engine/preferences.js';
import { countAnsweredChat } from '../../../src/engine/usage.js';
import { RecordingRouter } from '../../support/recording-router.js';
import { addPerson, createCommandFixture, type CommandFixture } from './command-fixture.js';

let fixture: CommandFixture;

beforeEach(async () => {
  fixture = await createCommandFixture();
});

afterEach(async () => {
  await fixture.cleanup();
});

function t(locale: 'tr' | 'en', key: string): string {
  return fixture.services.texts.t(locale, key);
}

describe('/forget_me', () => {
  it('warns and offers a confirm button', async () => {
    const user = await addPerson(fixture, 'telegram', '900', 'user', 'tr');

    const reply = await fixture.run(user, '/forget_me');

    expect(reply.text).toBe(t('tr', 'forget_me.warning'));
    expect(reply.buttons).toEqual([[{ label: t('tr', 'forget_me.confirm_label'), command: '/forget_me confirm' }]]);
  });

  it('keeps data until confirmed', async () => {
    const user = await addPerson(fixture, 'telegram', '901', 'user');
    const row = await fixture.reload(user);
    await setPreference(fixture.services.db, row!.id, { key: 'tone', value: 'casual', category: 'style', source: 'explicit' });

    await fixture.run(user, '/forget_me');

    const preferences = await fixture.services.db
      .selectFrom('user_preferences')
      .selectAll()
      .where('user_id', '=', row!.id)
      .where('key', '=', 'tone')
      .execute();
    expect(preferences).toHaveLength(1);
  });

  it('erases data on confirm', async () => {
    const user = await addPerson(fixture, 'discord', '902', 'user');
    const row = await fixture.reload(user);
    const { db } = fixture.services;
    const conversation = await startConversation(db, { userId: row!.id, platform: 'discord', chatId: 'chat-902' });
    await appendMessage(db, conversation.id, 'user', 'Hello');
    await setPreference(db, row!.id, { key: 'tone', value: 'casual', category: 'style', source: 'explicit' });
    await countAnsweredChat(db, row!.id, 'cloud', utcDate());

    const reply = await fixture.run(user, '/forget_me confirm');

    expect(reply).toEqual({ text: t('en', 'forget_me.done') });
    expect(await db.selectFrom('conversations').selectAll().where('user_id', '=', row!.id).execute()).toHaveLength(0);
    expect(await db.selectFrom('messages').selectAll().where('conversation_id', '=', conversation.id).execute()).toHaveLength(0);
    expect(await db.selectFrom('usage_counters').selectAll().where('user_id', '=', row!.id).execute()).toHaveLength(1);
    // The dispatcher stored the locale again while resolving the user; only that row may remain.
    const preferences = await db.selectFrom('user_preferences').select('key').where('user_id', '=', row!.id).execute();
    expect(preferences.map((preference) => preference.key)).not.toContain('tone');
    expect((await fixture.reload(user))?.display_name).toBeNull();
  });

  it('works for banned users and keeps the ban', async () => {
    const user = await addPerson(fixture, 'telegram', '903', 'user');
    await fixture.services.db.updateTable('users').set({ is_banned: 1 }).where('username', '=', 'telegram:903').execute();

    const reply = await fixture.run(user, '/forget_me confirm');

    expect(reply).toEqual({ text: t('en', 'forget_me.done') });
    expect((await fixture.reload(user))?.is_banned).toBe(1);
  });

  it('shows usage for another word', async () => {
    const user = await addPerson(fixture, 'telegram', '904', 'user');

    const reply = await fixture.run(user, '/forget_me now');

    expect(reply.isError).toBe(true);
    expect(reply.text).toContain('/forget_me [confirm]');
  });
});

describe('/forget_me with preference inference running', () => {
  it('stores nothing the inference finds afterwards', async () => {
    const { db, settings, texts, logger } = fixture.services;
    await settings.set('preferences.infer', 'true', 'test');
    // The chat reply comes at once. The inference reply comes only after the erasure has
    // started, unless the inference is aborted first.
    let inferenceStarted!: () => void;
    const started = new Promise<void>((resolve) => (inferenceStarted = resolve));
    const router = new RecordingRouter((request) => {
      if (request.logContext?.task !== 'preference-inference') return 'Nice to meet you, Ayşe.';
      inferenceStarted();
      return new Promise<string>((resolve, reject) => {
        request.signal?.addEventListener('abort', () => reject(new Error('aborted')));
        setTimeout(() => resolve('{"preferences": [{"key": "name", "value": "Ayşe"}]}'), 200);
      });
    });
    fixture.services.engine = new ConversationEngine({ db, router, settings, texts, logger, adminIds: new Set() });
    const user = await addPerson(fixture, 'telegram', '905', 'user', 'tr');

    await fixture.services.engine.handleMessage({ user, chatId: 'chat-905', isPrivate: true, text: 'Bana Ayşe de.', messageId: '1' });
    await started;
    const reply = await fixture.run(user, '/forget_me confirm');
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(reply.text).toBe(t('tr', 'forget_me.done'));
    expect(await db.selectFrom('user_preferences').selectAll().execute()).toEqual([]);
  });
});
