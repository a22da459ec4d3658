/**
 * Removal of reasoning blocks (`<think>...</think>` and `<thinking>...</thinking>`) that reasoning
 * models such as DeepSeek R1 or Qwen 3 write into their answer text. Tags match case-insensitively
 * and anywhere in the text. A block still open when the text ends is dropped with its content.
 */

interface TagPair {
  open: string;
  close: string;
}

/** Longer tags first, so that `<thinking>` is never read as `<think>` followed by `ing>`. */
const TAG_PAIRS: readonly TagPair[] = [
  { open: '<thinking>', close: '</thinking>' },
  { open: '<think>', close: '</think>' },
];

/**
 * Incremental filter for streamed text. `push` returns the part of each chunk that is certainly
 * visible. Text that may be the start of a tag is held back until a later chunk decides it, and
 * `end` releases what is left.
 */
export class ThinkBlockFilter {
  /** Received text not yet emitted or discarded. */
  #pending = '';
  /** Close tag of the block being skipped, or null outside any block. */
  #closeTag: string | null = null;

  /** Adds a chunk and returns the newly visible text, possibly empty. */
  push(chunk: string): string {
    this.#pending += chunk;
    let visible = '';

    for (;;) {
      if (this.#closeTag === null) {
        const found = findOpenTag(this.#pending);
        if (found === null) {
          const keep = partialTagLength(this.#pending, TAG_PAIRS.map((pair) => pair.open));
          visible += this.#pending.slice(0, this.#pending.length - keep);
          this.#pending = this.#pending.slice(this.#pending.length - keep);
          return visible;
        }
        visible += this.#pending.slice(0, found.index);
        this.#pending = this.#pending.slice(found.index + found.pair.open.length);
        this.#closeTag = found.pair.close;
      } else {
        const index = asciiLowerCase(this.#pending).indexOf(this.#closeTag);
        if (index === -1) {
          // Only a possible start of the close tag needs keeping: the rest is reasoning.
          const keep = partialTagLength(this.#pending, [this.#closeTag]);
          this.#pending = this.#pending.slice(this.#pending.length - keep);
          return visible;
        }
        this.#pending = this.#pending.slice(index + this.#closeTag.length);
        this.#closeTag = null;
      }
    }
  }

  /** Ends the text: returns held-back visible text, or nothing when a block is still open. */
  end(): string {
    const rest = this.#closeTag === null ? this.#pending : '';
    this.#pending = '';
    this.#closeTag = null;
    return rest;
  }
}

/** Removes every reasoning block from a complete text. */
export function stripThinkBlocks(text: string): string {
  const filter = new ThinkBlockFilter();
  return filter.push(text) + filter.end();
}

function findOpenTag(text: string): { index: number; pair: TagPair } | null {
  const lower = asciiLowerCase(text);
  let best: { index: number; pair: TagPair } | null = null;
  for (const pair of TAG_PAIRS) {
    const index = lower.indexOf(pair.open);
    if (index !== -1 && (best === null || index < best.index)) best = { index, pair };
  }
  return best;
}

/**
 * Length of the longest suffix of `text` that is a proper prefix of one of `tags`, i.e. the part
 * that a following chunk could complete into a tag.
 */
function partialTagLength(text: string, tags: readonly string[]): number {
  const lower = asciiLowerCase(text);
  const longestTag = Math.max(...tags.map((tag) => tag.length));
  for (let length = Math.min(lower.length, longestTag - 1); length > 0; length -= 1) {
    const suffix = lower.slice(lower.length - length);
    if (tags.some((tag) => tag.length > length && tag.startsWith(suffix))) return length;
  }
  return 0;
}

/**
 * Lower-cases A-Z only. `String.prototype.toLowerCase` can change the length (Turkish `İ` becomes
 * two code units), which would shift the indices used to cut the original text.
 */
function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}
