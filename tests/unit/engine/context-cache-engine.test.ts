/**
 * The engine keeps each conversation's prompt context in `engine.contexts`. These tests run
 * turns on a seeded temporary database and check the messages the router received.
 */

import SqliteDatabase from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { resolveActor } from '../../../src/engine/actor.js';
import { ConversationEngine } from '../../../src/engine/conversation-engine.js';
import type { PlatformUser, TurnOutcome } from '../../../src/engine/types.js';
import { runSummaryPass } from '../../../src/jobs/summary-job.js';
import { ContextLengthError } from '../../../src/router/errors.js';
import type { ChatMessage, CompletionRequest } from '../../../src/router/types.js';
import { insertMessage } from '../../support/db-fixtures.js';
import { RecordingRouter } from '../../support/recording-router.js';
import { createCommandFixture, person, type CommandFixture } from '../commands/command-fixture.js';
import { summaryMessage } from '../../../src/engine/prompt-builder.js';

/** Fixed engine clock, so the cached config rows never reach their max age during a test. */
const NOW = new Date('2026-12-04T10:00:00.000Z');

let fixture: CommandFixture;
let engine: ConversationEngine;
let router: RecordingRouter;
let user: PlatformUser;
/** Set by a test to make the next chat model call fail. The router clears it after one use. */
let nextFailure: ((request: CompletionRequest) => never) | undefined;
/** Platform message id of the next incoming message. */
let nextMessageId: number;

beforeEach(async () => {
  fixture = await createCommandFixture();
  const { db, settings, texts, logger } = fixture.services;

  // Without few-shot turns the prompt is the system prompt, then the summary, then the history.
  await db.updateTable('persona_configs').set({ example_dialogues: '[]' }).execute();

  user = person('telegram', '970');
  // No per-minute limit, because the fixed clock puts every turn of a test in the same minute.
  await fixture.addUser(user, { limits: JSON.stringify({ per_minute: 0 }) });

  nextFailure = undefined;
  nextMessageId = 1;
  router = new RecordingRouter((request) => {
    const failure = nextFailure;
    nextFailure = undefined;
    if (failure) failure(request);
    return `Answer to: ${request.messages.at(-1)?.content ?? ''}`;
  });
  engine = new ConversationEngine({ db, router, settings, texts, logger, adminIds: new Set(), now: () => NOW });
});

afterEach(async () => {
  await fixture.cleanup();
});

async function send(text: string): Promise<TurnOutcome> {
  const messageId = String(nextMessageId);
  nextMessageId += 1;
  return engine.handleMessage({ user, chatId: `chat-${user.id}`, isPrivate: true, text, messageId });
}

async function sendAnswered(text: string): Promise<Extract<TurnOutcome, { kind: 'answer' }>> {
  const outcome = await send(text);
  if (outcome.kind !== 'answer') throw new Error(`turn "${text}" ended as ${outcome.kind}, expected an answer`);
  return outcome;
}

/** Returns the request's messages after the system prompt, which are the summary message (if any) and the history. */
function promptTail(request: CompletionRequest | undefined): ChatMessage[] {
  if (request === undefined) throw new Error('the router received no request');
  expect(request.messages[0]?.role).toBe('system');
  return request.messages.slice(1);
}

function lastPromptTail(): ChatMessage[] {
  return promptTail(router.requests.at(-1));
}

function userMessage(content: string): ChatMessage {
  return { role: 'user', content };
}

function replyTo(question: string): ChatMessage {
  return { role: 'assistant', content: `Answer to: ${question}` };
}

async function configuredMaxMessages(): Promise<number> {
  return (await engine.configRows.get()).summary.maxMessages;
}

/** Returns the message contents of the cached context, or undefined when the conversation is not cached. */
async function cachedContents(conversationId: string): Promise<string[] | undefined> {
  const cached = engine.contexts.get(conversationId, await configuredMaxMessages());
  return cached?.messages.map((message) => message.content);
}

async function replyStatus(messageId: number): Promise<unknown> {
  const row = await fixture.services.db
    .selectFrom('messages')
    .select('extra_metadata')
    .where('id', '=', messageId)
    .executeTakeFirstOrThrow();
  return (JSON.parse(row.extra_metadata) as { status?: unknown }).status;
}

