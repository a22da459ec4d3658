import { describe, expect, it } from 'vitest';

import { TELEGRAM_MESSAGE_MAX_LENGTH } from '../../../src/render/limits.js';
import { splitPlainText, splitTelegramHtml } from '../../../src/render/split-telegram.js';
import { markdownToTelegramHtml } from '../../../src/render/telegram-html.js';
import { checkTelegramHtml } from '../../support/telegram-html-checker.js';

function visibleText(html: string): string {
  const check = checkTelegramHtml(html);
  if (!check.ok) {
    throw new Error(`${check.error}\nin: ${html}`);
  }
  return check.text;
}

/** Fails unless every chunk parses and fits, and the chunks keep all text but cut whitespace. */
function expectValidSplit(html: string, chunks: string[], limit: number): void {
  for (const chunk of chunks) {
    const text = visibleText(chunk);
    expect(text.length).toBeLessThanOrEqual(limit);
    expect(text.trim()).not.toBe('');
  }
  expectSameTextExceptCutWhitespace(visibleText(html), chunks.map(visibleText));
}

/**
 * Fails unless `whole` equals the parts joined with whitespace-only gaps, which is the only
 * change a split is allowed to make to the visible text.
 */
function expectSameTextExceptCutWhitespace(whole: string, parts: string[]): void {
  const pattern = ['^\\s*', ...parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), '\\s*$'].join('\\s*');
  expect(new RegExp(pattern.replace('^\\s*\\s*', '^\\s*'), 'u').test(whole)).toBe(true);
}

function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

