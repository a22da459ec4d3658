import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ImageGenerationError } from '../../../src/images/errors.js';
import type { ImageGenSettings } from '../../../src/images/image-config.js';
import { STRICT_NEGATIVE_PROMPT } from '../../../src/images/prompt-safety.js';
import { generateImage } from '../../../src/images/txt2img-client.js';
import { buildTxt2ImgRequest, cleanUserPrompt } from '../../../src/images/txt2img-request.js';
import { FAKE_RANDOM_SEED, startFakeTxt2Img, TINY_PNG, type FakeTxt2Img } from '../../support/fake-txt2img.js';

const CONFIG: ImageGenSettings = {
  name: 'test-config',
  checkpoint: 'model.safetensors',
  vae: 'vae.safetensors',
  loras: [
    { name: 'detail', weight: 0.8 },
    { name: 'style', weight: 1 },
  ],
  params: { width: 512, height: 768, steps: 20, cfg_scale: 6.5, sampler_name: 'DPM++ 2M', seed: -1 },
  extraParams: { scheduler: 'Karras' },
  negativePromptTemplate: 'blurry, not {prompt}',
};

describe('buildTxt2ImgRequest', () => {
  it('appends lora tags and sets override settings', () => {
    const request = buildTxt2ImgRequest(CONFIG, 'a red fox');

    expect(request.prompt).toBe('a red fox <lora:detail:0.8> <lora:style:1>');
    expect(request.override_settings).toEqual({ sd_model_checkpoint: 'model.safetensors', sd_vae: 'vae.safetensors' });
    expect(request.override_settings_restore_afterwards).toBe(true);
    expect(request).toMatchObject({ width: 512, height: 768, steps: 20, cfg_scale: 6.5, sampler_name: 'DPM++ 2M', seed: -1 });
    expect(request.scheduler).toBe('Karras');
  });

  it('fills the negative prompt template', () => {
    expect(buildTxt2ImgRequest(CONFIG, 'a red fox').negative_prompt).toBe('blurry, not a red fox');
  });

  it('adds the strict negative prompt', () => {
    const request = buildTxt2ImgRequest(CONFIG, 'a red fox', { strict: true });
    expect(request.negative_prompt).toBe(`blurry, not a red fox, ${STRICT_NEGATIVE_PROMPT}`);
  });

  it('leaves out sd_vae without a vae', () => {
    const request = buildTxt2ImgRequest({ ...CONFIG, vae: null, loras: [] }, 'a fox');
    expect(request.override_settings).toEqual({ sd_model_checkpoint: 'model.safetensors' });
    expect(request.prompt).toBe('a fox');
  });

  it('removes extra-network tags typed by users', () => {
    expect(cleanUserPrompt('a fox <lora:secret:2> in  snow <hypernet:x:1>')).toBe('a fox in snow');
  });

  it('keeps config params over extra params', () => {
    const request = buildTxt2ImgRequest({ ...CONFIG, extraParams: { width: 64, prompt: 'injected' } }, 'a fox');
    expect(request.width).toBe(512);
    expect(request.prompt).toContain('a fox');
  });
});

describe('generateImage', () => {
  let server: FakeTxt2Img;

  beforeEach(async () => {
    server = await startFakeTxt2Img();
  });

  afterEach(async () => {
    await server.close();
  });

  it('posts the request and returns the png', async () => {
    const request = buildTxt2ImgRequest(CONFIG, 'a red fox');

    const image = await generateImage({ baseUrl: server.baseUrl, timeoutMs: 5000 }, request);

    expect(image.png.equals(TINY_PNG)).toBe(true);
    expect(image.seed).toBe(FAKE_RANDOM_SEED);
    expect(image.parameters.prompt).toBe(request.prompt);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.method).toBe('POST');
    expect(server.requests[0]?.path).toBe('/sdapi/v1/txt2img');
    expect(server.requests[0]?.body).toEqual(JSON.parse(JSON.stringify(request)));
  });

  it('returns the fixed seed it asked for', async () => {
    const request = buildTxt2ImgRequest({ ...CONFIG, params: { ...CONFIG.params, seed: 7 } }, 'a fox');
    const image = await generateImage({ baseUrl: server.baseUrl, timeoutMs: 5000 }, request);
    expect(image.seed).toBe(7);
  });

  it('throws http_status on a 500', async () => {
    server.behaviour = { kind: 'status', status: 500 };

    const error = await generateImage({ baseUrl: server.baseUrl, timeoutMs: 5000 }, buildTxt2ImgRequest(CONFIG, 'a fox')).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ImageGenerationError);
    expect((error as ImageGenerationError).kind).toBe('http_status');
    expect((error as ImageGenerationError).status).toBe(500);
    expect((error as ImageGenerationError).message).toContain('/sdapi/v1/txt2img');
  });

  it('throws timeout when the server hangs', async () => {
    server.behaviour = { kind: 'hang' };

    const error = await generateImage({ baseUrl: server.baseUrl, timeoutMs: 200 }, buildTxt2ImgRequest(CONFIG, 'a fox')).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ImageGenerationError);
    expect((error as ImageGenerationError).kind).toBe('timeout');
  });

  it('throws bad_response for a non-png image', async () => {
    server.behaviour = { kind: 'not_png' };

    const error = await generateImage({ baseUrl: server.baseUrl, timeoutMs: 5000 }, buildTxt2ImgRequest(CONFIG, 'a fox')).catch((caught: unknown) => caught);

    expect((error as ImageGenerationError).kind).toBe('bad_response');
  });

  it('throws network when nothing listens', async () => {
    const url = server.baseUrl;
    await server.close();
    server = await startFakeTxt2Img();

    const error = await generateImage({ baseUrl: url, timeoutMs: 5000 }, buildTxt2ImgRequest(CONFIG, 'a fox')).catch((caught: unknown) => caught);

    expect((error as ImageGenerationError).kind).toBe('network');
  });
});
