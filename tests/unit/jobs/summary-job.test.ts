import type { Kysely } from 'kysely';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Database } from '../../../src/db/schema.js';
import { loadPromptHistory, loadSummarySettings } from '../../../src/engine/history.js';
import { runSummaryPass } from '../../../src/jobs/summary-job.js';
import { AllModelsFailedError, CompletionAbortedError } from '../../../src/router/errors.js';
import type { AttemptRecord } from '../../../src/router/types.js';
import { FIXTURE_TIME, insertConversation, insertMessage, insertUser } from '../../support/db-fixtures.js';
import { RecordingRouter } from '../../support/recording-router.js';
import { createTempDatabase } from '../../support/temp-db.js';
import type { TempDatabase } from '../../support/temp-db.js';

const NOW = FIXTURE_TIME;
const logger = pino({ level: 'silent' });

let temp: TempDatabase;
let db: Kysely<Database>;
let userId: number;

beforeEach(async () => {
  temp = await createTempDatabase();
  db = temp.db;
  userId = await insertUser(db, { username: 'discord:3003' });
});

afterEach(async () => {
  await temp.cleanup();
});

async function createConversation(id: string): Promise<string> {
  return insertConversation(db, userId, { id });
}

async function addTurn(conversationId: string, userText: string, replyText: string): Promise<void> {
  await insertMessage(db, conversationId, 'user', userText);
  await insertMessage(db, conversationId, 'assistant', replyText);
}

async function addTurns(conversationId: string, count: number): Promise<void> {
  for (let turn = 1; turn <= count; turn += 1) {
    await addTurn(conversationId, `${conversationId} question ${turn}`, `${conversationId} answer ${turn}`);
  }
}

async function readSummaryText(conversationId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('conversation_summaries')
    .select('summary')
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  return row?.summary;
}

async function setSummaryEnabled(enabled: boolean): Promise<void> {
  await db.deleteFrom('conversation_summary_settings').execute();
  await db
    .insertInto('conversation_summary_settings')
    .values({
      id: 1,
      summary_enabled: enabled ? 1 : 0,
      summary_first_threshold: 12,
      summary_update_step: 10,
      summary_max_messages: 40,
      updated_at: NOW,
    })
    .execute();
}

