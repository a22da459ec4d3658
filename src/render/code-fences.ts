/**
 * Closing of a fenced code block left open at the end of Markdown.
 */

import { Lexer } from 'marked';

const FENCE_OPENER = /^ {0,3}(`{3,}|~{3,})/;
const FENCE_CLOSER = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

/**
 * Appends the closing fence of a fenced code block that runs to the end of `markdown`, as a
 * reply cut off inside code leaves it. Text appended after the result, such as a cut-off
 * notice, then shows as text instead of as more code. Returns `markdown` unchanged when it
 * does not end inside a fenced code block.
 *
 * Only a top-level block needs closing: CommonMark ends a list item or blockquote, and the
 * code block in it, at the first following line that is neither indented nor quoted.
 */
export function closeOpenCodeFence(markdown: string): string {
  const tokens = new Lexer({ gfm: true }).lex(markdown);
  const last = tokens.findLast((token) => token.type !== 'space');
  if (last?.type !== 'code' || last.codeBlockStyle === 'indented') return markdown;

  const lines = last.raw.replace(/\n+$/, '').split('\n');
  const fence = FENCE_OPENER.exec(lines[0] ?? '')?.[1];
  if (fence === undefined) return markdown;

  const closer = lines.length > 1 ? FENCE_CLOSER.exec(lines.at(-1) ?? '')?.[1] : undefined;
  if (closer !== undefined && closer[0] === fence[0] && closer.length >= fence.length) return markdown;

  return `${markdown}${markdown.endsWith('\n') ? '' : '\n'}${fence}`;
}
