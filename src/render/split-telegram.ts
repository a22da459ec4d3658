/**
 * Splitting of Telegram text into messages that fit Telegram's length limit.
 *
 * Telegram counts the visible text after entity parsing, in UTF-16 code units, so tags cost
 * nothing and `&lt;` costs one. Each chunk must parse on its own, so tags open at a cut are
 * closed at the end of the chunk and opened again, with their attributes, in the next one.
 *
 * What a split may change in the visible text, and nothing else:
 * - At each cut, the whitespace around the cut is removed, except spaces and tabs that follow
 *   a removed line break, because they indent the first line of the next chunk (code keeps
 *   its indentation).
 * - A chunk whose visible text would be only whitespace is left out, because Telegram rejects
 *   an empty message.
 */

import { TELEGRAM_MESSAGE_MAX_LENGTH } from './limits.js';
import { escapeTelegramHtml } from './html-escape.js';
import { chooseCut, isLineBreak, isWhitespace, splitGraphemes } from './text-breaks.js';

/**
 * Splits Telegram HTML into chunks whose visible text is at most `limit` UTF-16 units each.
 *
 * `html` should be valid Telegram HTML such as `markdownToTelegramHtml` produces. Entities in
 * text are decoded and written back as `&lt;` `&gt;` `&amp;` or the literal character, so a
 * cut never lands inside an entity. A cut never lands inside a tag or a grapheme cluster,
 * except that a single grapheme longer than `limit` is cut between code points, and a cluster
 * that a tag splits in the input counts as two. Cuts prefer a
 * paragraph break, then a line break, then a space (see `chooseCut`).
 *
 * Returns no chunks when the visible text is empty or only whitespace.
 * Throws a RangeError when `limit` is not an integer of at least 2, the length of the longest
 * code point.
 */
export function splitTelegramHtml(html: string, limit = TELEGRAM_MESSAGE_MAX_LENGTH): string[] {
  checkLimit(limit);
  // Most replies fit in one message. Their text needs no cut, so it is kept in runs between
  // tags rather than broken into graphemes, which costs an object per character.
  const runs = tokenizeTelegramHtml(html, false);
  if (visibleLength(runs) <= limit) return splitUnits(runs, limit);
  return splitUnits(tokenizeTelegramHtml(html, true), limit);
}

function visibleLength(units: readonly Unit[]): number {
  let length = 0;
  for (const unit of units) if (unit.kind === 'text') length += unit.text.length;
  return length;
}

/**
 * Splits plain text into chunks of at most `limit` UTF-16 units, with the same cut rules and
 * whitespace handling as `splitTelegramHtml`. For messages sent without a parse mode.
 */
export function splitPlainText(text: string, limit = TELEGRAM_MESSAGE_MAX_LENGTH): string[] {
  checkLimit(limit);
  const units: Unit[] = splitGraphemes(text).map((grapheme) => ({ kind: 'text', text: grapheme }));
  return splitUnits(units, limit, (grapheme) => grapheme);
}

type Unit =
  | { kind: 'open'; name: string; html: string }
  | { kind: 'close'; name: string; html: string }
  /** Visible text, decoded: one grapheme cluster, or a whole run between tags when nothing is cut. */
  | { kind: 'text'; text: string };

type OpenUnit = Extract<Unit, { kind: 'open' }>;

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*>/y;
const ENTITY = /&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|(lt|gt|amp|quot));/g;
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 2) {
    throw new RangeError(`Invalid split limit ${limit}: expected an integer of at least 2`);
  }
}

/** Cuts HTML into tags and text; the text into graphemes when `graphemes` is set, else into runs. */
function tokenizeTelegramHtml(html: string, graphemes: boolean): Unit[] {
  const units: Unit[] = [];
  let textStart = 0;
  let index = 0;

  const flushText = (end: number): void => {
    if (end <= textStart) return;
    const text = decodeEntities(html.slice(textStart, end));
    if (!graphemes) {
      units.push({ kind: 'text', text });
      return;
    }
    for (const grapheme of splitGraphemes(text)) units.push({ kind: 'text', text: grapheme });
  };

  while (index < html.length) {
    const tagStart = html.indexOf('<', index);
    if (tagStart === -1) {
      break;
    }
    TAG.lastIndex = tagStart;
    const match = TAG.exec(html);
    if (match === null) {
      index = tagStart + 1;
      continue;
    }

    flushText(tagStart);
    const name = (match[2] ?? '').toLowerCase();
    units.push({ kind: match[1] === '/' ? 'close' : 'open', name, html: match[0] });
    index = TAG.lastIndex;
    textStart = index;
  }
  flushText(html.length);

  return units;
}

