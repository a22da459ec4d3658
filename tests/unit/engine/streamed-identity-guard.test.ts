import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { StreamedIdentityGuard, guardStreamedText } from '../../../src/engine/identity-guard.js';
import type { Locale } from '../../../src/engine/types.js';

const IDENTITY = { displayName: 'Nova', developerName: 'Acme Labs' };

/** Splits `text` into consecutive chunks of the given sizes, the last chunk taking the rest. */
function chunked(text: string, sizes: readonly number[]): string[] {
  const chunks: string[] = [];
  let start = 0;
  for (const size of sizes) {
    if (start >= text.length) break;
    chunks.push(text.slice(start, start + size));
    start += size;
  }
  if (start < text.length) chunks.push(text.slice(start));
  return chunks;
}

/** Feeds the text so far after each chunk to one guard and checks it against `guardStreamedText`. */
function expectSameAsFullGuard(guard: StreamedIdentityGuard, text: string, sizes: readonly number[], locale: Locale): void {
  let textSoFar = '';
  for (const chunk of chunked(text, sizes)) {
    textSoFar += chunk;
    expect(guard.guard(textSoFar), JSON.stringify(textSoFar)).toBe(guardStreamedText(textSoFar, IDENTITY, locale));
  }
}

// Pieces of markdown that move the guard's sentence, code span and fence boundaries: claims in
// both languages, sentence stops, line and paragraph breaks, backtick and tilde runs, and
// spaces or tabs that can start an indented fence.
const token = fc.constantFrom(
  'I am ChatGPT, made by OpenAI',
  "I'm Llama 3",
  'I was trained by Anthropic',
  'As an AI model developed by Google, I',
  'Ben ChatGPT',
  'Groq tarafından eğitildim',
  'Modelim OpenAI',
  'Google Maps shows the route',
  'Node.js',
  'v3.1',
  'word',
  'x',
  '.',
  '. ',
  '! ',
  '? ',
  '…',
  ', ',
  ' ',
  '  ',
  '\t',
  '\n',
  '\n\n',
  '\n \n',
  '\r\n',
  '`',
  '``',
  '```',
  '````',
  '~~~',
  '```js\n',
  '\n```\n',
  '\n~~~\n',
  '`code`',
  '`I am Claude.`',
);
const tokenText = fc.array(token, { maxLength: 60, size: 'max' }).map((tokens) => tokens.join(''));
/** Short texts over few characters, so backtick and tilde runs, indents and blank lines meet often. */
const characterText = fc
  .array(fc.constantFrom('`', '`', '~', ' ', '\t', '\n', '.', '!', 'x', 'I am GPT-4', 'Ben ChatGPT'), { maxLength: 80, size: 'max' })
  .map((characters) => characters.join(''));

const claim = fc.constantFrom('I am ChatGPT, made by OpenAI.', "I'm Llama 3, made by Meta.", 'Groq tarafından eğitildim.', 'I was trained by Anthropic.');
const sentence = fc.constantFrom('SQLite stores the database in one file.', 'Run it twice!', 'Is it fast?', 'Google Maps shows the route.', 'Bu bir örnek.');
const inlineCode = fc.constantFrom('`npm i openai`', '``a ` b``', '`I am Claude.`', 'the ` key', '```inline``` text');
const prose = fc
  .array(fc.tuple(fc.oneof(claim, sentence, inlineCode), fc.constantFrom(' ', '  ', '\n', '\n\n', '', ' \n')), { maxLength: 8 })
  .map((parts) => parts.map(([part, gap]) => part + gap).join(''));
const codeLine = fc.oneof(claim, fc.constantFrom('const a = 1;', '  return b;', '``', '~~', '```not closing', ''));
const fencedBlock = fc
  .tuple(fc.constantFrom('```', '````', '~~~', '  ```', '```python'), fc.array(codeLine, { maxLength: 5 }), fc.constantFrom('```', '````', '~~~', '', '```  '))
  .map(([open, lines, close]) => [open, ...lines, close].join('\n'));
const reply = fc.array(fc.oneof(prose, fencedBlock, claim), { maxLength: 6 }).map((parts) => parts.join('\n'));

const chunkSizes = fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 200, size: 'max' });
const locale = fc.constantFrom<Locale>('en', 'tr');

