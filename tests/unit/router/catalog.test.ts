import { Writable } from 'node:stream';

import pino from 'pino';
import { describe, expect, it } from 'vitest';

import type { ApiConfigRow, ModelConfigRow } from '../../../src/db/schema.js';
import { buildCatalog, hasUsableChatModel } from '../../../src/router/catalog.js';

const NOW = '2026-12-04T19:37:03.000Z';

function apiRow(name: string, overrides: Partial<ApiConfigRow> = {}, settings: Record<string, unknown> = {}): ApiConfigRow {
  return {
    id: 1,
    name,
    display_name: name,
    base_url: `http://127.0.0.1:9/${name}/v1`,
    is_active: 1,
    timeout: 30,
    rate_limit: 0,
    retry_count: 2,
    settings: JSON.stringify(settings),
    description: null,
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  };
}

function modelRow(name: string, provider: string, overrides: Partial<ModelConfigRow> = {}): ModelConfigRow {
  return {
    id: 1,
    name,
    display_name: name.toUpperCase(),
    provider,
    model_id: `${name}-id`,
    purpose: 'chat',
    is_active: 1,
    is_default: 0,
    priority: 0,
    parameters: '{}',
    capabilities: '{}',
    description: null,
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  };
}

/** Creates a logger that collects its JSON lines in `lines`, for checking warnings. */
function capturingLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>>; raw: string[] } {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      raw.push(chunk.toString());
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines, raw };
}

const GROQ_SETTINGS = { engine: 'cloud', api_key_env: 'GROQ_API_KEY', requires_api_key: true };
const OLLAMA_SETTINGS = { engine: 'local', api_key_env: 'LOCAL_LLM_API_KEY', default_api_key: 'ollama' };

