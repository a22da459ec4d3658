import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { TextCatalog, fillPlaceholders } from '../../../src/i18n/texts.js';
import { createTempDatabase } from '../../support/temp-db.js';
import type { TempDatabase } from '../../support/temp-db.js';

const UPDATED_AT = '2026-12-04T19:37:03.000Z';

let temp: TempDatabase;

beforeEach(async () => {
  temp = await createTempDatabase();
  await temp.db
    .insertInto('ui_text_configs')
    .values([
      { key: 'welcome', locale: 'en', value: 'Hi {name}! I am {assistant}.', category: 'general', description: null, updated_at: UPDATED_AT },
      { key: 'welcome', locale: 'tr', value: 'Merhaba {name}! Ben {assistant}.', category: 'general', description: null, updated_at: UPDATED_AT },
      { key: 'only.english', locale: 'en', value: 'English only', category: 'only', description: null, updated_at: UPDATED_AT },
    ])
    .execute();
});

afterEach(async () => {
  await temp.cleanup();
});

async function loadedCatalog(): Promise<TextCatalog> {
  const catalog = new TextCatalog(temp.db);
  await catalog.load();
  return catalog;
}

describe('TextCatalog.t', () => {
  it('fills placeholders', async () => {
    const catalog = await loadedCatalog();

    expect(catalog.t('tr', 'welcome', { name: 'Ayşe', assistant: 'Nova' })).toBe('Merhaba Ayşe! Ben Nova.');
    expect(catalog.t('en', 'welcome', { name: 'Sam', assistant: 'Nova' })).toBe('Hi Sam! I am Nova.');
  });

  it('formats numbers', async () => {
    const catalog = await loadedCatalog();

    expect(catalog.t('en', 'welcome', { name: 7, assistant: 0 })).toBe('Hi 7! I am 0.');
  });

  it('leaves unknown placeholders as written', async () => {
    const catalog = await loadedCatalog();

    expect(catalog.t('en', 'welcome', { name: 'Sam' })).toBe('Hi Sam! I am {assistant}.');
  });

  it('inserts values literally', async () => {
    const catalog = await loadedCatalog();

    expect(catalog.t('en', 'welcome', { name: '$& {assistant}', assistant: 'Nova' })).toBe('Hi $& {assistant}! I am Nova.');
  });

  it('falls back to English', async () => {
    const catalog = await loadedCatalog();

    expect(catalog.t('tr', 'only.english')).toBe('English only');
  });

  it('falls back to the key', async () => {
    const catalog = await loadedCatalog();

    expect(catalog.t('tr', 'missing.key')).toBe('missing.key');
  });

  it('throws before load', () => {
    const catalog = new TextCatalog(temp.db);

    expect(() => catalog.t('en', 'welcome')).toThrow(/load\(\)/);
  });
});

describe('TextCatalog.has and keys', () => {
  it('reports texts per locale', async () => {
    const catalog = await loadedCatalog();

    expect(catalog.has('en', 'only.english')).toBe(true);
    expect(catalog.has('tr', 'only.english')).toBe(false);
  });

  it('lists each key once, sorted', async () => {
    const catalog = await loadedCatalog();

    expect(catalog.keys()).toEqual(['only.english', 'welcome']);
  });
});

describe('TextCatalog.set', () => {
  it('overrides a text at once', async () => {
    const catalog = await loadedCatalog();

    await catalog.set('welcome', 'tr', 'Selam {name}!');

    expect(catalog.t('tr', 'welcome', { name: 'Ayşe' })).toBe('Selam Ayşe!');
    expect(catalog.t('en', 'welcome', { name: 'Sam', assistant: 'Nova' })).toBe('Hi Sam! I am Nova.');
  });

  it('stores the override', async () => {
    const catalog = await loadedCatalog();
    await catalog.set('welcome', 'tr', 'Selam {name}!');

    const fresh = await loadedCatalog();

    expect(fresh.t('tr', 'welcome', { name: 'Ayşe' })).toBe('Selam Ayşe!');
  });

  it('adds a missing locale', async () => {
    const catalog = await loadedCatalog();

    await catalog.set('only.english', 'tr', 'Sadece Türkçe');

    expect(catalog.t('tr', 'only.english')).toBe('Sadece Türkçe');
    const row = await temp.db
      .selectFrom('ui_text_configs')
      .select('category')
      .where('key', '=', 'only.english')
      .where('locale', '=', 'tr')
      .executeTakeFirstOrThrow();
    expect(row.category).toBe('only');
  });
});

describe('fillPlaceholders', () => {
  it('fills repeated placeholders', () => {
    expect(fillPlaceholders('{a}-{a}-{b}', { a: 1, b: 'x' })).toBe('1-1-x');
  });

  it('ignores inherited properties', () => {
    expect(fillPlaceholders('{toString} {constructor}', {})).toBe('{toString} {constructor}');
  });

  it('leaves double braces around the value', () => {
    expect(fillPlaceholders('{{name}}', { name: 'Sam' })).toBe('{Sam}');
  });
});
