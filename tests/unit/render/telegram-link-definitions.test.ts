import { describe, expect, it } from 'vitest';

import { markdownToTelegramHtml } from '../../../src/render/telegram-html.js';
import { checkTelegramHtml } from '../../support/telegram-html-checker.js';

/** Renders `markdown` and returns its visible text, failing the test when Telegram would reject the HTML. */
function visibleText(markdown: string): string {
  const html = markdownToTelegramHtml(markdown);
  const check = checkTelegramHtml(html);
  if (!check.ok) throw new Error(`${check.error}\nin: ${html}`);
  return check.text;
}

describe('markdownToTelegramHtml link reference definitions', () => {
  it('keeps a lone definition visible', () => {
    expect(visibleText('[1]: https://example.com/source')).toBe('[1]: https://example.com/source');
  });

  it('keeps trailing definitions one per line', () => {
    expect(visibleText('See the source.\n\n[1]: https://example.com/a "First"\n[2]: <https://example.com/b>\n  "Second"')).toBe(
      'See the source.\n\n[1]: https://example.com/a "First"\n[2]: <https://example.com/b> "Second"',
    );
  });

  it('still resolves reference links', () => {
    expect(markdownToTelegramHtml('Read [the docs][1].\n\n[1]: https://example.com/docs')).toBe(
      'Read <a href="https://example.com/docs">the docs</a>.\n\n[1]: https://example.com/docs',
    );
  });

  it('escapes a definition inside a blockquote', () => {
    expect(markdownToTelegramHtml('> [x]: https://example.com/?a=1&b=<2>')).toBe(
      '<blockquote>[x]: https://example.com/?a=1&amp;b=&lt;2&gt;</blockquote>',
    );
  });
});
