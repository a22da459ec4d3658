import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { resolveActor } from '../../../src/engine/actor.js';
import type { ActorServices } from '../../../src/engine/actor.js';
import { setPreference } from '../../../src/engine/preferences.js';
import { SystemSettings } from '../../../src/engine/settings.js';
import type { PlatformUser } from '../../../src/engine/types.js';
import { applyAdminIds, createUser, findUser, touchUser, usernameFor } from '../../../src/engine/users.js';
import { TextCatalog } from '../../../src/i18n/texts.js';
import { loadSeedData } from '../../../src/seed/load-seed-data.js';
import { seedDatabase } from '../../../src/seed/seed-database.js';
import { createTempDatabase } from '../../support/temp-db.js';
import type { TempDatabase } from '../../support/temp-db.js';

const logger = pino({ level: 'silent' });
const seedData = loadSeedData();

const ALICE: PlatformUser = { platform: 'telegram', id: '1001', displayName: 'Alice', username: 'Alice_B', languageCode: 'en-GB' };
const ADMIN: PlatformUser = { platform: 'telegram', id: '42', displayName: 'Root', languageCode: 'tr' };

let temp: TempDatabase;
let services: ActorServices;

async function servicesWith(adminIds: string[] = []): Promise<ActorServices> {
  const settings = new SystemSettings(temp.db);
  await settings.load();
  const texts = new TextCatalog(temp.db);
  await texts.load();
  return { db: temp.db, settings, texts, adminIds: new Set(adminIds), logger };
}

async function userCount(): Promise<number> {
  const rows = await temp.db.selectFrom('users').select('id').execute();
  return rows.length;
}

async function localeRows(userId: number): Promise<Array<{ value: string; source: string; is_active: number }>> {
  return temp.db
    .selectFrom('user_preferences')
    .select(['value', 'source', 'is_active'])
    .where('user_id', '=', userId)
    .where('key', '=', 'locale')
    .orderBy('id')
    .execute();
}

beforeEach(async () => {
  temp = await createTempDatabase();
  await seedDatabase(temp.db, seedData, logger);
  services = await servicesWith(['telegram:42']);
});

afterEach(async () => {
  await temp.cleanup();
});

describe('usernameFor', () => {
  it('joins platform and id', () => {
    expect(usernameFor({ platform: 'discord', id: '123' })).toBe('discord:123');
  });
});

describe('resolveActor in open mode', () => {
  it('creates an unknown user', async () => {
    const resolution = await resolveActor(services, ALICE);

    expect(resolution.kind).toBe('ok');
    if (resolution.kind !== 'ok') return;
    expect(resolution.actor.isNew).toBe(true);
    expect(resolution.actor.user.username).toBe('telegram:1001');
    expect(resolution.actor.user.role).toBe('user');
    expect(resolution.actor.user.display_name).toBe('Alice');
    expect(resolution.actor.user.platform_username).toBe('alice_b');
    expect(resolution.actor.locale).toBe('en');
  });

  it('finds the user on the next event', async () => {
    await resolveActor(services, ALICE);

    const resolution = await resolveActor(services, { ...ALICE, displayName: 'Alice B.' });

    expect(resolution.kind).toBe('ok');
    if (resolution.kind !== 'ok') return;
    expect(resolution.actor.isNew).toBe(false);
    expect(resolution.actor.user.display_name).toBe('Alice B.');
    expect(await userCount()).toBe(1);
  });

  it('creates one user for concurrent first events', async () => {
    const results = await Promise.all([resolveActor(services, ALICE), resolveActor(services, ALICE), resolveActor(services, ALICE)]);

    expect(results.every((result) => result.kind === 'ok')).toBe(true);
    expect(await userCount()).toBe(1);
  });
});

