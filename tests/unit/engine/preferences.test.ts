import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { activePreferences, forgetPreference, setPreference } from '../../../src/engine/preferences.js';
import { insertUser } from '../../support/db-fixtures.js';
import { createTempDatabase } from '../../support/temp-db.js';
import type { TempDatabase } from '../../support/temp-db.js';

let temp: TempDatabase;
let userId: number;
let otherUserId: number;

async function rowsFor(key: string): Promise<Array<{ value: string; source: string; is_active: number }>> {
  return temp.db
    .selectFrom('user_preferences')
    .select(['value', 'source', 'is_active'])
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .orderBy('id')
    .execute();
}

beforeEach(async () => {
  temp = await createTempDatabase();
  userId = await insertUser(temp.db, { username: 'telegram:1' });
  otherUserId = await insertUser(temp.db, { username: 'telegram:2' });
});

afterEach(async () => {
  await temp.cleanup();
});

describe('setPreference', () => {
  it('stores an active row', async () => {
    expect(await setPreference(temp.db, userId, { key: 'tone', value: 'casual', category: 'style', source: 'explicit' })).toBe(true);

    expect(await activePreferences(temp.db, userId)).toEqual([{ key: 'tone', value: 'casual', category: 'style', source: 'explicit' }]);
  });

  it('deactivates the previous version', async () => {
    await setPreference(temp.db, userId, { key: 'tone', value: 'casual', category: 'style', source: 'explicit' });
    await setPreference(temp.db, userId, { key: 'tone', value: 'formal', category: 'style', source: 'explicit' });

    expect(await rowsFor('tone')).toEqual([
      { value: 'casual', source: 'explicit', is_active: 0 },
      { value: 'formal', source: 'explicit', is_active: 1 },
    ]);
    expect((await activePreferences(temp.db, userId)).map((entry) => entry.value)).toEqual(['formal']);
  });

  it('keeps one row for an unchanged value', async () => {
    await setPreference(temp.db, userId, { key: 'tone', value: 'casual', category: 'style', source: 'explicit' });
    await setPreference(temp.db, userId, { key: 'tone', value: 'casual', category: 'style', source: 'explicit' });

    expect(await rowsFor('tone')).toHaveLength(1);
  });

  it('never lets inferred override explicit', async () => {
    await setPreference(temp.db, userId, { key: 'locale', value: 'tr', category: 'system', source: 'explicit' });

    const stored = await setPreference(temp.db, userId, { key: 'locale', value: 'en', category: 'system', source: 'inferred' });

    expect(stored).toBe(false);
    expect(await rowsFor('locale')).toEqual([{ value: 'tr', source: 'explicit', is_active: 1 }]);
  });

  it('lets explicit override inferred', async () => {
    await setPreference(temp.db, userId, { key: 'locale', value: 'en', category: 'system', source: 'inferred' });
    await setPreference(temp.db, userId, { key: 'locale', value: 'en', category: 'system', source: 'explicit' });

    expect(await rowsFor('locale')).toEqual([
      { value: 'en', source: 'inferred', is_active: 0 },
      { value: 'en', source: 'explicit', is_active: 1 },
    ]);
  });

  it('lets inferred replace inferred', async () => {
    await setPreference(temp.db, userId, { key: 'locale', value: 'en', category: 'system', source: 'inferred' });

    expect(await setPreference(temp.db, userId, { key: 'locale', value: 'tr', category: 'system', source: 'inferred' })).toBe(true);
    expect((await activePreferences(temp.db, userId)).map((entry) => entry.value)).toEqual(['tr']);
  });

  it('keeps users apart', async () => {
    await setPreference(temp.db, userId, { key: 'tone', value: 'casual', category: 'style', source: 'explicit' });
    await setPreference(temp.db, otherUserId, { key: 'tone', value: 'formal', category: 'style', source: 'explicit' });

    expect((await activePreferences(temp.db, userId)).map((entry) => entry.value)).toEqual(['casual']);
    expect((await activePreferences(temp.db, otherUserId)).map((entry) => entry.value)).toEqual(['formal']);
  });

  it('keeps one active row under concurrent writes', async () => {
    await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((value) =>
        setPreference(temp.db, userId, { key: 'tone', value, category: 'style', source: 'explicit' }),
      ),
    );

    const rows = await rowsFor('tone');
    expect(rows).toHaveLength(5);
    expect(rows.filter((row) => row.is_active === 1)).toHaveLength(1);
  });
});

describe('activePreferences', () => {
  it('sorts by key', async () => {
    await setPreference(temp.db, userId, { key: 'verbosity', value: 'short', category: 'style', source: 'explicit' });
    await setPreference(temp.db, userId, { key: 'name', value: 'Ayşe', category: 'personal', source: 'explicit' });

    expect((await activePreferences(temp.db, userId)).map((entry) => entry.key)).toEqual(['name', 'verbosity']);
  });
});

describe('forgetPreference', () => {
  it('deactivates the active row', async () => {
    await setPreference(temp.db, userId, { key: 'tone', value: 'casual', category: 'style', source: 'explicit' });

    expect(await forgetPreference(temp.db, userId, 'tone')).toBe(true);
    expect(await activePreferences(temp.db, userId)).toEqual([]);
    expect(await rowsFor('tone')).toEqual([{ value: 'casual', source: 'explicit', is_active: 0 }]);
  });

  it('returns false without an active row', async () => {
    expect(await forgetPreference(temp.db, userId, 'tone')).toBe(false);
  });

  it('leaves other users alone', async () => {
    await setPreference(temp.db, otherUserId, { key: 'tone', value: 'formal', category: 'style', source: 'explicit' });

    expect(await forgetPreference(temp.db, userId, 'tone')).toBe(false);
    expect(await activePreferences(temp.db, otherUserId)).toHaveLength(1);
  });

  it('lets inferred values return after forget', async () => {
    await setPreference(temp.db, userId, { key: 'locale', value: 'tr', category: 'system', source: 'explicit' });
    await forgetPreference(temp.db, userId, 'locale');

    expect(await setPreference(temp.db, userId, { key: 'locale', value: 'en', category: 'system', source: 'inferred' })).toBe(true);
  });
});
