import { describe, expect, it } from 'vitest';

import { checkTelegramHtml } from '../../support/telegram-html-checker.js';

function errorOf(html: string): string {
  const result = checkTelegramHtml(html);
  if (result.ok) {
    throw new Error(`expected ${JSON.stringify(html)} to be rejected`);
  }
  return result.error;
}

describe('checkTelegramHtml', () => {
  it.each([
    ['<b>bold <i>both</i></b>', 'bold both'],
    ['<strong>a</strong><em>b</em><ins>c</ins><strike>d</strike><del>e</del><u>f</u><s>g</s>', 'abcdefg'],
    ['<span class="tg-spoiler">hidden</span> <tg-spoiler>too</tg-spoiler>', 'hidden too'],
    ['<a href="https://example.com/?a=1&amp;b=&quot;2&quot;">link</a>', 'link'],
    ['<pre><code class="language-ts">a &lt; b &amp;&amp; c &gt; d</code></pre>', 'a < b && c > d'],
    ['<pre>plain</pre>', 'plain'],
    ['<blockquote expandable>long quote</blockquote>', 'long quote'],
    ['<blockquote>quote <pre>code</pre></blockquote>', 'quote code'],
    ['<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', '👍'],
    ['&#60;&#x3E;&quot;&amp;', '<>"&'],
    ['"quotes" stay', '"quotes" stay'],
    ['', ''],
  ])('accepts %s', (html, text) => {
    expect(checkTelegramHtml(html)).toEqual({ ok: true, text });
  });

  it('returns text measured in UTF-16 units', () => {
    const result = checkTelegramHtml('<b>👨‍👩‍👧</b>&lt;');
    expect(result.ok).toBe(true);
    expect(result.ok ? result.text.length : -1).toBe(9);
  });

  it('formats errors like Telegram', () => {
    expect(errorOf('a < b')).toBe(`Bad Request: can't parse entities: unescaped "<" at byte offset 2`);
  });

  it('counts byte offsets in UTF-8', () => {
    expect(errorOf('İ&nbsp;')).toContain('at byte offset 2');
  });

  it.each([
    ['bare ampersand', 'fish & chips', "Can't find end of the entity"],
    ['bare greater-than', 'a > b', 'unescaped ">"'],
    ['unsupported named entity', '&nbsp;', 'Unsupported HTML entity'],
    ['entity without semicolon', '&amp', "Can't find end of the entity"],
    ['surrogate numeric entity', '&#xD800;', 'Invalid numeric HTML entity'],
    ['unsupported tag', '<p>x</p>', 'Unsupported start tag "p"'],
    ['unclosed tag', '<b>x', 'Can\'t find end tag corresponding to start tag "b"'],
    ['misnested tags', '<b><i>x</b></i>', 'Unexpected end tag "b"'],
    ['stray end tag', 'x</b>', 'Unexpected end tag "b"'],
    ['attribute on b', '<b class="x">x</b>', 'Unsupported attribute "class"'],
    ['a without href', '<a>x</a>', 'non-empty "href"'],
    ['span without spoiler class', '<span>x</span>', 'class "tg-spoiler"'],
    ['language on standalone code', '<code class="language-ts">x</code>', 'directly inside "pre"'],
    ['tag inside code', '<code><b>x</b></code>', 'can\'t contain tag "b"'],
    ['text after code in pre', '<pre><code>x</code>y</pre>', 'after its "code" tag'],
    ['nested blockquote', '<blockquote><blockquote>x</blockquote></blockquote>', 'can\'t be nested'],
    ['nested link', '<a href="http://a"><a href="http://b">x</a></a>', 'can\'t be nested'],
    ['pre inside bold', '<b><pre>x</pre></b>', 'Entity "pre"'],
    ['unterminated start tag', '<a href="http://a', 'Unclosed start tag'],
    ['self-closing tag', '<b/>', 'self-closing'],
    ['unescaped < in attribute', '<a href="<x>">x</a>', 'in attribute value'],
    ['tg-emoji without id', '<tg-emoji>👍</tg-emoji>', 'emoji-id'],
  ])('rejects %s', (_case, html, detail) => {
    expect(errorOf(html)).toContain(detail);
  });
});
