import { describe, expect, it } from 'vitest';

import type { ModelEntry } from '../../../src/router/catalog.js';
import { orderCandidates } from '../../../src/router/selection.js';
import type { CompletionRequest, RouterAccess } from '../../../src/router/types.js';

function model(name: string, overrides: Partial<ModelEntry> = {}): ModelEntry {
  const engine = overrides.engine ?? 'cloud';
  const provider = overrides.provider ?? (engine === 'local' ? 'ollama' : 'groq');
  return {
    name,
    displayName: name,
    provider,
    modelId: `${name}-id`,
    purpose: 'chat',
    isDefault: false,
    priority: 0,
    parameters: {},
    capabilities: {},
    engine,
    api: {
      name: provider,
      baseUrl: 'http://127.0.0.1:1/v1',
      timeoutMs: 1000,
      retryCount: 0,
      rateLimitPerMinute: 0,
      apiKey: 'key',
      engine,
    },
    ...overrides,
  };
}

/** The seeded set: two Groq chat models, a Groq summary model and the local Bela model. */
const CATALOG: ModelEntry[] = [
  model('llama-70b', { isDefault: true, priority: 10 }),
  model('llama-8b', { priority: 5 }),
  model('llama-8b-summary', { purpose: 'summary', isDefault: true }),
  model('bela', { purpose: 'uncensored', engine: 'local', isDefault: true }),
];

const FULL: RouterAccess = { canUseLocal: true, censorshipLevel: 1 };
const NO_LOCAL: RouterAccess = { canUseLocal: false, censorshipLevel: 1 };
const STRICT: RouterAccess = { canUseLocal: true, censorshipLevel: 2 };

type Case = {
  name: string;
  request: Pick<CompletionRequest, 'purpose' | 'preferredModel' | 'allowedProviders' | 'access'>;
  entries?: ModelEntry[];
  expected: string[];
};

