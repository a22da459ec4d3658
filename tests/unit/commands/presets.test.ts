import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ConversationEngine } from '../../../src/engine/conversation-engine.js';
import type { PlatformUser } from '../../../src/engine/types.js';
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

async function presetsNamed(name: string) {
  return fixture.services.db.selectFrom('model_presets').selectAll().where('name', '=', name).execute();
}

async function userId(user: PlatformUser): Promise<number> {
  const row = await fixture.reload(user);
  if (!row) throw new Error('user missing');
  return row.id;
}

describe('/preset create', () => {
  it('stores an own preset with its settings', async () => {
    const user = await addPerson(fixture, 'telegram', '700', 'user');

    const reply = await fixture.run(user, '/preset create Brief temperature=0.3 max_tokens=256 model=groq-llama-3.1-8b | Answer {{user_name}} in one line.');

    expect(reply).toEqual({ text: t('preset.created', { preset: 'Brief' }) });
    const [preset] = await presetsNamed('Brief');
    expect(preset).toMatchObject({
      system_prompt_template: 'Answer {{user_name}} in one line.',
      temperature: 0.3,
      max_tokens: 256,
      model_name: 'groq-llama-3.1-8b',
      is_global: 0,
      owner_id: await userId(user),
    });
  });

  it('uses defaults without settings', async () => {
    const user = await addPerson(fixture, 'discord', '701', 'user');

    await fixture.run(user, '/preset create plain | Be plain.');

    expect((await presetsNamed('plain'))[0]).toMatchObject({ temperature: 0.7, max_tokens: null, model_name: null });
  });

  it.each([
    ['no template', '/preset create Brief temperature=0.3'],
    ['an empty template', '/preset create Brief | '],
    ['a temperature out of range', '/preset create Brief temperature=3 | x'],
    ['a temperature that is not a number', '/preset create Brief temperature=warm | x'],
    ['an unknown setting', '/preset create Brief top_p=0.5 | x'],
    ['a two-word name', '/preset create Very Brief | x'],
    ['a numeric name', '/preset create 42 | x'],
  ])('rejects %s', async (_case, line) => {
    const user = await addPerson(fixture, 'telegram', '702', 'user');

    const reply = await fixture.run(user, line);

    expect(reply.isError).toBe(true);
    expect(reply.text).toContain('/preset create NAME');
    expect(await fixture.services.db.selectFrom('model_presets').selectAll().execute()).toHaveLength(0);
  });

  it.each(['use', 'delete', 'global'])('shows usage for a bare %s', async (action) => {
    const user = await addPerson(fixture, 'telegram', '708', 'user');

    const reply = await fixture.run(user, `/preset ${action}`);

    expect(reply.isError).toBe(true);
    expect(reply.text).toContain('/preset delete NAME');
  });

  it('rejects a reserved name', async () => {
    const user = await addPerson(fixture, 'telegram', '703', 'user');
    const reply = await fixture.run(user, '/preset create Global | x');
    expect(reply).toEqual({ text: t('preset.name_reserved', { preset: 'Global' }), isError: true });
  });

  it('rejects a taken name', async () => {
    const user = await addPerson(fixture, 'telegram', '704', 'user');
    await fixture.run(user, '/preset create Brief | x');

    const reply = await fixture.run(user, '/preset create brief | y');

    expect(reply).toEqual({ text: t('preset.name_taken', { preset: 'brief' }), isError: true });
  });

  it('allows a name another user owns', async () => {
    const first = await addPerson(fixture, 'telegram', '705', 'user');
    const second = await addPerson(fixture, 'telegram', '706', 'user');
    await fixture.run(first, '/preset create Brief | x');

    const reply = await fixture.run(second, '/preset create Brief | y');

    expect(reply.isError).toBeUndefined();
    expect(await presetsNamed('Brief')).toHaveLength(2);
  });

  it('rejects an unknown model', async () => {
    const user = await addPerson(fixture, 'telegram', '707', 'user');
    const reply = await fixture.run(user, '/preset create Brief model=gpt-9 | x');
    expect(reply).toEqual({ text: t('preset.model_not_found', { model: 'gpt-9' }), isError: true });
  });
});

