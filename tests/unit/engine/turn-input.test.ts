/** Checks the engine applies to the text of an incoming message before anything is stored. */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ConversationEngine } from '../../../src/engine/conversation-engine.js';
import type { PlatformUser } from '../../../src/engine/types.js';
import { RecordingRouter } from '../../support/recording-router.js';
import { createCommandFixture, person, type CommandFixture } from '../commands/command-fixture.js';

let fixture: CommandFixture;
let engine: ConversationEngine;
let router: RecordingRouter;
let user: PlatformUser;

beforeEach(async () => {
  fixture = await createCommandFixture();
  const { db, settings, texts, logger } = fixture.services;
  user = person('telegram', '980', 'tr');
  await fixture.addUser(user);
  router = new RecordingRouter(() => 'Tamam.');
  engine = new ConversationEngine({ db, router, settings, texts, logger, adminIds: new Set() });
});

afterEach(async () => {
  await fixture.cleanup();
});

describe('empty messages', () => {
  it.each([
    ['spaces and line breaks', ' \n\t '],
    ['a zero-width space', '\u200b'],
    ['direction marks', '\u200f\u200e'],
    ['a zero-width joiner and a byte order mark', '\u200d\ufeff'],
  ])('refuses %s', async (_name, text) => {
    const outcome = await engine.handleMessage({ user, chatId: 'chat-980', isPrivate: true, text, messageId: '1' });

    expect(outcome.kind).toBe('refused');
    if (outcome.kind === 'refused') expect(outcome.text).toBe(fixture.services.texts.t('tr', 'refusal.empty_message'));
    expect(router.requests).toHaveLength(0);
  });

  it('answers an emoji sequence', async () => {
    const outcome = await engine.handleMessage({ user, chatId: 'chat-980', isPrivate: true, text: '👨‍👩‍👧', messageId: '2' });

    expect(outcome.kind).toBe('answer');
    expect(router.requests).toHaveLength(1);
  });
});