describe('buildCatalog', () => {
  it('takes the API key from env', () => {
    const { logger } = capturingLogger();
    const catalog = buildCatalog([modelRow('llama', 'groq')], [apiRow('groq', {}, GROQ_SETTINGS)], {
      env: { GROQ_API_KEY: 'gsk-from-env' },
      logger,
    });
    expect(catalog.models).toHaveLength(1);
    expect(catalog.models[0]?.api.apiKey).toBe('gsk-from-env');
    expect(catalog.disabledProviders).toEqual([]);
  });

  it('disables a provider missing its required key', () => {
    const { logger, lines } = capturingLogger();
    const catalog = buildCatalog(
      [modelRow('llama', 'groq'), modelRow('bela', 'ollama', { purpose: 'uncensored' })],
      [apiRow('groq', {}, GROQ_SETTINGS), apiRow('ollama', {}, OLLAMA_SETTINGS)],
      { env: { GROQ_API_KEY: '' }, logger },
    );
    expect(catalog.models.map((model) => model.name)).toEqual(['bela']);
    expect(catalog.disabledProviders.map((provider) => provider.name)).toEqual(['groq']);
    expect(catalog.disabledProviders[0]?.reason).toContain('GROQ_API_KEY');

    const warnings = lines.filter((line) => line['level'] === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.['provider']).toBe('groq');
  });

  it('never logs the key', () => {
    const { logger, raw } = capturingLogger();
    buildCatalog(
      [modelRow('llama', 'groq', { parameters: '{"temperature":"hot"}' }), modelRow('lost', 'missing')],
      [apiRow('groq', { timeout: 0 }, GROQ_SETTINGS)],
      { env: { GROQ_API_KEY: 'gsk-secret-value' }, logger },
    );
    expect(raw.length).toBeGreaterThan(0);
    expect(raw.join('')).not.toContain('gsk-secret-value');
  });

  it('uses the default key when env has none', () => {
    const { logger } = capturingLogger();
    const catalog = buildCatalog([modelRow('bela', 'ollama')], [apiRow('ollama', {}, OLLAMA_SETTINGS)], { env: {}, logger });
    expect(catalog.models[0]?.api.apiKey).toBe('ollama');
    expect(catalog.models[0]?.engine).toBe('local');
  });

  it('applies base URL overrides', () => {
    const { logger } = capturingLogger();
    const catalog = buildCatalog(
      [modelRow('llama', 'groq'), modelRow('bela', 'ollama')],
      [apiRow('groq', {}, GROQ_SETTINGS), apiRow('ollama', {}, OLLAMA_SETTINGS)],
      { env: { GROQ_API_KEY: 'k' }, baseUrlOverrides: { groq: 'http://127.0.0.1:7/v1', ollama: '' }, logger },
    );
    const byName = new Map(catalog.models.map((model) => [model.name, model]));
    expect(byName.get('llama')?.api.baseUrl).toBe('http://127.0.0.1:7/v1');
    expect(byName.get('bela')?.api.baseUrl).toBe('http://127.0.0.1:9/ollama/v1');
  });

  it('converts the row fields', () => {
    const { logger } = capturingLogger();
    const catalog = buildCatalog(
      [
        modelRow('llama', 'groq', {
          is_default: 1,
          priority: 7,
          purpose: 'summary',
          parameters: '{"temperature":0.3,"top_p":0.9,"context_window":8192}',
          capabilities: '{"streaming":false,"vision":true}',
        }),
      ],
      [apiRow('groq', { timeout: 2, retry_count: 3, rate_limit: 30 }, GROQ_SETTINGS)],
      { env: { GROQ_API_KEY: 'k' }, logger },
    );
    const entry = catalog.models[0];
    expect(entry?.isDefault).toBe(true);
    expect(entry?.priority).toBe(7);
    expect(entry?.purpose).toBe('summary');
    expect(entry?.displayName).toBe('LLAMA');
    expect(entry?.modelId).toBe('llama-id');
    expect(entry?.parameters).toEqual({ temperature: 0.3, top_p: 0.9 });
    expect(entry?.capabilities).toEqual({ streaming: false, vision: true });
    expect(entry?.engine).toBe('cloud');
    expect(entry?.api.timeoutMs).toBe(2000);
    expect(entry?.api.retryCount).toBe(3);
    expect(entry?.api.rateLimitPerMinute).toBe(30);
  });

  it('skips inactive rows and unknown providers', () => {
    const { logger, lines } = capturingLogger();
    const catalog = buildCatalog(
      [modelRow('off', 'groq', { is_active: 0 }), modelRow('orphan', 'nowhere'), modelRow('on', 'groq')],
      [apiRow('groq', {}, GROQ_SETTINGS), apiRow('forge', { is_active: 0 }, { requires_api_key: true })],
      { env: { GROQ_API_KEY: 'k' }, logger },
    );
    expect(catalog.models.map((model) => model.name)).toEqual(['on']);
    expect(catalog.disabledProviders).toEqual([]);
    expect(lines.some((line) => line['model'] === 'orphan' && line['level'] === 40)).toBe(true);
  });

  it('disables a provider with invalid settings', () => {
    const { logger } = capturingLogger();
    const catalog = buildCatalog([modelRow('llama', 'groq')], [apiRow('groq', {}, { engine: 'orbital' })], {
      env: {},
      logger,
    });
    expect(catalog.models).toEqual([]);
    expect(catalog.disabledProviders[0]?.reason).toContain('settings');
  });
});

describe('hasUsableChatModel', () => {
  it('needs a chat model', () => {
    const { logger } = capturingLogger();
    const apis = [apiRow('groq', {}, GROQ_SETTINGS), apiRow('ollama', {}, OLLAMA_SETTINGS)];
    const models = [modelRow('llama', 'groq'), modelRow('bela', 'ollama', { purpose: 'uncensored' })];

    expect(hasUsableChatModel(buildCatalog(models, apis, { env: { GROQ_API_KEY: 'k' }, logger }))).toBe(true);
    expect(hasUsableChatModel(buildCatalog(models, apis, { env: {}, logger }))).toBe(false);
  });
});
