/**
 * A strict checker for Telegram's HTML parse mode, used by tests and by the fake Bot API
 * server to reject what the real server would reject.
 *
 * Rules (Telegram Bot API, "Formatting options", HTML style):
 * - Only these tags: b, strong, i, em, u, ins, s, strike, del, span class="tg-spoiler",
 *   tg-spoiler, a href, code, pre, code class="language-x" directly inside pre, blockquote,
 *   blockquote expandable, tg-emoji emoji-id.
 * - Every `<`, `>` and `&` that is not part of a tag or an entity must be escaped.
 * - The only named entities are `&lt;` `&gt;` `&amp;` `&quot;`. Numeric entities are allowed.
 *
 * Also errors here, so that output which would lose formatting shows up in tests:
 * - Nesting that the same section forbids: tags inside code, tags inside pre other than one
 *   leading code, nested a, nested blockquote, and pre anywhere but the top level or directly
 *   inside blockquote.
 * - Attributes other than the ones listed above.
 * NOTE: whether the real server rejects these two kinds of input or only drops the formatting
 * was not checked, so the error wording for them is this checker's own.
 */

export type TelegramHtmlCheckResult = { ok: true; text: string } | { ok: false; error: string };

/**
 * Checks `html` as Telegram's HTML parse mode would parse it.
 *
 * On success, `text` is the visible text after tags are removed and entities decoded. Its
 * `length` (UTF-16 code units) is what Telegram counts against the 4096 message limit.
 * On failure, `error` reads like Telegram's 400 description,
 * "Bad Request: can't parse entities: <detail>", with byte offsets counted in UTF-8.
 */
export function checkTelegramHtml(html: string): TelegramHtmlCheckResult {
  try {
    return { ok: true, text: new Parser(html).parse() };
  } catch (error) {
    if (error instanceof HtmlParseError) {
      return { ok: false, error: `Bad Request: can't parse entities: ${error.message}` };
    }
    throw error;
  }
}

class HtmlParseError extends Error {}

interface OpenElement {
  name: string;
  byteOffset: number;
  /** For pre: whether text or a tag has been seen inside, which forbids a later code child. */
  hasContent: boolean;
  /** For pre: whether its code child has been closed, after which only `</pre>` may follow. */
  codeClosed: boolean;
}