describe('resolveActor in invite mode', () => {
  beforeEach(async () => {
    await services.settings.set('access.mode', 'invite', 'test');
  });

  it('refuses an unknown user', async () => {
    const resolution = await resolveActor(services, { ...ALICE, languageCode: 'tr' });

    expect(resolution.kind).toBe('refused');
    if (resolution.kind !== 'refused') return;
    expect(resolution.reason).toBe('invite_required');
    expect(resolution.locale).toBe('tr');
    expect(resolution.text).toBe(services.texts.t('tr', 'refusal.invite_required'));
    expect(resolution.text).not.toBe('refusal.invite_required');
  });

  it('stores nothing about a refused user', async () => {
    await resolveActor(services, ALICE);

    expect(await userCount()).toBe(0);
    expect(await temp.db.selectFrom('user_preferences').select('id').execute()).toEqual([]);
  });

  it('creates a user who just redeemed a code', async () => {
    const resolution = await resolveActor(services, ALICE, { allowCreate: true });

    expect(resolution.kind).toBe('ok');
    expect(await userCount()).toBe(1);
  });

  it('lets a listed admin in', async () => {
    const resolution = await resolveActor(services, ADMIN);

    expect(resolution.kind).toBe('ok');
    if (resolution.kind !== 'ok') return;
    expect(resolution.actor.user.role).toBe('admin');
  });

  it('lets a known user in', async () => {
    await resolveActor(services, ALICE, { allowCreate: true });

    expect((await resolveActor(services, ALICE)).kind).toBe('ok');
  });
});

describe('resolveActor and ADMIN_IDS', () => {
  it('makes a listed user admin on first contact', async () => {
    const resolution = await resolveActor(services, ADMIN);

    expect(resolution.kind).toBe('ok');
    if (resolution.kind !== 'ok') return;
    expect(resolution.actor.user.role).toBe('admin');
  });

  it('promotes an existing user', async () => {
    await createUser(temp.db, ADMIN, 'user');

    const resolution = await resolveActor(services, ADMIN);

    expect(resolution.kind).toBe('ok');
    if (resolution.kind !== 'ok') return;
    expect(resolution.actor.user.role).toBe('admin');
    expect((await findUser(temp.db, 'telegram:42'))?.role).toBe('admin');
  });

  it('leaves an unlisted user alone', async () => {
    const resolution = await resolveActor(services, ALICE);

    expect(resolution.kind).toBe('ok');
    expect(resolution.kind === 'ok' ? resolution.actor.user.role : undefined).toBe('user');
  });
});

describe('resolveActor and bans', () => {
  async function banAlice(): Promise<void> {
    await createUser(temp.db, ALICE, 'user');
    await temp.db.updateTable('users').set({ is_banned: 1 }).where('username', '=', 'telegram:1001').execute();
  }

  it('refuses a banned user', async () => {
    await banAlice();

    const resolution = await resolveActor(services, ALICE);

    expect(resolution.kind).toBe('refused');
    if (resolution.kind !== 'refused') return;
    expect(resolution.reason).toBe('banned');
    expect(resolution.text).toBe(services.texts.t('en', 'refusal.banned'));
  });

  it('answers a banned user with allowBanned', async () => {
    await banAlice();

    const resolution = await resolveActor(services, ALICE, { allowBanned: true });

    expect(resolution.kind).toBe('ok');
  });

  it('lets a listed admin through a ban', async () => {
    await createUser(temp.db, ADMIN, 'user');
    await temp.db.updateTable('users').set({ is_banned: 1 }).where('username', '=', 'telegram:42').execute();

    expect((await resolveActor(services, ADMIN)).kind).toBe('ok');
  });
});

