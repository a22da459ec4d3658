import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { canUseLocal, effectiveLimits, parsePermissions, roleOf, routerAccessFor } from '../../../src/engine/permissions.js';
import { SystemSettings } from '../../../src/engine/settings.js';
import { createTempDatabase } from '../../support/temp-db.js';
import type { TempDatabase } from '../../support/temp-db.js';

const NOW = '2026-12-04T19:37:03.000Z';

describe('roleOf', () => {
  it('keeps known roles', () => {
    expect(roleOf({ role: 'admin' })).toBe('admin');
    expect(roleOf({ role: 'vip' })).toBe('vip');
  });

  it('maps unknown roles to user', () => {
    expect(roleOf({ role: 'superuser' })).toBe('user');
    expect(roleOf({ role: 'Admin' })).toBe('user');
  });
});

describe('parsePermissions', () => {
  it('uses defaults for an empty object', () => {
    expect(parsePermissions('{}')).toEqual({ canUseImage: true, canUseLocalChat: false, censorshipLevel: 1 });
  });

  it.each(['', 'not json', 'null', '[]', '"text"', '42'])('uses defaults for %j', (json) => {
    expect(parsePermissions(json)).toEqual({ canUseImage: true, canUseLocalChat: false, censorshipLevel: 1 });
  });

  it.each([true, 'true', '1', 'yes', 'on', 'YES', 1])('reads can_use_local_chat %j as true', (value) => {
    expect(parsePermissions(JSON.stringify({ can_use_local_chat: value })).canUseLocalChat).toBe(true);
  });

  it.each([false, 'false', '0', 'no', 'off', 0])('reads can_use_image %j as false', (value) => {
    expect(parsePermissions(JSON.stringify({ can_use_image: value })).canUseImage).toBe(false);
  });

  it('falls back on unreadable booleans', () => {
    const permissions = parsePermissions('{"can_use_image":"maybe","can_use_local_chat":"perhaps"}');

    expect(permissions.canUseImage).toBe(true);
    expect(permissions.canUseLocalChat).toBe(false);
  });

  it.each([
    [0, 0],
    ['0', 0],
    [1, 1],
    [2, 2],
    ['2', 2],
    [' 2 ', 2],
  ])('reads censorship_level %j', (value, expected) => {
    expect(parsePermissions(JSON.stringify({ censorship_level: value })).censorshipLevel).toBe(expected);
  });

  it.each([[3], [-1], [1.5], ['strict'], [''], [' '], [null], [false], [true], [[]], [[0]], [{}]])(
    'reads censorship_level %j as normal',
    (value) => {
      expect(parsePermissions(JSON.stringify({ censorship_level: value })).censorshipLevel).toBe(1);
    },
  );
});

describe('canUseLocal', () => {
  const base = { role: 'user', bela_unlocked: 0, permissions: '{}' };

  it('refuses a plain user', () => {
    expect(canUseLocal(base)).toBe(false);
  });

  it('allows an admin', () => {
    expect(canUseLocal({ ...base, role: 'admin' })).toBe(true);
  });

  it('allows bela_unlocked', () => {
    expect(canUseLocal({ ...base, bela_unlocked: 1 })).toBe(true);
  });

  it('allows can_use_local_chat', () => {
    expect(canUseLocal({ ...base, permissions: '{"can_use_local_chat":"on"}' })).toBe(true);
  });

  it('refuses a vip without a grant', () => {
    expect(canUseLocal({ ...base, role: 'vip' })).toBe(false);
  });
});

describe('routerAccessFor', () => {
  it('combines local access and censorship', () => {
    const access = routerAccessFor({ role: 'user', bela_unlocked: 1, permissions: '{"censorship_level":2}' });

    expect(access).toEqual({ canUseLocal: true, censorshipLevel: 2 });
  });
});

describe('effectiveLimits', () => {
  let temp: TempDatabase;
  let settings: SystemSettings;

  async function addLimit(key: string, value: string): Promise<void> {
    await temp.db
      .insertInto('system_configs')
      .values({
        key,
        value,
        value_type: 'integer',
        category: 'limits',
        description: null,
        is_secret: 0,
        is_editable: 1,
        default_value: null,
        created_at: NOW,
        updated_at: NOW,
        updated_by: null,
      })
      .execute();
  }

  beforeEach(async () => {
    temp = await createTempDatabase();
    await addLimit('limits.user.daily_chat', '7');
    await addLimit('limits.user.per_minute', '3');
    await addLimit('limits.vip.daily_chat', '70');
    settings = new SystemSettings(temp.db);
    await settings.load();
  });

  afterEach(async () => {
    await temp.cleanup();
  });

  it('reads role defaults from settings', () => {
    const limits = effectiveLimits({ role: 'user', limits: '{}' }, settings);

    expect(limits.daily_chat).toBe(7);
    expect(limits.per_minute).toBe(3);
  });

  it('uses built-in user defaults for missing settings', () => {
    const limits = effectiveLimits({ role: 'user', limits: '{}' }, settings);

    expect(limits.daily_cloud).toBe(100);
    expect(limits.daily_local).toBe(50);
    expect(limits.daily_image).toBe(10);
  });

  it('uses vip defaults', () => {
    const limits = effectiveLimits({ role: 'vip', limits: '{}' }, settings);

    expect(limits).toEqual({ daily_chat: 70, daily_cloud: 500, daily_local: 200, daily_image: 50, per_minute: 30 });
  });

  it('treats an unknown role as user', () => {
    expect(effectiveLimits({ role: 'guest', limits: '{}' }, settings).daily_chat).toBe(7);
  });

  it('makes admins unlimited', () => {
    const limits = effectiveLimits({ role: 'admin', limits: '{"daily_chat":5}' }, settings);

    expect(limits).toEqual({ daily_chat: 0, daily_cloud: 0, daily_local: 0, daily_image: 0, per_minute: 0 });
  });

  it('prefers the user own key', () => {
    const limits = effectiveLimits({ role: 'vip', limits: '{"daily_chat":5,"per_minute":"2"}' }, settings);

    expect(limits.daily_chat).toBe(5);
    expect(limits.per_minute).toBe(2);
    expect(limits.daily_cloud).toBe(500);
  });

  it('passes 0 through as unlimited', () => {
    const limits = effectiveLimits({ role: 'user', limits: '{"daily_chat":0,"daily_image":"0"}' }, settings);

    expect(limits.daily_chat).toBe(0);
    expect(limits.daily_image).toBe(0);
  });

  it.each([[-1], ['-5'], ['many'], [''], [' '], [null], [true], [false], [[]], [[5]], [{}], ['Infinity']])(
    'ignores own value %j',
    (value) => {
      const limits = effectiveLimits({ role: 'user', limits: JSON.stringify({ daily_chat: value }) }, settings);

      expect(limits.daily_chat).toBe(7);
    },
  );

  it.each(['', 'not json', 'null', '[]', '3'])('ignores limits column %j', (json) => {
    expect(effectiveLimits({ role: 'user', limits: json }, settings).daily_chat).toBe(7);
  });
});
