/**
 * Splitting of Discord markdown into messages that fit Discord's content limit.
 *
 * Discord renders each message on its own, so a code block cut in two must be closed at the
 * end of the first chunk and opened again, with the same language tag, in the next one. The
 * added fence lines count against the limit.
 *
 * What a split may change, and nothing else:
 * - At each cut and at the end of the text, the whitespace around the cut is removed, except
 *   spaces and tabs that follow a removed line break (they indent the next line).
 * - A fence is closed at the end of a chunk that ends inside a code block, and opened again at
 *   the start of the next chunk. A closing fence line that would start the next chunk is
 *   dropped, because the added closing fence replaces it.
 * - A code block left open at the end of the text, as in a cut-off reply, is closed.
 * - A chunk that would be empty or only whitespace is left out.
 */

import { DISCORD_MESSAGE_MAX_LENGTH } from './limits.js';
import { chooseCut, isLineBreak, isWhitespace, splitGraphemes } from './text-breaks.js';

/**
 * Splits Discord markdown into chunks of at most `limit` UTF-16 code units each, with every
 * ``` code block balanced within its chunk.
 *
 * A cut never separates a grapheme cluster (an emoji with its ZWJ sequence or skin tone, a
 * surrogate pair), except that a single grapheme longer than the space left in a chunk is cut
 * between code points. Cuts prefer a paragraph break, then a line break, then a space.
 *
 * Only fences that start a line (after optional indentation) with three or more backticks
 * count as code blocks.
 * NOTE: Discord also opens a code block at ``` in the middle of a line. Such text is split as
 * ordinary text, so a cut there can leave an unbalanced fence.
 *
 * Returns no chunks when `markdown` is empty or only whitespace.
 * Throws a RangeError when `limit` is too small to hold a reopened fence and some text.
 */
export function splitDiscordMarkdown(markdown: string, limit = DISCORD_MESSAGE_MAX_LENGTH): string[] {
  if (!Number.isInteger(limit) || limit < 2) {
    throw new RangeError(`Invalid split limit ${limit}: expected an integer of at least 2`);
  }

  const graphemes = splitGraphemes(markdown);
  let offsets = graphemeOffsets(graphemes);
  const blocks = findCodeBlocks(markdown);
  const chunks: string[] = [];
  let position = 0;
  let cutAtLineBreak = false;

  while (position < graphemes.length) {
    if (position > 0) {
      position = skipLeadingWhitespace(graphemes, position, cutAtLineBreak);
      const closing = blocks.find((block) => block.closeStart === offsets[position]);
      if (closing !== undefined && closing.closeEnd !== undefined) {
        position = indexAtOffset(offsets, closing.closeEnd);
        cutAtLineBreak = true;
        continue;
      }
    }
    if (position >= graphemes.length) {
      break;
    }

    const startBlock = blockContaining(blocks, offsets[position] ?? 0);
    const reopen = startBlock === undefined ? '' : `${startBlock.opener}\n`;
    const chunk = planChunk(markdown, graphemes, offsets, blocks, position, reopen, limit);
    if (chunk === undefined) {
      graphemes.splice(position, 1, ...Array.from(graphemes[position] ?? ''));
      offsets = graphemeOffsets(graphemes);
      continue;
    }

    cutAtLineBreak = /[\r\n]\s*$/.test(chunk.body);
    const body = chunk.body.trimEnd();
    if (body.trim() !== '' && !chunk.onlyOpensBlock) {
      chunks.push(reopen + body + chunk.close);
    }
    position = chunk.end;
  }

  return chunks;
}

interface CodeBlock {
  /** Offset of the opening fence line. */
  openStart: number;
  /** Offset just after the opening fence line and its line break. */
  contentStart: number;
  /** Offset of the closing fence line, or the end of the text for an unclosed block. */
  closeStart: number;
  /** Offset just after the closing fence line and its line break, or undefined when unclosed. */
  closeEnd: number | undefined;
  /** The opening fence line without indentation, for example "```python". */
  opener: string;
  /** The backtick run that closes the block. */
  fence: string;
}

interface PlannedChunk {
  /** The markdown of the chunk, before trailing whitespace is removed. */
  body: string;
  /** The closing fence to append, or an empty string. */
  close: string;
  /**
   * True when the body is only the opening fence line of a code block that continues in the
   * next chunk. Such a chunk is left out, because the next chunk opens the block again.
   */
  onlyOpensBlock: boolean;
  /** Grapheme index where the next chunk starts. */
  end: number;
}

