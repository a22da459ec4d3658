import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Database } from '../../../src/db/schema.js';
import {
  DEFAULT_SUMMARY_SETTINGS,
  loadPromptHistory,
  loadSummarySettings,
} from '../../../src/engine/history.js';
import type { ChatRole } from '../../../src/router/types.js';
import { FIXTURE_TIME, insertConversation, insertMessage, insertUser } from '../../support/db-fixtures.js';
import type { MessageFixtureOptions } from '../../support/db-fixtures.js';
import { createTempDatabase } from '../../support/temp-db.js';
import type { TempDatabase } from '../../support/temp-db.js';

const NOW = FIXTURE_TIME;
const CONVERSATION_ID = '6f1c7a52-8d0e-4a8e-9a51-3b6a0f1e2c11';

let temp: TempDatabase;
let db: Kysely<Database>;

beforeEach(async () => {
  temp = await createTempDatabase();
  db = temp.db;
  const userId = await insertUser(db, { username: 'telegram:1001' });
  await insertConversation(db, userId, { id: CONVERSATION_ID });
});

afterEach(async () => {
  await temp.cleanup();
});

async function addMessage(role: ChatRole, content: string, metadata?: MessageFixtureOptions['metadata']): Promise<number> {
  return insertMessage(db, CONVERSATION_ID, role, content, { metadata });
}

async function addTurns(count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let turn = 1; turn <= count; turn += 1) {
    ids.push(await addMessage('user', `question ${turn}`));
    ids.push(await addMessage('assistant', `answer ${turn}`));
  }
  return ids;
}

async function setSummary(summary: string, lastMessageId: number | null): Promise<void> {
  await db
    .insertInto('conversation_summaries')
    .values({
      conversation_id: CONVERSATION_ID,
      summary,
      updated_at: NOW,
      message_count_at_update: 0,
      last_message_id: lastMessageId,
    })
    .execute();
}

describe('loadSummarySettings', () => {
  it('returns defaults when the row is missing', async () => {
    await db.deleteFrom('conversation_summary_settings').execute();

    const settings = await loadSummarySettings(db);

    expect(settings).toEqual(DEFAULT_SUMMARY_SETTINGS);
    expect(settings).toEqual({ enabled: true, firstThreshold: 12, updateStep: 10, maxMessages: 40 });
  });

  it('reads the stored row', async () => {
    await db.deleteFrom('conversation_summary_settings').execute();
    await db
      .insertInto('conversation_summary_settings')
      .values({
        id: 1,
        summary_enabled: 0,
        summary_first_threshold: 20,
        summary_update_step: 6,
        summary_max_messages: 30,
        updated_at: NOW,
      })
      .execute();

    const settings = await loadSummarySettings(db);

    expect(settings).toEqual({ enabled: false, firstThreshold: 20, updateStep: 6, maxMessages: 30 });
  });

  it('raises zero counts to one', async () => {
    await db.deleteFrom('conversation_summary_settings').execute();
    await db
      .insertInto('conversation_summary_settings')
      .values({
        id: 1,
        summary_enabled: 1,
        summary_first_threshold: 0,
        summary_update_step: 0,
        summary_max_messages: 0,
        updated_at: NOW,
      })
      .execute();

    const settings = await loadSummarySettings(db);

    expect(settings.firstThreshold).toBe(1);
    expect(settings.updateStep).toBe(1);
    expect(settings.maxMessages).toBe(1);
  });
});

