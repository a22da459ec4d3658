import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { parseJson, utcDate } from '../../../src/db/values.js';
import type { Actor } from '../../../src/engine/actor.js';
import { readDailyUsage } from '../../../src/engine/usage.js';
import { ImageService } from '../../../src/images/image-service.js';
import { STRICT_NEGATIVE_PROMPT } from '../../../src/images/prompt-safety.js';
import { startFakeTxt2Img, TINY_PNG, type FakeTxt2Img } from '../../support/fake-txt2img.js';
import { createCommandFixture, person, type CommandFixture } from '../commands/command-fixture.js';

let fixture: CommandFixture;
let server: FakeTxt2Img;
let service: ImageService;

beforeEach(async () => {
  fixture = await createCommandFixture();
  server = await startFakeTxt2Img();
  const { db, settings, texts, logger } = fixture.services;
  service = new ImageService({ db, settings, texts, logger, baseUrlOverride: server.baseUrl });
});

afterEach(async () => {
  await server.close();
  await fixture.cleanup();
});

async function actorFor(id: string, changes: Parameters<CommandFixture['addUser']>[1] = {}): Promise<Actor> {
  const user = await fixture.addUser(person('telegram', id), changes);
  return { user, locale: 'en', isNew: false, preferences: [] };
}

function t(key: string, variables?: Record<string, string | number>): string {
  return fixture.services.texts.t('en', key, variables);
}

async function messagesOf(userId: number) {
  return fixture.services.db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .select(['messages.id', 'messages.role', 'messages.content', 'messages.extra_metadata', 'conversations.chat_id'])
    .where('conversations.user_id', '=', userId)
    .orderBy('messages.id')
    .execute();
}

