/**
 * Splits command argument text at white space into at most `maxParts` words. The last part
 * keeps the rest of the text as typed, white space included, so `/prefs set tone very casual`
 * with `maxParts` 3 gives `['set', 'tone', 'very casual']`.
 */
export function splitArguments(text: string, maxParts = Number.POSITIVE_INFINITY): string[] {
  const words: string[] = [];
  let rest = text.trim();

  while (rest !== '' && words.length < maxParts - 1) {
    const match = /^(\S+)\s*/.exec(rest);
    if (!match) break;
    words.push(match[1] ?? '');
    rest = rest.slice(match[0].length);
  }

  if (rest !== '') words.push(rest);
  return words;
}
