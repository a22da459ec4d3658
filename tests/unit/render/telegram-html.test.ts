import { describe, expect, it } from 'vitest';

import { markdownToTelegramHtml } from '../../../src/render/telegram-html.js';
import { checkTelegramHtml } from '../../support/telegram-html-checker.js';

/** Renders `markdown` and fails the test when Telegram would reject the result. */
function render(markdown: string): string {
  const html = markdownToTelegramHtml(markdown);
  const check = checkTelegramHtml(html);
  if (!check.ok) {
    throw new Error(`${check.error}\nin: ${html}`);
  }
  return html;
}

function visibleText(html: string): string {
  const check = checkTelegramHtml(html);
  return check.ok ? check.text : '';
}

describe('markdownToTelegramHtml', () => {
  it('renders headings as bold lines', () => {
    expect(render('# Title\n\n## Sub *title*\n\nbody')).toBe('<b>Title</b>\n\n<b>Sub <i>title</i></b>\n\nbody');
  });

  it('renders nested formatting', () => {
    expect(render('***both*** and **bold _italic_ ~~gone~~** `x`')).toBe(
      '<i><b>both</b></i> and <b>bold <i>italic</i> <s>gone</s></b> <code>x</code>',
    );
  });

  it('keeps inline code inside bold', () => {
    expect(render('**run `npm test` now**')).toBe('<b>run <code>npm test</code> now</b>');
  });

  it('escapes code with < & >', () => {
    expect(render('`a < b && c > d`')).toBe('<code>a &lt; b &amp;&amp; c &gt; d</code>');
    expect(render('```html\n<div class="x">&amp;</div>\n```')).toBe(
      '<pre><code class="language-html">&lt;div class="x"&gt;&amp;amp;&lt;/div&gt;</code></pre>',
    );
  });

  it('renders fenced code without a language as bare pre', () => {
    expect(render('```\nplain\n```')).toBe('<pre>plain</pre>');
  });

  it('drops an unusable language name', () => {
    expect(render('```"><b>\nx\n```')).toBe('<pre>x</pre>');
  });

  it('keeps the first word of the info string as language', () => {
    expect(render('```c++ title="main"\nint x;\n```')).toBe('<pre><code class="language-c++">int x;</code></pre>');
  });

  it('escapes & and quotes in link targets', () => {
    expect(render('[docs](https://example.com/?a=1&b="2")')).toBe(
      '<a href="https://example.com/?a=1&amp;b=&quot;2&quot;">docs</a>',
    );
  });

  it.each([
    ['http://example.com', true],
    ['https://example.com', true],
    ['tg://user?id=42', true],
    ['mailto:someone@example.com', true],
    ['javascript:alert(1)', false],
    ['data:text/html,hi', false],
    ['ftp://example.com/file', false],
    ['relative/path', false],
  ])('link to %s kept as link: %s', (href, kept) => {
    const html = render(`[label](${href})`);
    expect(html).toBe(kept ? `<a href="${href}">label</a>` : 'label');
  });

  it('renders autolinks', () => {
    expect(render('see https://example.com/a?b=1&c=2')).toBe(
      'see <a href="https://example.com/a?b=1&amp;c=2">https://example.com/a?b=1&amp;c=2</a>',
    );
  });

  it('renders images as links', () => {
    expect(render('![a cat](https://example.com/cat.png)')).toBe('<a href="https://example.com/cat.png">a cat</a>');
  });

  it('renders an image inside a link without nesting links', () => {
    expect(render('[![logo](https://e.com/l.png)](https://e.com)')).toBe('<a href="https://e.com">logo</a>');
  });

  it('shows raw HTML as text', () => {
    expect(render('<b>not bold</b> and <script>alert(1)</script>')).toBe(
      '&lt;b&gt;not bold&lt;/b&gt; and &lt;script&gt;alert(1)&lt;/script&gt;',
    );
    expect(render('<div>\nblock\n</div>')).toBe('&lt;div&gt;\nblock\n&lt;/div&gt;');
  });

  it('renders br tags as line breaks', () => {
    expect(render('bir<br>iki<BR/>üç<br />dört')).toBe('bir\niki\nüç\ndört');
  });

  it('renders br tags in table cells as spaces', () => {
    expect(render('| Ad | Not |\n|---|---|\n| Ayşe | bir<br>iki |')).toBe('<pre>Ad   │ Not\n─────┼────────\nAyşe │ bir iki</pre>');
  });

  it('drops a line of only br tags between paragraphs', () => {
    expect(render('bir\n\n<br>\n\niki')).toBe('bir\n\niki');
  });

  it('drops a br line before a text line', () => {
    expect(render('bir\n\n<br>\niki')).toBe('bir\n\niki');
  });

  it('keeps br tags in code as typed', () => {
    expect(render('`a<br>b`')).toBe('<code>a&lt;br&gt;b</code>');
  });

  it('decodes common character references in text', () => {
    expect(visibleText(render('a &amp; b &lt;tag&gt; &#x1F600; &copy;'))).toBe('a & b <tag> 😀 &copy;');
  });

  it('renders lists as marker lines', () => {
    expect(render('- one\n- two\n  1. inner\n  2. next\n\n3. three\n4. four')).toBe(
      '• one\n• two\n  1. inner\n  2. next\n\n3. three\n4. four',
    );
  });

  it('renders task list items with boxes', () => {
    expect(render('- [ ] todo\n- [x] done')).toBe('• ☐ todo\n• ☑ done');
  });

  it('renders a code block inside a list item at top level', () => {
    expect(render('1. Install:\n   ```sh\n   npm i\n   ```')).toBe(
      '1. Install:\n<pre><code class="language-sh">npm i</code></pre>',
    );
  });

  it('flattens nested blockquotes', () => {
    expect(render('> outer\n> > inner\n> ```\n> code\n> ```')).toBe(
      '<blockquote>outer\n\ninner\n\n<pre>code</pre></blockquote>',
    );
  });

  it('renders tables as a pre block', () => {
    expect(render('| Name | Qty |\n|:-----|----:|\n| **apple** | 3 |\n| kiwi & co | 12 |')).toBe(
      '<pre>Name      │ Qty\n──────────┼────\napple     │   3\nkiwi &amp; co │  12</pre>',
    );
  });

  it('renders horizontal rules', () => {
    expect(visibleText(render('a\n\n---\n\nb'))).toBe('a\n\n──────────\n\nb');
  });

  it('survives a reply cut off mid-markdown', () => {
    const cutOff = [
      'Here is **bold that never ends',
      'A [link that](https://example.com',
      '```python\ndef f(x):\n    return x < 3 and',
      '> quote\n> > nested **and `code',
      '| a | b |\n|---|---|\n| 1 |',
      '1. first\n2. second *it',
      '<div class="x">unclosed',
    ];
    for (const markdown of cutOff) {
      expect(() => render(markdown)).not.toThrow();
    }
    expect(render('```python\ndef f(x):\n    return x < 3 and')).toBe(
      '<pre><code class="language-python">def f(x):\n    return x &lt; 3 and</code></pre>',
    );
    expect(render('Here is **bold that never ends')).toBe('Here is **bold that never ends');
  });

  it('keeps Turkish letters unchanged', () => {
    expect(render('**İstanbul** ılık, Şişli şık; Ğ ğ ı İ')).toBe('<b>İstanbul</b> ılık, Şişli şık; Ğ ğ ı İ');
  });

  it('keeps RTL text and its marks', () => {
    const markdown = 'שלום **עולם** \u200Fمرحبا `كود`';
    expect(render(markdown)).toBe('שלום <b>עולם</b> \u200Fمرحبا <code>كود</code>');
  });

  it('keeps emoji sequences whole', () => {
    const emoji = '👨‍👩‍👧‍👦 👍🏽 🇹🇷 🏳️‍🌈';
    expect(visibleText(render(`*${emoji}*`))).toBe(emoji);
  });

  it('renders empty and whitespace input as empty', () => {
    expect(render('')).toBe('');
    expect(render('  \n\n ')).toBe('');
  });
});
