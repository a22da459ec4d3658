/**
 * Characters that start Markdown syntax inside a line, as CommonMark (Telegram rendering) and
 * Discord read it. Any ASCII punctuation may be backslash-escaped in both, so escaping these
 * is always safe.
 */
const MARKDOWN_SYNTAX = /[\\`*_~|[\]()<>#]/g;

/**
 * Escapes text that comes from users or admins (names, titles, preference values) so that a
 * Markdown reply shows it as typed instead of formatting it.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(MARKDOWN_SYNTAX, (character) => `\\${character}`);
}
