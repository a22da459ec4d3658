/**
 * Markdown (as language models write it) to Telegram's HTML parse mode.
 *
 * The input is tokenized with marked's lexer and every token is rendered here, so only tags
 * that Telegram supports are ever produced and all text is escaped. Raw HTML in the input is
 * shown as text and never passed through.
 */

import { Lexer, type Token, type Tokens } from 'marked';

import { escapeTelegramHtml, escapeTelegramHtmlAttribute } from './html-escape.js';

/**
 * Renders `markdown` as Telegram HTML that passes Telegram's HTML parser.
 *
 * - Headings become a bold line, `**` `*` `~~` become b, i, s, and inline code becomes code.
 * - Fenced code becomes `<pre><code class="language-x">`, or a bare `<pre>` without a usable
 *   language name. An unclosed fence, as in a cut-off reply, runs to the end of the text.
 * - Links keep only http, https, tg and mailto targets. Any other link shows its text only.
 *   Images become links to the image.
 * - Lists become "• " or "1. " lines, indented two spaces per nesting level.
 * - Blockquotes become one `<blockquote>`, because Telegram cannot nest them.
 * - Tables become a `<pre>` block with padded columns.
 * - Link reference definitions (`[1]: https://…`) stay as visible text, one per line.
 * - A `<br>` tag, which models often write inside table cells, becomes a line break, or a space
 *   in a table. Any other raw HTML is shown as text.
 *
 * The output is not split. Pass it to `splitTelegramHtml` before sending.
 *
 * Character references in text are decoded as CommonMark does, for numeric ones and for
 * `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&nbsp;`.
 * NOTE: other named references (`&copy;`) are shown as typed, because marked's lexer leaves
 * them in the text and this module has no table of all HTML entity names.
 */
export function markdownToTelegramHtml(markdown: string): string {
  const tokens = new Lexer({ gfm: true }).lex(markdown);
  return renderBlocks(tokens, { inBlockquote: false, listDepth: 0 }, '\n\n');
}

interface BlockContext {
  /** True inside a blockquote, where a nested blockquote is flattened into its parent. */
  inBlockquote: boolean;
  /** Number of enclosing lists, which sets the indentation of list markers. */
  listDepth: number;
}

const ALLOWED_LINK_SCHEMES = new Set(['http:', 'https:', 'tg:', 'mailto:']);
const LANGUAGE_NAME = /^[\w#+.-]{1,32}$/;
const HORIZONTAL_RULE = '──────────';
const LINE_BREAK_TAG = /^<br\s*\/?>$/i;
const LEADING_LINE_BREAK_LINES = /^(?:[ \t]*(?:<br\s*\/?>[ \t]*)+(?:\n|$))+/i;
const CHARACTER_REFERENCE = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos|nbsp));/g;
const NAMED_CHARACTER_REFERENCES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00A0',
};

function renderBlocks(tokens: Token[], context: BlockContext, separator: string): string {
  let html = '';
  let previousType: string | undefined;
  for (const token of tokens) {
    const part = renderBlock(token, context);
    if (part === undefined || part === '') {
      continue;
    }
    if (html !== '') {
      // Link reference definitions in a row read as one list of sources, one per line.
      html += previousType === 'def' && token.type === 'def' ? '\n' : separator;
    }
    html += part;
    previousType = token.type;
  }
  return html;
}

function renderBlock(token: Token, context: BlockContext): string | undefined {
  const block = token as Tokens.Generic as BlockToken;

  switch (block.type) {
    case 'space':
    case 'checkbox':
      return undefined;
    case 'def':
      return renderDefinition(block);
    case 'paragraph':
      return renderInline(block.tokens, false);
    case 'text':
      return block.tokens === undefined ? escapeTelegramHtml(block.text) : renderInline(block.tokens, false);
    case 'heading':
      return `<b>${renderInline(block.tokens, false)}</b>`;
    case 'code':
      return renderCodeBlock(block);
    case 'blockquote':
      return renderBlockquote(block, context);
    case 'list':
      return renderList(block, context);
    case 'table':
      return renderTable(block);
    case 'hr':
      return HORIZONTAL_RULE;
    case 'html': {
      // A line of only <br> tags opens an HTML block that runs to the next blank line, so text
      // lines right after it belong to the block. Blocks are already separated, so such lines
      // at the start of a block are dropped, and a block of only them renders nothing.
      const text = block.text.replace(LEADING_LINE_BREAK_LINES, '').replace(/\n+$/, '');
      return text === '' ? undefined : escapeTelegramHtml(text);
    }
    default:
      return escapeTelegramHtml(token.raw);
  }
}

type BlockToken =
  | Tokens.Space
  | Tokens.Def
  | Tokens.Checkbox
  | Tokens.Paragraph
  | Tokens.Text
  | Tokens.Heading
  | Tokens.Code
  | Tokens.Blockquote
  | Tokens.List
  | Tokens.Table
  | Tokens.Hr
  | Tokens.HTML;

/**
 * Renders a link reference definition (`[1]: https://example.com "Title"`) as the text the
 * model wrote, on one line. Models use these lines as a list of sources, and HTML would
 * drop them, so a reply made only of definitions would otherwise show nothing.
 */
function renderDefinition(token: Tokens.Def): string {
  return escapeTelegramHtml(token.raw.trim().replace(/[ \t]*\n\s*/g, ' '));
}

function renderCodeBlock(token: Tokens.Code): string {
  const code = escapeTelegramHtml(token.text);
  const language = token.lang?.trim().split(/\s+/)[0] ?? '';

  if (token.codeBlockStyle === 'indented' || !LANGUAGE_NAME.test(language)) {
    return `<pre>${code}</pre>`;
  }
  return `<pre><code class="language-${escapeTelegramHtmlAttribute(language)}">${code}</code></pre>`;
}

