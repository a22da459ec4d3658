import OpenAI, { NotFoundError } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai.js';

let fake: FakeOpenAI;
let client: OpenAI;

beforeEach(async () => {
  fake = await startFakeOpenAI();
  client = new OpenAI({ apiKey: 'test-key', baseURL: fake.baseURL, maxRetries: 0, timeout: 2000, logLevel: 'off' });
});

afterEach(async () => {
  await fake.close();
});

describe('fake OpenAI server', () => {
  it('lists scripted models', async () => {
    fake.setDefault('alpha', { text: 'a' });
    fake.script('beta', { text: 'b' });

    const page = await client.models.list();

    expect(page.data.map((model) => model.id).sort()).toEqual(['alpha', 'beta']);
  });

  it('rejects an unknown model like OpenAI', async () => {
    const error = await client.chat.completions
      .create({ model: 'ghost', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).code).toBe('model_not_found');
    expect((error as NotFoundError).message).toContain('The model `ghost` does not exist');
  });

  it('echoes when the queue is empty', async () => {
    fake.script('alpha', { text: 'scripted' });
    const ask = () => client.chat.completions.create({ model: 'alpha', messages: [{ role: 'user', content: 'ping' }] });

    const first = await ask();
    const second = await ask();

    expect(first.choices[0]?.message.content).toBe('scripted');
    expect(second.choices[0]?.message.content).toBe('Reply to: ping');
    expect(second.object).toBe('chat.completion');
    expect(fake.requests.map((request) => request.authorization)).toEqual(['Bearer test-key', 'Bearer test-key']);
    expect(fake.requests[0]?.path).toBe('/v1/chat/completions');
  });

  it('streams chunks with a usage-only chunk', async () => {
    fake.script('alpha', { text: 'abcdefgh', chunkSize: 3, usage: { prompt_tokens: 4, completion_tokens: 2 } });

    const stream = await client.chat.completions.create({
      model: 'alpha',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const contents: string[] = [];
    const finishReasons: string[] = [];
    let usageChunks = 0;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      const choice = chunk.choices[0];
      if (choice?.delta.content) contents.push(choice.delta.content);
      if (choice?.finish_reason) finishReasons.push(choice.finish_reason);
      if (chunk.usage) {
        usageChunks += 1;
        expect(chunk.choices).toEqual([]);
        expect(chunk.usage.total_tokens).toBe(6);
      }
    }

    expect(contents).toEqual(['abc', 'def', 'gh']);
    expect(finishReasons).toEqual(['stop']);
    expect(usageChunks).toBe(1);
  });

  it('sends an HTTP error with its headers', async () => {
    fake.script('alpha', {
      status: 429,
      error: { message: 'Rate limit reached', type: 'tokens', code: 'rate_limit_exceeded' },
      headers: { 'retry-after': '7' },
    });

    const error = await client.chat.completions
      .create({ model: 'alpha', messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe('7');
  });
});
