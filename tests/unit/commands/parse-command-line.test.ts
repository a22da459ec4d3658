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

  it.each([
    ['/yardım', 'yardim'],
    ['/YARDIM', 'yardim'],
    ['/Yardım', 'yardim'],
    ['/başla', 'basla'],
    ['/İPTAL', 'iptal'],
    ['/ğüşöçı', 'gusoci'],
    ['/ĞÜŞÖÇI', 'gusoci'],
  ])('maps Turkish letters in %j to ASCII', (text, name) => {
    expect(parseCommandLine(text)).toEqual({ name, argumentText: '' });
  });

  it('keeps Turkish letters in the arguments', () => {
    expect(parseCommandLine('/yardım@Nova_Test_Bot şimdi İzmir')).toEqual({
      name: 'yardim',
      argumentText: 'şimdi İzmir',
      target: 'nova_test_bot',
    });
  });

  it.each(['/café', '/naïve', '/привет'])('rejects other letters in %j', (text) => {
    expect(parseCommandLine(text)).toBeUndefined();
  });

  it.each(['hello', '/', '/ space', '/' + 'a'.repeat(33), 'text /help', '/yardım/x'])('rejects %j', (text) => {
    expect(parseCommandLine(text)).toBeUndefined();
  });
});