const CASES: Case[] = [
  { name: 'chat by default then priority', request: { purpose: 'chat', access: NO_LOCAL }, expected: ['llama-70b', 'llama-8b'] },
  { name: 'auto means no preference', request: { purpose: 'chat', preferredModel: 'auto', access: NO_LOCAL }, expected: ['llama-70b', 'llama-8b'] },
  {
    name: 'preferred model first',
    request: { purpose: 'chat', preferredModel: 'llama-8b', access: NO_LOCAL },
    expected: ['llama-8b', 'llama-70b'],
  },
  {
    name: 'preferred model of another purpose',
    request: { purpose: 'chat', preferredModel: 'llama-8b-summary', access: NO_LOCAL },
    expected: ['llama-8b-summary', 'llama-70b', 'llama-8b'],
  },
  {
    name: 'unknown preferred model ignored',
    request: { purpose: 'chat', preferredModel: 'gone', access: NO_LOCAL },
    expected: ['llama-70b', 'llama-8b'],
  },
  {
    name: 'preferred local without access',
    request: { purpose: 'chat', preferredModel: 'bela', access: NO_LOCAL },
    expected: ['llama-70b', 'llama-8b'],
  },
  {
    name: 'preferred local with access',
    request: { purpose: 'chat', preferredModel: 'bela', access: FULL },
    expected: ['bela', 'llama-70b', 'llama-8b'],
  },
  {
    name: 'preferred local at censorship 2',
    request: { purpose: 'chat', preferredModel: 'bela', access: STRICT },
    expected: ['bela', 'llama-70b', 'llama-8b'],
  },
  { name: 'uncensored with access', request: { purpose: 'uncensored', access: FULL }, expected: ['bela'] },
  {
    name: 'uncensored without access falls back to chat',
    request: { purpose: 'uncensored', access: NO_LOCAL },
    expected: ['llama-70b', 'llama-8b'],
  },
  {
    name: 'uncensored at censorship 2 falls back to chat',
    request: { purpose: 'uncensored', access: STRICT },
    expected: ['llama-70b', 'llama-8b'],
  },
  { name: 'summary purpose', request: { purpose: 'summary', access: NO_LOCAL }, expected: ['llama-8b-summary'] },
  {
    name: 'unknown purpose falls back to chat',
    request: { purpose: 'poetry', access: NO_LOCAL },
    expected: ['llama-70b', 'llama-8b'],
  },
  {
    name: 'allowed providers restrict automatic routing',
    request: { purpose: 'uncensored', allowedProviders: ['ollama'], access: FULL },
    expected: ['bela'],
  },
  {
    name: 'allowed providers restrict the preferred model',
    request: { purpose: 'chat', preferredModel: 'llama-8b', allowedProviders: ['ollama'], access: FULL },
    expected: [],
  },
  {
    name: 'empty allowed providers allow all',
    request: { purpose: 'chat', allowedProviders: [], access: FULL },
    expected: ['llama-70b', 'llama-8b'],
  },
  {
    name: 'local chat model needs access',
    entries: [model('cloud-chat'), model('local-chat', { engine: 'local', isDefault: true })],
    request: { purpose: 'chat', access: NO_LOCAL },
    expected: ['cloud-chat'],
  },
  {
    name: 'local chat model with access',
    entries: [model('cloud-chat'), model('local-chat', { engine: 'local', isDefault: true })],
    request: { purpose: 'chat', access: FULL },
    expected: ['local-chat', 'cloud-chat'],
  },
  {
    name: 'local chat model skipped at censorship 2',
    entries: [model('cloud-chat'), model('local-chat', { engine: 'local', isDefault: true })],
    request: { purpose: 'chat', access: STRICT },
    expected: ['cloud-chat'],
  },
  {
    name: 'default beats priority, name breaks ties',
    entries: [
      model('c', { priority: 9 }),
      model('b', { priority: 1 }),
      model('a', { priority: 1 }),
      model('z', { priority: 0, isDefault: true }),
    ],
    request: { purpose: 'chat', access: FULL },
    expected: ['z', 'c', 'a', 'b'],
  },
  {
    name: 'blocked cloud engine goes on with the local model',
    request: { purpose: 'chat', access: { ...FULL, blockedEngines: ['cloud'] } },
    expected: ['bela'],
  },
  {
    name: 'blocked cloud engine without local access',
    request: { purpose: 'chat', access: { ...FULL, canUseLocal: false, blockedEngines: ['cloud'] } },
    expected: [],
  },
  {
    name: 'blocked cloud engine at censorship level 2',
    request: { purpose: 'chat', access: { ...FULL, censorshipLevel: 2, blockedEngines: ['cloud'] } },
    expected: [],
  },
  {
    name: 'blocked cloud engine, preferred local',
    request: { purpose: 'chat', preferredModel: 'bela', access: { ...FULL, blockedEngines: ['cloud'] } },
    expected: ['bela'],
  },
  {
    name: 'blocked local engine falls back to chat',
    request: { purpose: 'uncensored', access: { ...FULL, blockedEngines: ['local'] } },
    expected: ['llama-70b', 'llama-8b'],
  },
  {
    name: 'blocked engine stops the preferred model',
    request: { purpose: 'chat', preferredModel: 'bela', access: { ...FULL, blockedEngines: ['local'] } },
    expected: ['llama-70b', 'llama-8b'],
  },
  { name: 'no models at all', entries: [], request: { purpose: 'chat', access: FULL }, expected: [] },
];

describe('orderCandidates', () => {
  it.each(CASES)('$name', ({ request, entries, expected }) => {
    const ordered = orderCandidates(entries ?? CATALOG, request);
    expect(ordered.map((entry) => entry.name)).toEqual(expected);
  });

  it('lists each model once', () => {
    const ordered = orderCandidates(CATALOG, { purpose: 'chat', preferredModel: 'llama-70b', access: FULL });
    expect(ordered.map((entry) => entry.name)).toEqual(['llama-70b', 'llama-8b']);
  });

  it('leaves the input order untouched', () => {
    const entries = [model('b'), model('a', { isDefault: true })];
    orderCandidates(entries, { purpose: 'chat', access: FULL });
    expect(entries.map((entry) => entry.name)).toEqual(['b', 'a']);
  });
});
