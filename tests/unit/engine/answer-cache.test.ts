import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { answerCacheKey, lookupAnswer, normalizeQuestion, storeAnswer } from '../../../src/engine/answer-cache.js';
import type { CacheKeyParts } from '../../../src/engine/answer-cache.js';
import { insertUser } from '../../support/db-fixtures.js';
import { createTempDatabase } from '../../support/temp-db.js';
import type { TempDatabase } from '../../support/temp-db.js';

const NOW = new Date('2026-12-04T19:37:03.000Z');
const HOUR = 3_600_000;
const BOTH_ENGINES = ['cloud', 'local'] as const;

describe('normalizeQuestion', () => {
  it('folds full-width characters with NFKC', () => {
    expect(normalizeQuestion('ＨＥＬＬＯ　ｗｏｒｌｄ１２３？', 'en')).toBe('hello world123');
  });

  it('lower-cases İ to i in Turkish', () => {
    expect(normalizeQuestion('İSTANBUL', 'tr')).toBe('istanbul');
  });

  it('lower-cases I to ı in Turkish', () => {
    expect(normalizeQuestion('IĞDIR', 'tr')).toBe('ığdır');
  });

  it('lower-cases I to i in English', () => {
    expect(normalizeQuestion('IGDIR', 'en')).toBe('igdir');
  });

  it('collapses white space', () => {
    expect(normalizeQuestion('  what\tis\n\n  love  ', 'en')).toBe('what is love');
  });

  it('drops trailing punctuation', () => {
    expect(normalizeQuestion('why?!', 'en')).toBe('why');
    expect(normalizeQuestion('why ? ', 'en')).toBe('why');
    expect(normalizeQuestion('why...', 'en')).toBe('why');
    expect(normalizeQuestion('なぜ。', 'en')).toBe('なぜ');
    expect(normalizeQuestion('why？', 'en')).toBe('why');
  });

  it('keeps inner punctuation', () => {
    expect(normalizeQuestion('what is 2.5 + 1?', 'en')).toBe('what is 2.5 + 1');
  });

  it('returns empty text for punctuation only', () => {
    expect(normalizeQuestion(' ?! ', 'en')).toBe('');
  });
});

