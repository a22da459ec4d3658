import { describe, expect, it } from 'vitest';

import { DISCORD_MESSAGE_MAX_LENGTH } from '../../../src/render/limits.js';
import { splitDiscordMarkdown } from '../../../src/render/split-discord.js';

const FENCE_LINE = /^[ \t]*`{3,}[^`]*$/;

/** Returns whether every ``` block opened in `chunk` is closed again within it. */
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

function withoutFenceLines(text: string): string {
  return text
    .split('\n')
    .filter((line) => !FENCE_LINE.test(line))
    .join('\n');
}

function expectValidSplit(markdown: string, chunks: string[], limit: number): void {
  for (const chunk of chunks) {
    expect(chunk.length).toBeLessThanOrEqual(limit);
    expect(chunk.trim()).not.toBe('');
    expect(hasBalancedFences(chunk)).toBe(true);
  }
  const parts = chunks.map((chunk) => withoutFenceLines(chunk).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = `^\\s*${parts.join('\\s*')}\\s*$`;
  expect(new RegExp(pattern, 'u').test(withoutFenceLines(markdown))).toBe(true);
}

describe('splitDiscordMarkdown', () => {
  it('returns short markdown as one chunk', () => {
    expect(splitDiscordMarkdown('**hi** there')).toEqual(['**hi** there']);
  });

  it('returns no chunks for whitespace', () => {
    expect(splitDiscordMarkdown('')).toEqual([]);
    expect(splitDiscordMarkdown(' \n\n\t')).toEqual([]);
  });

  it('prefers a paragraph break', () => {
    expect(splitDiscordMarkdown('first para\n\nsecond line\nthird', 24)).toEqual(['first para', 'second line\nthird']);
  });

  it('closes and reopens a cut code block with its language', () => {
    const markdown = 'Intro.\n\n```python\nline_one = 1\nline_two = 2\n```\nAfter.';
    expect(splitDiscordMarkdown(markdown, 30)).toEqual([
      'Intro.',
      '```python\nline_one = 1\n```',
      '```python\nline_two = 2\n```',
      'After.',
    ]);
  });

  it('does not leave an empty code block before a cut', () => {
    const markdown = 'Some intro text.\n```js\nconsole.log(1);\n```';
    const chunks = splitDiscordMarkdown(markdown, 30);
    expect(chunks).toEqual(['Some intro text.', '```js\nconsole.log(1);\n```']);
  });

  it('closes a code block left open by a cut-off reply', () => {
    expect(splitDiscordMarkdown('Look:\n```ts\nconst x = 1;')).toEqual(['Look:\n```ts\nconst x = 1;\n```']);
  });

  it('splits a code block longer than the limit', () => {
    const code = Array.from({ length: 300 }, (_, line) => `    let v${line} = a < b && c > d;`).join('\n');
    const markdown = `Intro.\n\n\`\`\`rust\n${code}\n\`\`\`\n\nOutro.`;
    const chunks = splitDiscordMarkdown(markdown);

    expect(chunks.length).toBeGreaterThan(3);
    expectValidSplit(markdown, chunks, DISCORD_MESSAGE_MAX_LENGTH);
    for (const chunk of chunks.slice(1, -1)) {
      expect(chunk.startsWith('```rust\n    let')).toBe(true);
      expect(chunk.endsWith('\n```')).toBe(true);
    }
  });

  it('cuts a 10,000-character line without spaces', () => {
    const markdown = 'y'.repeat(10_000);
    const chunks = splitDiscordMarkdown(markdown);
    expect(chunks.map((chunk) => chunk.length)).toEqual([2000, 2000, 2000, 2000, 2000]);
    expect(chunks.join('')).toBe(markdown);
  });

  it('splits a 9,000-character reply with several code blocks', () => {
    const sections = Array.from({ length: 17 }, (_, index) =>
      [
        `## Step ${index + 1}`,
        `Some **explanation** with İı Şş Ğğ and שלום text, plus 👍🏽. `.repeat(5),
        '```js',
        `for (let i = 0; i < ${index}; i++) { console.log("<&>", i); }\n`.repeat(4).trimEnd(),
        '```',
      ].join('\n\n'),
    );
    const markdown = sections.join('\n\n');
    expect(markdown.length).toBeGreaterThan(9000);

    const chunks = splitDiscordMarkdown(markdown);
    expect(chunks.length).toBeGreaterThanOrEqual(5);
    expectValidSplit(markdown, chunks, DISCORD_MESSAGE_MAX_LENGTH);
  });

  it('never cuts an emoji sequence', () => {
    const markdown = '👩🏽‍💻'.repeat(500);
    const chunks = splitDiscordMarkdown(markdown, 99);
    for (const chunk of chunks) {
      expect(chunk).toMatch(/^(👩🏽‍💻)+$/u);
    }
    expect(chunks.join('')).toBe(markdown);
  });

  it('keeps a fence with four backticks', () => {
    const markdown = '````md\n```\ninner\n```\nmore text here\n````';
    const chunks = splitDiscordMarkdown(markdown, 24);
    expect(chunks[0]?.startsWith('````md\n')).toBe(true);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(24);
      expect(chunk.endsWith('````')).toBe(true);
    }
  });

  it('rejects a limit below 2', () => {
    expect(() => splitDiscordMarkdown('abc', 1)).toThrow(RangeError);
  });
});
