/**
 * Property tests over generated model replies that mix code fences, HTML-like text, entities,
 * links, emoji, RTL text and Turkish letters.
 *
 * A split may remove whitespace at the cut points. For Discord it may also add the fence lines
 * that close and reopen a cut code block, and drop a closing fence line that would start a
 * chunk, so the Discord check ignores fence lines. All other visible characters must appear in
 * the chunks, once and in order.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { splitDiscordMarkdown } from '../../../src/render/split-discord.js';
import { splitPlainText, splitTelegramHtml } from '../../../src/render/split-telegram.js';
import { markdownToTelegramHtml } from '../../../src/render/telegram-html.js';
import { checkTelegramHtml } from '../../support/telegram-html-checker.js';

const FRAGMENTS = [
  'İstanbul', 'ılık', 'Şişli', 'şu', 'Ğ', 'ğ', 'İı',
  'שלום עולם', 'مرحبا بالعالم', '\u200F', '\u200E',
  '👨‍👩‍👧‍👦', '👍🏽', '🇹🇷', '🏳️‍🌈', '😀', 'e\u0301',
  'a < b', 'x > y', 'fish & chips', '&amp;', '&lt;div&gt;', '&#x1F600;', '&copy;', '&',
  '<b>raw</b>', '<script>alert(1)</script>', '<a href="x">', '"quoted"', "'single'",
  '**bold**', '*it*', '_it_', '~~gone~~', '***both***', '**unclosed', '`code <x> & y`', '`',
  '[link](https://example.com/?a=1&b="2")', '[bad](javascript:alert(1))', '![img](https://e.com/i.png)',
  'https://example.com/path?q=1&r=2', '<https://example.com>',
  '\n# Heading\n', '\n> quote\n> > nested\n', '\n- item\n- item **two**\n  - nested\n', '\n1. one\n2. two\n',
  '\n| a | b |\n|---|:-:|\n| 1 | **2** |\n', '\n---\n',
  '\n```ts\nconst a = 1 < 2 && 3 > 2;\n    return "<&>";\n```\n', '\n```\nplain fence\n```\n',
  '\n```python\nunclosed = True\n', '\n\n', '\n', ' ', '  ', '\t',
];

const fragment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FRAGMENTS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 300 }).map((length) => 'w'.repeat(length)) },
);

const modelReply = fc.array(fragment, { maxLength: 60 }).map((parts) => parts.join(''));

function visibleText(html: string): string {
  const check = checkTelegramHtml(html);
  if (!check.ok) {
    throw new Error(`${check.error}\nin: ${html}`);
  }
  return check.text;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Returns whether `whole` equals `parts` joined by gaps that are empty or whitespace. */
function equalsExceptCutWhitespace(whole: string, parts: string[]): boolean {
  const pattern = `^\\s*${parts.map(escapeRegExp).join('\\s*')}\\s*$`;
  return new RegExp(pattern, 'u').test(whole);
}

const FENCE_LINE = /^[ \t]*`{3,}[^`]*$/;

function withoutFenceLines(text: string): string {
  return text
    .split('\n')
    .filter((line) => !FENCE_LINE.test(line))
    .join('\n');
}

function hasBalancedFences(chunk: string): boolean {
  let open: string | undefined;
  for (const line of chunk.split('\n')) {
    const fence = /^[ \t]*(`{3,})([^`]*)$/.exec(line);
    if (fence === null) {
      continue;
    }
    if (open === undefined) {
      open = fence[1];
    } else if ((fence[2] ?? '').trim() === '' && (fence[1] ?? '').length >= open.length) {
      open = undefined;
    }
  }
  return open === undefined;
}

describe('rendering and splitting properties', () => {
  it('markdownToTelegramHtml output always parses', () => {
    fc.assert(
      fc.property(modelReply, (markdown) => {
        expect(checkTelegramHtml(markdownToTelegramHtml(markdown)).ok).toBe(true);
      }),
      { numRuns: 800 },
    );
  });

  it('splitTelegramHtml chunks parse, fit and keep the text', () => {
    fc.assert(
      fc.property(modelReply, fc.integer({ min: 8, max: 400 }), (markdown, limit) => {
        const html = markdownToTelegramHtml(markdown);
        const chunks = splitTelegramHtml(html, limit);
        const texts = chunks.map(visibleText);

        for (const text of texts) {
          expect(text.length).toBeLessThanOrEqual(limit);
          expect(text.trim()).not.toBe('');
        }
        expect(equalsExceptCutWhitespace(visibleText(html), texts)).toBe(true);
      }),
      { numRuns: 800 },
    );
  });

  it('splitTelegramHtml keeps the text at the real limit', () => {
    const longReply = fc.array(modelReply, { minLength: 5, maxLength: 12 }).map((replies) => replies.join('\n\n'));
    fc.assert(
      fc.property(longReply, (markdown) => {
        const html = markdownToTelegramHtml(markdown.repeat(4));
        const texts = splitTelegramHtml(html).map(visibleText);

        for (const text of texts) {
          expect(text.length).toBeLessThanOrEqual(4096);
        }
        expect(equalsExceptCutWhitespace(visibleText(html), texts)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('splitPlainText chunks fit and keep the text', () => {
    fc.assert(
      fc.property(modelReply, fc.integer({ min: 2, max: 300 }), (text, limit) => {
        const chunks = splitPlainText(text, limit);
        for (const chunk of chunks) {
          expect(chunk.length).toBeLessThanOrEqual(limit);
          expect(chunk.trim()).not.toBe('');
        }
        expect(equalsExceptCutWhitespace(text, chunks)).toBe(true);
      }),
      { numRuns: 600 },
    );
  });

  it('splitDiscordMarkdown chunks fit, balance fences and keep the text', () => {
    fc.assert(
      fc.property(modelReply, fc.integer({ min: 40, max: 2000 }), (markdown, limit) => {
        const chunks = splitDiscordMarkdown(markdown, limit);

        for (const chunk of chunks) {
          expect(chunk.length).toBeLessThanOrEqual(limit);
          expect(chunk.trim()).not.toBe('');
          expect(hasBalancedFences(chunk)).toBe(true);
        }
        expect(equalsExceptCutWhitespace(withoutFenceLines(markdown), chunks.map(withoutFenceLines))).toBe(true);
      }),
      { numRuns: 800 },
    );
  });
});
