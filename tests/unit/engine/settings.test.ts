import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SettingError, SystemSettings, parseBooleanWord, parseSettingValue, settingValueProblem } from '../../../src/engine/settings.js';
import { createTempDatabase } from '../../support/temp-db.js';
import type { TempDatabase } from '../../support/temp-db.js';

const NOW = '2026-12-04T19:37:03.000Z';

describe('parseBooleanWord', () => {
  it.each(['true', '1', 'yes', 'on', 'evet', 'TRUE', ' Yes ', 'On'])('reads %j as true', (word) => {
    expect(parseBooleanWord(word)).toBe(true);
  });

  it.each(['false', '0', 'no', 'off', 'hayır', 'hayir', 'HAYIR', ' OFF '])('reads %j as false', (word) => {
    expect(parseBooleanWord(word)).toBe(false);
  });

  it.each(['', 'maybe', '2', 'y', 'truee'])('rejects %j', (word) => {
    expect(parseBooleanWord(word)).toBeUndefined();
  });

  it('passes booleans through', () => {
    expect(parseBooleanWord(true)).toBe(true);
    expect(parseBooleanWord(false)).toBe(false);
  });

  it('reads numbers as non-zero', () => {
    expect(parseBooleanWord(1)).toBe(true);
    expect(parseBooleanWord(0)).toBe(false);
  });

  it('rejects other types', () => {
    expect(parseBooleanWord(null)).toBeUndefined();
    expect(parseBooleanWord(undefined)).toBeUndefined();
    expect(parseBooleanWord({})).toBeUndefined();
  });
});

describe('parseSettingValue', () => {
  it('reads integers', () => {
    expect(parseSettingValue('24', 'integer')).toBe(24);
    expect(parseSettingValue(' -3 ', 'integer')).toBe(-3);
    expect(parseSettingValue('0', 'integer')).toBe(0);
  });

  it.each(['', ' ', '1.5', 'abc', '12abc', '0x10', '1e3', 'Infinity', 'NaN', '99999999999999999999'])(
    'rejects integer %j',
    (raw) => {
      expect(() => parseSettingValue(raw, 'integer')).toThrow(/integer/);
    },
  );

  it('reads floats', () => {
    expect(parseSettingValue('0.7', 'float')).toBe(0.7);
    expect(parseSettingValue('-2', 'float')).toBe(-2);
    expect(parseSettingValue('.5', 'float')).toBe(0.5);
    expect(parseSettingValue('1e-3', 'float')).toBe(0.001);
  });

  it.each(['', 'abc', 'Infinity', '-Infinity', 'NaN', '0x10', '1,5'])('rejects float %j', (raw) => {
    expect(() => parseSettingValue(raw, 'float')).toThrow(/number/);
  });

  it('reads booleans', () => {
    expect(parseSettingValue('yes', 'boolean')).toBe(true);
    expect(parseSettingValue('off', 'boolean')).toBe(false);
  });

  it('rejects a non-boolean', () => {
    expect(() => parseSettingValue('maybe', 'boolean')).toThrow(/true or false/);
  });

  it('reads JSON', () => {
    expect(parseSettingValue('{"a":[1,2]}', 'json')).toEqual({ a: [1, 2] });
    expect(parseSettingValue('"text"', 'json')).toBe('text');
    expect(parseSettingValue('null', 'json')).toBeNull();
  });

  it('rejects invalid JSON', () => {
    expect(() => parseSettingValue('{a:1}', 'json')).toThrow();
  });

  it('keeps strings as written', () => {
    expect(parseSettingValue(' open ', 'string')).toBe(' open ');
    expect(parseSettingValue('', 'string')).toBe('');
  });
});

