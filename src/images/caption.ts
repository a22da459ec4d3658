import { TELEGRAM_CAPTION_MAX_LENGTH } from '../render/limits.js';

/** A photo caption and the text that did not fit into it. */
export interface CaptionParts {
  caption: string;
  /** The rest of the text, sent as a message after the photo; undefined when all of it fit. */
  followUpText?: string;
}

/**
 * Splits Markdown text into a caption of at most `maxLength` UTF-16 code units (Telegram's
 * caption limit by default, which Discord's 2000-character message limit also covers) and a
 * follow-up. The cut falls at the last white space before the limit, or at the limit when
 * there is none, but never between a backslash and the character it escapes.
 */
export function splitCaption(text: string, maxLength = TELEGRAM_CAPTION_MAX_LENGTH): CaptionParts {
  if (text.length <= maxLength) return { caption: text };

  let cut = text.lastIndexOf(' ', maxLength);
  if (cut <= 0) cut = maxLength;
  // A high surrogate at the end would split a code point in two.
  if (/[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut -= 1;
  if (endsWithOpenEscape(text.slice(0, cut))) cut -= 1;

  return { caption: text.slice(0, cut).trimEnd(), followUpText: text.slice(cut).trimStart() };
}

/** True when the text ends in an odd run of backslashes, so its last one escapes the next character. */
function endsWithOpenEscape(text: string): boolean {
  const run = /\\+$/.exec(text)?.[0].length ?? 0;
  return run % 2 === 1;
}