describe('StreamedIdentityGuard', () => {
  it('matches guardStreamedText on replies', () => {
    fc.assert(
      fc.property(reply, chunkSizes, locale, (text, sizes, userLocale) => {
        expectSameAsFullGuard(new StreamedIdentityGuard(IDENTITY, userLocale), text, sizes, userLocale);
      }),
      { numRuns: 500 },
    );
  });

  it('matches guardStreamedText on token soup', () => {
    fc.assert(
      fc.property(tokenText, chunkSizes, locale, (text, sizes, userLocale) => {
        expectSameAsFullGuard(new StreamedIdentityGuard(IDENTITY, userLocale), text, sizes, userLocale);
      }),
      { numRuns: 1000 },
    );
  });

  it('matches guardStreamedText on few characters', () => {
    fc.assert(
      fc.property(characterText, chunkSizes, (text, sizes) => {
        expectSameAsFullGuard(new StreamedIdentityGuard(IDENTITY, 'en'), text, sizes, 'en');
      }),
      { numRuns: 2000 },
    );
  });

  it('matches guardStreamedText after a restart', () => {
    // The router starts the text again from the next model's reply when a model fails
    // mid-stream. That reply may begin like the first one and then differ.
    const anyText = fc.oneof(reply, tokenText, characterText);
    fc.assert(
      fc.property(anyText, fc.nat(), anyText, chunkSizes, chunkSizes, (first, shared, ending, firstSizes, secondSizes) => {
        const second = first.slice(0, shared % (first.length + 1)) + ending;
        const guard = new StreamedIdentityGuard(IDENTITY, 'en');

        expectSameAsFullGuard(guard, first, firstSizes, 'en');
        expectSameAsFullGuard(guard, second, secondSizes, 'en');
      }),
      { numRuns: 1000 },
    );
  });

  it('rereads a restarted text that differs after a kept point', () => {
    const guard = new StreamedIdentityGuard(IDENTITY, 'en');
    const first = 'Hello there. Next';
    const second = 'Hello there.  I am ChatGPT, made by OpenAI. More';

    expect(guard.guard(first)).toBe(guardStreamedText(first, IDENTITY, 'en'));
    expect(guard.guard(second)).toBe(guardStreamedText(second, IDENTITY, 'en'));
  });

  // Texts where a point the guard keeps would move if it ignored one rule, each fed in chunks of
  // 1 to 6 characters at every alignment.
  const hardCases = [
    // A line of spaces after a sentence turns into an indented fence.
    'Hi. There.\n  ```js\nI am ChatGPT, made by OpenAI.\n```\nI am Claude. End.',
    // A backtick fence line with a backtick after it is prose and closes the earlier span.
    'Press ` now.\n```js`. I am ChatGPT, made by OpenAI. Bye.',
    // A triple backtick in the middle of a line opens no fence.
    'Hi. ```js\nI am ChatGPT, made by OpenAI.\nEnd. I am Claude.',
    // A span left open until a blank line stays plain text.
    'Line one.\n\n`a\n\nI am ChatGPT. b` ok. I am Claude.',
    // A closed span across sentence stops.
    '`x` is `y. I am ChatGPT. z` end. I am Claude. Done.',
    // Tilde fences, and a closing line longer than the opening one.
    '~~~\nI am ChatGPT.\n~~~\nI am ChatGPT. Bye.',
    '```\ncode\n````\nI am Claude. x\n```\nI am Claude. y',
    // A blank line made of spaces before a fence.
    'x.\n  \n```\nI am ChatGPT.\n```\nI am ChatGPT. z',
    // A stray triple backtick masks the rest of the prose.
    'Say ``` here. I am ChatGPT. Then.\n```\nI am Claude.\n```\nI am Claude.',
    // Windows line ends.
    'One.\r\nI am ChatGPT.\r\n```\r\nI am Claude.\r\n```\r\nTwo.',
  ];

  it.each(hardCases)('matches guardStreamedText on %j', (text) => {
    for (let size = 1; size <= 6; size += 1) {
      for (let first = 1; first <= size; first += 1) {
        const sizes = [first, ...Array.from({ length: text.length }, () => size)];

        expectSameAsFullGuard(new StreamedIdentityGuard(IDENTITY, 'en'), text, sizes, 'en');
      }
    }
  });

  it('matches guardStreamedText on a text seen again', () => {
    const guard = new StreamedIdentityGuard(IDENTITY, 'en');
    const text = 'Hello there. I am ChatGPT, made by OpenAI. More';

    for (const textSoFar of [text, text, text.slice(0, 13), text.slice(0, 13), text]) {
      expect(guard.guard(textSoFar)).toBe(guardStreamedText(textSoFar, IDENTITY, 'en'));
    }
  });

  it('reads a long reply in linear work', () => {
    // Prose with claims and code spans, a list, and a long fenced block: each kind of place
    // where the guard may keep its output.
    const paragraph =
      'I am ChatGPT, made by OpenAI. Install it with `npm i nova` first! Then open `config.json` and set the key.\n\n' +
      '- Step one: read the docs\n- Step two: run `nova start`\n\n' +
      '```ts\n' +
      Array.from({ length: 40 }, (_, line) => `const value${line} = compute(${line}); // I am Claude.`).join('\n') +
      '\n```\n\nGroq tarafından eğitildim. Bu kadar.\n\n';
    const text = paragraph.repeat(Math.ceil(50_000 / paragraph.length)).slice(0, 50_000);
    const guard = new StreamedIdentityGuard(IDENTITY, 'en');

    let visible = '';
    for (let end = 10; end < text.length + 10; end += 10) visible = guard.guard(text.slice(0, end));

    expect(visible).toBe(guardStreamedText(text, IDENTITY, 'en'));
    // Reading the whole text so far on each of the 5,000 calls would scan about 125 million
    // characters.
    expect(guard.scannedCharacters).toBeLessThan(10 * text.length);
  });
});
