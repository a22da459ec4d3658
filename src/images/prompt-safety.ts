/**
 * Checks for strict mode (`permissions.censorship_level` 2) on image prompts.
 *
 * NOTE: this is a basic word filter, not content moderation. It matches word beginnings from
 * a short English and Turkish list, so misspellings, other languages and indirect wording get
 * through, and the strict negative prompt is the only other guard. Replace it with a
 * moderation model call if strict users must be kept from explicit images reliably.
 */

/** Added to the negative prompt in strict mode. */
export const STRICT_NEGATIVE_PROMPT = 'nsfw, nude, nudity, naked, explicit, sexual content, porn, gore, blood';

/**
 * Word beginnings that reject a prompt in strict mode, lower-case. A word of the prompt that
 * starts with one of them matches, so `porn` also catches `pornographic`.
 */
const BLOCKED_WORD_STARTS: readonly string[] = [
  // English
  'nsfw',
  'nude',
  'nudity',
  'naked',
  'porn',
  'sex',
  'hentai',
  'erotic',
  'genital',
  'penis',
  'vagina',
  'topless',
  'boob',
  'nipple',
  // Turkish
  'çıplak',
  'ciplak',
  'seks',
  'erotik',
  'cinsel',
  'sevişme',
  'sevisme',
  'üstsüz',
  'ustsuz',
  'meme ucu',
];

/**
 * Returns the first blocked word beginning found in `prompt`, or undefined. The prompt is
 * compared after NFKC normalization and lower-casing both ways (Turkish lower-casing turns
 * `I` into `ı`, which would hide English words such as `EXPLICIT`).
 */
export function findBlockedWord(prompt: string): string | undefined {
  const normalized = prompt.normalize('NFKC');
  const variants = new Set([normalized.toLowerCase(), normalized.toLocaleLowerCase('tr')]);

  for (const text of variants) {
    const words = ` ${text.split(/[^\p{L}\p{N}]+/u).join(' ')}`;
    const found = BLOCKED_WORD_STARTS.find((start) => words.includes(` ${start}`));
    if (found) return found;
  }
  return undefined;
}
