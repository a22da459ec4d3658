import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ConversationEngine } from '../../../src/engine/conversation-engine.js';
import type { CompletionRequest, ModelRouter } from '../../../src/router/types.js';
import { addPerson, createCommandFixture, person, type CommandFixture } from './command-fixture.js';

let fixture: CommandFixture;

beforeEach(async () => {
  fixture = await createCommandFixture();
});

afterEach(async () => {
  await fixture.cleanup();
});

function t(key: string, variables?: Record<string, string | number>): string {
  return fixture.services.texts.t('en', key, variables);
}

async function identityRow() {
  return fixture.services.db.selectFrom('ai_identity_config').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

describe('/identity', () => {
  it('shows every field', async () => {
    const admin = await addPerson(fixture, 'telegram', '950', 'admin');

    const reply = await fixture.run(admin, '/identity');

    expect(reply.isError).toBeUndefined();
    for (const field of ['display_name', 'developer_name', 'product_family', 'short_intro', 'forbid_provider_mention']) {
      expect(reply.text).toContain(`\`${field}\``);
    }
    expect(reply.text).toContain('Nova Labs');
    expect(reply.text).toContain(`\`forbid_provider_mention\`: ${t('identity.yes')}`);
  });

  it('sets a text field', async () => {
    const admin = await addPerson(fixture, 'discord', '951', 'admin');

    const reply = await fixture.run(admin, '/identity set short_intro A helpful bot for the team.');

    expect(reply).toEqual({ text: t('identity.saved', { field: 'short_intro', value: 'A helpful bot for the team.' }) });
    expect((await identityRow()).short_intro).toBe('A helpful bot for the team.');
  });

  it.each([
    ['off', 0],
    ['hayır', 0],
    ['yes', 1],
  ])('sets forbid_provider_mention with %s', async (word, stored) => {
    const admin = await addPerson(fixture, 'telegram', '952', 'admin');

    const reply = await fixture.run(admin, `/identity set forbid_provider_mention ${word}`);

    expect(reply.isError).toBeUndefined();
    expect((await identityRow()).forbid_provider_mention).toBe(stored);
  });

  it('rejects a word that is not boolean', async () => {
    const admin = await addPerson(fixture, 'telegram', '953', 'admin');

    const reply = await fixture.run(admin, '/identity set forbid_provider_mention maybe');

    expect(reply).toEqual({ text: t('identity.invalid_boolean', { value: 'maybe' }), isError: true });
    expect((await identityRow()).forbid_provider_mention).toBe(1);
  });

  it('rejects a value over the limit', async () => {
    const admin = await addPerson(fixture, 'telegram', '954', 'admin');

    const reply = await fixture.run(admin, `/identity set display_name ${'x'.repeat(65)}`);

    expect(reply).toEqual({ text: t('identity.too_long', { field: 'display_name', max: 64 }), isError: true });
    expect((await identityRow()).display_name).toBe('Nova');
  });

  it.each(['set', 'set display_name', 'set colour red', 'remove display_name'])('shows usage for "%s"', async (argumentText) => {
    const admin = await addPerson(fixture, 'telegram', '955', 'admin');

    const reply = await fixture.run(admin, `/identity ${argumentText}`);

    expect(reply.isError).toBe(true);
    expect(reply.text).toContain('/identity [show | set');
  });

  it('reaches the next system prompt', async () => {
    const requests: CompletionRequest[] = [];
    const router: ModelRouter = {
      async complete(request) {
        requests.push(request);
        return { text: 'Hi!', model: 'groq-llama-3.3-70b', modelId: 'llama-3.3-70b-versatile', provider: 'groq', engine: 'cloud', latencyMs: 5, usage: null, finishReason: 'stop', attempts: [] };
      },
    };
    const { db, settings, texts, logger } = fixture.services;
    const engine = new ConversationEngine({ db, router, settings, texts, logger, adminIds: new Set() });
    const admin = await addPerson(fixture, 'telegram', '956', 'admin');
    const user = person('telegram', '957');
    await fixture.addUser(user);

    await fixture.run(admin, '/identity set display_name Orion');
    await engine.handleMessage({ user, chatId: 'chat-957', isPrivate: true, text: 'Who are you?', messageId: '1' });

    expect(requests[0]?.messages[0]?.content).toContain('You are Orion');
  });
});