describe('ImageService.imagine', () => {
  it('sends the seeded config and stores both messages', async () => {
    const actor = await actorFor('500');

    const result = await service.imagine({ actor, platform: 'telegram', chatId: 'chat-500', prompt: 'a red fox' });

    expect(result.kind).toBe('image');
    if (result.kind !== 'image') return;
    expect(result.png.equals(TINY_PNG)).toBe(true);
    expect(result.caption).toBe(t('image.caption', { prompt: 'a red fox' }));
    expect(result.followUpText).toBeUndefined();

    const body = server.requests[0]?.body;
    expect(body).toMatchObject({
      prompt: 'a red fox',
      width: 1024,
      height: 1024,
      steps: 25,
      cfg_scale: 6.5,
      sampler_name: 'DPM++ 2M',
      seed: -1,
      override_settings: { sd_model_checkpoint: 'sd_xl_base_1.0.safetensors', sd_vae: 'sdxl_vae.safetensors' },
      override_settings_restore_afterwards: true,
    });
    expect(body?.negative_prompt).toContain('lowres');
    expect(body?.negative_prompt).not.toContain(STRICT_NEGATIVE_PROMPT);

    const [prompt, reply] = await messagesOf(actor.user.id);
    expect(prompt).toMatchObject({ role: 'user', content: '/imagine a red fox', chat_id: 'chat-500' });
    expect(reply?.id).toBe(result.replyMessageId);
    expect(reply?.role).toBe('assistant');
    expect(parseJson(reply?.extra_metadata, {})).toMatchObject({
      kind: 'image',
      status: 'complete',
      checkpoint: 'sd_xl_base_1.0.safetensors',
      width: 1024,
      height: 1024,
      steps: 25,
    });
    expect(typeof parseJson<Record<string, unknown>>(reply?.extra_metadata, {}).latency_ms).toBe('number');
    expect((await readDailyUsage(fixture.services.db, actor.user.id, utcDate())).image).toBe(1);
  });

  it('appends lora tags from the config', async () => {
    await fixture.services.db
      .updateTable('image_gen_configs')
      .set({ loras: JSON.stringify([{ name: 'detail_tweaker', weight: 0.6 }]) })
      .execute();
    const actor = await actorFor('501');

    await service.imagine({ actor, platform: 'telegram', chatId: 'chat-501', prompt: 'a fox' });

    expect(server.requests[0]?.body.prompt).toBe('a fox <lora:detail_tweaker:0.6>');
  });

  it('refuses without can_use_image', async () => {
    const actor = await actorFor('502', { permissions: JSON.stringify({ can_use_image: 'false' }) });

    const result = await service.imagine({ actor, platform: 'telegram', chatId: 'chat-502', prompt: 'a fox' });

    expect(result).toEqual({ kind: 'refused', text: t('refusal.image_not_allowed') });
    expect(server.requests).toHaveLength(0);
    expect(await messagesOf(actor.user.id)).toHaveLength(0);
  });

  it('refuses at the daily image limit', async () => {
    const actor = await actorFor('503', { limits: JSON.stringify({ daily_image: 1 }) });

    const first = await service.imagine({ actor, platform: 'telegram', chatId: 'chat-503', prompt: 'a fox' });
    const second = await service.imagine({ actor, platform: 'telegram', chatId: 'chat-503', prompt: 'a cat' });

    expect(first.kind).toBe('image');
    expect(second).toEqual({ kind: 'refused', text: t('refusal.limit_daily_image', { limit: 1 }) });
    expect(server.requests).toHaveLength(1);
  });

  it('lets admins past the image limit', async () => {
    const actor = await actorFor('504', { role: 'admin', limits: JSON.stringify({ daily_image: 1 }) });

    await service.imagine({ actor, platform: 'telegram', chatId: 'chat-504', prompt: 'a fox' });
    const second = await service.imagine({ actor, platform: 'telegram', chatId: 'chat-504', prompt: 'a cat' });

    expect(second.kind).toBe('image');
  });

  it('strict mode refuses explicit words', async () => {
    const actor = await actorFor('505', { permissions: JSON.stringify({ censorship_level: 2 }) });

    const result = await service.imagine({ actor, platform: 'telegram', chatId: 'chat-505', prompt: 'a nude statue' });

    expect(result).toEqual({ kind: 'refused', text: t('refusal.image_prompt_blocked') });
    expect(server.requests).toHaveLength(0);
  });

  it('strict mode adds the strict negative prompt', async () => {
    const actor = await actorFor('506', { permissions: JSON.stringify({ censorship_level: 2 }) });

    await service.imagine({ actor, platform: 'telegram', chatId: 'chat-506', prompt: 'a fox' });

    expect(server.requests[0]?.body.negative_prompt).toContain(STRICT_NEGATIVE_PROMPT);
  });

  it('stores a failed reply on a server error', async () => {
    server.behaviour = { kind: 'status', status: 500 };
    const actor = await actorFor('507');

    const result = await service.imagine({ actor, platform: 'telegram', chatId: 'chat-507', prompt: 'a fox' });

    expect(result.kind).toBe('failed');
    expect(result).toMatchObject({ text: t('error.image_failed') });
    const [prompt, reply] = await messagesOf(actor.user.id);
    expect(prompt?.content).toBe('/imagine a fox');
    expect(reply?.role).toBe('assistant');
    expect(result.kind === 'failed' ? result.replyMessageId : undefined).toBe(reply?.id);
    expect(parseJson(reply?.extra_metadata, {})).toMatchObject({ kind: 'image', status: 'failed', error: 'http_status' });
    expect((await readDailyUsage(fixture.services.db, actor.user.id, utcDate())).image).toBe(0);
  });

  it('reports a timeout', async () => {
    server.behaviour = { kind: 'hang' };
    await fixture.services.db.updateTable('api_configs').set({ timeout: 0.2 }).where('name', '=', 'forge').execute();
    const actor = await actorFor('508', { role: 'admin' });

    const result = await service.imagine({ actor, platform: 'telegram', chatId: 'chat-508', prompt: 'a fox' });

    expect(result).toMatchObject({ kind: 'failed', text: t('error.image_timeout') });
    const [, reply] = await messagesOf(actor.user.id);
    expect(parseJson(reply?.extra_metadata, {})).toMatchObject({ status: 'failed', error: 'timeout' });
  });

  it('answers unavailable when forge is inactive', async () => {
    await fixture.services.db.updateTable('api_configs').set({ is_active: 0 }).where('name', '=', 'forge').execute();
    const actor = await actorFor('509');

    const result = await service.imagine({ actor, platform: 'telegram', chatId: 'chat-509', prompt: 'a fox' });

    expect(result).toEqual({ kind: 'failed', text: t('image.unavailable') });
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a second image in progress', async () => {
    server.behaviour = { kind: 'hang' };
    await fixture.services.db.updateTable('api_configs').set({ timeout: 1 }).where('name', '=', 'forge').execute();
    const actor = await actorFor('510');

    const first = service.imagine({ actor, platform: 'telegram', chatId: 'chat-510', prompt: 'a fox' });
    // The first request is in progress once the server has received it.
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const second = await service.imagine({ actor, platform: 'telegram', chatId: 'chat-510', prompt: 'a cat' });

    expect(second).toEqual({ kind: 'refused', text: t('refusal.image_in_progress') });
    expect((await first).kind).toBe('failed');
  });

  it('moves a long caption into a follow-up', async () => {
    const actor = await actorFor('511');
    const prompt = Array.from({ length: 200 }, (_, index) => `fox${index}`).join(' ');

    const result = await service.imagine({ actor, platform: 'telegram', chatId: 'chat-511', prompt });

    expect(result.kind).toBe('image');
    if (result.kind !== 'image') return;
    expect(result.caption.length).toBeLessThanOrEqual(1024);
    expect(result.followUpText).toBeDefined();
    expect(`${result.caption} ${result.followUpText}`).toBe(t('image.caption', { prompt }));
  });
});
