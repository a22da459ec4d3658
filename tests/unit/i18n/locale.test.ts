import { describe, expect, it } from 'vitest';

import { lowerCaseFor, resolveLocale, toSupportedLocale, upperCaseFor } from '../../../src/i18n/locale.js';

describe('toSupportedLocale', () => {
  it.each([
    ['tr', 'tr'],
    ['tr-TR', 'tr'],
    ['TR_tr', 'tr'],
    ['en', 'en'],
    ['en-GB', 'en'],
    ['en-US', 'en'],
    [' en ', 'en'],
  ])('maps %j to %s', (tag, expected) => {
    expect(toSupportedLocale(tag)).toBe(expected);
  });

  it.each(['de', 'de-DE', 'pt-BR', 'english', 'e', '-', ''])('rejects %j', (tag) => {
    expect(toSupportedLocale(tag)).toBeUndefined();
  });

  it('rejects null and undefined', () => {
    expect(toSupportedLocale(undefined)).toBeUndefined();
    expect(toSupportedLocale(null)).toBeUndefined();
  });
});

describe('resolveLocale', () => {
  it('prefers the explicit choice', () => {
    const locale = resolveLocale({ explicitPreference: 'tr', platformLanguage: 'en-GB', inferredPreference: 'en', systemDefault: 'en' });

    expect(locale).toBe('tr');
  });

  it('uses the platform language before the last seen locale', () => {
    expect(resolveLocale({ platformLanguage: 'en-GB', inferredPreference: 'tr', systemDefault: 'tr' })).toBe('en');
  });

  it('uses the last seen locale when the platform sends none', () => {
    expect(resolveLocale({ platformLanguage: undefined, inferredPreference: 'tr', systemDefault: 'en' })).toBe('tr');
  });

  it('skips an unsupported platform language', () => {
    expect(resolveLocale({ platformLanguage: 'de', inferredPreference: 'tr', systemDefault: 'en' })).toBe('tr');
  });

  it('skips an unsupported explicit choice', () => {
    expect(resolveLocale({ explicitPreference: 'fr', platformLanguage: 'tr' })).toBe('tr');
  });

  it('falls back to the system default', () => {
    expect(resolveLocale({ platformLanguage: 'de', systemDefault: 'tr' })).toBe('tr');
  });

  it('falls back to English last', () => {
    expect(resolveLocale({})).toBe('en');
    expect(resolveLocale({ platformLanguage: 'de', systemDefault: 'de' })).toBe('en');
  });
});

describe('lowerCaseFor', () => {
  it('lower-cases Turkish dotted and dotless I in tr', () => {
    expect(lowerCaseFor('İSTANBUL', 'tr')).toBe('istanbul');
    expect(lowerCaseFor('ISPARTA', 'tr')).toBe('ısparta');
    expect(lowerCaseFor('IĞDIR', 'tr')).toBe('ığdır');
  });

  it('lower-cases I to i in en', () => {
    expect(lowerCaseFor('ISTANBUL', 'en')).toBe('istanbul');
  });

  it('leaves lower-case text alone', () => {
    expect(lowerCaseFor('ığdır istanbul', 'tr')).toBe('ığdır istanbul');
  });
});

describe('upperCaseFor', () => {
  it('upper-cases Turkish i and ı in tr', () => {
    expect(upperCaseFor('istanbul', 'tr')).toBe('İSTANBUL');
    expect(upperCaseFor('ısparta', 'tr')).toBe('ISPARTA');
  });

  it('upper-cases i to I in en', () => {
    expect(upperCaseFor('istanbul', 'en')).toBe('ISTANBUL');
  });

  it('round-trips Turkish text', () => {
    const text = 'ılık iğne ışık İzmir';

    expect(lowerCaseFor(upperCaseFor(text, 'tr'), 'tr')).toBe('ılık iğne ışık izmir');
  });
});