describe('splitTelegramHtml', () => {
  it('returns short HTML as one chunk', () => {
    const html = '<b>hi</b> &lt;there&gt;';
    expect(splitTelegramHtml(html)).toEqual([html]);
  });

  it('returns no chunks for whitespace', () => {
    expect(splitTelegramHtml('')).toEqual([]);
    expect(splitTelegramHtml('<b> </b>\n\n')).toEqual([]);
  });

  it('counts entities as one character', () => {
    const html = '&lt;'.repeat(10);
    expect(splitTelegramHtml(html, 10)).toEqual([html]);
  });

  it('closes and reopens tags at a cut', () => {
    const chunks = splitTelegramHtml('<b>bold <a href="https://e.com/?a=1&amp;b=2">link text</a> end</b>', 12);
    expect(chunks).toEqual([
      '<b>bold <a href="https://e.com/?a=1&amp;b=2">link</a></b>',
      '<b><a href="https://e.com/?a=1&amp;b=2">text</a> end</b>',
    ]);
  });

  it('prefers a paragraph break to a line break', () => {
    const html = 'first paragraph\n\nsecond line\nthird line';
    expect(splitTelegramHtml(html, 30)).toEqual(['first paragraph', 'second line\nthird line']);
  });

  it('prefers a line break to a space', () => {
    expect(splitTelegramHtml('aaaa bbbb\ncccc dddd', 15)).toEqual(['aaaa bbbb', 'cccc dddd']);
  });

  it('ignores a break that would leave a tiny chunk', () => {
    expect(splitTelegramHtml('a\n\nbbbbbbbbbbbbbbbbbbbb', 10)).toEqual(['a\n\nbbbbbbb', 'bbbbbbbbbb', 'bbb']);
  });

  it('cuts a 10,000-character line without spaces', () => {
    const html = 'x'.repeat(10_000);
    const chunks = splitTelegramHtml(html);
    expect(chunks.map((chunk) => chunk.length)).toEqual([4096, 4096, 1808]);
    expect(chunks.join('')).toBe(html);
  });

  it('reopens a code block longer than the limit', () => {
    const code = Array.from({ length: 400 }, (_, line) => `  const v${line} = a < b && c > d;`).join('\n');
    const html = markdownToTelegramHtml(`Intro.\n\n\`\`\`ts\n${code}\n\`\`\`\n\nOutro.`);
    const chunks = splitTelegramHtml(html);

    expect(chunks.length).toBeGreaterThan(3);
    expectValidSplit(html, chunks, TELEGRAM_MESSAGE_MAX_LENGTH);
    for (const chunk of chunks.slice(1, -1)) {
      expect(chunk.startsWith('<pre><code class="language-ts">')).toBe(true);
      expect(chunk.endsWith('</code></pre>')).toBe(true);
    }
  });

  it('keeps code indentation after a cut at a line break', () => {
    const html = '<pre>line one\n    indented</pre>';
    expect(splitTelegramHtml(html, 18)).toEqual(['<pre>line one</pre>', '<pre>    indented</pre>']);
  });

  it('splits a 9,000-character reply with several code blocks', () => {
    const sections = Array.from({ length: 18 }, (_, index) =>
      [
        `## Step ${index + 1}`,
        `Some **explanation** with a [link](https://example.com/${index}?q=a&r=b) and İı Şş Ğğ text. `.repeat(4),
        '```js',
        `for (let i = 0; i < ${index}; i++) { console.log("<&>", i); }`.repeat(3),
        '```',
      ].join('\n\n'),
    );
    const markdown = sections.join('\n\n');
    expect(markdown.length).toBeGreaterThan(9000);

    const html = markdownToTelegramHtml(markdown);
    const chunks = splitTelegramHtml(html);
    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(visibleText(html).length / TELEGRAM_MESSAGE_MAX_LENGTH));
    expectValidSplit(html, chunks, TELEGRAM_MESSAGE_MAX_LENGTH);
  });

  it('never cuts an emoji sequence', () => {
    const family = '👨‍👩‍👧‍👦';
    const html = `<i>${family.repeat(50)}</i>`;
    const chunks = splitTelegramHtml(html, 100);

    expectValidSplit(html, chunks, 100);
    for (const chunk of chunks) {
      expect(visibleText(chunk)).toMatch(/^(👨‍👩‍👧‍👦)+$/u);
    }
  });

  it('never cuts a surrogate pair or skin tone', () => {
    const html = '😀👍🏽'.repeat(1000);
    const chunks = splitTelegramHtml(html, 101);
    for (const chunk of chunks) {
      expect(hasLoneSurrogate(chunk)).toBe(false);
      expect(chunk).toMatch(/^(😀|👍🏽)+$/u);
    }
    expect(chunks.join('')).toBe(html);
  });

  it('cuts a grapheme longer than the limit between code points', () => {
    const chunks = splitTelegramHtml('👨‍👩‍👧‍👦', 4);
    expect(chunks.join('')).toBe('👨‍👩‍👧‍👦');
    for (const chunk of chunks) {
      expect(hasLoneSurrogate(chunk)).toBe(false);
    }
  });

  it('splits RTL and Turkish text at spaces', () => {
    const html = '<b>שלום עולם</b> İstanbul ılık Şişli ğğ';
    const chunks = splitTelegramHtml(html, 16);
    expect(chunks).toEqual(['<b>שלום עולם</b>', 'İstanbul ılık', 'Şişli ğğ']);
  });

  it('keeps a blockquote expandable across a cut', () => {
    const chunks = splitTelegramHtml('<blockquote expandable>aaaa bbbb</blockquote>', 5);
    expect(chunks).toEqual(['<blockquote expandable>aaaa</blockquote>', '<blockquote expandable>bbbb</blockquote>']);
  });

  it('rejects a limit below 2', () => {
    expect(() => splitTelegramHtml('abc', 1)).toThrow(RangeError);
    expect(() => splitTelegramHtml('abc', 2.5)).toThrow(RangeError);
  });
});

describe('splitPlainText', () => {
  it('keeps <, & and > as plain characters', () => {
    expect(splitPlainText('a < b & c > d', 7)).toEqual(['a < b &', 'c > d']);
  });

  it('cuts at a paragraph break', () => {
    expect(splitPlainText('one two\n\nthree four', 14)).toEqual(['one two', 'three four']);
  });

  it('never cuts an emoji sequence', () => {
    const text = 'ab 🏳️‍🌈🏳️‍🌈🏳️‍🌈';
    const chunks = splitPlainText(text, 8);
    expect(chunks).toEqual(['ab', '🏳️‍🌈', '🏳️‍🌈', '🏳️‍🌈']);
  });
});
