import { describe, expect, it } from 'vitest';

import { COMMANDS } from '../../../src/commands/registry.js';
import { splitArguments } from '../../../src/commands/user-commands/arguments.js';
import { buttonRows, MAX_BUTTON_COMMAND_BYTES } from '../../../src/commands/user-commands/buttons.js';
import { escapeMarkdown, inlineCode } from '../../../src/engine/markdown-escape.js';
import { loadSeedData } from '../../../src/seed/load-seed-data.js';

describe('splitArguments', () => {
  it('keeps the rest in the last part', () => {
    expect(splitArguments('set  tone   very casual ', 3)).toEqual(['set', 'tone', 'very casual']);
  });

  it('splits every word without a maximum', () => {
    expect(splitArguments(' a b\nc ')).toEqual(['a', 'b', 'c']);
  });

  it('returns nothing for blank text', () => {
    expect(splitArguments('   ', 2)).toEqual([]);
  });

  it('keeps line breaks inside the rest', () => {
    expect(splitArguments('set help en Line one\nLine two', 4)).toEqual(['set', 'help', 'en', 'Line one\nLine two']);
  });
});

describe('buttonRows', () => {
  it('makes rows and drops commands over the byte limit', () => {
    const long = `/model ${'ş'.repeat(MAX_BUTTON_COMMAND_BYTES)}`;
    const rows = buttonRows([
      { label: 'a', command: '/a' },
      { label: 'long', command: long },
      { label: 'b', command: '/b' },
      { label: 'c', command: '/c' },
    ]);
    expect(rows).toEqual([
      [
        { label: 'a', command: '/a' },
        { label: 'b', command: '/b' },
      ],
      [{ label: 'c', command: '/c' }],
    ]);
  });
});

describe('Markdown helpers', () => {
  it('escapes syntax characters', () => {
    expect(escapeMarkdown('a*b_c`d[e](f)<g>#h~i|j\\k')).toBe('a\\*b\\_c\\`d\\[e\\]\\(f\\)\\<g\\>\\#h\\~i\\|j\\\\k');
  });

  it('leaves plain text alone', () => {
    expect(escapeMarkdown('Ayşe Yılmaz 42.')).toBe('Ayşe Yılmaz 42.');
  });

  it('fences code around backticks', () => {
    expect(inlineCode('cache.ttl_hours')).toBe('`cache.ttl_hours`');
    expect(inlineCode('a`b')).toBe('``a`b``');
    expect(inlineCode('`x')).toBe('`` `x ``');
  });
});

describe('command definitions', () => {
  const uiTexts = loadSeedData().uiTexts;

  it('have valid unique names', () => {
    const names = COMMANDS.flatMap((command) => [command.name, command.nameTr ?? command.name]);
    for (const command of COMMANDS) {
      expect(command.name).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(command.nameTr, command.name).toMatch(/^[a-z0-9_]{1,32}$/);
    }
    const clashes = names.filter((name, index) => names.indexOf(name) !== index);
    // A command whose Turkish name equals its English name is listed twice; that is no clash.
    const sameNames = COMMANDS.filter((command) => command.nameTr === command.name).map((command) => command.name);
    expect(clashes.sort()).toEqual([...sameNames].sort());
  });

  it('keep start, help and new first', () => {
    expect(COMMANDS.slice(0, 3).map((command) => command.name)).toEqual(['start', 'help', 'new']);
  });

  it('have descriptions and option texts in the seed', () => {
    for (const command of COMMANDS) {
      expect(uiTexts, command.name).toHaveProperty([`command.${command.name}.description`]);
      for (const option of command.discordOptions ?? []) {
        expect(option.name, command.name).toMatch(/^[a-z0-9_-]{1,32}$/);
        expect(uiTexts, `${command.name} ${option.name}`).toHaveProperty([option.descriptionKey]);
        expect(uiTexts[option.descriptionKey]?.en.length).toBeLessThanOrEqual(100);
        expect(uiTexts[option.descriptionKey]?.tr.length).toBeLessThanOrEqual(100);
      }
    }
  });
});