function decodeEntities(text: string): string {
  return text.replace(ENTITY, (entity, decimal?: string, hex?: string, name?: string) => {
    if (name !== undefined) {
      return NAMED_ENTITIES[name] ?? entity;
    }
    const codePoint = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? '', 16);
    const valid = codePoint > 0 && codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff);
    return valid ? String.fromCodePoint(codePoint) : entity;
  });
}

function splitUnits(units: Unit[], limit: number, writeText = escapeTelegramHtml): string[] {
  const chunks: string[] = [];
  let openAtStart: OpenUnit[] = [];
  let position = 0;
  let cutAtLineBreak = false;

  while (position < units.length) {
    if (position > 0) {
      removeLeadingWhitespace(units, position, cutAtLineBreak);
    }

    const window = fittingWindow(units, position, limit);
    let end: number;
    if (window.overflow === undefined) {
      end = units.length;
    } else {
      const count = chooseCut([...window.graphemes.map((entry) => entry.text), window.overflow], limit);
      if (count === 0) {
        splitOversizedGrapheme(units, window.overflowIndex);
        continue;
      }
      end = (window.graphemes[count - 1]?.index ?? position) + 1;
      while (units[end]?.kind === 'close') {
        end += 1;
      }
    }

    const body = units.slice(position, end);
    const openAtEnd = applyTags(openAtStart, body);
    if (end < units.length) {
      cutAtLineBreak = trimTrailingWhitespace(body);
    }

    if (body.some((unit) => unit.kind === 'text' && !isWhitespace(unit.text))) {
      const reopen = openAtStart.map((unit) => unit.html).join('');
      const content = body.map((unit) => (unit.kind === 'text' ? writeText(unit.text) : unit.html)).join('');
      const close = openAtEnd.toReversed().map((unit) => `</${unit.name}>`).join('');
      chunks.push(reopen + content + close);
    }

    openAtStart = openAtEnd;
    position = end;
  }

  return chunks;
}

interface FittingWindow {
  /** Text units from the start position that fit the limit, with their unit indexes. */
  graphemes: { text: string; index: number }[];
  /** The first grapheme that does not fit, or undefined when the rest of the units fit. */
  overflow: string | undefined;
  overflowIndex: number;
}

function fittingWindow(units: readonly Unit[], start: number, limit: number): FittingWindow {
  const graphemes: { text: string; index: number }[] = [];
  let used = 0;

  for (let index = start; index < units.length; index += 1) {
    const unit = units[index];
    if (unit?.kind !== 'text') {
      continue;
    }
    if (used + unit.text.length > limit) {
      return { graphemes, overflow: unit.text, overflowIndex: index };
    }
    used += unit.text.length;
    graphemes.push({ text: unit.text, index });
  }
  return { graphemes, overflow: undefined, overflowIndex: -1 };
}

/** Replaces a grapheme that is longer than the limit on its own with its code points. */
function splitOversizedGrapheme(units: Unit[], index: number): void {
  const unit = units[index];
  if (unit?.kind !== 'text') {
    return;
  }
  const codePoints: Unit[] = Array.from(unit.text, (codePoint) => ({ kind: 'text', text: codePoint }));
  units.splice(index, 1, ...codePoints);
}

/**
 * Removes the whitespace that follows a cut, keeping any tags in it. Spaces and tabs after a
 * line break stay, because they indent the next line.
 */
function removeLeadingWhitespace(units: Unit[], start: number, cutAtLineBreak: boolean): void {
  let afterLineBreak = cutAtLineBreak;
  let index = start;

  while (index < units.length) {
    const unit = units[index];
    if (unit?.kind !== 'text') {
      index += 1;
    } else if (isLineBreak(unit.text)) {
      afterLineBreak = true;
      units.splice(index, 1);
    } else if (isWhitespace(unit.text) && !afterLineBreak) {
      units.splice(index, 1);
    } else {
      return;
    }
  }
}

/** Removes whitespace at the end of `body`, keeping tags, and reports whether a line break was removed. */
function trimTrailingWhitespace(body: Unit[]): boolean {
  let removedLineBreak = false;

  for (let index = body.length - 1; index >= 0; index -= 1) {
    const unit = body[index];
    if (unit?.kind !== 'text') {
      continue;
    }
    if (!isWhitespace(unit.text)) {
      break;
    }
    removedLineBreak ||= isLineBreak(unit.text);
    body.splice(index, 1);
  }
  return removedLineBreak;
}

/** Returns the tags still open after `body`, given the tags open before it. */
function applyTags(openBefore: readonly OpenUnit[], body: readonly Unit[]): OpenUnit[] {
  const open = [...openBefore];
  for (const unit of body) {
    if (unit.kind === 'open') {
      open.push(unit);
    } else if (unit.kind === 'close') {
      const matching = open.findLastIndex((candidate) => candidate.name === unit.name);
      if (matching !== -1) {
        open.splice(matching, 1);
      }
    }
  }
  return open;
}