describe('SystemSettings', () => {
  let temp: TempDatabase;

  async function addSetting(
    key: string,
    value: string,
    valueType: string,
    options: { isSecret?: boolean; isEditable?: boolean; defaultValue?: string | null } = {},
  ): Promise<void> {
    await temp.db
      .insertInto('system_configs')
      .values({
        key,
        value,
        value_type: valueType,
        category: key.split('.')[0] ?? 'general',
        description: null,
        is_secret: options.isSecret ? 1 : 0,
        is_editable: options.isEditable === false ? 0 : 1,
        default_value: options.defaultValue ?? null,
        created_at: NOW,
        updated_at: NOW,
        updated_by: null,
      })
      .execute();
  }

  async function loadedSettings(): Promise<SystemSettings> {
    const settings = new SystemSettings(temp.db);
    await settings.load();
    return settings;
  }

  async function settingError(promise: Promise<unknown>): Promise<SettingError> {
    const error = await promise.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(SettingError);
    return error as SettingError;
  }

  beforeEach(async () => {
    temp = await createTempDatabase();
    await addSetting('access.mode', 'open', 'string');
    await addSetting('cache.ttl_hours', '24', 'integer');
    await addSetting('router.temperature', '0.7', 'float');
    await addSetting('preferences.infer', 'false', 'boolean');
    await addSetting('ui.colors', '{"primary":"#123456"}', 'json');
    await addSetting('webhook.secret', 'hunter2-secret', 'string', { isSecret: true });
    await addSetting('webhook.empty_secret', '', 'string', { isSecret: true });
    await addSetting('system.version', '3', 'integer', { isEditable: false });
    await addSetting('webhook.secret_port', '8443', 'integer', { isSecret: true });
    await addSetting('limits.user.daily_chat', 'lots', 'integer', { defaultValue: '100' });
  });

  afterEach(async () => {
    await temp.cleanup();
  });

  describe('load', () => {
    it('types each value', async () => {
      const settings = await loadedSettings();

      expect(settings.get('access.mode')).toBe('open');
      expect(settings.get('cache.ttl_hours')).toBe(24);
      expect(settings.get('router.temperature')).toBe(0.7);
      expect(settings.get('preferences.infer')).toBe(false);
      expect(settings.get('ui.colors')).toEqual({ primary: '#123456' });
    });

    it('falls back to the default of a bad row', async () => {
      const settings = await loadedSettings();

      expect(settings.get('limits.user.daily_chat')).toBe(100);
    });

    it('returns undefined for a missing key', async () => {
      const settings = await loadedSettings();

      expect(settings.get('no.such.key')).toBeUndefined();
    });

    it('uses fallbacks of typed getters', async () => {
      const settings = await loadedSettings();

      expect(settings.number('access.mode', 5)).toBe(5);
      expect(settings.number('cache.ttl_hours', 5)).toBe(24);
      expect(settings.string('cache.ttl_hours', 'x')).toBe('x');
      expect(settings.boolean('access.mode', true)).toBe(true);
      expect(settings.boolean('preferences.infer', true)).toBe(false);
    });
  });

  describe('list', () => {
    it('masks secrets', async () => {
      const settings = await loadedSettings();

      const entries = settings.list();
      const secret = entries.find((entry) => entry.key === 'webhook.secret');

      expect(secret?.value).not.toContain('hunter2');
      expect(secret?.isSecret).toBe(true);
      expect(JSON.stringify(entries)).not.toContain('hunter2');
    });

    it('marks an empty secret as empty', async () => {
      const settings = await loadedSettings();

      expect(settings.list().find((entry) => entry.key === 'webhook.empty_secret')?.value).toBe('(empty)');
    });

    it('shows other values and sorts by key', async () => {
      const settings = await loadedSettings();

      const entries = settings.list();

      expect(entries.map((entry) => entry.key)).toEqual([...entries.map((entry) => entry.key)].sort());
      expect(entries.find((entry) => entry.key === 'cache.ttl_hours')?.value).toBe('24');
      expect(entries.find((entry) => entry.key === 'ui.colors')?.value).toBe('{"primary":"#123456"}');
      expect(entries.find((entry) => entry.key === 'system.version')?.isEditable).toBe(false);
    });
  });

  describe('set', () => {
    it('rejects an unknown key', async () => {
      const settings = await loadedSettings();

      const error = await settingError(settings.set('no.such.key', '1', 'admin'));

      expect(error.code).toBe('not_found');
      expect(error.key).toBe('no.such.key');
      expect(error.message).toContain('no.such.key');
    });

    it('rejects a read-only key', async () => {
      const settings = await loadedSettings();

      const error = await settingError(settings.set('system.version', '4', 'admin'));

      expect(error.code).toBe('not_editable');
      expect(settings.get('system.version')).toBe(3);
    });

    it('rejects an invalid value', async () => {
      const settings = await loadedSettings();

      const error = await settingError(settings.set('cache.ttl_hours', 'soon', 'admin'));

      expect(error.code).toBe('invalid_value');
      expect(error.message).toContain('cache.ttl_hours');
      expect(settings.get('cache.ttl_hours')).toBe(24);
    });

    it('leaves the row alone on error', async () => {
      const settings = await loadedSettings();
      await settingError(settings.set('cache.ttl_hours', 'soon', 'admin'));

      const row = await temp.db.selectFrom('system_configs').selectAll().where('key', '=', 'cache.ttl_hours').executeTakeFirstOrThrow();

      expect(row.value).toBe('24');
      expect(row.updated_by).toBeNull();
    });

    it('updates the cache', async () => {
      const settings = await loadedSettings();

      const value = await settings.set('cache.ttl_hours', ' 48 ', 'telegram:1');

      expect(value).toBe(48);
      expect(settings.get('cache.ttl_hours')).toBe(48);
      expect(settings.number('cache.ttl_hours', 0)).toBe(48);
    });

    it('writes through to the database', async () => {
      const settings = await loadedSettings();
      await settings.set('preferences.infer', 'yes', 'telegram:1');

      const row = await temp.db.selectFrom('system_configs').selectAll().where('key', '=', 'preferences.infer').executeTakeFirstOrThrow();
      const reloaded = await loadedSettings();

      expect(row.updated_by).toBe('telegram:1');
      expect(reloaded.get('preferences.infer')).toBe(true);
    });

    it('round-trips every type', async () => {
      const settings = await loadedSettings();
      await settings.set('access.mode', 'invite', 'admin');
      await settings.set('router.temperature', '1.25', 'admin');
      await settings.set('ui.colors', '["a", 1]', 'admin');

      const reloaded = await loadedSettings();

      expect(reloaded.get('access.mode')).toBe('invite');
      expect(reloaded.get('router.temperature')).toBe(1.25);
      expect(reloaded.get('ui.colors')).toEqual(['a', 1]);
    });

    it('round-trips a JSON string', async () => {
      const settings = await loadedSettings();
      await settings.set('ui.colors', '"dark"', 'admin');

      const reloaded = await loadedSettings();

      expect(settings.get('ui.colors')).toBe('dark');
      expect(reloaded.get('ui.colors')).toBe('dark');
    });

    it('keeps an invalid secret out of the error', async () => {
      const settings = await loadedSettings();

      const error = await settingError(settings.set('webhook.secret_port', 'leaked-port-value', 'admin'));

      expect(error.code).toBe('invalid_value');
      expect(error.message).toContain('webhook.secret_port');
      expect(error.message).not.toContain('leaked-port-value');
    });

    it('keeps a secret out of list after set', async () => {
      const settings = await loadedSettings();
      await settings.set('webhook.secret', 'new-secret-value', 'admin');

      expect(settings.get('webhook.secret')).toBe('new-secret-value');
      expect(JSON.stringify(settings.list())).not.toContain('new-secret-value');
    });
  });
});

describe('settingValueProblem', () => {
  it.each([
    ['access.mode', 'invite', undefined],
    ['access.mode', 'closed', 'expected one of open, invite, got "closed"'],
    ['access.mode', 'Invite', 'expected one of open, invite, got "Invite"'],
    ['i18n.default_locale', 'de', 'expected one of tr, en, got "de"'],
    ['cache.ttl_hours', -5, 'expected 0 or more, got -5'],
    ['telegram.chat_messages_per_second', 0, undefined],
    ['chat.max_input_chars', 4000, undefined],
  ])('%s = %s', (key, value, expected) => {
    expect(settingValueProblem(key, value)).toBe(expected);
  });
});
