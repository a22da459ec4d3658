import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/values.js';

export type SettingValue = string | number | boolean | unknown[] | Record<string, unknown> | null;

/** Thrown when a setting cannot be changed; the message names the key and the reason. */
export class SettingError extends Error {
  constructor(
    message: string,
    readonly key: string,
    readonly code: 'not_found' | 'not_editable' | 'invalid_value',
  ) {
    super(message);
    this.name = 'SettingError';
  }
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on', 'evet']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', 'hayır', 'hayir']);

/** Parses a boolean written as true/1/yes/on or false/0/no/off; undefined when it is neither. */
export function parseBooleanWord(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value !== 'string') return undefined;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

/**
 * Decimal notation only: `Number()` alone would also take `0x10`, `0b11` and `1e3` for an
 * integer, which an admin typing a limit almost certainly did not mean.
 */
const INTEGER_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** Converts stored setting text to its typed value according to `value_type`. */
export function parseSettingValue(raw: string, valueType: string): SettingValue {
  switch (valueType) {
    case 'integer': {
      const value = Number(raw.trim());
      if (!INTEGER_TEXT.test(raw.trim()) || !Number.isSafeInteger(value)) {
        throw new Error(`expected an integer, got "${raw}"`);
      }
      return value;
    }
    case 'float': {
      const value = Number(raw.trim());
      if (!FLOAT_TEXT.test(raw.trim()) || !Number.isFinite(value)) throw new Error(`expected a number, got "${raw}"`);
      return value;
    }
    case 'boolean': {
      const value = parseBooleanWord(raw);
      if (value === undefined) throw new Error(`expected true or false, got "${raw}"`);
      return value;
    }
    case 'json':
      return JSON.parse(raw) as SettingValue;
    default:
      return raw;
  }
}

/** Settings that take one of a few words; any other value is rejected when set. */
const ALLOWED_WORDS: Record<string, readonly string[]> = {
  'access.mode': ['open', 'invite'],
  'i18n.default_locale': ['tr', 'en'],
};

/**
 * Checks a parsed value against the rules a value type cannot express: the allowed words of a
 * setting, and no negative numbers (every numeric setting is a count, size, rate or duration,
 * where 0 means none or off). Returns the problem, or undefined when the value is fine.
 */
export function settingValueProblem(key: string, value: SettingValue): string | undefined {
  const allowed = ALLOWED_WORDS[key];
  if (allowed && (typeof value !== 'string' || !allowed.includes(value))) {
    return `expected one of ${allowed.join(', ')}, got "${String(value)}"`;
  }
  if (typeof value === 'number' && value < 0) return `expected 0 or more, got ${value}`;
  return undefined;
}

interface CachedSetting {
  value: SettingValue;
  valueType: string;
  isSecret: boolean;
  isEditable: boolean;
}

/**
 * Typed, cached view of `system_configs`. Reads never hit the database after `load()`;
 * `set()` writes through and updates the cache.
 */
export class SystemSettings {
  #settings = new Map<string, CachedSetting>();

  constructor(private readonly db: Kysely<Database>) {}

  async load(): Promise<void> {
    const rows = await this.db.selectFrom('system_configs').selectAll().execute();
    const settings = new Map<string, CachedSetting>();
    for (const row of rows) {
      let value: SettingValue;
      try {
        value = parseSettingValue(row.value, row.value_type);
      } catch {
        // A hand-edited row with a bad value falls back to its default rather than stopping the bot.
        value = row.default_value === null ? null : safeParse(row.default_value, row.value_type);
      }
      settings.set(row.key, {
        value,
        valueType: row.value_type,
        isSecret: row.is_secret === 1,
        isEditable: row.is_editable === 1,
      });
    }
    this.#settings = settings;
  }

  get(key: string): SettingValue | undefined {
    return this.#settings.get(key)?.value;
  }

  number(key: string, fallback: number): number {
    const value = this.get(key);
    return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
  }

  string(key: string, fallback: string): string {
    const value = this.get(key);
    return typeof value === 'string' ? value : fallback;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.get(key);
    return typeof value === 'boolean' ? value : fallback;
  }

  isSecret(key: string): boolean {
    return this.#settings.get(key)?.isSecret ?? false;
  }

  /** Keys with their display value; secret values are masked. */
  list(): Array<{ key: string; value: string; valueType: string; isEditable: boolean; isSecret: boolean }> {
    return [...this.#settings.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, setting]) => ({
        key,
        value: setting.isSecret ? maskSecret(setting.value) : displayValue(setting.value),
        valueType: setting.valueType,
        isEditable: setting.isEditable,
        isSecret: setting.isSecret,
      }));
  }

  /**
   * Parses `raw` by the key's `value_type` and stores it. Rejects unknown keys, read-only
   * keys and values that do not parse.
   */
  async set(key: string, raw: string, updatedBy: string): Promise<SettingValue> {
    const current = this.#settings.get(key);
    if (!current) throw new SettingError(`Setting "${key}" does not exist.`, key, 'not_found');
    if (!current.isEditable) throw new SettingError(`Setting "${key}" is read-only.`, key, 'not_editable');

    let value: SettingValue;
    try {
      value = parseSettingValue(raw, current.valueType);
    } catch (error) {
      // The parse error quotes the input, which must not reach a chat or a log for a secret.
      const reason = current.isSecret ? `expected a ${current.valueType} value` : (error as Error).message;
      throw new SettingError(`Invalid value for "${key}": ${reason}.`, key, 'invalid_value');
    }
    const problem = settingValueProblem(key, value);
    if (problem) {
      throw new SettingError(`Invalid value for "${key}": ${current.isSecret ? 'not allowed' : problem}.`, key, 'invalid_value');
    }

    // A JSON setting is stored as JSON even when its value is a string, so `load()` can parse it.
    const stored = typeof value === 'string' && current.valueType !== 'json' ? value : JSON.stringify(value);
    await this.db
      .updateTable('system_configs')
      .set({ value: stored, updated_at: nowIso(), updated_by: updatedBy })
      .where('key', '=', key)
      .execute();
    this.#settings.set(key, { ...current, value });
    return value;
  }
}

function safeParse(raw: string, valueType: string): SettingValue {
  try {
    return parseSettingValue(raw, valueType);
  } catch {
    return null;
  }
}

function displayValue(value: SettingValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function maskSecret(value: SettingValue): string {
  return value === null || value === '' ? '(empty)' : '••••••';
}