describe('runSummaryPass', () => {
  it('updates only due conversations', async () => {
    await createConversation('due');
    await createConversation('short');
    await addTurns('due', 6);
    await addTurns('short', 5);
    const router = new RecordingRouter(() => 'summary');

    const result = await runSummaryPass({ db, router, logger });

    expect(result).toEqual({ status: 'completed', checked: 1, updated: 1, failed: 0 });
    expect(await readSummaryText('due')).toBe('summary');
    expect(await readSummaryText('short')).toBeUndefined();
  });

  it('does nothing when nothing is due', async () => {
    await createConversation('due');
    await addTurns('due', 6);
    const router = new RecordingRouter(() => 'summary');
    await runSummaryPass({ db, router, logger });
    await addTurns('due', 4);

    const result = await runSummaryPass({ db, router, logger });

    expect(result).toEqual({ status: 'completed', checked: 0, updated: 0, failed: 0 });
    expect(router.requests).toHaveLength(1);
  });

  it('picks an existing summary up after a step', async () => {
    await createConversation('due');
    await addTurns('due', 6);
    const router = new RecordingRouter(() => `summary ${router.requests.length}`);
    await runSummaryPass({ db, router, logger });
    await addTurns('due', 5);

    const result = await runSummaryPass({ db, router, logger });

    expect(result.updated).toBe(1);
    expect(await readSummaryText('due')).toBe('summary 2');
  });

  it('counts a router failure and continues', async () => {
    await createConversation('broken');
    await createConversation('fine');
    await addTurns('broken', 6);
    await addTurns('fine', 6);
    const router = new RecordingRouter((request) => {
      const text = request.messages.map((message) => message.content).join('\n');
      if (text.includes('broken question')) {
        throw new Error('summary model unavailable');
      }
      return 'fine summary';
    });

    const result = await runSummaryPass({ db, router, logger });

    expect(result).toEqual({ status: 'completed', checked: 2, updated: 1, failed: 1 });
    expect(await readSummaryText('broken')).toBeUndefined();
    expect(await readSummaryText('fine')).toBe('fine summary');
  });

  it('stops at the rate limit', async () => {
    await createConversation('first');
    await createConversation('second');
    await addTurns('first', 6);
    await addTurns('second', 6);
    const limited = (kind: string): AttemptRecord => ({ model: 'summary', provider: 'groq', ok: false, errorKind: kind, latencyMs: 0 });
    const router = new RecordingRouter(() => {
      throw new AllModelsFailedError('summary', [limited('rate_limited'), limited('rate_limited_local')]);
    });

    const result = await runSummaryPass({ db, router, logger });

    expect(result).toEqual({ status: 'rate_limited', checked: 1, updated: 0, failed: 1 });
    expect(router.requests).toHaveLength(1);
  });

  it('goes on after other model failures', async () => {
    await createConversation('first');
    await createConversation('second');
    await addTurns('first', 6);
    await addTurns('second', 6);
    const router = new RecordingRouter(() => {
      throw new AllModelsFailedError('summary', [{ model: 'summary', provider: 'groq', ok: false, errorKind: 'empty', latencyMs: 0 }]);
    });

    const result = await runSummaryPass({ db, router, logger });

    expect(result).toEqual({ status: 'completed', checked: 2, updated: 0, failed: 2 });
    expect(router.requests).toHaveLength(2);
  });

  it('stops when the signal aborts', async () => {
    await createConversation('first');
    await createConversation('second');
    await addTurns('first', 6);
    await addTurns('second', 6);
    const controller = new AbortController();
    // As the real router does: the signal aborts during the request, which then rejects.
    const router = new RecordingRouter(() => {
      controller.abort();
      throw new CompletionAbortedError([]);
    });

    const result = await runSummaryPass({ db, router, logger, signal: controller.signal });

    expect(result).toEqual({ status: 'aborted', checked: 1, updated: 0, failed: 0 });
    expect(router.requests).toHaveLength(1);
    expect(router.requests[0]?.signal).toBe(controller.signal);
    expect(await readSummaryText('first')).toBeUndefined();
    expect(await readSummaryText('second')).toBeUndefined();
  });

  it('sends nothing when already aborted', async () => {
    await createConversation('due');
    await addTurns('due', 6);
    const router = new RecordingRouter(() => 'summary');

    const result = await runSummaryPass({ db, router, logger, signal: AbortSignal.abort() });

    expect(result).toEqual({ status: 'aborted', checked: 0, updated: 0, failed: 0 });
    expect(router.requests).toHaveLength(0);
    expect(await readSummaryText('due')).toBeUndefined();
  });

  it('keeps the previous summary on failure', async () => {
    await createConversation('c1');
    await addTurns('c1', 6);
    await runSummaryPass({ db, router: new RecordingRouter(() => 'kept summary'), logger });
    await addTurns('c1', 5);
    const failing = new RecordingRouter(() => {
      throw new Error('summary model unavailable');
    });

    const result = await runSummaryPass({ db, router: failing, logger });

    expect(result.failed).toBe(1);
    expect(await readSummaryText('c1')).toBe('kept summary');
  });

  it('skips when summaries are disabled', async () => {
    await setSummaryEnabled(false);
    await createConversation('due');
    await addTurns('due', 6);
    const router = new RecordingRouter(() => 'summary');

    const result = await runSummaryPass({ db, router, logger });

    expect(result).toEqual({ status: 'disabled', checked: 0, updated: 0, failed: 0 });
    expect(router.requests).toHaveLength(0);
  });

  it('respects the limit', async () => {
    for (const id of ['a', 'b', 'c']) {
      await createConversation(id);
      await addTurns(id, 6);
    }
    const router = new RecordingRouter(() => 'summary');

    const result = await runSummaryPass({ db, router, logger, limit: 2 });

    expect(result.checked).toBe(2);
    expect(router.requests).toHaveLength(2);
  });

  it('returns at once while a pass runs', async () => {
    await createConversation('due');
    await addTurns('due', 6);
    let release: (value: string) => void = () => undefined;
    let markStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      markStarted = resolve;
    });
    const router = new RecordingRouter(
      () =>
        new Promise<string>((resolve) => {
          release = resolve;
          markStarted();
        }),
    );

    const first = runSummaryPass({ db, router, logger });
    await started;
    const second = await runSummaryPass({ db, router, logger });
    release('summary');
    const firstResult = await first;

    expect(second).toEqual({ status: 'already_running', checked: 0, updated: 0, failed: 0 });
    expect(firstResult.updated).toBe(1);
    expect(router.requests).toHaveLength(1);
  });

  it('allows a new pass after one finished', async () => {
    await createConversation('due');
    await addTurns('due', 6);
    const router = new RecordingRouter(() => 'summary');
    await runSummaryPass({ db, router, logger });

    const result = await runSummaryPass({ db, router, logger });

    expect(result.status).toBe('completed');
  });

  it('keeps prompt size flat over 1000 turns', async () => {
    const conversationId = await createConversation('long');
    const settings = await loadSummarySettings(db);
    const fixedSummary = 'S'.repeat(600);
    const router = new RecordingRouter(() => fixedSummary);
    const passEveryTurns = 5;

    const promptChars = new Map<number, number>();
    const requestChars: number[] = [];
    for (let turn = 1; turn <= 1000; turn += 1) {
      const number = String(turn).padStart(4, '0');
      await addTurn(conversationId, `question ${number} `.padEnd(120, 'q'), `answer ${number} `.padEnd(300, 'a'));

      if (turn % passEveryTurns === 0) {
        const before = router.requests.length;
        const result = await runSummaryPass({ db, router, logger });
        expect(result.failed).toBe(0);
        for (const request of router.requests.slice(before)) {
          requestChars.push(request.messages.reduce((sum, message) => sum + message.content.length, 0));
        }

        const history = await loadPromptHistory(db, conversationId, settings);
        const chars =
          (history.summary?.length ?? 0) +
          history.messages.reduce((sum, message) => sum + message.content.length, 0);
        promptChars.set(turn, chars);
        expect(history.rowsRead).toBeLessThanOrEqual(settings.maxMessages + 1);
      }
    }

    const atTurn50 = promptChars.get(50) ?? 0;
    const atTurn1000 = promptChars.get(1000) ?? Number.POSITIVE_INFINITY;
    expect(atTurn50).toBeGreaterThan(0);
    expect(atTurn1000).toBeLessThanOrEqual(1.1 * atTurn50);

    // Each summary request carries the previous summary and one step of messages, so its size
    // must not grow with the conversation either.
    expect(requestChars.length).toBeGreaterThan(90);
    const firstUpdateRequest = requestChars[1] ?? 0;
    expect(Math.max(...requestChars.slice(1))).toBeLessThanOrEqual(1.1 * firstUpdateRequest);
  });
});
