/**
 * An update handled again after a crash. The adapter marks it `redelivered`, and the engine
 * reuses what the first run stored. These tests run real turns on a seeded temporary database.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ConversationEngine } from '../../../src/engine/conversation-engine.js';
import type { PlatformUser, TurnOutcome } from '../../../src/engine/types.js';
import { readDailyUsage } from '../../../src/engine/usage.js';
import { utcDate } from '../../../src/db/values.js';
import { AllModelsFailedError } from '../../../src/router/errors.js';
import { RecordingRouter } from '../../support/recording-router.js';
import { createCommandFixture, person, type CommandFixture } from '../commands/command-fixture.js';

let fixture: CommandFixture;
let engine: ConversationEngine;
let router: RecordingRouter;
let user: PlatformUser;
let userId: number;
let failNext = false;

beforeEach(async () => {
  fixture = await createCommandFixture();
  const { db, settings, texts, logger } = fixture.services;
  user = person('telegram', '990');
  userId = (await fixture.addUser(user, { limits: JSON.stringify({ per_minute: 0 }) })).id;
  failNext = false;
  let calls = 0;
  router = new RecordingRouter(() => {
    calls += 1;
    if (failNext) {
      failNext = false;
      throw new AllModelsFailedError('chat', []);
    }
    return `Answer number ${calls}`;
  });
  engine = new ConversationEngine({ db, router, settings, texts, logger, adminIds: new Set() });
});

afterEach(async () => {
  await fixture.cleanup();
});

function send(text: string, messageId: string, redelivered = false): Promise<TurnOutcome> {
  return engine.handleMessage({ user, chatId: 'chat-990', isPrivate: true, text, messageId, redelivered });
}

async function assistantRows() {
  return fixture.services.db.selectFrom('messages').select(['id', 'content']).where('role', '=', 'assistant').orderBy('id').execute();
}

describe('a redelivered update', () => {
  it('gets its stored reply again', async () => {
    const first = await send('What is WAL?', '41');

    const again = await send('What is WAL?', '41', true);

    expect(again).toMatchObject({ kind: 'answer', text: 'Answer number 1' });
    if (first.kind === 'answer' && again.kind === 'answer') expect(again.replyMessageId).toBe(first.replyMessageId);
    expect(router.requests).toHaveLength(1);
    expect(await assistantRows()).toHaveLength(1);
    expect((await readDailyUsage(fixture.services.db, userId, utcDate())).totalChat).toBe(1);
  });

  it('sends nothing when its reply was delivered', async () => {
    const first = await send('What is WAL?', '46');
    if (first.kind !== 'answer') throw new Error(`first turn ended as ${first.kind}`);
    await engine.recordDelivery(first.replyMessageId, ['1001']);

    const again = await send('What is WAL?', '46', true);

    expect(again).toEqual({ kind: 'delivered', replyMessageId: first.replyMessageId, conversationId: first.conversationId });
    expect(router.requests).toHaveLength(1);
    expect((await readDailyUsage(fixture.services.db, userId, utcDate())).totalChat).toBe(1);
  });

  it('is answered when its reply failed', async () => {
    failNext = true;
    const first = await send('What is WAL?', '42');
    expect(first.kind).toBe('failed');

    const again = await send('What is WAL?', '42', true);

    expect(again).toMatchObject({ kind: 'answer', text: 'Answer number 2' });
    expect(router.requests).toHaveLength(2);
  });

  it('is answered when nothing was stored', async () => {
    const outcome = await send('Sent while offline', '43', true);

    expect(outcome).toMatchObject({ kind: 'answer', text: 'Answer number 1' });
  });

  it('does not reuse the reply of a later message', async () => {
    await send('First', '44');
    await send('Second', '45');

    const again = await send('Second', '45', true);

    expect(again).toMatchObject({ kind: 'answer', text: 'Answer number 2' });
    expect(router.requests).toHaveLength(2);
  });
});
