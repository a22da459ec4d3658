import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ThinkBlockFilter, stripThinkBlocks } from '../../../src/router/think-filter.js';

function filterChunks(chunks: readonly string[]): string {
  const filter = new ThinkBlockFilter();
  let output = '';
  for (const chunk of chunks) output += filter.push(chunk);
  return output + filter.end();
}

/** Splits `text` at the given sorted cut positions. */
function splitAt(text: string, cuts: readonly number[]): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (const cut of cuts) {
    pieces.push(text.slice(start, cut));
    start = cut;
  }
  pieces.push(text.slice(start));
  return pieces;
}

const TAG_PATTERN = /<\/?think(ing)?>/i;

describe('stripThinkBlocks', () => {
  it.each([
    ['<think>plan</think>Hello', 'Hello'],
    ['<thinking>plan</thinking>Hello', 'Hello'],
    ['<THINK>plan</Think>Hello', 'Hello'],
    ['Before<think>a</think> middle <think>b</think>after', 'Before middle after'],
    ['No tags at all', 'No tags at all'],
    ['a < b and c > d', 'a < b and c > d'],
    ['Ends with <thin', 'Ends with <thin'],
    ['Visible<think>never closed', 'Visible'],
    ['<think>inner <think> text</think>rest', 'rest'],
    ['<thinking>uses </think> inside</thinking>rest', 'rest'],
    ['İstanbul <think>x</think>ılık', 'İstanbul ılık'],
    ['', ''],
  ])('strips %j', (input, expected) => {
    expect(stripThinkBlocks(input)).toBe(expected);
  });
});

describe('ThinkBlockFilter', () => {
  const sample = 'Hi <think>step 1\nstep 2</think>\n\nAnswer <thinking>more</thinking>done <b>';
  const expected = 'Hi \n\nAnswer done <b>';

  it('handles a split at every position', () => {
    for (let cut = 0; cut <= sample.length; cut += 1) {
      expect(filterChunks(splitAt(sample, [cut])), `cut at ${cut}`).toBe(expected);
    }
  });

  it('handles two splits at every position pair', () => {
    for (let first = 0; first <= sample.length; first += 1) {
      for (let second = first; second <= sample.length; second += 1) {
        expect(filterChunks(splitAt(sample, [first, second])), `cuts at ${first},${second}`).toBe(expected);
      }
    }
  });

  it('handles one character per chunk', () => {
    expect(filterChunks([...sample])).toBe(expected);
  });

  it('holds back a possible tag start until decided', () => {
    const filter = new ThinkBlockFilter();
    expect(filter.push('Hello <thi')).toBe('Hello ');
    expect(filter.push('s is not a tag')).toBe('<this is not a tag');
    expect(filter.end()).toBe('');
  });

  it('emits nothing while inside a block', () => {
    const filter = new ThinkBlockFilter();
    expect(filter.push('<think>secret')).toBe('');
    expect(filter.push(' more secret</thi')).toBe('');
    expect(filter.push('nk>shown')).toBe('shown');
  });

  it('drops an unclosed block at the end', () => {
    const filter = new ThinkBlockFilter();
    expect(filter.push('kept<think>lost')).toBe('kept');
    expect(filter.end()).toBe('');
  });

  it('matches one-shot output for any chunking', () => {
    const visibleText = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '<', '>', '/', 't', 'h', 'i', 'n', 'k', 'g', 'İ') })
      .filter((text) => !TAG_PATTERN.test(text));
    const thinkText = fc.string({ unit: fc.constantFrom('x', 'y', ' ', '<', '>', '/', 't', 'h', 'i', 'n', 'k') })
      .filter((text) => !TAG_PATTERN.test(text));
    const segment = fc.record({
      visible: visibleText,
      think: fc.option(thinkText, { nil: undefined }),
      tag: fc.constantFrom('think', 'thinking', 'THINK'),
    });

    fc.assert(
      fc.property(fc.array(segment, { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 6 }), (segments, rawCuts) => {
        const visibleOnly = segments.map((part) => part.visible).join('');
        // Visible parts that join into a tag would form a real block, so the expected text is
        // only known when they do not.
        fc.pre(!TAG_PATTERN.test(visibleOnly));

        const text = segments
          .map(({ visible, think, tag }) => (think === undefined ? visible : `${visible}<${tag}>${think}</${tag}>`))
          .join('');
        const cuts = rawCuts.map((cut) => cut % (text.length + 1)).sort((a, b) => a - b);

        expect(filterChunks(splitAt(text, cuts))).toBe(visibleOnly);
        expect(stripThinkBlocks(text)).toBe(visibleOnly);
      }),
    );
  });
});
