/**
 * `splitTelegramHtml` when the visible text fits in one message. That path keeps text in runs
 * between tags instead of single graphemes, and must return what the cutting path returns.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { escapeTelegramHtml } from '../../../src/render/html-escape.js';
import { splitTelegramHtml } from '../../../src/render/split-telegram.js';

describe('splitTelegramHtml within the limit', () => {
  it('closes unclosed tags', () => {
    expect(splitTelegramHtml('<b>bold', 100)).toEqual(['<b>bold</b>']);
    expect(splitTelegramHtml('<b><i>both</b> after', 100)).toEqual(['<b><i>both</b> after</i>']);
  });

  it('keeps a stray closing tag', () => {
    expect(splitTelegramHtml('text</b>', 100)).toEqual(['text</b>']);
  });

  it('normalizes entities', () => {
    expect(splitTelegramHtml('hi&#33; &#x21;', 100)).toEqual(['hi! !']);
    expect(splitTelegramHtml('&lt;tag&gt; &amp; &quot;q&quot;', 100)).toEqual(['&lt;tag&gt; &amp; "q"']);
    expect(splitTelegramHtml('&#60;', 100)).toEqual(['&lt;']);
    expect(splitTelegramHtml('&#x1F600;', 100)).toEqual(['😀']);
  });

  it('escapes bare characters that are not tags', () => {
    expect(splitTelegramHtml('a < b & c > d', 100)).toEqual(['a &lt; b &amp; c &gt; d']);
  });

  it('keeps an invalid entity as text', () => {
    expect(splitTelegramHtml('&#0; &copy;', 100)).toEqual(['&amp;#0; &amp;copy;']);
  });

  it('returns no chunks for whitespace', () => {
    expect(splitTelegramHtml('', 100)).toEqual([]);
    expect(splitTelegramHtml(' \n\t ', 100)).toEqual([]);
    expect(splitTelegramHtml('<b> </b><i>\n</i>', 100)).toEqual([]);
    expect(splitTelegramHtml('&#32;&#10;', 100)).toEqual([]);
  });

  it('keeps whitespace around visible text', () => {
    expect(splitTelegramHtml('  <b> x </b>\n', 100)).toEqual(['  <b> x </b>\n']);
  });

  it('returns text exactly at the limit as one chunk', () => {
    const html = `<b>${'a'.repeat(6)}</b>&lt;${'😀'.repeat(2)}`;

    expect(splitTelegramHtml(html, 11)).toEqual([html]);
  });

  it('cuts text one over the limit into two chunks', () => {
    const html = `<b>${'a'.repeat(6)}</b>&lt;${'😀'.repeat(2)}`;

    expect(splitTelegramHtml(html, 10)).toEqual(['<b>aaaaaa</b>&lt;😀', '😀']);
  });

  it('counts decoded entities against the limit', () => {
    const html = '&#x1F600;&amp;';

    expect(splitTelegramHtml(html, 3)).toEqual(['😀&amp;']);
    expect(splitTelegramHtml(html, 2)).toEqual(['😀', '&amp;']);
  });
});

/** A piece of Telegram HTML and the text it shows, which is empty for a tag. */
interface HtmlPiece {
  html: string;
  text: string;
  tag?: { name: string; closing: boolean };
}

const PIECES: readonly HtmlPiece[] = [
  { html: '<b>', text: '', tag: { name: 'b', closing: false } },
  { html: '</b>', text: '', tag: { name: 'b', closing: true } },
  { html: '<i>', text: '', tag: { name: 'i', closing: false } },
  { html: '</i>', text: '', tag: { name: 'i', closing: true } },
  { html: '<a href="https://e.com/?a=1&amp;b=2">', text: '', tag: { name: 'a', closing: false } },
  { html: '</a>', text: '', tag: { name: 'a', closing: true } },
  { html: '<pre>', text: '', tag: { name: 'pre', closing: false } },
  { html: '</pre>', text: '', tag: { name: 'pre', closing: true } },
  { html: '<tg-spoiler>', text: '', tag: { name: 'tg-spoiler', closing: false } },
  { html: '</tg-spoiler>', text: '', tag: { name: 'tg-spoiler', closing: true } },
  { html: 'ab', text: 'ab' },
  { html: 'İı', text: 'İı' },
  { html: ' ', text: ' ' },
  { html: '\n', text: '\n' },
  { html: '\t', text: '\t' },
  { html: '&lt;', text: '<' },
  { html: '&gt;', text: '>' },
  { html: '&amp;', text: '&' },
  { html: '&quot;', text: '"' },
  { html: '&#33;', text: '!' },
  { html: '&#x1F600;', text: '😀' },
  { html: '😀', text: '😀' },
  { html: '👍🏽', text: '👍🏽' },
  { html: '👨‍👩‍👧', text: '👨‍👩‍👧' },
  { html: 'e\u0301', text: 'e\u0301' },
  { html: '\u0301', text: '\u0301' },
];

const pieces = fc.array(fc.constantFrom(...PIECES), { maxLength: 25 });

function htmlOf(parts: readonly HtmlPiece[]): string {
  return parts.map((part) => part.html).join('');
}

function textOf(parts: readonly HtmlPiece[]): string {
  return parts.map((part) => part.text).join('');
}

/**
 * Builds the single chunk expected for `parts`: each tag as written, each text escaped after
 * decoding, then a closing tag for each tag still open, innermost first. A closing tag with
 * no open tag of its name stays as written.
 */
function expectedChunk(parts: readonly HtmlPiece[]): string {
  const open: string[] = [];
  let body = '';
  for (const part of parts) {
    if (part.tag === undefined) {
      body += escapeTelegramHtml(part.text);
      continue;
    }
    body += part.html;
    if (!part.tag.closing) {
      open.push(part.tag.name);
      continue;
    }
    const matching = open.lastIndexOf(part.tag.name);
    if (matching !== -1) open.splice(matching, 1);
  }
  return body + open.toReversed().map((name) => `</${name}>`).join('');
}

describe('splitTelegramHtml within the limit, properties', () => {
  it('closes tags and normalizes entities', () => {
    fc.assert(
      fc.property(pieces, fc.nat({ max: 20 }), (parts, slack) => {
        const text = textOf(parts);
        const limit = Math.max(2, text.length + slack);
        const expected = /\S/u.test(text) ? [expectedChunk(parts)] : [];

        expect(splitTelegramHtml(htmlOf(parts), limit)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('matches the first chunk of a longer text', () => {
    // The filler starts with a paragraph break and the limit ends right after it, so the
    // cutting path cuts at the break. The cut removes whitespace before it, so the fitting
    // text ends with visible letters, which also keep the limit at 2 or more.
    const filler = `\n\n${'x'.repeat(30)}`;
    fc.assert(
      fc.property(pieces, (parts) => {
        const html = `${htmlOf(parts)}yz`;
        const visibleLength = textOf(parts).length + 2;

        const fitting = splitTelegramHtml(html, visibleLength);
        const cut = splitTelegramHtml(html + filler, visibleLength + 2);

        expect(fitting).toHaveLength(1);
        expect(cut.length).toBeGreaterThan(1);
        expect(cut[0]).toBe(fitting[0]);
      }),
      { numRuns: 500 },
    );
  });

  it('returns escaped text unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.nat({ max: 10 }), (text, slack) => {
        const html = escapeTelegramHtml(text);
        const limit = Math.max(2, text.length + slack);

        expect(splitTelegramHtml(html, limit)).toEqual(/\S/u.test(text) ? [html] : []);
      }),
      { numRuns: 500 },
    );
  });
});
