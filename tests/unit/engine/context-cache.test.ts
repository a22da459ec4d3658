import { describe, expect, it } from 'vitest';

import { ContextCache } from '../../../src/engine/context-cache.js';
import type { HistoryMessage, PromptHistory } from '../../../src/engine/history.js';

const MAX_MESSAGES = 3;

function message(id: number, role: HistoryMessage['role'] = 'user'): HistoryMessage {
  return { id, role, content: `message ${id}` };
}

function history(ids: number[], summary: string | null = null): PromptHistory {
  return { summary, messages: ids.map((id) => message(id, id % 2 === 0 ? 'assistant' : 'user')), rowsRead: ids.length };
}

/** Ids of the cached messages of a conversation, or undefined when it is not cached. */
function cachedIds(cache: ContextCache, conversationId: string, maxMessages = MAX_MESSAGES): number[] | undefined {
  return cache.get(conversationId, maxMessages)?.messages.map((entry) => entry.id);
}

describe('ContextCache.get and store', () => {
  it('returns undefined before a store', () => {
    const cache = new ContextCache();

    expect(cache.get('a', MAX_MESSAGES)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('returns the stored context', () => {
    const cache = new ContextCache();

    cache.store('a', history([1, 2], 'earlier talk'), MAX_MESSAGES, cache.generation);

    expect(cache.get('a', MAX_MESSAGES)).toEqual({ summary: 'earlier talk', messages: [message(1), message(2, 'assistant')], rowsRead: 0 });
    expect(cache.size).toBe(1);
  });

  it('returns a copy of the messages', () => {
    const cache = new ContextCache();
    cache.store('a', history([1, 2]), MAX_MESSAGES, cache.generation);

    const first = cache.get('a', MAX_MESSAGES);
    first?.messages.push(message(3));
    first?.messages.shift();

    expect(cachedIds(cache, 'a')).toEqual([1, 2]);
  });

  it('keeps a copy of the stored messages', () => {
    const cache = new ContextCache();
    const stored = history([1, 2]);

    cache.store('a', stored, MAX_MESSAGES, cache.generation);
    stored.messages.push(message(3));

    expect(cachedIds(cache, 'a')).toEqual([1, 2]);
  });

  it('misses for another history limit', () => {
    const cache = new ContextCache();
    cache.store('a', history([1, 2]), MAX_MESSAGES, cache.generation);

    expect(cache.get('a', MAX_MESSAGES + 1)).toBeUndefined();
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cachedIds(cache, 'a')).toEqual([1, 2]);
  });

  it('ignores a store with a generation taken before drop', () => {
    const cache = new ContextCache();
    const generation = cache.generation;

    cache.drop('other');
    cache.store('a', history([1]), MAX_MESSAGES, generation);

    expect(cache.get('a', MAX_MESSAGES)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('ignores a store with a generation taken before clear', () => {
    const cache = new ContextCache();
    const generation = cache.generation;

    cache.clear();
    cache.store('a', history([1]), MAX_MESSAGES, generation);

    expect(cache.get('a', MAX_MESSAGES)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('accepts a store with the current generation after drop', () => {
    const cache = new ContextCache();
    cache.drop('other');

    cache.store('a', history([1]), MAX_MESSAGES, cache.generation);

    expect(cachedIds(cache, 'a')).toEqual([1]);
  });
});

describe('ContextCache.append', () => {
  it('adds messages in order', () => {
    const cache = new ContextCache();
    cache.store('a', history([1]), MAX_MESSAGES, cache.generation);

    cache.append('a', message(2, 'assistant'));
    cache.append('a', message(3));

    expect(cache.get('a', MAX_MESSAGES)?.messages).toEqual([message(1), message(2, 'assistant'), message(3)]);
  });

  it('drops the oldest beyond maxMessages', () => {
    const cache = new ContextCache();
    cache.store('a', history([1, 2, 3]), MAX_MESSAGES, cache.generation);

    cache.append('a', message(4, 'assistant'));
    expect(cachedIds(cache, 'a')).toEqual([2, 3, 4]);

    cache.append('a', message(5));
    expect(cachedIds(cache, 'a')).toEqual([3, 4, 5]);
  });

  it('ignores an id not above the last one', () => {
    const cache = new ContextCache();
    cache.store('a', history([1, 2]), MAX_MESSAGES, cache.generation);

    cache.append('a', { id: 2, role: 'assistant', content: 'the same reply again' });
    cache.append('a', { id: 1, role: 'user', content: 'an older message' });

    expect(cache.get('a', MAX_MESSAGES)?.messages).toEqual([message(1), message(2, 'assistant')]);
  });

  it('adds to a cached context without messages', () => {
    const cache = new ContextCache();
    cache.store('a', history([]), MAX_MESSAGES, cache.generation);

    cache.append('a', message(1));

    expect(cachedIds(cache, 'a')).toEqual([1]);
  });

  it('does nothing for an uncached conversation', () => {
    const cache = new ContextCache();
    cache.store('a', history([1]), MAX_MESSAGES, cache.generation);

    cache.append('b', message(2));

    expect(cache.get('b', MAX_MESSAGES)).toBeUndefined();
    expect(cache.size).toBe(1);
    expect(cachedIds(cache, 'a')).toEqual([1]);
  });
});

describe('ContextCache drops', () => {
  it('drop removes one entry and bumps generation', () => {
    const cache = new ContextCache();
    cache.store('a', history([1]), MAX_MESSAGES, cache.generation);
    cache.store('b', history([2]), MAX_MESSAGES, cache.generation);
    const before = cache.generation;

    cache.drop('a');

    expect(cache.generation).toBeGreaterThan(before);
    expect(cache.get('a', MAX_MESSAGES)).toBeUndefined();
    expect(cachedIds(cache, 'b')).toEqual([2]);
    expect(cache.size).toBe(1);
  });

  it('drop of an uncached conversation bumps generation', () => {
    const cache = new ContextCache();
    cache.store('a', history([1]), MAX_MESSAGES, cache.generation);
    const before = cache.generation;

    cache.drop('b');

    expect(cache.generation).toBeGreaterThan(before);
    expect(cachedIds(cache, 'a')).toEqual([1]);
  });

  it('dropMessage drops only the containing entry', () => {
    const cache = new ContextCache();
    cache.store('a', history([1, 2]), MAX_MESSAGES, cache.generation);
    cache.store('b', history([3, 4]), MAX_MESSAGES, cache.generation);
    const before = cache.generation;

    cache.dropMessage(4);

    expect(cache.generation).toBeGreaterThan(before);
    expect(cache.get('b', MAX_MESSAGES)).toBeUndefined();
    expect(cachedIds(cache, 'a')).toEqual([1, 2]);
    expect(cache.size).toBe(1);
  });

  it('dropMessage finds an appended message', () => {
    const cache = new ContextCache();
    cache.store('a', history([1]), MAX_MESSAGES, cache.generation);
    cache.store('b', history([3]), MAX_MESSAGES, cache.generation);
    cache.append('a', message(5, 'assistant'));

    cache.dropMessage(5);

    expect(cache.get('a', MAX_MESSAGES)).toBeUndefined();
    expect(cachedIds(cache, 'b')).toEqual([3]);
  });

  it('dropMessage keeps everything for an unknown id', () => {
    const cache = new ContextCache();
    cache.store('a', history([1, 2]), MAX_MESSAGES, cache.generation);
    cache.store('b', history([3, 4]), MAX_MESSAGES, cache.generation);

    cache.dropMessage(99);

    expect(cache.size).toBe(2);
    expect(cachedIds(cache, 'a')).toEqual([1, 2]);
    expect(cachedIds(cache, 'b')).toEqual([3, 4]);
  });

  it('clear empties the cache and bumps generation', () => {
    const cache = new ContextCache();
    cache.store('a', history([1]), MAX_MESSAGES, cache.generation);
    cache.store('b', history([2]), MAX_MESSAGES, cache.generation);
    const before = cache.generation;

    cache.clear();

    expect(cache.size).toBe(0);
    expect(cache.generation).toBeGreaterThan(before);
    expect(cache.get('a', MAX_MESSAGES)).toBeUndefined();
    expect(cache.get('b', MAX_MESSAGES)).toBeUndefined();
  });
});

describe('ContextCache capacity', () => {
  it('evicts the least recently stored entry', () => {
    const cache = new ContextCache({ capacity: 2 });
    cache.store('a', history([1]), MAX_MESSAGES, cache.generation);
    cache.store('b', history([2]), MAX_MESSAGES, cache.generation);

    cache.store('c', history([3]), MAX_MESSAGES, cache.generation);

    expect(cache.size).toBe(2);
    expect(cache.get('a', MAX_MESSAGES)).toBeUndefined();
    expect(cachedIds(cache, 'b')).toEqual([2]);
    expect(cachedIds(cache, 'c')).toEqual([3]);
  });

  it('get refreshes recency', () => {
    const cache = new ContextCache({ capacity: 2 });
    cache.store('a', history([1]), MAX_MESSAGES, cache.generation);
    cache.store('b', history([2]), MAX_MESSAGES, cache.generation);

    expect(cachedIds(cache, 'a')).toEqual([1]);
    cache.store('c', history([3]), MAX_MESSAGES, cache.generation);

    expect(cache.size).toBe(2);
    expect(cache.get('b', MAX_MESSAGES)).toBeUndefined();
    expect(cachedIds(cache, 'a')).toEqual([1]);
    expect(cachedIds(cache, 'c')).toEqual([3]);
  });

  it('storing a cached conversation again evicts nothing', () => {
    const cache = new ContextCache({ capacity: 2 });
    cache.store('a', history([1]), MAX_MESSAGES, cache.generation);
    cache.store('b', history([2]), MAX_MESSAGES, cache.generation);

    cache.store('a', history([1, 2]), MAX_MESSAGES, cache.generation);

    expect(cache.size).toBe(2);
    expect(cachedIds(cache, 'a')).toEqual([1, 2]);
    expect(cachedIds(cache, 'b')).toEqual([2]);
  });
});

describe('ContextCache character budget', () => {
  it('counts summary and message characters', () => {
    const cache = new ContextCache();
    cache.store('a', history([1, 2], 'four'), MAX_MESSAGES, cache.generation);
    cache.append('a', message(3));
    cache.append('a', message(4));

    // 'four' plus messages 2, 3 and 4 of 'message N' (9 characters each); message 1 was trimmed.
    expect(cache.chars).toBe(4 + 3 * 9);
    cache.drop('a');
    expect(cache.chars).toBe(0);
  });

  it('evicts the least recently used entries over the budget', () => {
    const cache = new ContextCache({ maxChars: 20 });
    cache.store('a', history([1]), MAX_MESSAGES, cache.generation);
    cache.store('b', history([2]), MAX_MESSAGES, cache.generation);

    cache.append('b', message(3));

    expect(cache.get('a', MAX_MESSAGES)).toBeUndefined();
    expect(cachedIds(cache, 'b')).toEqual([2, 3]);
    expect(cache.chars).toBe(18);
  });
});

describe('ContextCache hold and release', () => {
  it('keeps no read that ran while held, even when stored after release', () => {
    const cache = new ContextCache();
    cache.store('a', history([1]), MAX_MESSAGES, cache.generation);

    cache.hold('a');
    const duringHold = cache.generation;
    expect(cache.get('a', MAX_MESSAGES)).toBeUndefined();
    cache.store('a', history([1, 2]), MAX_MESSAGES, duringHold);
    expect(cache.size).toBe(0);
    cache.release('a');

    cache.store('a', history([1, 2]), MAX_MESSAGES, duringHold);
    expect(cache.size).toBe(0);
    cache.store('a', history([1, 2]), MAX_MESSAGES, cache.generation);
    expect(cachedIds(cache, 'a')).toEqual([1, 2]);
  });

  it('stays held until every hold is released', () => {
    const cache = new ContextCache();
    cache.hold('a');
    cache.hold('a');
    cache.release('a');

    cache.store('a', history([1]), MAX_MESSAGES, cache.generation);
    expect(cache.size).toBe(0);
    cache.release('a');
    cache.store('a', history([1]), MAX_MESSAGES, cache.generation);
    expect(cache.size).toBe(1);
  });
});