describe('/preset delete and global', () => {
  it('deletes an own preset', async () => {
    const user = await addPerson(fixture, 'telegram', '710', 'user');
    await fixture.run(user, '/preset create Brief | x');

    const reply = await fixture.run(user, '/preset delete brief');

    expect(reply).toEqual({ text: t('preset.deleted', { preset: 'Brief' }) });
    expect(await presetsNamed('Brief')).toHaveLength(0);
  });

  it('refuses to delete a global preset for users', async () => {
    const admin = await addPerson(fixture, 'telegram', '711', 'admin');
    const user = await addPerson(fixture, 'telegram', '712', 'user');
    await fixture.run(admin, '/preset create Shared | x');
    await fixture.run(admin, '/preset global Shared');

    const reply = await fixture.run(user, '/preset delete Shared');

    expect(reply).toEqual({ text: t('preset.not_owner', { preset: 'Shared' }), isError: true });
    expect(await presetsNamed('Shared')).toHaveLength(1);
  });

  it("lets admins delete another user's preset by id", async () => {
    const admin = await addPerson(fixture, 'telegram', '713', 'admin');
    const user = await addPerson(fixture, 'telegram', '714', 'user');
    await fixture.run(user, '/preset create Mine | x');
    const [preset] = await presetsNamed('Mine');

    const reply = await fixture.run(admin, `/preset delete ${preset?.id}`);

    expect(reply).toEqual({ text: t('preset.deleted', { preset: 'Mine' }) });
    expect(await presetsNamed('Mine')).toHaveLength(0);
  });

  it('makes an admin preset global', async () => {
    const admin = await addPerson(fixture, 'telegram', '715', 'admin');
    const user = await addPerson(fixture, 'discord', '716', 'user');
    await fixture.run(admin, '/preset create Shared | x');

    const reply = await fixture.run(admin, '/preset global Shared');

    expect(reply).toEqual({ text: t('preset.made_global', { preset: 'Shared' }) });
    expect((await presetsNamed('Shared'))[0]?.is_global).toBe(1);
    const listing = await fixture.run(user, '/preset');
    expect(listing.text).toContain('**Shared**');
  });

  it('refuses global to non-admins', async () => {
    const user = await addPerson(fixture, 'telegram', '717', 'vip');
    await fixture.run(user, '/preset create Mine | x');

    const reply = await fixture.run(user, '/preset global Mine');

    expect(reply).toEqual({ text: t('refusal.admin_only'), isError: true });
    expect((await presetsNamed('Mine'))[0]?.is_global).toBe(0);
  });

  it('refuses global when the name is taken', async () => {
    const admin = await addPerson(fixture, 'telegram', '718', 'admin');
    const other = await addPerson(fixture, 'telegram', '719', 'admin');
    await fixture.run(admin, '/preset create Shared | x');
    await fixture.run(admin, '/preset global Shared');
    await fixture.run(other, '/preset create Shared2 | y');
    await fixture.services.db.updateTable('model_presets').set({ name: 'shared' }).where('name', '=', 'Shared2').execute();

    const reply = await fixture.run(other, '/preset global shared');

    expect(reply).toEqual({ text: t('preset.name_taken', { preset: 'shared' }), isError: true });
  });
});

describe('/preset in a turn', () => {
  it('reaches the model request', async () => {
    const requests: CompletionRequest[] = [];
    const router: ModelRouter = {
      async complete(request) {
        requests.push(request);
        return { text: 'Done.', model: 'groq-llama-3.1-8b', modelId: 'llama-3.1-8b-instant', provider: 'groq', engine: 'cloud', latencyMs: 5, usage: null, finishReason: 'stop', attempts: [] };
      },
    };
    const { db, settings, texts, logger } = fixture.services;
    const engine = new ConversationEngine({ db, router, settings, texts, logger, adminIds: new Set(), now: () => new Date('2026-12-04T10:00:00.000Z') });
    const user = person('telegram', '720');
    await fixture.addUser(user);
    await fixture.run(user, '/preset create Brief temperature=0.2 max_tokens=64 model=groq-llama-3.1-8b | Greet {{user_name}} on {{date}}.');
    await fixture.run(user, '/preset Brief');

    const outcome = await engine.handleMessage({ user, chatId: 'chat-720', isPrivate: true, text: 'Hello', messageId: '1' });

    expect(outcome.kind).toBe('answer');
    expect(requests).toHaveLength(1);
    expect(requests[0]?.temperature).toBe(0.2);
    expect(requests[0]?.maxTokens).toBe(64);
    expect(requests[0]?.preferredModel).toBe('groq-llama-3.1-8b');
    const system = requests[0]?.messages[0];
    expect(system?.role).toBe('system');
    expect(system?.content).toContain('Greet Person 720 on 2026-12-04.');
  });
});
