import { describe, expect, it } from 'vitest';

import {
  CALLBACK_DATA_MAX_BYTES,
  inlineKeyboardFor,
  telegramHtmlToPlainText,
} from '../../../../src/adapters/telegram/bot-api-helpers.js';

describe('telegramHtmlToPlainText', () => {
  it('removes tags', () => {
    expect(telegramHtmlToPlainText('<b>bold</b> and <a href="https://x.test/?a=1&amp;b=2">link</a>')).toBe('bold and link');
  });

  it('decodes named entities', () => {
    expect(telegramHtmlToPlainText('a &lt; b &gt; c &quot;d&quot; &amp; e')).toBe('a < b > c "d" & e');
  });

  it('decodes each entity once', () => {
    expect(telegramHtmlToPlainText('&amp;lt;b&amp;gt;')).toBe('&lt;b&gt;');
  });

  it('decodes numeric entities', () => {
    expect(telegramHtmlToPlainText('&#231;&#x11F;&#X1F600;')).toBe('çğ😀');
  });

  it('keeps entities it cannot decode', () => {
    expect(telegramHtmlToPlainText('&nbsp; &copy; &#; &#xZZ;')).toBe('&nbsp; &copy; &#; &#xZZ;');
  });

  it('keeps out-of-range code points as written', () => {
    expect(telegramHtmlToPlainText('&#1114112; &#x110000; &#99999999999;')).toBe('&#1114112; &#x110000; &#99999999999;');
  });

  it('keeps code blocks readable', () => {
    expect(telegramHtmlToPlainText('<pre><code class="language-ts">if (a &lt; b) {}</code></pre>')).toBe('if (a < b) {}');
  });
});

describe('inlineKeyboardFor', () => {
  it('returns undefined without buttons', () => {
    expect(inlineKeyboardFor(undefined)).toBeUndefined();
    expect(inlineKeyboardFor([])).toBeUndefined();
  });

  it('keeps rows and callback data', () => {
    const keyboard = inlineKeyboardFor([
      [
        { label: '👍', command: '/feedback like 1' },
        { label: '👎', command: '/feedback dislike 1' },
      ],
      [{ label: 'New', command: '/new' }],
    ]);

    expect(keyboard?.inline_keyboard).toEqual([
      [
        { text: '👍', callback_data: '/feedback like 1' },
        { text: '👎', callback_data: '/feedback dislike 1' },
      ],
      [{ text: 'New', callback_data: '/new' }],
    ]);
  });

  it('accepts exactly 64 bytes', () => {
    const command = `/${'a'.repeat(CALLBACK_DATA_MAX_BYTES - 1)}`;

    expect(inlineKeyboardFor([[{ label: 'x', command }]])?.inline_keyboard).toEqual([[{ text: 'x', callback_data: command }]]);
  });

  it('drops a button over 64 bytes', () => {
    const keyboard = inlineKeyboardFor([
      [
        { label: 'long', command: `/${'a'.repeat(CALLBACK_DATA_MAX_BYTES)}` },
        { label: 'short', command: '/new' },
      ],
    ]);

    expect(keyboard?.inline_keyboard).toEqual([[{ text: 'short', callback_data: '/new' }]]);
  });

  it('counts bytes, not characters', () => {
    const fits = `/p ${'ğ'.repeat(30)}`;
    const tooLong = `/p ${'ğ'.repeat(31)}`;

    expect(Buffer.byteLength(fits)).toBe(63);
    expect(fits.length).toBeLessThan(64);
    expect(inlineKeyboardFor([[{ label: 'a', command: fits }]])?.inline_keyboard).toHaveLength(1);
    expect(tooLong.length).toBeLessThan(64);
    expect(inlineKeyboardFor([[{ label: 'b', command: tooLong }]])).toBeUndefined();
  });

  it('drops a button without callback data', () => {
    expect(inlineKeyboardFor([[{ label: 'empty', command: '' }]])).toBeUndefined();
  });

  it('leaves no empty rows', () => {
    const keyboard = inlineKeyboardFor([
      [{ label: 'long', command: `/${'a'.repeat(100)}` }],
      [{ label: 'ok', command: '/ok' }],
      [],
    ]);

    expect(keyboard?.inline_keyboard).toEqual([[{ text: 'ok', callback_data: '/ok' }]]);
  });
});
