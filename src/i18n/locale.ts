import { SUPPORTED_LOCALES, type Locale } from '../engine/types.js';

/**
 * Maps a platform language tag (Telegram `language_code` such as `tr` or `en-GB`, a Discord
 * locale such as `tr` or `en-US`) to a supported locale, or undefined when unsupported.
 */
export function toSupportedLocale(languageTag: string | null | undefined): Locale | undefined {
  if (!languageTag) return undefined;
  const primary = languageTag.trim().toLowerCase().split(/[-_]/)[0];
  return SUPPORTED_LOCALES.find((locale) => locale === primary);
}

export interface LocaleSources {
  /** Set with `/language`; wins over everything else. */
  explicitPreference?: string | null;
  /** The language the platform reports for this event. */
  platformLanguage?: string | null;
  /** The last locale seen for this user, for events that carry none (Discord DMs). */
  inferredPreference?: string | null;
  /** `i18n.default_locale` from system settings. */
  systemDefault?: string | null;
}

/** Picks the user's locale: explicit choice, then platform language, then last seen, then the system default. */
export function resolveLocale(sources: LocaleSources): Locale {
  return (
    toSupportedLocale(sources.explicitPreference) ??
    toSupportedLocale(sources.platformLanguage) ??
    toSupportedLocale(sources.inferredPreference) ??
    toSupportedLocale(sources.systemDefault) ??
    'en'
  );
}

/**
 * Lower-cases with the casing rules of the locale: in Turkish `I` becomes `ı` and `İ`
 * becomes `i`, which `String.prototype.toLowerCase` gets wrong.
 */
export function lowerCaseFor(text: string, locale: Locale): string {
  return locale === 'tr' ? text.toLocaleLowerCase('tr-TR') : text.toLocaleLowerCase('en-US');
}

/** Upper-cases with the casing rules of the locale (`i` becomes `İ` in Turkish). */
export function upperCaseFor(text: string, locale: Locale): string {
  return locale === 'tr' ? text.toLocaleUpperCase('tr-TR') : text.toLocaleUpperCase('en-US');
}