describe('answerCacheKey', () => {
  const parts: CacheKeyParts = {
    question: 'What is the capital of France?',
    locale: 'en',
    selectedModel: 'auto',
    persona: 'standard',
    presetId: null,
    date: '2026-12-04',
  };

  it('is a SHA-256 hex digest', () => {
    expect(answerCacheKey(parts)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is equal for equivalent questions', () => {
    const key = answerCacheKey(parts);

    expect(answerCacheKey({ ...parts, question: '  what IS the capital of   france ' })).toBe(key);
    expect(answerCacheKey({ ...parts, question: 'ＷＨＡＴ is the capital of France??' })).toBe(key);
  });

  it('is equal for Turkish casing', () => {
    const turkish = { ...parts, locale: 'tr' as const };

    expect(answerCacheKey({ ...turkish, question: 'İSTANBUL NERESİ' })).toBe(answerCacheKey({ ...turkish, question: 'istanbul neresi' }));
  });

  it('differs for different questions', () => {
    expect(answerCacheKey({ ...parts, question: 'What is the capital of Spain?' })).not.toBe(answerCacheKey(parts));
  });

  it('differs by model', () => {
    expect(answerCacheKey({ ...parts, selectedModel: 'llama-3.3-70b-versatile' })).not.toBe(answerCacheKey(parts));
  });

  it('differs by persona', () => {
    expect(answerCacheKey({ ...parts, persona: 'coder' })).not.toBe(answerCacheKey(parts));
  });

  it('differs by preset', () => {
    expect(answerCacheKey({ ...parts, presetId: 1 })).not.toBe(answerCacheKey(parts));
    expect(answerCacheKey({ ...parts, presetId: 2 })).not.toBe(answerCacheKey({ ...parts, presetId: 1 }));
  });

  it('differs by locale', () => {
    expect(answerCacheKey({ ...parts, locale: 'tr' })).not.toBe(answerCacheKey(parts));
  });

  it('differs by date', () => {
    expect(answerCacheKey({ ...parts, date: '2026-12-05' })).not.toBe(answerCacheKey(parts));
  });

  it('differs by preferences', () => {
    const short = answerCacheKey({ ...parts, preferences: [{ key: 'verbosity', value: 'very short' }] });

    expect(short).not.toBe(answerCacheKey(parts));
    expect(short).not.toBe(answerCacheKey({ ...parts, preferences: [{ key: 'verbosity', value: 'detailed' }] }));
  });

  it('ignores preference order and locale', () => {
    const tone = { key: 'tone', value: 'casual' };
    const name = { key: 'personal.name', value: 'Evelyn' };

    expect(answerCacheKey({ ...parts, preferences: [tone, name] })).toBe(answerCacheKey({ ...parts, preferences: [name, tone] }));
    expect(answerCacheKey({ ...parts, preferences: [{ key: 'locale', value: 'en' }] })).toBe(answerCacheKey(parts));
  });

  it('separates fields unambiguously', () => {
    const first = answerCacheKey({ ...parts, selectedModel: 'a","b', persona: 'c' });
    const second = answerCacheKey({ ...parts, selectedModel: 'a', persona: 'b","c' });

    expect(first).not.toBe(second);
  });
});

describe('answer cache storage', () => {
  let temp: TempDatabase;
  let userId: number;
  let otherUserId: number;

  beforeEach(async () => {
    temp = await createTempDatabase();
    userId = await insertUser(temp.db, { username: 'telegram:1', created_at: NOW.toISOString() });
    otherUserId = await insertUser(temp.db, { username: 'telegram:2', created_at: NOW.toISOString() });
  });

  afterEach(async () => {
    await temp.cleanup();
  });

  const entry = (overrides: Partial<Parameters<typeof storeAnswer>[1]> = {}): Parameters<typeof storeAnswer>[1] => ({
    userId,
    cacheKey: 'key-1',
    question: 'What is 2+2?',
    answer: '4',
    engine: 'cloud',
    ttlHours: 24,
    ...overrides,
  });

  it('finds a stored answer', async () => {
    await storeAnswer(temp.db, entry(), NOW);

    expect(await lookupAnswer(temp.db, userId, 'key-1', BOTH_ENGINES, NOW)).toEqual({ answer: '4', engine: 'cloud' });
  });

  it('sets expires_at from the TTL', async () => {
    await storeAnswer(temp.db, entry({ ttlHours: 2 }), NOW);

    const row = await temp.db.selectFrom('answer_cache').selectAll().executeTakeFirstOrThrow();

    expect(row.created_at).toBe('2026-12-04T19:37:03.000Z');
    expect(row.expires_at).toBe('2026-12-04T21:37:03.000Z');
  });

  it('misses after expiry', async () => {
    await storeAnswer(temp.db, entry({ ttlHours: 2 }), NOW);

    expect(await lookupAnswer(temp.db, userId, 'key-1', BOTH_ENGINES, new Date(NOW.getTime() + 2 * HOUR - 1))).toBeDefined();
    expect(await lookupAnswer(temp.db, userId, 'key-1', BOTH_ENGINES, new Date(NOW.getTime() + 2 * HOUR))).toBeUndefined();
  });

  it('never expires with TTL 0', async () => {
    await storeAnswer(temp.db, entry({ ttlHours: 0 }), NOW);

    const row = await temp.db.selectFrom('answer_cache').select('expires_at').executeTakeFirstOrThrow();

    expect(row.expires_at).toBeNull();
    expect(await lookupAnswer(temp.db, userId, 'key-1', BOTH_ENGINES, new Date(NOW.getTime() + 1000 * HOUR))).toBeDefined();
  });

  it('expires at validUntil before the TTL ends', async () => {
    await storeAnswer(temp.db, entry({ ttlHours: 24, validUntil: new Date('2026-12-05T00:00:00.000Z') }), NOW);

    const row = await temp.db.selectFrom('answer_cache').select('expires_at').executeTakeFirstOrThrow();

    expect(row.expires_at).toBe('2026-12-05T00:00:00.000Z');
  });

  it('expires at validUntil with TTL 0', async () => {
    await storeAnswer(temp.db, entry({ ttlHours: 0, validUntil: new Date('2026-12-05T00:00:00.000Z') }), NOW);

    const row = await temp.db.selectFrom('answer_cache').select('expires_at').executeTakeFirstOrThrow();

    expect(row.expires_at).toBe('2026-12-05T00:00:00.000Z');
  });

  it('expires at the TTL before validUntil', async () => {
    await storeAnswer(temp.db, entry({ ttlHours: 2, validUntil: new Date('2026-12-05T00:00:00.000Z') }), NOW);

    const row = await temp.db.selectFrom('answer_cache').select('expires_at').executeTakeFirstOrThrow();

    expect(row.expires_at).toBe('2026-12-04T21:37:03.000Z');
  });

  it('keeps answers per user', async () => {
    await storeAnswer(temp.db, entry(), NOW);

    expect(await lookupAnswer(temp.db, otherUserId, 'key-1', BOTH_ENGINES, NOW)).toBeUndefined();
  });

  it('misses another key', async () => {
    await storeAnswer(temp.db, entry(), NOW);

    expect(await lookupAnswer(temp.db, userId, 'key-2', BOTH_ENGINES, NOW)).toBeUndefined();
  });

  it('upserts on the same key', async () => {
    await storeAnswer(temp.db, entry({ ttlHours: 1 }), NOW);
    const later = new Date(NOW.getTime() + 3 * HOUR);

    await storeAnswer(temp.db, entry({ answer: 'four', engine: 'local', ttlHours: 1 }), later);

    const rows = await temp.db.selectFrom('answer_cache').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.answer).toBe('four');
    expect(rows[0]?.engine).toBe('local');
    expect(rows[0]?.expires_at).toBe('2026-12-04T23:37:03.000Z');
    expect(await lookupAnswer(temp.db, userId, 'key-1', BOTH_ENGINES, later)).toEqual({ answer: 'four', engine: 'local' });
  });

  it('misses an answer of an engine the user may not use', async () => {
    await storeAnswer(temp.db, entry({ engine: 'local' }), NOW);

    expect(await lookupAnswer(temp.db, userId, 'key-1', ['cloud'], NOW)).toBeUndefined();
    expect(await lookupAnswer(temp.db, userId, 'key-1', [], NOW)).toBeUndefined();
    expect(await lookupAnswer(temp.db, userId, 'key-1', ['local'], NOW)).toEqual({ answer: '4', engine: 'local' });
  });

  it('stores the same key for two users', async () => {
    await storeAnswer(temp.db, entry(), NOW);
    await storeAnswer(temp.db, entry({ userId: otherUserId, answer: 'other' }), NOW);

    expect(await lookupAnswer(temp.db, userId, 'key-1', BOTH_ENGINES, NOW)).toEqual({ answer: '4', engine: 'cloud' });
    expect(await lookupAnswer(temp.db, otherUserId, 'key-1', BOTH_ENGINES, NOW)).toEqual({ answer: 'other', engine: 'cloud' });
  });
});