function renderBlockquote(token: Tokens.Blockquote, context: BlockContext): string {
  if (context.inBlockquote) {
    return renderBlocks(token.tokens, context, '\n\n');
  }
  const body = renderBlocks(token.tokens, { ...context, inBlockquote: true }, '\n\n');
  return body === '' ? '' : `<blockquote>${body}</blockquote>`;
}

function renderList(token: Tokens.List, context: BlockContext): string {
  const indent = '  '.repeat(context.listDepth);
  const start = typeof token.start === 'number' ? token.start : 1;
  const itemContext = { ...context, listDepth: context.listDepth + 1 };

  return token.items
    .map((item, index) => {
      const marker = token.ordered ? `${start + index}. ` : '• ';
      return indent + marker + taskBox(item) + renderBlocks(item.tokens, itemContext, '\n');
    })
    .join('\n');
}

function taskBox(item: Tokens.ListItem): string {
  if (!item.task) {
    return '';
  }
  return item.checked === true ? '☑ ' : '☐ ';
}

function renderTable(token: Tokens.Table): string {
  const rows = [token.header, ...token.rows].map((cells) => cells.map((cell) => plainText(cell.tokens)));
  const columnCount = Math.max(...rows.map((cells) => cells.length));
  const widths = Array.from({ length: columnCount }, (_, column) =>
    Math.max(1, ...rows.map((cells) => displayLength(cells[column] ?? ''))),
  );

  const lines = rows.map((cells) =>
    widths
      .map((width, column) => padCell(cells[column] ?? '', width, token.align[column] ?? null))
      .join(' │ ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((width) => '─'.repeat(width)).join('─┼─'));

  return `<pre>${escapeTelegramHtml(lines.join('\n'))}</pre>`;
}

function padCell(text: string, width: number, align: 'center' | 'left' | 'right' | null): string {
  const padding = width - displayLength(text);
  if (align === 'right') {
    return ' '.repeat(padding) + text;
  }
  if (align === 'center') {
    const left = Math.floor(padding / 2);
    return ' '.repeat(left) + text + ' '.repeat(padding - left);
  }
  return text + ' '.repeat(padding);
}

/** Counts code points, close enough to the width of a monospace cell for table padding. */
function displayLength(text: string): number {
  return [...text].length;
}

function renderInline(tokens: Token[], inLink: boolean): string {
  return tokens.map((token) => renderInlineToken(token, inLink)).join('');
}

function renderInlineToken(token: Token, inLink: boolean): string {
  const inline = token as Tokens.Generic as InlineToken;

  switch (inline.type) {
    case 'text':
      return inline.tokens === undefined
        ? escapeTelegramHtml(decodeCharacterReferences(inline.text))
        : renderInline(inline.tokens, inLink);
    case 'escape':
      return escapeTelegramHtml(inline.text);
    case 'html':
      return LINE_BREAK_TAG.test(inline.text) ? '\n' : escapeTelegramHtml(inline.text);
    case 'strong':
      return `<b>${renderInline(inline.tokens, inLink)}</b>`;
    case 'em':
      return `<i>${renderInline(inline.tokens, inLink)}</i>`;
    case 'del':
      return `<s>${renderInline(inline.tokens, inLink)}</s>`;
    case 'codespan':
      return `<code>${escapeTelegramHtml(inline.text)}</code>`;
    case 'br':
      return '\n';
    case 'link':
      return renderLink(inline.href, renderInline(inline.tokens, true), inLink);
    case 'image':
      return renderLink(inline.href, escapeTelegramHtml(inline.text), inLink);
    case 'checkbox':
      return '';
    default:
      return escapeTelegramHtml(token.raw);
  }
}

type InlineToken =
  | Tokens.Text
  | Tokens.Escape
  | Tokens.HTML
  | Tokens.Strong
  | Tokens.Em
  | Tokens.Del
  | Tokens.Codespan
  | Tokens.Br
  | Tokens.Link
  | Tokens.Image
  | Tokens.Checkbox;

/** Renders a link, or only its label when the target is not allowed or links would nest. */
function renderLink(href: string, label: string, inLink: boolean): string {
  const shownLabel = label === '' ? escapeTelegramHtml(href) : label;
  if (inLink || !isAllowedHref(href)) {
    return shownLabel;
  }
  return `<a href="${escapeTelegramHtmlAttribute(href)}">${shownLabel}</a>`;
}

function decodeCharacterReferences(text: string): string {
  return text.replace(CHARACTER_REFERENCE, (reference, decimal?: string, hex?: string, name?: string) => {
    if (name !== undefined) {
      return NAMED_CHARACTER_REFERENCES[name] ?? reference;
    }
    const codePoint = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? '', 16);
    const valid = codePoint > 0 && codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff);
    return valid ? String.fromCodePoint(codePoint) : '\uFFFD';
  });
}

function isAllowedHref(href: string): boolean {
  if (/[\s\p{Cc}]/u.test(href) || !URL.canParse(href)) {
    return false;
  }
  return ALLOWED_LINK_SCHEMES.has(new URL(href).protocol);
}

/** Returns the text of inline tokens without formatting, for table cells. */
function plainText(tokens: Token[]): string {
  return tokens
    .map((token) => {
      if (token.type === 'br' || (token.type === 'html' && LINE_BREAK_TAG.test(token.text))) {
        return ' ';
      }
      if ('tokens' in token && Array.isArray(token.tokens) && token.tokens.length > 0) {
        return plainText(token.tokens);
      }
      return 'text' in token && typeof token.text === 'string' ? token.text : '';
    })
    .join('');
}