describe('engine context cache', () => {
  it('forgets every cached context on /forget_me', async () => {
    fixture.services.engine = engine;
    await sendAnswered('What is SQLite?');
    expect(engine.contexts.size).toBe(1);

    await fixture.run(user, '/forget_me confirm');

    expect(engine.contexts.size).toBe(0);
    expect(engine.contexts.chars).toBe(0);
  });

  it('carries turn 1 into turn 2', async () => {
    const first = await sendAnswered('What is SQLite?');
    expect(engine.contexts.size).toBe(1);

    await sendAnswered('Is it fast?');

    expect(lastPromptTail()).toEqual([userMessage('What is SQLite?'), replyTo('What is SQLite?'), userMessage('Is it fast?')]);
    expect(engine.contexts.size).toBe(1);
    expect(await cachedContents(first.conversationId)).toEqual([
      'What is SQLite?',
      'Answer to: What is SQLite?',
      'Is it fast?',
      'Answer to: Is it fast?',
    ]);
  });

  it('leaves out a reply whose delivery failed', async () => {
    const first = await sendAnswered('What is SQLite?');

    await engine.recordDeliveryFailure(first.replyMessageId, 'x', []);
    expect(engine.contexts.size).toBe(0);
    await sendAnswered('Did you answer?');

    expect(lastPromptTail()).toEqual([userMessage('What is SQLite?'), userMessage('Did you answer?')]);
    expect(await replyStatus(first.replyMessageId)).toBe('failed');
  });

  it('misses a direct insert until drop', async () => {
    const first = await sendAnswered('What is SQLite?');
    const { conversationId } = first;

    await insertMessage(fixture.services.db, conversationId, 'user', 'Inserted by hand');
    await sendAnswered('Second question');

    // The cached context does not see rows written outside the engine.
    expect(lastPromptTail()).toEqual([userMessage('What is SQLite?'), replyTo('What is SQLite?'), userMessage('Second question')]);

    engine.contexts.drop(conversationId);
    await sendAnswered('Third question');

    expect(lastPromptTail()).toEqual([
      userMessage('What is SQLite?'),
      replyTo('What is SQLite?'),
      userMessage('Inserted by hand'),
      userMessage('Second question'),
      replyTo('Second question'),
      userMessage('Third question'),
    ]);
  });

  it('sees writes from another connection', async () => {
    const first = await sendAnswered('What is SQLite?');
    const other = new SqliteDatabase(fixture.temp.path);
    try {
      other
        .prepare("INSERT INTO messages (conversation_id, role, content, extra_metadata, created_at) VALUES (?, 'user', ?, '{}', ?)")
        .run(first.conversationId, 'Stored by another process', NOW.toISOString());
      other.prepare("UPDATE persona_configs SET system_prompt = 'Edited in the sqlite3 shell.' WHERE name = 'standard'").run();
    } finally {
      other.close();
    }

    await sendAnswered('Second question');

    expect(lastPromptTail()).toEqual([
      userMessage('What is SQLite?'),
      replyTo('What is SQLite?'),
      userMessage('Stored by another process'),
      userMessage('Second question'),
    ]);
    expect(router.requests.at(-1)?.messages[0]?.content).toContain('Edited in the sqlite3 shell.');
  });

  it('uses the summary after a summary pass', async () => {
    const { db } = fixture.services;
    // A summary is due at 4 messages, and it folds all but the newest 2.
    await db
      .updateTable('conversation_summary_settings')
      .set({ summary_enabled: 1, summary_first_threshold: 4, summary_update_step: 2 })
      .where('id', '=', 1)
      .execute();
    engine.configRows.invalidate();

    const first = await sendAnswered('Question one');
    await sendAnswered('Question two');
    await sendAnswered('Question three');
    expect(await cachedContents(first.conversationId)).toHaveLength(6);

    const summaryRouter = new RecordingRouter(() => 'The user asked two questions.');
    const dropped: string[] = [];
    const pass = await runSummaryPass({
      db,
      router: summaryRouter,
      logger: pino({ level: 'silent' }),
      guard: {
        hold: (id) => engine.contexts.hold(id),
        release: (id) => {
          dropped.push(id);
          engine.contexts.release(id);
        },
      },
    });
    expect(pass).toEqual({ status: 'completed', checked: 1, updated: 1, failed: 0 });
    expect(dropped).toEqual([first.conversationId]);

    await sendAnswered('Question four');

    const tail = lastPromptTail();
    expect(tail).toEqual([
      summaryMessage('The user asked two questions.'),
      userMessage('Question three'),
      replyTo('Question three'),
      userMessage('Question four'),
    ]);
    const contents = tail.map((message) => message.content).join('\n');
    expect(contents).not.toContain('Question one');
    expect(contents).not.toContain('Question two');
  });

  it('leaves out a failed reply', async () => {
    const first = await sendAnswered('What is SQLite?');
    nextFailure = () => {
      throw new Error('every model failed');
    };

    const failed = await send('Still there?');
    if (failed.kind !== 'failed') throw new Error(`expected a failed turn, got ${failed.kind}`);
    expect(await replyStatus(failed.replyMessageId)).toBe('failed');
    // The turn stored the user message in the cached context, and not the failed reply.
    expect(await cachedContents(first.conversationId)).toEqual(['What is SQLite?', 'Answer to: What is SQLite?', 'Still there?']);

    await sendAnswered('Hello again');

    expect(lastPromptTail()).toEqual([
      userMessage('What is SQLite?'),
      replyTo('What is SQLite?'),
      userMessage('Still there?'),
      userMessage('Hello again'),
    ]);
  });

  it('leaves out a reply cut mid-stream', async () => {
    const first = await sendAnswered('What is SQLite?');
    nextFailure = (request) => {
      request.onText?.('Partial answer');
      throw new Error('stream cut');
    };

    const failed = await send('Tell me more');
    if (failed.kind !== 'failed') throw new Error(`expected a failed turn, got ${failed.kind}`);
    expect(failed.partialText).toBe('Partial answer');
    expect(await replyStatus(failed.replyMessageId)).toBe('interrupted');
    expect(engine.contexts.size).toBe(1);

    await sendAnswered('Hello again');

    expect(lastPromptTail()).toEqual([
      userMessage('What is SQLite?'),
      replyTo('What is SQLite?'),
      userMessage('Tell me more'),
      userMessage('Hello again'),
    ]);
    expect(await cachedContents(first.conversationId)).not.toContain('Partial answer');
  });

  it('carries an answer-cache hit into turn 2', async () => {
    await sendAnswered('What is SQLite?');
    const resolution = await resolveActor(engine.actorServices, user);
    if (resolution.kind !== 'ok') throw new Error(`actor rejected: ${resolution.reason}`);
    const newConversationId = await engine.startNewConversation(resolution.actor, user.platform, `chat-${user.id}`);

    const hit = await sendAnswered('What is SQLite?');
    expect(hit.cached).toBe(true);
    expect(hit.conversationId).toBe(newConversationId);
    expect(router.requests).toHaveLength(1);
    // A cache hit is a conversation's first turn and reads no context, so nothing is cached
    // yet and turn 2 reads the cached reply back from the database.
    expect(await cachedContents(newConversationId)).toBeUndefined();

    await sendAnswered('Is it fast?');

    expect(router.requests).toHaveLength(2);
    expect(lastPromptTail()).toEqual([userMessage('What is SQLite?'), replyTo('What is SQLite?'), userMessage('Is it fast?')]);
    expect(await cachedContents(newConversationId)).toEqual([
      'What is SQLite?',
      'Answer to: What is SQLite?',
      'Is it fast?',
      'Answer to: Is it fast?',
    ]);
  });

  it('keeps the full context after a trimmed retry', async () => {
    const first = await sendAnswered('Question one');
    await sendAnswered('Question two');
    nextFailure = () => {
      throw new ContextLengthError('summary-test', 'groq', [], 'context_length_exceeded');
    };

    await sendAnswered('Question three');

    // The router rejected the five-message prompt as too long, so the retry carried the newest two.
    expect(router.requests).toHaveLength(4);
    expect(promptTail(router.requests[2])).toHaveLength(5);
    expect(lastPromptTail()).toEqual([replyTo('Question two'), userMessage('Question three')]);

    await sendAnswered('Question four');

    expect(lastPromptTail()).toEqual([
      userMessage('Question one'),
      replyTo('Question one'),
      userMessage('Question two'),
      replyTo('Question two'),
      userMessage('Question three'),
      replyTo('Question three'),
      userMessage('Question four'),
    ]);
    expect(await cachedContents(first.conversationId)).toHaveLength(8);
  });
});