function planChunk(
  markdown: string,
  graphemes: readonly string[],
  offsets: readonly number[],
  blocks: readonly CodeBlock[],
  start: number,
  reopen: string,
  limit: number,
): PlannedChunk | undefined {
  let reserve = 0;

  for (;;) {
    const budget = limit - reopen.length - reserve;
    if (budget < 1) {
      throw new RangeError(`Split limit ${limit} is too small for the code fence "${reopen.trim()}"`);
    }

    let end = pickEnd(graphemes, start, budget);
    if (end === start) {
      return undefined;
    }
    end = moveCutOutOfFenceLines(blocks, offsets, start, end);

    const startOffset = offsets[start] ?? 0;
    const endOffset = offsets[end] ?? markdown.length;
    const body = markdown.slice(startOffset, endOffset);
    const endBlock = end < graphemes.length ? blockContaining(blocks, endOffset) : unclosedBlockAtEnd(blocks, markdown.length);
    const close = endBlock === undefined ? '' : `\n${endBlock.fence}`;

    if (reopen.length + body.trimEnd().length + close.length <= limit) {
      const onlyOpensBlock = endBlock !== undefined && startOffset === endBlock.openStart && endOffset <= endBlock.contentStart;
      return { body, close, end, onlyOpensBlock };
    }
    reserve = Math.max(reserve + 1, close.length);
  }
}

/**
 * Returns the grapheme index where a chunk starting at `start` ends, within `budget`, or
 * `start` when the first grapheme alone is longer than `budget`.
 */
function pickEnd(graphemes: readonly string[], start: number, budget: number): number {
  let used = 0;
  let end = start;
  while (end < graphemes.length && used + (graphemes[end]?.length ?? 0) <= budget) {
    used += graphemes[end]?.length ?? 0;
    end += 1;
  }
  if (end === graphemes.length) {
    return end;
  }

  return start + chooseCut(graphemes.slice(start, end + 1), budget);
}

/**
 * Moves a cut that would leave a code block with no content in this chunk, or that falls inside
 * a fence line, back to the start of that fence line, unless that would empty the chunk.
 */
function moveCutOutOfFenceLines(
  blocks: readonly CodeBlock[],
  offsets: readonly number[],
  start: number,
  end: number,
): number {
  const startOffset = offsets[start] ?? 0;
  const endOffset = offsets[end];
  if (endOffset === undefined) {
    return end;
  }

  for (const block of blocks) {
    const inOpener = endOffset > block.openStart && endOffset <= block.contentStart;
    if (inOpener && block.openStart > startOffset) {
      return indexAtOffset(offsets, block.openStart);
    }

    const inCloser = block.closeEnd !== undefined && endOffset > block.closeStart && endOffset < block.closeEnd;
    if (inCloser && block.closeStart > startOffset) {
      return indexAtOffset(offsets, block.closeStart);
    }
  }
  return end;
}

function findCodeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let open: { openStart: number; contentStart: number; opener: string; fence: string } | undefined;
  let lineStart = 0;

  while (lineStart < markdown.length) {
    const newline = markdown.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? markdown.length : newline + 1;
    const line = markdown.slice(lineStart, lineEnd).replace(/\r?\n$/, '');

    if (open === undefined) {
      const opener = /^[ \t]*((`{3,})[^`]*)$/.exec(line);
      if (opener !== null) {
        open = { openStart: lineStart, contentStart: lineEnd, opener: (opener[1] ?? '').trimEnd(), fence: opener[2] ?? '```' };
      }
    } else {
      const closer = /^[ \t]*(`{3,})[ \t]*$/.exec(line);
      if (closer !== null && (closer[1] ?? '').length >= open.fence.length) {
        blocks.push({ ...open, closeStart: lineStart, closeEnd: lineEnd });
        open = undefined;
      }
    }
    lineStart = lineEnd;
  }

  if (open !== undefined) {
    blocks.push({ ...open, closeStart: markdown.length, closeEnd: undefined });
  }
  return blocks;
}

/** Returns the code block whose content contains a cut at `offset`. */
function blockContaining(blocks: readonly CodeBlock[], offset: number): CodeBlock | undefined {
  return blocks.find((block) => offset >= block.contentStart && offset <= block.closeStart && offset > block.openStart);
}

function unclosedBlockAtEnd(blocks: readonly CodeBlock[], length: number): CodeBlock | undefined {
  const last = blocks.at(-1);
  return last !== undefined && last.closeEnd === undefined && length >= last.contentStart ? last : undefined;
}

function skipLeadingWhitespace(graphemes: readonly string[], start: number, cutAtLineBreak: boolean): number {
  let afterLineBreak = cutAtLineBreak;
  let index = start;

  while (index < graphemes.length) {
    const grapheme = graphemes[index] ?? '';
    if (isLineBreak(grapheme)) {
      afterLineBreak = true;
    } else if (!isWhitespace(grapheme) || afterLineBreak) {
      return index;
    }
    index += 1;
  }
  return index;
}

function graphemeOffsets(graphemes: readonly string[]): number[] {
  const offsets: number[] = [];
  let offset = 0;
  for (const grapheme of graphemes) {
    offsets.push(offset);
    offset += grapheme.length;
  }
  offsets.push(offset);
  return offsets;
}

/** Returns the index of the first grapheme that starts at or after `offset`. */
function indexAtOffset(offsets: readonly number[], offset: number): number {
  const index = offsets.findIndex((candidate) => candidate >= offset);
  return index === -1 ? offsets.length - 1 : index;
}