const FORMATTING_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'tg-spoiler']);
const SUPPORTED_TAGS = new Set([...FORMATTING_TAGS, 'span', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

class Parser {
  readonly #html: string;
  #index = 0;
  #text = '';
  readonly #stack: OpenElement[] = [];

  constructor(html: string) {
    this.#html = html;
  }

  parse(): string {
    while (this.#index < this.#html.length) {
      const char = this.#html[this.#index];

      if (char === '<') {
        this.#parseTag();
      } else if (char === '&') {
        this.#noteContent();
        this.#text += this.#parseEntity();
      } else if (char === '>') {
        throw this.#error(`unescaped ">" at byte offset ${this.#byteOffset(this.#index)}`);
      } else {
        this.#noteContent();
        this.#text += char;
        this.#index += 1;
      }
    }

    const unclosed = this.#stack.at(-1);
    if (unclosed !== undefined) {
      throw this.#error(`Can't find end tag corresponding to start tag "${unclosed.name}"`);
    }
    return this.#text;
  }

  #parseTag(): void {
    const start = this.#index;
    this.#index += 1;

    if (this.#html[this.#index] === '/') {
      this.#index += 1;
      const name = this.#readName().toLowerCase();
      this.#skipWhitespace();
      if (name === '' || this.#html[this.#index] !== '>') {
        throw this.#error(`Unclosed end tag at byte offset ${this.#byteOffset(start)}`);
      }
      this.#index += 1;
      this.#closeElement(name, start);
      return;
    }

    const name = this.#readName().toLowerCase();
    if (name === '') {
      throw this.#error(`unescaped "<" at byte offset ${this.#byteOffset(start)}`);
    }
    if (!SUPPORTED_TAGS.has(name)) {
      throw this.#error(`Unsupported start tag "${name}" at byte offset ${this.#byteOffset(start)}`);
    }

    const attributes = this.#readAttributes(start);
    this.#checkAttributes(name, attributes, start);
    this.#checkNesting(name, attributes, start);
    this.#noteContent();
    this.#stack.push({ name, byteOffset: this.#byteOffset(start), hasContent: false, codeClosed: false });
  }

  #readAttributes(tagStart: number): Map<string, string | undefined> {
    const attributes = new Map<string, string | undefined>();

    for (;;) {
      const hadWhitespace = this.#skipWhitespace();
      const char = this.#html[this.#index];

      if (char === undefined) {
        throw this.#error(`Unclosed start tag at byte offset ${this.#byteOffset(tagStart)}`);
      }
      if (char === '>') {
        this.#index += 1;
        return attributes;
      }
      if (char === '/') {
        throw this.#error(`self-closing tag at byte offset ${this.#byteOffset(tagStart)}`);
      }
      if (!hadWhitespace) {
        throw this.#error(`Expected whitespace before attribute at byte offset ${this.#byteOffset(this.#index)}`);
      }

      const attributeStart = this.#index;
      const name = this.#readName().toLowerCase();
      if (name === '') {
        throw this.#error(`Invalid attribute name at byte offset ${this.#byteOffset(attributeStart)}`);
      }
      if (attributes.has(name)) {
        throw this.#error(`Duplicate attribute "${name}" at byte offset ${this.#byteOffset(attributeStart)}`);
      }

      this.#skipWhitespace();
      if (this.#html[this.#index] !== '=') {
        attributes.set(name, undefined);
        continue;
      }
      this.#index += 1;
      this.#skipWhitespace();
      attributes.set(name, this.#readAttributeValue(tagStart));
    }
  }

  #readAttributeValue(tagStart: number): string {
    const quote = this.#html[this.#index];
    let value = '';

    if (quote === '"' || quote === "'") {
      this.#index += 1;
      for (;;) {
        const char = this.#html[this.#index];
        if (char === undefined) {
          throw this.#error(`Unclosed start tag at byte offset ${this.#byteOffset(tagStart)}`);
        }
        if (char === quote) {
          this.#index += 1;
          return value;
        }
        value += this.#readAttributeChar();
      }
    }

    while (this.#index < this.#html.length && !/[\s>"'`=<]/.test(this.#html[this.#index] ?? '')) {
      value += this.#readAttributeChar();
    }
    if (value === '') {
      throw this.#error(`Empty attribute value at byte offset ${this.#byteOffset(this.#index)}`);
    }
    return value;
  }

  #readAttributeChar(): string {
    const char = this.#html[this.#index] ?? '';
    if (char === '&') {
      return this.#parseEntity();
    }
    if (char === '<' || char === '>') {
      throw this.#error(`unescaped "${char}" in attribute value at byte offset ${this.#byteOffset(this.#index)}`);
    }
    this.#index += 1;
    return char;
  }

  #checkAttributes(name: string, attributes: Map<string, string | undefined>, tagStart: number): void {
    const at = `at byte offset ${this.#byteOffset(tagStart)}`;
    const allowed = allowedAttributes(name);

    for (const attribute of attributes.keys()) {
      if (!allowed.includes(attribute)) {
        throw this.#error(`Unsupported attribute "${attribute}" in tag "${name}" ${at}`);
      }
    }

    switch (name) {
      case 'a': {
        const href = attributes.get('href');
        if (href === undefined || href.trim() === '') {
          throw this.#error(`Tag "a" must have a non-empty "href" attribute ${at}`);
        }
        break;
      }
      case 'span':
        if (attributes.get('class') !== 'tg-spoiler') {
          throw this.#error(`Tag "span" must have class "tg-spoiler" ${at}`);
        }
        break;
      case 'code': {
        const className = attributes.get('class');
        if (attributes.has('class') && (className === undefined || !/^language-\S+$/.test(className))) {
          throw this.#error(`Invalid class of tag "code" ${at}: expected "language-<name>"`);
        }
        break;
      }
      case 'blockquote':
        if (attributes.has('expandable') && attributes.get('expandable') !== undefined) {
          throw this.#error(`Attribute "expandable" of tag "blockquote" takes no value ${at}`);
        }
        break;
      case 'tg-emoji':
        if (!/^\d+$/.test(attributes.get('emoji-id') ?? '')) {
          throw this.#error(`Tag "tg-emoji" must have a numeric "emoji-id" attribute ${at}`);
        }
        break;
    }
  }

  #checkNesting(name: string, attributes: Map<string, string | undefined>, tagStart: number): void {
    const at = `at byte offset ${this.#byteOffset(tagStart)}`;
    const parent = this.#stack.at(-1);
    const openNames = this.#stack.map((element) => element.name);

    if (parent?.name === 'code') {
      throw this.#error(`Entity "code" can't contain tag "${name}" ${at}`);
    }
    if (parent?.name === 'pre') {
      if (name !== 'code' || parent.hasContent) {
        throw this.#error(`Entity "pre" can contain only one leading "code" tag, got "${name}" ${at}`);
      }
    }
    if (name === 'code' && attributes.has('class') && parent?.name !== 'pre') {
      throw this.#error(`Programming language can be specified only for "code" directly inside "pre" ${at}`);
    }
    if (name === 'pre' && !openNames.every((openName) => openName === 'blockquote')) {
      throw this.#error(`Entity "pre" can't be part of other entities except blockquote ${at}`);
    }
    if (name === 'blockquote' && openNames.includes('blockquote')) {
      throw this.#error(`Entity "blockquote" can't be nested ${at}`);
    }
    if (name === 'a' && openNames.includes('a')) {
      throw this.#error(`Entity "a" can't be nested ${at}`);
    }
    if (name === 'tg-emoji' && openNames.includes('tg-emoji')) {
      throw this.#error(`Entity "tg-emoji" can't be nested ${at}`);
    }
  }

  #closeElement(name: string, tagStart: number): void {
    const open = this.#stack.at(-1);
    if (open === undefined || open.name !== name) {
      throw this.#error(`Unexpected end tag "${name}" at byte offset ${this.#byteOffset(tagStart)}`);
    }
    this.#stack.pop();

    const parent = this.#stack.at(-1);
    if (parent?.name === 'pre' && name === 'code') {
      parent.codeClosed = true;
    }
  }

  /** Records that text or a start tag appears inside the innermost open element. */
  #noteContent(): void {
    const parent = this.#stack.at(-1);
    if (parent === undefined) {
      return;
    }
    if (parent.codeClosed) {
      throw this.#error(`Entity "pre" can't have content after its "code" tag at byte offset ${this.#byteOffset(this.#index)}`);
    }
    parent.hasContent = true;
  }

  #parseEntity(): string {
    const start = this.#index;
    const at = `at byte offset ${this.#byteOffset(start)}`;
    const match = /^&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[a-zA-Z][a-zA-Z0-9]{0,31});/.exec(
      this.#html.slice(start, start + 40),
    );
    if (match === null) {
      throw this.#error(`Can't find end of the entity starting ${at}`);
    }
    const body = match[1] ?? '';
    this.#index += match[0].length;

    if (!body.startsWith('#')) {
      const decoded = NAMED_ENTITIES[body];
      if (decoded === undefined) {
        throw this.#error(`Unsupported HTML entity "&${body};" ${at}`);
      }
      return decoded;
    }

    const codePoint = /^#[xX]/.test(body) ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
    const isSurrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
    if (codePoint === 0 || codePoint > 0x10ffff || isSurrogate) {
      throw this.#error(`Invalid numeric HTML entity "&${body};" ${at}`);
    }
    return String.fromCodePoint(codePoint);
  }

  #readName(): string {
    const match = /^[a-zA-Z][a-zA-Z0-9-]*/.exec(this.#html.slice(this.#index, this.#index + 64));
    const name = match?.[0] ?? '';
    this.#index += name.length;
    return name;
  }

  #skipWhitespace(): boolean {
    const start = this.#index;
    while (/\s/.test(this.#html[this.#index] ?? '')) {
      this.#index += 1;
    }
    return this.#index > start;
  }

  #byteOffset(index: number): number {
    return Buffer.byteLength(this.#html.slice(0, index), 'utf8');
  }

  #error(detail: string): HtmlParseError {
    return new HtmlParseError(detail);
  }
}

function allowedAttributes(tag: string): string[] {
  switch (tag) {
    case 'a':
      return ['href'];
    case 'span':
    case 'code':
      return ['class'];
    case 'blockquote':
      return ['expandable'];
    case 'tg-emoji':
      return ['emoji-id'];
    default:
      return [];
  }
}