describe('loadPromptHistory', () => {
  it('returns nothing for an empty conversation', async () => {
    const history = await loadPromptHistory(db, CONVERSATION_ID, { maxMessages: 40 });

    expect(history).toEqual({ summary: null, messages: [], rowsRead: 0 });
  });

  it('excludes system rows and unfinished replies', async () => {
    await addMessage('system', 'system note');
    const question = await addMessage('user', 'first question');
    await addMessage('assistant', 'cut off', '{"status":"interrupted"}');
    await addMessage('assistant', 'error text', '{"status":"failed"}');
    await addMessage('assistant', 'no status', '{"model":"llama"}');
    await addMessage('assistant', 'bad metadata', 'not json');
    const answer = await addMessage('assistant', 'good answer');

    const history = await loadPromptHistory(db, CONVERSATION_ID, { maxMessages: 40 });

    expect(history.messages).toEqual([
      { id: question, role: 'user', content: 'first question' },
      { id: answer, role: 'assistant', content: 'good answer' },
    ]);
    expect(history.rowsRead).toBe(2);
  });

  it('keeps user messages whatever their metadata', async () => {
    const id = await addMessage('user', 'question', '{"status":"failed"}');

    const history = await loadPromptHistory(db, CONVERSATION_ID, { maxMessages: 40 });

    expect(history.messages.map((message) => message.id)).toEqual([id]);
  });

  it('returns the newest maxMessages oldest first', async () => {
    const ids = await addTurns(10);

    const history = await loadPromptHistory(db, CONVERSATION_ID, { maxMessages: 5 });

    expect(history.messages.map((message) => message.id)).toEqual(ids.slice(-5));
    expect(history.messages[0]?.content).toBe('answer 8');
    expect(history.messages[4]?.content).toBe('answer 10');
  });

  it('fills maxMessages past skipped replies', async () => {
    const ids = await addTurns(3);
    await addMessage('assistant', 'error text', '{"status":"failed"}');
    await addMessage('system', 'system note');

    const history = await loadPromptHistory(db, CONVERSATION_ID, { maxMessages: 4 });

    expect(history.messages.map((message) => message.id)).toEqual(ids.slice(-4));
  });

  it('starts after the summary last_message_id', async () => {
    const ids = await addTurns(5);
    await setSummary('earlier talk', ids[5] ?? 0);

    const history = await loadPromptHistory(db, CONVERSATION_ID, { maxMessages: 40 });

    expect(history.summary).toBe('earlier talk');
    expect(history.messages.map((message) => message.id)).toEqual(ids.slice(6));
    expect(history.rowsRead).toBe(1 + 4);
  });

  it('reads all messages when last_message_id is null', async () => {
    const ids = await addTurns(2);
    await setSummary('earlier talk', null);

    const history = await loadPromptHistory(db, CONVERSATION_ID, { maxMessages: 40 });

    expect(history.summary).toBe('earlier talk');
    expect(history.messages.map((message) => message.id)).toEqual(ids);
  });

  it('treats an empty summary as none', async () => {
    const ids = await addTurns(2);
    await setSummary('', ids[1] ?? 0);

    const history = await loadPromptHistory(db, CONVERSATION_ID, { maxMessages: 40 });

    expect(history.summary).toBeNull();
    expect(history.messages.map((message) => message.id)).toEqual(ids.slice(2));
  });

  it('reads at most maxMessages plus one rows', async () => {
    const ids = await addTurns(300);
    await setSummary('earlier talk', ids[99] ?? 0);
    const maxMessages = 40;

    const history = await loadPromptHistory(db, CONVERSATION_ID, { maxMessages });

    expect(history.rowsRead).toBeLessThanOrEqual(maxMessages + 1);
    expect(history.messages).toHaveLength(maxMessages);
    expect(history.messages.map((message) => message.id)).toEqual(ids.slice(-maxMessages));
  });

  it('ignores other conversations', async () => {
    await addTurns(1);
    await insertConversation(db, 1, { id: 'other' });

    const history = await loadPromptHistory(db, 'other', { maxMessages: 40 });

    expect(history.messages).toEqual([]);
  });
});

describe('loadPromptHistory image turns', () => {
  it('leaves image prompts and captions out', async () => {
    const temp = await createTempDatabase();
    try {
      const { db } = temp;
      const time = '2026-12-04T00:00:00.000Z';
      const userId = await insertUser(db, { username: 'telegram:77', created_at: time });
      await insertConversation(db, userId, { id: 'c-image', created_at: time, updated_at: time });
      const message = (role: ChatRole, content: string, metadata: Record<string, unknown>) =>
        insertMessage(db, 'c-image', role, content, { metadata, createdAt: time });
      await message('user', 'hello', {});
      await message('assistant', 'hi there', { status: 'complete' });
      await message('user', '/imagine a cat', { kind: 'image_prompt' });
      await message('assistant', 'a cat', { kind: 'image', status: 'complete' });
      await message('user', 'how are you?', {});

      const history = await loadPromptHistory(db, 'c-image', { maxMessages: 40 });

      expect(history.messages.map((entry) => entry.content)).toEqual(['hello', 'hi there', 'how are you?']);
    } finally {
      await temp.cleanup();
    }
  });
});
