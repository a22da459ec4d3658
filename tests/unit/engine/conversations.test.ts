import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  TITLE_MAX_LENGTH,
  appendMessage,
  countMessages,
  findActiveConversation,
  findActiveConversationForTurn,
  mergeMessageMetadata,
  startConversation,
  titleFrom,
} from '../../../src/engine/conversations.js';
import type { ChatRef } from '../../../src/engine/conversations.js';
import { insertUser } from '../../support/db-fixtures.js';
import { createTempDatabase } from '../../support/temp-db.js';
import type { TempDatabase } from '../../support/temp-db.js';

const OLD = '2020-01-01T00:00:00.000Z';

function codePoints(text: string): number {
  return [...text].length;
}

describe('titleFrom', () => {
  it('keeps a short message', () => {
    expect(titleFrom('How do I bake bread?')).toBe('How do I bake bread?');
  });

  it('collapses white space', () => {
    expect(titleFrom('  two\n\nlines\there  ')).toBe('two lines here');
  });

  it('keeps exactly 50 code points', () => {
    const text = 'x'.repeat(TITLE_MAX_LENGTH);

    expect(titleFrom(text)).toBe(text);
  });

  it('cuts to 50 code points with an ellipsis', () => {
    const title = titleFrom('y'.repeat(80));

    expect(title).toBe(`${'y'.repeat(49)}…`);
    expect(codePoints(title)).toBe(50);
  });

  it('trims a space before the ellipsis', () => {
    expect(titleFrom(`${'a'.repeat(48)} bcdef`)).toBe(`${'a'.repeat(48)}…`);
  });

  it('counts an emoji as one code point', () => {
    const text = '😀'.repeat(60);

    expect(titleFrom(text)).toBe(`${'😀'.repeat(49)}…`);
  });

  it('keeps an emoji at the cut whole', () => {
    const title = titleFrom(`${'a'.repeat(48)}😀bcdef`);

    expect(title).toBe(`${'a'.repeat(48)}😀…`);
    expect(title).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('drops a ZWJ sequence that does not fit', () => {
    const title = titleFrom(`${'a'.repeat(47)}👨‍👩‍👧 family`);

    expect(title).toBe(`${'a'.repeat(47)}…`);
  });

  it('drops a flag that does not fit', () => {
    expect(titleFrom(`${'a'.repeat(48)}🇹🇷 bayrak`)).toBe(`${'a'.repeat(48)}…`);
  });

  it('keeps a skin-tone emoji whole', () => {
    expect(titleFrom(`${'a'.repeat(47)}👍🏽 thanks`)).toBe(`${'a'.repeat(47)}👍🏽…`);
  });

  it('returns empty text for blank input', () => {
    expect(titleFrom(' \n ')).toBe('');
  });
});

describe('conversation storage', () => {
  let temp: TempDatabase;
  let ref: ChatRef;

  beforeEach(async () => {
    temp = await createTempDatabase();
    const userId = await insertUser(temp.db, { username: 'telegram:1', created_at: OLD });
    ref = { userId, platform: 'telegram', chatId: '1' };
  });

  afterEach(async () => {
    await temp.cleanup();
  });

  it('starts an active conversation', async () => {
    const conversation = await startConversation(temp.db, ref, { title: 'Bread', presetId: null });

    const active = await findActiveConversation(temp.db, ref);

    expect(conversation.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(active?.id).toBe(conversation.id);
    expect(active?.title).toBe('Bread');
    expect(active?.is_active).toBe(1);
  });

  it('deactivates the previous conversation', async () => {
    const first = await startConversation(temp.db, ref);
    const second = await startConversation(temp.db, ref);

    const rows = await temp.db.selectFrom('conversations').select(['id', 'is_active']).execute();
    const active = await findActiveConversation(temp.db, ref);

    expect(active?.id).toBe(second.id);
    expect(rows.find((row) => row.id === first.id)?.is_active).toBe(0);
    expect(rows.filter((row) => row.is_active === 1)).toHaveLength(1);
  });

  it('keeps other chats active', async () => {
    const privateChat = await startConversation(temp.db, ref);
    const otherChat = { ...ref, chatId: '2' };
    const discord = { ...ref, platform: 'discord' as const };

    await startConversation(temp.db, otherChat);
    await startConversation(temp.db, discord);

    expect((await findActiveConversation(temp.db, ref))?.id).toBe(privateChat.id);
    expect(await findActiveConversation(temp.db, otherChat)).toBeDefined();
    expect(await findActiveConversation(temp.db, discord)).toBeDefined();
  });

  it('finds nothing for a new chat', async () => {
    expect(await findActiveConversation(temp.db, ref)).toBeUndefined();
    expect(await findActiveConversationForTurn(temp.db, ref)).toBeUndefined();
  });

  it('reports whether a conversation has messages', async () => {
    await startConversation(temp.db, ref);
    const conversation = await startConversation(temp.db, ref, { title: 'Bread' });

    const expected = await findActiveConversation(temp.db, ref);
    const empty = await findActiveConversationForTurn(temp.db, ref);
    await appendMessage(temp.db, conversation.id, 'user', 'How do I bake bread?');
    const started = await findActiveConversationForTurn(temp.db, ref);

    expect(empty).toEqual({ conversation: expected, hasMessages: false });
    expect(started?.conversation.id).toBe(conversation.id);
    expect(started?.hasMessages).toBe(true);
  });

  it('moves updated_at with each message', async () => {
    const conversation = await startConversation(temp.db, ref);
    await temp.db.updateTable('conversations').set({ updated_at: OLD }).where('id', '=', conversation.id).execute();

    const messageId = await appendMessage(temp.db, conversation.id, 'user', 'Hello', { source: 'test' });

    const stored = await temp.db.selectFrom('conversations').select('updated_at').where('id', '=', conversation.id).executeTakeFirstOrThrow();
    const message = await temp.db.selectFrom('messages').selectAll().where('id', '=', messageId).executeTakeFirstOrThrow();
    expect(stored.updated_at).not.toBe(OLD);
    expect(stored.updated_at).toBe(message.created_at);
    expect(message.content).toBe('Hello');
    expect(message.role).toBe('user');
    expect(JSON.parse(message.extra_metadata)).toEqual({ source: 'test' });
  });

  it('counts messages', async () => {
    const conversation = await startConversation(temp.db, ref);
    expect(await countMessages(temp.db, conversation.id)).toBe(0);

    await appendMessage(temp.db, conversation.id, 'user', 'one');
    await appendMessage(temp.db, conversation.id, 'assistant', 'two');

    expect(await countMessages(temp.db, conversation.id)).toBe(2);
  });

  it('merges message metadata', async () => {
    const conversation = await startConversation(temp.db, ref);
    const messageId = await appendMessage(temp.db, conversation.id, 'assistant', 'Hi', { status: 'complete', model: 'm1' });

    await mergeMessageMetadata(temp.db, messageId, { platformMessageIds: ['10', '11'], model: 'm2' });

    const row = await temp.db.selectFrom('messages').select('extra_metadata').where('id', '=', messageId).executeTakeFirstOrThrow();
    expect(JSON.parse(row.extra_metadata)).toEqual({ status: 'complete', model: 'm2', platformMessageIds: ['10', '11'] });
  });

  it('merges into unreadable metadata', async () => {
    const conversation = await startConversation(temp.db, ref);
    const messageId = await appendMessage(temp.db, conversation.id, 'assistant', 'Hi');
    await temp.db.updateTable('messages').set({ extra_metadata: 'not json' }).where('id', '=', messageId).execute();

    await mergeMessageMetadata(temp.db, messageId, { status: 'failed' });

    const row = await temp.db.selectFrom('messages').select('extra_metadata').where('id', '=', messageId).executeTakeFirstOrThrow();
    expect(JSON.parse(row.extra_metadata)).toEqual({ status: 'failed' });
  });

  it.each(['null', '[1,2]', '"text"'])('replaces non-object metadata %j', async (json) => {
    const conversation = await startConversation(temp.db, ref);
    const messageId = await appendMessage(temp.db, conversation.id, 'assistant', 'Hi');
    await temp.db.updateTable('messages').set({ extra_metadata: json }).where('id', '=', messageId).execute();

    await mergeMessageMetadata(temp.db, messageId, { status: 'failed' });

    const row = await temp.db.selectFrom('messages').select('extra_metadata').where('id', '=', messageId).executeTakeFirstOrThrow();
    expect(JSON.parse(row.extra_metadata)).toEqual({ status: 'failed' });
  });

  it('ignores a missing message', async () => {
    await expect(mergeMessageMetadata(temp.db, 9999, { status: 'failed' })).resolves.toBeUndefined();
  });
});
