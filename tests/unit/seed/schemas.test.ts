import { describe, expect, it } from 'vitest';

import {
  extractPlaceholders,
  formatSettingValue,
  settingCategory,
  systemConfigSchema,
} from '../../../src/seed/schemas.js';

const base = { description: 'x', is_secret: false, is_editable: true };

describe('extractPlaceholders', () => {
  it('returns sorted distinct names', () => {
    expect(extractPlaceholders('{b} and {a}, again {b}')).toEqual(['a', 'b']);
  });

  it('ignores text without placeholders', () => {
    expect(extractPlaceholders('no braces, {} or { spaced }')).toEqual([]);
  });
});

describe('settingCategory', () => {
  it('uses the prefix before the first dot', () => {
    expect(settingCategory('access.mode')).toBe('access');
    expect(settingCategory('limits.user.daily_chat')).toBe('limits');
  });
});

describe('formatSettingValue', () => {
  it('formats each value type', () => {
    const cases = [
      [{ key: 'a.b', value_type: 'string', value: 'open' }, 'open'],
      [{ key: 'a.b', value_type: 'integer', value: 24 }, '24'],
      [{ key: 'a.b', value_type: 'float', value: 0.5 }, '0.5'],
      [{ key: 'a.b', value_type: 'boolean', value: false }, 'false'],
      [{ key: 'a.b', value_type: 'boolean', value: true }, 'true'],
      [{ key: 'a.b', value_type: 'json', value: { x: [1, 'y'] } }, '{"x":[1,"y"]}'],
    ] as const;

    for (const [input, expected] of cases) {
      const setting = systemConfigSchema.parse({ ...base, ...input });
      expect(formatSettingValue(setting), input.value_type).toBe(expected);
    }
  });
});

describe('systemConfigSchema', () => {
  it('rejects a float as integer', () => {
    const result = systemConfigSchema.safeParse({
      ...base,
      key: 'cache.ttl_hours',
      value_type: 'integer',
      value: 1.5,
    });
    expect(result.success).toBe(false);
  });

  it('rejects an unknown value type', () => {
    const result = systemConfigSchema.safeParse({
      ...base,
      key: 'cache.ttl_hours',
      value_type: 'date',
      value: '2026-01-01',
    });
    expect(result.success).toBe(false);
  });
});
