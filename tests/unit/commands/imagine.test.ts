import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { dispatchCommand } from '../../../src/commands/dispatcher.js';
import { findCommand } from '../../../src/commands/registry.js';
import type { CommandReply, CommandServices } from '../../../src/commands/types.js';
import type { PlatformUser } from '../../../src/engine/types.js';
import { ImageService } from '../../../src/images/image-service.js';
import { startFakeTxt2Img, TINY_PNG, type FakeTxt2Img } from '../../support/fake-txt2img.js';
import { addPerson, createCommandFixture, type CommandFixture } from './command-fixture.js';

let fixture: CommandFixture;
let server: FakeTxt2Img;
let services: CommandServices;

beforeEach(async () => {
  fixture = await createCommandFixture();
  server = await startFakeTxt2Img();
  const { db, settings, texts, logger, engine } = fixture.services;
  const images = new ImageService({
    db,
    settings,
    texts,
    logger,
    baseUrlOverride: server.baseUrl,
    runInChat: (platform, chatId, task) => engine.runInChat(platform, chatId, task),
  });
  services = { ...fixture.services, images };
});

afterEach(async () => {
  await server.close();
  await fixture.cleanup();
});

async function imagine(user: PlatformUser, argumentText: string, withServices = services): Promise<CommandReply> {
  const definition = findCommand('imagine');
  if (!definition) throw new Error('/imagine is not registered');
  return dispatchCommand(definition, { platform: user.platform, chatId: `chat-${user.id}`, isPrivate: true, user, argumentText }, withServices);
}

function t(locale: 'tr' | 'en', key: string, variables?: Record<string, string | number>): string {
  return fixture.services.texts.t(locale, key, variables);
}

describe('/imagine', () => {
  it('returns the image with its caption', async () => {
    const user = await addPerson(fixture, 'telegram', '600', 'user', 'tr');

    const reply = await imagine(user, 'bir kırmızı tilki');

    expect(reply.isError).toBeUndefined();
    expect(reply.image?.png.equals(TINY_PNG)).toBe(true);
    expect(reply.image?.caption).toBe(t('tr', 'image.caption', { prompt: 'bir kırmızı tilki' }));
    expect(reply.text).toBe(reply.image?.caption);
    expect(typeof reply.image?.replyMessageId).toBe('number');
  });

  it('escapes markdown in the caption', async () => {
    const user = await addPerson(fixture, 'discord', '601', 'user');

    const reply = await imagine(user, 'a *bold* fox');

    expect(reply.image?.caption).toBe(t('en', 'image.caption', { prompt: 'a \\*bold\\* fox' }));
    expect(server.requests[0]?.body.prompt).toBe('a *bold* fox');
  });

  it('shows usage without a prompt', async () => {
    const user = await addPerson(fixture, 'telegram', '602', 'user');

    const reply = await imagine(user, '');

    expect(reply.isError).toBe(true);
    expect(reply.text).toBe(t('en', 'command.invalid_arguments', { command: 'imagine', usage: '/imagine PROMPT' }));
    expect(server.requests).toHaveLength(0);
  });

  it('rejects a long prompt with its length', async () => {
    const user = await addPerson(fixture, 'telegram', '604', 'user', 'tr');

    const reply = await imagine(user, 'a'.repeat(1001));

    expect(reply.isError).toBe(true);
    expect(reply.text).toBe(t('tr', 'image.prompt_too_long', { length: 1001, max: 1000 }));
    expect(server.requests).toHaveLength(0);
  });

  it('returns a localized error on failure', async () => {
    server.behaviour = { kind: 'status', status: 500 };
    const user = await addPerson(fixture, 'telegram', '603', 'user', 'tr');

    const reply = await imagine(user, 'a fox');

    expect(reply).toEqual({ text: t('tr', 'error.image_failed'), isError: true });
  });

  it('returns a refusal as an error', async () => {
    const user = await addPerson(fixture, 'telegram', '604', 'user');
    await fixture.services.db.updateTable('users').set({ permissions: '{"can_use_image": "no"}' }).where('username', '=', 'telegram:604').execute();

    const reply = await imagine(user, 'a fox');

    expect(reply).toEqual({ text: t('en', 'refusal.image_not_allowed'), isError: true });
  });

  it('answers unavailable without a service', async () => {
    const user = await addPerson(fixture, 'telegram', '605', 'user');

    const reply = await imagine(user, 'a fox', fixture.services);

    expect(reply).toEqual({ text: t('en', 'image.unavailable'), isError: true });
  });

  it('asks adapters for an upload_photo action', () => {
    expect(findCommand('imagine')?.progress).toBe('upload_photo');
  });
});