describe('resolveActor locale', () => {
  it('stores the platform language as inferred', async () => {
    const resolution = await resolveActor(services, { ...ALICE, languageCode: 'tr' });
    if (resolution.kind !== 'ok') throw new Error('expected ok');

    expect(resolution.actor.locale).toBe('tr');
    expect(await localeRows(resolution.actor.user.id)).toEqual([{ value: 'tr', source: 'inferred', is_active: 1 }]);
  });

  it('keeps the last locale for events without a language', async () => {
    await resolveActor(services, { ...ALICE, languageCode: 'tr' });

    const resolution = await resolveActor(services, { ...ALICE, languageCode: undefined });

    expect(resolution.kind).toBe('ok');
    expect(resolution.kind === 'ok' ? resolution.actor.locale : undefined).toBe('tr');
  });

  it('follows a changed platform language', async () => {
    const first = await resolveActor(services, { ...ALICE, languageCode: 'tr' });
    if (first.kind !== 'ok') throw new Error('expected ok');

    const second = await resolveActor(services, { ...ALICE, languageCode: 'en-US' });

    expect(second.kind).toBe('ok');
    expect(second.kind === 'ok' ? second.actor.locale : undefined).toBe('en');
    expect(await localeRows(first.actor.user.id)).toEqual([
      { value: 'tr', source: 'inferred', is_active: 0 },
      { value: 'en', source: 'inferred', is_active: 1 },
    ]);
  });

  it('stores nothing for an unsupported language', async () => {
    const resolution = await resolveActor(services, { ...ALICE, languageCode: 'de' });
    if (resolution.kind !== 'ok') throw new Error('expected ok');

    expect(resolution.actor.locale).toBe('en');
    expect(await localeRows(resolution.actor.user.id)).toEqual([]);
  });

  it('uses the system default without a language', async () => {
    await services.settings.set('i18n.default_locale', 'tr', 'test');

    const resolution = await resolveActor(services, { ...ALICE, languageCode: undefined });

    expect(resolution.kind).toBe('ok');
    expect(resolution.kind === 'ok' ? resolution.actor.locale : undefined).toBe('tr');
  });

  it('lets an explicit choice win', async () => {
    const first = await resolveActor(services, { ...ALICE, languageCode: 'en' });
    if (first.kind !== 'ok') throw new Error('expected ok');
    await setPreference(temp.db, first.actor.user.id, { key: 'locale', value: 'tr', category: 'system', source: 'explicit' });

    const second = await resolveActor(services, { ...ALICE, languageCode: 'en-GB' });

    expect(second.kind).toBe('ok');
    expect(second.kind === 'ok' ? second.actor.locale : undefined).toBe('tr');
    expect((await localeRows(first.actor.user.id)).filter((row) => row.is_active === 1)).toEqual([
      { value: 'tr', source: 'explicit', is_active: 1 },
    ]);
  });
});

describe('users', () => {
  it('creates a user with defaults', async () => {
    const user = await createUser(temp.db, ALICE, 'user');

    expect(user.selected_model).toBe('auto');
    expect(user.active_persona).toBe('standard');
    expect(user.is_banned).toBe(0);
    expect(user.password_hash).toBe('');
    expect(JSON.parse(user.permissions)).toEqual({ can_use_image: true, can_use_local_chat: false, censorship_level: 1 });
  });

  it('returns the existing row on a second create', async () => {
    const first = await createUser(temp.db, ALICE, 'user');
    const second = await createUser(temp.db, ALICE, 'user');

    expect(second.id).toBe(first.id);
  });

  it('clears blocked_at on touch', async () => {
    const user = await createUser(temp.db, ALICE, 'user');
    await temp.db.updateTable('users').set({ blocked_at: '2026-01-01T00:00:00.000Z' }).where('id', '=', user.id).execute();

    const touched = await touchUser(temp.db, { ...user, blocked_at: '2026-01-01T00:00:00.000Z' }, ALICE);

    expect(touched.blocked_at).toBeNull();
    expect(touched.platform_username).toBe('alice_b');
    expect((await findUser(temp.db, 'telegram:1001'))?.blocked_at).toBeNull();
  });

  it('clears a dropped @username on touch', async () => {
    const user = await createUser(temp.db, ALICE, 'user');

    const touched = await touchUser(temp.db, user, { ...ALICE, username: undefined });

    expect(touched.platform_username).toBeNull();
    expect((await findUser(temp.db, 'telegram:1001'))?.platform_username).toBeNull();
  });

  it('applies ADMIN_IDS to existing users', async () => {
    await createUser(temp.db, ALICE, 'user');
    await createUser(temp.db, ADMIN, 'admin');

    expect(await applyAdminIds(temp.db, ['telegram:1001', 'telegram:42', 'discord:7'])).toBe(1);
    expect((await findUser(temp.db, 'telegram:1001'))?.role).toBe('admin');
    expect(await applyAdminIds(temp.db, [])).toBe(0);
  });
});
