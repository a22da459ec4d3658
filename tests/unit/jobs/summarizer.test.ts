import type { Kysely } from 'kysely';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Database } from '../../../src/db/schema.js';
import { loadPromptHistory } from '../../../src/engine/history.js';
import {
  FOLD_MAX_CHARS,
  FOLD_RETRY_MAX_CHARS,
  SUMMARY_MAX_CHARS,
  buildSummaryPrompt,
  countMessagesToFold,
  summarizeConversation,
} from '../../../src/jobs/summarizer.js';
import { ContextLengthError } from '../../../src/router/errors.js';
import type { ChatRole, ModelRouter } from '../../../src/router/types.js';
import { FIXTURE_TIME, insertConversation, insertLocalePreference, insertMessage, insertUser } from '../../support/db-fixtures.js';
import type { MessageFixtureOptions } from '../../support/db-fixtures.js';
import { RecordingRouter } from '../../support/recording-router.js';
import { createTempDatabase } from '../../support/temp-db.js';
import type { TempDatabase } from '../../support/temp-db.js';

const NOW = FIXTURE_TIME;
const CONVERSATION_ID = '0b8a4f3e-5c2d-4e1f-8a7b-6c5d4e3f2a10';
const SETTINGS = { firstThreshold: 12, updateStep: 10 };
const logger = pino({ level: 'silent' });

let temp: TempDatabase;
let db: Kysely<Database>;
let userId: number;

beforeEach(async () => {
  temp = await createTempDatabase();
  db = temp.db;
  userId = await insertUser(db, { username: 'telegram:2002' });
  await insertConversation(db, userId, { id: CONVERSATION_ID });
});

afterEach(async () => {
  await temp.cleanup();
});

/** Adds `count` messages alternating user and complete assistant, named `m<n>` in order. */
async function addMessages(count: number, contentLength = 0): Promise<number[]> {
  const existing = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  const ids: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const number = Number(existing.count) + index + 1;
    const role = number % 2 === 1 ? 'user' : 'assistant';
    ids.push(await addMessage(role, `m${number}.`.padEnd(contentLength, 'x')));
  }
  return ids;
}

async function addMessage(role: ChatRole, content: string, metadata?: MessageFixtureOptions['metadata']): Promise<number> {
  return insertMessage(db, CONVERSATION_ID, role, content, { metadata });
}

async function readSummary() {
  return db
    .selectFrom('conversation_summaries')
    .selectAll()
    .where('conversation_id', '=', CONVERSATION_ID)
    .executeTakeFirst();
}

function summarize(router: ModelRouter) {
  return summarizeConversation({
    db,
    router,
    logger,
    conversationId: CONVERSATION_ID,
    settings: SETTINGS,
  });
}

describe('buildSummaryPrompt', () => {
  it('sends instructions then the transcript', () => {
    const prompt = buildSummaryPrompt(null, [
      { role: 'user', content: 'Merhaba, adım Deniz.' },
      { role: 'assistant', content: 'Merhaba Deniz!' },
    ]);

    expect(prompt).toHaveLength(2);
    expect(prompt[0]?.role).toBe('system');
    expect(prompt[0]?.content).toContain('language the conversation is held in');
    expect(prompt[1]?.role).toBe('user');
    expect(prompt[1]?.content).toContain('There is no previous summary.');
    expect(prompt[1]?.content).toContain('User: Merhaba, adım Deniz.\n\nAssistant: Merhaba Deniz!');
  });

  it('includes the previous summary', () => {
    const prompt = buildSummaryPrompt('Deniz likes chess.', [{ role: 'user', content: 'hi' }]);

    expect(prompt[1]?.content).toContain('<previous_summary>\nDeniz likes chess.\n</previous_summary>');
    expect(prompt[1]?.content).not.toContain('There is no previous summary.');
  });

  it('adds a locale hint only when given', () => {
    const withLocale = buildSummaryPrompt(null, [], 'tr');
    const withoutLocale = buildSummaryPrompt(null, []);

    expect(withLocale[0]?.content).toContain('"tr"');
    expect(withoutLocale[0]?.content).not.toContain('locale');
  });
});

describe('countMessagesToFold', () => {
  it.each([
    { hasSummary: false, pending: 11, expected: 0 },
    { hasSummary: false, pending: 12, expected: 2 },
    { hasSummary: false, pending: 30, expected: 20 },
    { hasSummary: true, pending: 10, expected: 0 },
    { hasSummary: true, pending: 19, expected: 0 },
    { hasSummary: true, pending: 20, expected: 10 },
    { hasSummary: true, pending: 27, expected: 17 },
  ])('summary=$hasSummary pending=$pending folds $expected', ({ hasSummary, pending, expected }) => {
    expect(countMessagesToFold(hasSummary, pending, SETTINGS)).toBe(expected);
  });

  it('never folds the kept step when threshold is low', () => {
    const settings = { firstThreshold: 3, updateStep: 10 };

    expect(countMessagesToFold(false, 5, settings)).toBe(0);
    expect(countMessagesToFold(false, 11, settings)).toBe(1);
  });
});

