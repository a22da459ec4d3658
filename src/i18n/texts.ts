import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/values.js';
import type { Locale } from '../engine/types.js';

export type TextVariables = Record<string, string | number>;

/**
 * Every text the bot shows, read from `ui_text_configs`. The catalog is cached in memory
 * and reloaded after an admin changes a text, so an override shows on the next message.
 */
export class TextCatalog {
  #texts = new Map<string, string>();
  #loaded = false;

  constructor(private readonly db: Kysely<Database>) {}

  async load(): Promise<void> {
    const rows = await this.db.selectFrom('ui_text_configs').select(['key', 'locale', 'value']).execute();
    const texts = new Map<string, string>();
    for (const row of rows) texts.set(`${row.locale}:${row.key}`, row.value);
    this.#texts = texts;
    this.#loaded = true;
  }

  /**
   * Returns the text for `key` in `locale` with `{name}` placeholders filled. Falls back to
   * English, then to the key itself, so a missing row shows something a developer can find.
   */
  t(locale: Locale, key: string, variables: TextVariables = {}): string {
    if (!this.#loaded) throw new Error('TextCatalog.load() must run before texts are read.');
    const template = this.#texts.get(`${locale}:${key}`) ?? this.#texts.get(`en:${key}`) ?? key;
    return fillPlaceholders(template, variables);
  }

  has(locale: Locale, key: string): boolean {
    return this.#texts.has(`${locale}:${key}`);
  }

  /** Keys present in the catalog, for listing and validation. */
  keys(): string[] {
    return [...new Set([...this.#texts.keys()].map((entry) => entry.slice(entry.indexOf(':') + 1)))].sort();
  }

  /** Stores an admin's override of one text and reloads the catalog. */
  async set(key: string, locale: Locale, value: string): Promise<void> {
    const now = nowIso();
    await this.db
      .insertInto('ui_text_configs')
      .values({ key, locale, value, category: key.split('.')[0] ?? 'general', description: null, updated_at: now })
      .onConflict((conflict) => conflict.columns(['key', 'locale']).doUpdateSet({ value, updated_at: now }))
      .execute();
    await this.load();
  }
}

export function fillPlaceholders(template: string, variables: TextVariables): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    Object.hasOwn(variables, name) ? String(variables[name]) : match,
  );
}
