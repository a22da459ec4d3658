import type { Locale } from '../engine/types.js';
import type { TextCatalog } from '../i18n/texts.js';

/**
 * Placeholder words of a usage line, such as KEY and VALUE in `/prefs set KEY VALUE`: two or
 * more capital letters or underscores. Literal words (`set`, `list`, `tr|en`) are lower case,
 * because the commands parse them as typed.
 */
const PLACEHOLDER_WORD = /\b[A-Z][A-Z_]*[A-Z]\b/g;

/**
 * Returns a command's usage line in `locale`. Each placeholder word is replaced by the text
 * `usage.word.<word in lower case>` when the catalog has one, so a Turkish user reads
 * `/prefs set ANAHTAR DEĞER`.
 */
export function localizeUsage(usage: string, locale: Locale, texts: TextCatalog): string {
  return usage.replace(PLACEHOLDER_WORD, (word) => {
    const key = `usage.word.${word.toLowerCase()}`;
    return texts.has(locale, key) ? texts.t(locale, key) : word;
  });
}