describe('summarizeConversation', () => {
  it('skips below the first threshold', async () => {
    await addMessages(11);
    const router = new RecordingRouter(() => 'summary');

    const outcome = await summarize(router);

    expect(outcome).toBe('skipped');
    expect(router.requests).toHaveLength(0);
    expect(await readSummary()).toBeUndefined();
  });

  it('folds all but the newest step at the threshold', async () => {
    const ids = await addMessages(12);
    const router = new RecordingRouter(() => 'first summary');

    const outcome = await summarize(router);

    expect(outcome).toBe('updated');
    expect(router.requests).toHaveLength(1);
    const text = router.lastRequestText();
    expect(text).toContain('m1.');
    expect(text).toContain('m2.');
    expect(text).not.toContain('m3.');
    const stored = await readSummary();
    expect(stored?.summary).toBe('first summary');
    expect(stored?.last_message_id).toBe(ids[1]);
    expect(stored?.message_count_at_update).toBe(12);
  });

  it('sends the expected router request', async () => {
    await addMessages(12);
    const router = new RecordingRouter(() => 'first summary');

    await summarize(router);

    const request = router.requests[0];
    expect(request?.purpose).toBe('summary');
    expect(request?.access).toEqual({ canUseLocal: false, censorshipLevel: 1 });
    expect(request?.logContext).toEqual({ conversationId: CONVERSATION_ID, job: 'summary' });
    expect(request?.background).toBe(true);
  });

  it('writes nothing once aborted', async () => {
    await addMessages(12);
    await summarize(new RecordingRouter(() => 'first summary'));
    await addMessages(10);
    const before = await readSummary();
    const controller = new AbortController();
    // The model returns its summary after the signal aborted.
    const router = new RecordingRouter(() => {
      controller.abort();
      return 'late summary';
    });

    const outcome = await summarizeConversation({
      db,
      router,
      logger,
      conversationId: CONVERSATION_ID,
      settings: SETTINGS,
      signal: controller.signal,
    });

    expect(outcome).toBe('aborted');
    expect(router.requests[0]?.signal).toBe(controller.signal);
    expect(await readSummary()).toEqual(before);
  });

  it('skips with fewer than step new messages', async () => {
    await addMessages(12);
    const router = new RecordingRouter(() => 'first summary');
    await summarize(router);
    await addMessages(9);

    const outcome = await summarize(router);

    expect(outcome).toBe('skipped');
    expect(router.requests).toHaveLength(1);
    expect((await readSummary())?.summary).toBe('first summary');
  });

  it('sends previous summary and only new folded messages', async () => {
    const firstIds = await addMessages(12);
    const router = new RecordingRouter((request) =>
      router.requests.length === 1 ? 'first summary' : `second summary of ${request.messages.length}`,
    );
    await summarize(router);
    await addMessages(10);

    const outcome = await summarize(router);

    expect(outcome).toBe('updated');
    expect(router.requests).toHaveLength(2);
    const text = router.lastRequestText();
    expect(text).toContain('<previous_summary>\nfirst summary\n</previous_summary>');
    expect(text).not.toMatch(/\bm1\./);
    expect(text).not.toMatch(/\bm2\./);
    for (let number = 3; number <= 12; number += 1) {
      expect(text).toContain(`m${number}.`);
    }
    expect(text).not.toContain('m13.');
    const stored = await readSummary();
    expect(stored?.summary).toBe('second summary of 2');
    expect(stored?.last_message_id).toBe(firstIds[11]);
    expect(stored?.message_count_at_update).toBe(22);
  });

  it('passes the stored locale as a hint', async () => {
    await insertLocalePreference(db, userId, 'tr');
    await addMessages(12);
    const router = new RecordingRouter(() => 'özet');

    await summarize(router);

    expect(router.requests[0]?.messages[0]?.content).toContain('"tr"');
  });

  it('folds past unfinished replies without sending them', async () => {
    await addMessage('user', 'm1.');
    await addMessage('assistant', 'FAILED-REPLY', '{"status":"failed"}');
    await addMessage('system', 'SYSTEM-ROW');
    await addMessages(9);
    const router = new RecordingRouter(() => 'summary');

    await summarize(router);

    const text = router.lastRequestText();
    expect(text).toContain('m1.');
    expect(text).not.toContain('FAILED-REPLY');
    expect(text).not.toContain('SYSTEM-ROW');
  });

  it('folds past image turns without sending them', async () => {
    await addMessage('user', 'm1.');
    await addMessage('user', '/imagine IMAGE-PROMPT', '{"kind":"image_prompt"}');
    await addMessage('assistant', 'IMAGE-CAPTION', '{"status":"complete","kind":"image"}');
    await addMessages(9);
    const router = new RecordingRouter(() => 'summary');

    await summarize(router);

    const text = router.lastRequestText();
    expect(text).toContain('m1.');
    expect(text).not.toContain('IMAGE-PROMPT');
    expect(text).not.toContain('IMAGE-CAPTION');
  });

  it('moves past unsendable rows without a model call', async () => {
    const failedId = await addMessage('assistant', 'error', '{"status":"failed"}');
    const systemId = await addMessage('system', 'note');
    await addMessages(10);
    const router = new RecordingRouter(() => 'summary');

    const outcome = await summarize(router);

    expect(outcome).toBe('updated');
    expect(router.requests).toHaveLength(0);
    expect(failedId).toBeLessThan(systemId);
    expect((await readSummary())?.last_message_id).toBe(systemId);
  });

  it('leaves the summary unchanged when the router fails', async () => {
    await addMessages(12);
    await summarize(new RecordingRouter(() => 'first summary'));
    await addMessages(10);
    const failing = new RecordingRouter(() => {
      throw new Error('all summary models failed');
    });
    const before = await readSummary();

    await expect(summarize(failing)).rejects.toThrow('all summary models failed');

    expect(await readSummary()).toEqual(before);
  });

  it('rejects an empty model reply', async () => {
    await addMessages(12);

    await expect(summarize(new RecordingRouter(() => '   '))).rejects.toThrow('empty summary');

    expect(await readSummary()).toBeUndefined();
  });

  it('discards its result when another run moved last_message_id', async () => {
    const ids = await addMessages(12);
    const router = new RecordingRouter(async () => {
      // Another run stores its summary while this one waits for the model.
      await db
        .insertInto('conversation_summaries')
        .values({
          conversation_id: CONVERSATION_ID,
          summary: 'written by the other run',
          updated_at: NOW,
          message_count_at_update: 12,
          last_message_id: ids[1] ?? 0,
        })
        .execute();
      return 'late summary';
    });

    const outcome = await summarize(router);

    expect(outcome).toBe('skipped');
    expect((await readSummary())?.summary).toBe('written by the other run');
  });

  it('discards an update raced by another update', async () => {
    await addMessages(12);
    await summarize(new RecordingRouter(() => 'first summary'));
    const ids = await addMessages(10);
    const router = new RecordingRouter(async () => {
      await db
        .updateTable('conversation_summaries')
        .set({ summary: 'other update', last_message_id: ids[0] ?? 0 })
        .execute();
      return 'late summary';
    });

    const outcome = await summarize(router);

    expect(outcome).toBe('skipped');
    expect((await readSummary())?.summary).toBe('other update');
  });

  it('caps the text sent in one request', async () => {
    const messageLength = 2000;
    await addMessages(40, messageLength);
    const router = new RecordingRouter(() => 'summary');

    await summarize(router);

    const transcript = router.requests[0]?.messages[1]?.content ?? '';
    const sentCount = (transcript.match(/^(User|Assistant): m\d+\./gm) ?? []).length;
    expect(sentCount).toBe(Math.floor(FOLD_MAX_CHARS / messageLength));
    const stored = await readSummary();
    const history = await loadPromptHistory(db, CONVERSATION_ID, { maxMessages: 100 });
    expect(history.messages[0]?.content.startsWith(`m${sentCount + 1}.`)).toBe(true);
    expect(stored?.last_message_id).toBeLessThan(history.messages[0]?.id ?? 0);
  });

  it('folds less after a too-large request', async () => {
    const messageLength = 2000;
    const ids = await addMessages(40, messageLength);
    const router = new RecordingRouter((request) => {
      const transcript = request.messages[1]?.content ?? '';
      if (transcript.length > FOLD_RETRY_MAX_CHARS + 1_000) {
        throw new ContextLengthError('summary-test', 'groq', [], 'Request too large on tokens per minute (TPM)');
      }
      return 'smaller summary';
    });

    const outcome = await summarize(router);

    expect(outcome).toBe('updated');
    expect(router.requests).toHaveLength(2);
    const retried = router.requests[1]?.messages[1]?.content ?? '';
    const sentCount = (retried.match(/^(User|Assistant): m\d+\./gm) ?? []).length;
    expect(sentCount).toBe(Math.floor(FOLD_RETRY_MAX_CHARS / messageLength));
    const stored = await readSummary();
    expect(stored?.summary).toBe('smaller summary');
    expect(stored?.last_message_id).toBe(ids[sentCount - 1]);
  });

  it('truncates an overlong summary', async () => {
    await addMessages(12);

    await summarize(new RecordingRouter(() => 'y'.repeat(SUMMARY_MAX_CHARS + 500)));

    expect((await readSummary())?.summary).toHaveLength(SUMMARY_MAX_CHARS);
  });
});
