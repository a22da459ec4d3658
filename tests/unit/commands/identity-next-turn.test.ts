/**
 * The engine keeps the identity row in memory between turns, so these tests run `/identity`
 * with the same engine that handles the turns.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { dispatchCommand } from '../../../src/commands/dispatcher.js';
import { findCommand } from '../../../src/commands/registry.js';
import type { CommandReply, CommandServices } from '../../../src/commands/types.js';
import { ConversationEngine } from '../../../src/engine/conversation-engine.js';
import type { PlatformUser } from '../../../src/engine/types.js';
import { RecordingRouter } from '../../support/recording-router.js';
import { addPerson, createCommandFixture, person, type CommandFixture } from './command-fixture.js';

/** Fixed engine clock, so the cached rows never reach their max age during a test. */
const NOW = new Date('2026-12-04T10:00:00.000Z');

let fixture: CommandFixture;
let router: RecordingRouter;
let services: CommandServices;

beforeEach(async () => {
  fixture = await createCommandFixture();
  router = new RecordingRouter(() => 'Hello!');
  const { db, settings, texts, logger } = fixture.services;
  const engine = new ConversationEngine({ db, router, settings, texts, logger, adminIds: new Set(), now: () => NOW });
  services = { ...fixture.services, engine };
});

afterEach(async () => {
  await fixture.cleanup();
});

async function runIdentity(admin: PlatformUser, argumentText: string): Promise<CommandReply> {
  const definition = findCommand('identity');
  if (definition === undefined) throw new Error('command /identity not found in the registry');
  return dispatchCommand(definition, { platform: admin.platform, chatId: `chat-${admin.id}`, isPrivate: true, user: admin, argumentText }, services);
}

async function sendTurn(user: PlatformUser, text: string, messageId: string): Promise<string> {
  const outcome = await services.engine.handleMessage({ user, chatId: `chat-${user.id}`, isPrivate: true, text, messageId });
  expect(outcome.kind).toBe('answer');
  const system = router.requests.at(-1)?.messages[0];
  expect(system?.role).toBe('system');
  return system?.content ?? '';
}

describe('/identity with a warm engine cache', () => {
  it('reaches the very next turn', async () => {
    const admin = await addPerson(fixture, 'telegram', '960', 'admin');
    const user = person('telegram', '961');
    await fixture.addUser(user);

    const firstPrompt = await sendTurn(user, 'Who are you?', '1');
    const reply = await runIdentity(admin, 'set display_name Orion');
    const secondPrompt = await sendTurn(user, 'And your name again?', '2');

    expect(firstPrompt).toContain('You are Nova');
    expect(reply.isError).toBeUndefined();
    expect(secondPrompt).toContain('You are Orion');
    expect(secondPrompt).not.toContain('You are Nova');
    expect(router.requests).toHaveLength(2);
  });

  it('leaves a direct database edit unseen within the max age', async () => {
    const user = person('telegram', '962');
    await fixture.addUser(user);

    const firstPrompt = await sendTurn(user, 'Who are you?', '1');
    await fixture.services.db.updateTable('ai_identity_config').set({ display_name: 'Orion' }).where('id', '=', 1).execute();
    const secondPrompt = await sendTurn(user, 'And your name again?', '2');

    expect(firstPrompt).toContain('You are Nova');
    expect(secondPrompt).toContain('You are Nova');
  });
});
