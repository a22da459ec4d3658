import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../../src/commands/dispatcher.js';

describe('parseCommandLine', () => {
  it('splits name and arguments', () => {
    expect(parseCommandLine('/ban @umut')).toEqual({ name: 'ban', argumentText: '@umut' });
  });

  it('lower-cases the name', () => {
    expect(parseCommandLine('/HELP')).toEqual({ name: 'help', argumentText: '' });
  });

  it('returns the addressed bot', () => {
    expect(parseCommandLine('/new@Nova_Test_Bot')).toEqual({ name: 'new', argumentText: '', target: 'nova_test_bot' });
  });

  it('keeps multi-line arguments', () => {
    expect(parseCommandLine('/preset create x | line one\nline two')?.argumentText).toBe('create x | line one\nline two');
  });

  it.each(['hello', '/', '/ space', '/' + 'a'.repeat(33), 'text /help'])('rejects %j', (text) => {
    expect(parseCommandLine(text)).toBeUndefined();
  });
});
