import { describe, expect, it } from 'vitest';

import { describeUser, parseUserReference } from '../../../src/commands/user-lookup.js';

describe('parseUserReference', () => {
  it.each([
    ['telegram:123', 'discord', { kind: 'username', username: 'telegram:123' }],
    ['Discord:42', 'telegram', { kind: 'username', username: 'discord:42' }],
    ['123', 'telegram', { kind: 'username', username: 'telegram:123' }],
    ['123', 'discord', { kind: 'username', username: 'discord:123' }],
    ['<@987654321>', 'telegram', { kind: 'username', username: 'discord:987654321' }],
    ['<@!987654321>', 'discord', { kind: 'username', username: 'discord:987654321' }],
    ['@Some_Name', 'telegram', { kind: 'handle', handle: 'some_name' }],
    ['@first.last', 'discord', { kind: 'handle', handle: 'first.last' }],
    ['  @padded  ', 'discord', { kind: 'handle', handle: 'padded' }],
  ] as const)('parses %s from %s', (input, platform, expected) => {
    expect(parseUserReference(input, platform)).toEqual(expected);
  });

  it.each(['', 'name', '@', 'slack:123', '<#123>', '<@abc>', '12a', `@${'x'.repeat(33)}`])('rejects %j', (input) => {
    expect(parseUserReference(input, 'telegram')).toBeUndefined();
  });
});

describe('describeUser', () => {
  it('escapes names for Markdown', () => {
    expect(describeUser({ username: 'telegram:5', display_name: '*Bold*', platform_username: 'under_score' })).toBe(
      '\\*Bold\\* @under\\_score (telegram:5)',
    );
  });

  it('falls back to the username', () => {
    expect(describeUser({ username: 'discord:7', display_name: null, platform_username: null })).toBe('discord:7');
  });
});
