/**
 * The answer cache in real turns on a seeded temporary database: which first questions of a
 * conversation it answers, and which completions go into it. Each question is asked in a new
 * chat, so it is always the first turn of its conversation.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ConversationEngine } from '../../../src/engine/conversation-engine.js';
import type { Locale, PlatformUser, TurnOutcome } from '../../../src/engine/types.js';
import type { CompletionRequest, CompletionResult, ModelRouter } from '../../../src/router/types.js';
import { createCommandFixture, person, type CommandFixture } from '../commands/command-fixture.js';

/** Router double that returns `Answer N` for request N, with the finish reason in `finishReason`. */
class FinishReasonRouter implements ModelRouter {
  readonly requests: CompletionRequest[] = [];
  finishReason = 'stop';

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    this.requests.push(request);
    const text = `Answer ${this.requests.length}`;
    request.onText?.(text);
    return {
      text,
      model: 'cache-test',
      modelId: 'cache-test-model',
      provider: 'groq',
      engine: 'cloud',
      latencyMs: 1,
      usage: null,
      finishReason: this.finishReason,
      attempts: [],
    };
  }
}

let fixture: CommandFixture;
let router: FinishReasonRouter;
let engine: ConversationEngine;
let clock: Date;
let nextChat: number;

beforeEach(async () => {
  fixture = await createCommandFixture();
  const { db, settings, texts, logger } = fixture.services;
  router = new FinishReasonRouter();
  clock = new Date('2026-12-04T23:58:00.000Z');
  nextChat = 1;
  engine = new ConversationEngine({ db, router, settings, texts, logger, adminIds: new Set(), now: () => clock });
  // A TTL of 0 sets no expiry of its own, the setting under which a stale date lasted longest.
  await settings.set('cache.ttl_hours', '0', 'test');
});

afterEach(async () => {
  await fixture.cleanup();
});

async function addPerson(id: string, locale: Locale = 'en'): Promise<PlatformUser> {
  const user = person('telegram', id, locale);
  // No per-minute limit, because the turns of a test fall in the same minute.
  await fixture.addUser(user, { limits: JSON.stringify({ per_minute: 0 }) });
  return user;
}

/** Sends `text` as the first message of a new chat and returns the outcome, which must be an answer. */
async function askInNewChat(user: PlatformUser, text: string): Promise<Extract<TurnOutcome, { kind: 'answer' }>> {
  const chatId = `chat-${nextChat}`;
  nextChat += 1;
  const outcome = await engine.handleMessage({ user, chatId, isPrivate: true, text, messageId: '1' });
  if (outcome.kind !== 'answer') throw new Error(`expected an answer, got ${outcome.kind}`);
  return outcome;
}

function systemPrompt(request: CompletionRequest | undefined): string {
  return request?.messages[0]?.content ?? '';
}

describe('answer cache date', () => {
  it('reuses an answer on the same UTC day', async () => {
    const user = await addPerson('960');
    await askInNewChat(user, 'What is the date today?');
    clock = new Date('2026-12-04T23:59:59.000Z');

    const again = await askInNewChat(user, 'What is the date today?');

    expect(again.cached).toBe(true);
    expect(router.requests).toHaveLength(1);
  });

  it('asks the model again on the next UTC day', async () => {
    const user = await addPerson('961');
    await askInNewChat(user, 'What is the date today?');
    clock = new Date('2026-12-05T00:00:30.000Z');

    const nextDay = await askInNewChat(user, 'What is the date today?');

    expect(nextDay.cached).toBe(false);
    expect(nextDay.text).toBe('Answer 2');
    expect(router.requests).toHaveLength(2);
    expect(systemPrompt(router.requests[0])).toContain('2026-12-04');
    expect(systemPrompt(router.requests[1])).toContain('2026-12-05');
  });

  it('expires a cached answer at the end of its day', async () => {
    const user = await addPerson('967');

    await askInNewChat(user, 'What is the date today?');

    const row = await fixture.services.db.selectFrom('answer_cache').select('expires_at').executeTakeFirstOrThrow();
    expect(row.expires_at).toBe('2026-12-05T00:00:00.000Z');
  });
});

describe('content-filtered completion', () => {
  it.each<[Locale, string]>([
    ['en', '962'],
    ['tr', '963'],
  ])('gets the cut-off notice in %s', async (locale, id) => {
    const user = await addPerson(id, locale);
    router.finishReason = 'content_filter';

    const outcome = await askInNewChat(user, 'Tell me a story');

    expect(outcome.notices).toEqual([fixture.services.texts.t(locale, 'notice.cut_off')]);
  });

  it('is stored complete with its finish reason', async () => {
    const user = await addPerson('964');
    router.finishReason = 'content_filter';

    const outcome = await askInNewChat(user, 'Tell me a story');

    const row = await fixture.services.db
      .selectFrom('messages')
      .select('extra_metadata')
      .where('id', '=', outcome.replyMessageId)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.extra_metadata)).toMatchObject({ status: 'complete', finish_reason: 'content_filter' });
  });

  it('is not cached', async () => {
    const user = await addPerson('965');
    router.finishReason = 'content_filter';
    await askInNewChat(user, 'Tell me a story');
    router.finishReason = 'stop';

    const again = await askInNewChat(user, 'Tell me a story');

    expect(again.cached).toBe(false);
    expect(again.notices).toEqual([]);
    expect(router.requests).toHaveLength(2);
  });

  it('keeps its notice when sent again after a crash', async () => {
    const user = await addPerson('966');
    router.finishReason = 'content_filter';
    const first = await engine.handleMessage({ user, chatId: 'chat-crash', isPrivate: true, text: 'Tell me a story', messageId: '7' });

    const again = await engine.handleMessage({ user, chatId: 'chat-crash', isPrivate: true, text: 'Tell me a story', messageId: '7', redelivered: true });

    if (first.kind !== 'answer' || again.kind !== 'answer') throw new Error('expected two answers');
    expect(again.replyMessageId).toBe(first.replyMessageId);
    expect(again.notices).toEqual([fixture.services.texts.t('en', 'notice.cut_off')]);
    expect(router.requests).toHaveLength(1);
  });
});
