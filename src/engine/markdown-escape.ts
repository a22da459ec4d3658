/**
 * Characters that start Markdown syntax inside a line, as CommonMark (Telegram rendering) and
 * Discord read it. Both accept a backslash before any ASCII punctuation, so escaping these
 * changes nothing else.
 */
const MARKDOWN_SYNTAX = /[\\`*_~|[\]()<>#]/g;

/**
 * Escapes text that comes from users or admins (names, titles, preference values) so that a
 * Markdown reply shows it as typed instead of formatting it.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(MARKDOWN_SYNTAX, (character) => `\\${character}`);
}

/**
 * Wraps text in a Markdown code span, for keys and codes that should show as typed. The fence
 * is one backtick longer than the longest backtick run inside, as CommonMark requires, and
 * Discord reads the same syntax.
 */
export function inlineCode(text: string): string {
  if (text === '') return '';
  const longestRun = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longestRun + 1);
  const padding = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${padding}${text}${padding}${fence}`;
}
