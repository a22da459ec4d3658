/**
 * Grapheme segmentation and cut-point selection shared by the Telegram and Discord splitters.
 * Lengths are UTF-16 code units, which is what Telegram counts and never less than Discord's count.
 */

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Splits `text` into grapheme clusters, so that a cut never separates a surrogate pair, an
 * emoji ZWJ sequence, a skin-tone modifier or a combining mark from its base.
 */
export function splitGraphemes(text: string): string[] {
  return Array.from(graphemeSegmenter.segment(text), (segment) => segment.segment);
}

/**
 * Chooses where to cut a run of graphemes that does not fit in `budget` UTF-16 units, and
 * returns how many graphemes go before the cut.
 *
 * A cut goes at a paragraph break (blank line), else at a line break, else at a space, else
 * after the last grapheme that fits. The whitespace of a break may be the first grapheme that
 * does not fit. A break counts only if the text before it
 * fills at least half of `budget`, so an early paragraph break does not leave a tiny chunk.
 * Returns 0 when the first grapheme alone is longer than `budget`. The caller then has to
 * split that grapheme by code point.
 */
export function chooseCut(graphemes: readonly string[], budget: number): number {
  const minimumFill = budget / 2;
  let used = 0;
  let fitting = 0;
  let paragraphCut = 0;
  let lineCut = 0;
  let spaceCut = 0;

  for (const [index, grapheme] of graphemes.entries()) {
    const fits = used + grapheme.length <= budget;
    if (fits) {
      used += grapheme.length;
      fitting = index + 1;
    }

    // A break counts when its whitespace fits, and also when it is the first grapheme that
    // does not fit, because the cut then removes that whitespace.
    const cut = fits ? fitting : index;
    if (used >= minimumFill) {
      if (isLineBreak(grapheme)) {
        if (index > 0 && isLineBreak(graphemes[index - 1] ?? '')) {
          paragraphCut = cut;
        } else {
          lineCut = cut;
        }
      } else if (isWhitespace(grapheme)) {
        spaceCut = cut;
      }
    }

    if (!fits) {
      break;
    }
  }

  return paragraphCut || lineCut || spaceCut || fitting;
}

export function isLineBreak(grapheme: string): boolean {
  return grapheme === '\n' || grapheme === '\r\n' || grapheme === '\r';
}

export function isWhitespace(grapheme: string): boolean {
  return /^\s+$/u.test(grapheme);
}
