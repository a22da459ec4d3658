/**
 * A reply that reached no one gives back what its turn counted. These tests run real turns
 * on a seeded temporary database and report delivery failures the way the adapters do.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { parseJson } from '../../../src/db/values.js';
import { ConversationEngine } from '../../../src/engine/conversation-engine.js';
import type { Actor } from '../../../src/engine/actor.js';
import type { PlatformUser, TurnOutcome } from '../../../src/engine/types.js';
import { countedUsageOf } from '../../../src/engine/usage-refund.js';
import { countAnsweredChat, readDailyUsage } from '../../../src/engine/usage.js';
import { ImageService } from '../../../src/images/image-service.js';
import { startFakeTxt2Img } from '../../support/fake-txt2img.js';
import { RecordingRouter } from '../../support/recording-router.js';
import { createCommandFixture, person, type CommandFixture } from '../commands/command-fixture.js';

const NOW = new Date('2026-12-04T10:00:00.000Z');
const DAY = '2026-12-04';
const NEXT_DAY = '2026-12-05';

describe('countedUsageOf', () => {
  it.each([
    ['a cloud answer', { status: 'complete', engine: 'cloud', usage_date: DAY }, { chat: 1, cloud: 1, local: 0, image: 0 }],
    ['a local answer', { status: 'complete', engine: 'local', usage_date: DAY }, { chat: 1, cloud: 0, local: 1, image: 0 }],
    ['a cache hit', { status: 'complete', cached: true, engine: 'cloud', usage_date: DAY }, { chat: 1, cloud: 0, local: 0, image: 0 }],
    ['an image', { status: 'complete', kind: 'image', usage_date: DAY }, { chat: 0, cloud: 0, local: 0, image: 1 }],
  ])('takes back %s', (_name, metadata, refund) => {
    expect(countedUsageOf(metadata)).toEqual({ date: DAY, refund });
  });

  it.each([
    ['a failed reply', { status: 'failed', engine: 'cloud', usage_date: DAY }],
    ['an interrupted reply', { status: 'interrupted', engine: 'cloud', usage_date: DAY }],
    ['a reply already refunded', { status: 'complete', engine: 'cloud', usage_date: DAY, usage_refunded: true }],
    ['a reply stored without its usage date', { status: 'complete', engine: 'cloud' }],
  ])('takes back nothing for %s', (_name, metadata) => {
    expect(countedUsageOf(metadata)).toBeUndefined();
  });
});

describe('recordDeliveryFailure', () => {
  let fixture: CommandFixture;
  let engine: ConversationEngine;
  let user: PlatformUser;
  let userId: number;
  let actor: Actor;
  let nextMessageId: number;

  beforeEach(async () => {
    fixture = await createCommandFixture();
    const { db, settings, texts, logger } = fixture.services;
    user = person('telegram', '971');
    const row = await fixture.addUser(user, { limits: JSON.stringify({ per_minute: 0 }) });
    userId = row.id;
    actor = { user: row, locale: 'en', isNew: false, preferences: [] };
    nextMessageId = 1;
    const router = new RecordingRouter((request) => `Answer to: ${request.messages.at(-1)?.content ?? ''}`);
    engine = new ConversationEngine({ db, router, settings, texts, logger, adminIds: new Set(), now: () => NOW });
  });

  afterEach(async () => {
    await fixture.cleanup();
  });

  async function sendAnswered(text: string): Promise<Extract<TurnOutcome, { kind: 'answer' }>> {
    const messageId = String(nextMessageId);
    nextMessageId += 1;
    const outcome = await engine.handleMessage({ user, chatId: `chat-${user.id}`, isPrivate: true, text, messageId });
    if (outcome.kind !== 'answer') throw new Error(`turn "${text}" ended as ${outcome.kind}, expected an answer`);
    return outcome;
  }

  async function metadataOf(messageId: number): Promise<Record<string, unknown>> {
    const row = await fixture.services.db.selectFrom('messages').select('extra_metadata').where('id', '=', messageId).executeTakeFirstOrThrow();
    return parseJson<Record<string, unknown>>(row.extra_metadata, {});
  }

  it('refunds an undelivered cloud answer', async () => {
    await sendAnswered('First question');
    const second = await sendAnswered('Second question');
    expect(await readDailyUsage(fixture.services.db, userId, DAY)).toMatchObject({ totalChat: 2, cloud: 2 });

    await engine.recordDeliveryFailure(second.replyMessageId, 'GrammyError 403', []);

    expect(await readDailyUsage(fixture.services.db, userId, DAY)).toMatchObject({ totalChat: 1, cloud: 1 });
    expect(await metadataOf(second.replyMessageId)).toMatchObject({ status: 'failed', usage_refunded: true, delivery_error: 'GrammyError 403' });
  });

  it('refunds a repeated failure once', async () => {
    await sendAnswered('First question');
    const second = await sendAnswered('Second question');

    await engine.recordDeliveryFailure(second.replyMessageId, 'error', []);
    await engine.recordDeliveryFailure(second.replyMessageId, 'error', []);

    expect(await readDailyUsage(fixture.services.db, userId, DAY)).toMatchObject({ totalChat: 1, cloud: 1 });
  });

  it('keeps counts of a partial delivery', async () => {
    const outcome = await sendAnswered('A long question');

    await engine.recordDeliveryFailure(outcome.replyMessageId, 'error', ['41']);

    expect(await readDailyUsage(fixture.services.db, userId, DAY)).toMatchObject({ totalChat: 1, cloud: 1 });
    const metadata = await metadataOf(outcome.replyMessageId);
    expect(metadata.status).toBe('interrupted');
    expect(metadata.usage_refunded).toBeUndefined();
  });

  it('refunds only the chat of a cache hit', async () => {
    await sendAnswered('What is SQLite?');
    await engine.startNewConversation(actor, 'telegram', `chat-${user.id}`);
    const hit = await sendAnswered('What is SQLite?');
    expect(hit.cached).toBe(true);
    expect(await readDailyUsage(fixture.services.db, userId, DAY)).toMatchObject({ totalChat: 2, cloud: 1 });

    await engine.recordDeliveryFailure(hit.replyMessageId, 'error', []);

    expect(await readDailyUsage(fixture.services.db, userId, DAY)).toMatchObject({ totalChat: 1, cloud: 1 });
  });

  it('refunds the day the reply was counted', async () => {
    const outcome = await sendAnswered('Late question');
    await countAnsweredChat(fixture.services.db, userId, 'cloud', NEXT_DAY);

    await engine.recordDeliveryFailure(outcome.replyMessageId, 'error', []);

    expect(await readDailyUsage(fixture.services.db, userId, DAY)).toMatchObject({ totalChat: 0, cloud: 0 });
    expect(await readDailyUsage(fixture.services.db, userId, NEXT_DAY)).toMatchObject({ totalChat: 1, cloud: 1 });
  });

  it('refunds an undelivered image', async () => {
    const server = await startFakeTxt2Img();
    try {
      const { db, settings, texts, logger } = fixture.services;
      const images = new ImageService({ db, settings, texts, logger, baseUrlOverride: server.baseUrl, now: () => NOW });
      const result = await images.imagine({ actor, platform: 'telegram', chatId: `chat-${user.id}`, prompt: 'a red fox' });
      if (result.kind !== 'image') throw new Error(`imagine ended as ${result.kind}`);
      expect((await readDailyUsage(db, userId, DAY)).image).toBe(1);

      await engine.recordDeliveryFailure(result.replyMessageId, 'error', []);

      expect((await readDailyUsage(db, userId, DAY)).image).toBe(0);
    } finally {
      await server.close();
    }
  });
});
