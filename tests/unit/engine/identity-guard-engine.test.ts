/**
 * With `ai_identity_config.forbid_provider_mention` on, the engine guards both the stored reply
 * and the text it passes to `onText` while the model streams. These tests run real turns on a
 * seeded temporary database, whose identity is Nova by Nova Labs with the guard on.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ConversationEngine } from '../../../src/engine/conversation-engine.js';
import type { PlatformUser, TurnOutcome } from '../../../src/engine/types.js';
import type { CompletionRequest, ModelRouter } from '../../../src/router/types.js';
import { RecordingRouter } from '../../support/recording-router.js';
import { createCommandFixture, person, type CommandFixture } from '../commands/command-fixture.js';

/** Fixed engine clock, so the cached config rows never reach their max age during a test. */
const NOW = new Date('2026-12-04T10:00:00.000Z');
const NOVA = 'I am Nova, developed by Nova Labs.';
const CLAIM_REPLY = 'I am ChatGPT, a model made by OpenAI. Here is how to start.\n```sh\n# I am ChatGPT\nnpm i openai\n```\nDone.';
const GUARDED_REPLY = `${NOVA} Here is how to start.\n\`\`\`sh\n# I am ChatGPT\nnpm i openai\n\`\`\`\nDone.`;

let fixture: CommandFixture;
let user: PlatformUser;
/** Reply of the next model call. */
let nextReply: string;

beforeEach(async () => {
  fixture = await createCommandFixture();
  user = person('telegram', '980');
  // No per-minute limit, because the fixed clock puts every turn of a test in the same minute.
  await fixture.addUser(user, { limits: JSON.stringify({ per_minute: 0 }) });
  nextReply = CLAIM_REPLY;
});

afterEach(async () => {
  await fixture.cleanup();
});

function createEngine(router: ModelRouter): ConversationEngine {
  const { db, settings, texts, logger } = fixture.services;
  return new ConversationEngine({ db, router, settings, texts, logger, adminIds: new Set(), now: () => NOW });
}

/** Runs one turn and returns its outcome with every text passed to `onText`, in order. */
/** A turn's outcome when something was sent: every kind but `delivered`. */
type SentOutcome = Exclude<TurnOutcome, { kind: 'delivered' }>;

async function streamTurn(engine: ConversationEngine, text: string): Promise<{ outcome: SentOutcome; streamed: string[] }> {
  const streamed: string[] = [];
  const outcome = await engine.handleMessage(
    { user, chatId: `chat-${user.id}`, isPrivate: true, text, messageId: '1' },
    { onText: (textSoFar) => streamed.push(textSoFar) },
  );
  if (outcome.kind === 'delivered') throw new Error('a new message ended as delivered');
  return { outcome, streamed };
}

async function storedContent(messageId: number): Promise<string> {
  const row = await fixture.services.db.selectFrom('messages').select('content').where('id', '=', messageId).executeTakeFirstOrThrow();
  return row.content;
}

describe('identity guard in a streamed turn', () => {
  it('guards every streamed text', async () => {
    const engine = createEngine(new RecordingRouter(() => nextReply, { streamChunkSize: 3 }));

    const { streamed } = await streamTurn(engine, 'Who are you?');

    expect(streamed.length).toBeGreaterThan(10);
    for (const text of streamed) {
      expect(text).not.toContain('OpenAI');
      expect(text).not.toMatch(/^I am ChatGPT/u);
    }
  });

  it('ends the stream with the stored reply', async () => {
    const engine = createEngine(new RecordingRouter(() => nextReply, { streamChunkSize: 3 }));

    const { outcome, streamed } = await streamTurn(engine, 'Who are you?');

    if (outcome.kind !== 'answer') throw new Error(`expected an answer, got ${outcome.kind}`);
    expect(outcome.text).toBe(GUARDED_REPLY);
    expect(streamed.at(-1)).toBe(GUARDED_REPLY);
    expect(await storedContent(outcome.replyMessageId)).toBe(GUARDED_REPLY);
  });

  it('shows a held-back last sentence at the end', async () => {
    // Without a closing mark the last sentence stays unfinished for the stream guard.
    nextReply = 'Sure. I am ChatGPT, made by OpenAI';
    const engine = createEngine(new RecordingRouter(() => nextReply, { streamChunkSize: 4 }));

    const { outcome, streamed } = await streamTurn(engine, 'Who are you?');

    expect(outcome.text).toBe(`Sure. ${NOVA}`);
    // "Sure" is shown before its stop arrives, and "I ..." is held back from its first letter.
    expect(new Set(streamed.slice(0, -1))).toEqual(new Set(['Sure', 'Sure. ']));
    expect(streamed.at(-1)).toBe(`Sure. ${NOVA}`);
  });

  it('guards a reply that is not streamed', async () => {
    const engine = createEngine(new RecordingRouter(() => nextReply));

    const { outcome, streamed } = await streamTurn(engine, 'Who are you?');

    expect(outcome.text).toBe(GUARDED_REPLY);
    expect(streamed).toEqual([GUARDED_REPLY]);
  });

  it('stores a cut stream as guarded', async () => {
    const cutRouter: ModelRouter = {
      complete(request: CompletionRequest) {
        request.onText?.('I am ChatGPT, made by OpenAI. Let me');
        throw new Error('stream cut');
      },
    };
    const engine = createEngine(cutRouter);

    const { outcome, streamed } = await streamTurn(engine, 'Who are you?');

    if (outcome.kind !== 'failed') throw new Error(`expected a failed turn, got ${outcome.kind}`);
    expect(streamed).toEqual([`${NOVA} Let me`]);
    expect(outcome.partialText).toBe(`${NOVA} Let me`);
    expect(await storedContent(outcome.replyMessageId)).toBe(`${NOVA} Let me`);
  });

  it('streams unchanged text with the guard off', async () => {
    await fixture.services.db.updateTable('ai_identity_config').set({ forbid_provider_mention: 0 }).where('id', '=', 1).execute();
    const engine = createEngine(new RecordingRouter(() => nextReply, { streamChunkSize: 5 }));

    const { outcome, streamed } = await streamTurn(engine, 'Who are you?');

    expect(outcome.text).toBe(CLAIM_REPLY);
    expect(streamed.at(-1)).toBe(CLAIM_REPLY);
    expect(streamed.every((text) => CLAIM_REPLY.startsWith(text))).toBe(true);
  });
});
