import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/values.js';
import type { PreferenceEntry } from './prompt-builder.js';

export type PreferenceSource = 'explicit' | 'inferred';

export async function activePreferences(db: Kysely<Database>, userId: number): Promise<PreferenceEntry[]> {
  return db
    .selectFrom('user_preferences')
    .select(['key', 'value', 'category', 'source'])
    .where('user_id', '=', userId)
    .where('is_active', '=', 1)
    .orderBy('key')
    .execute();
}

/**
 * Stores a new version of a preference: the previous active row of the key is deactivated
 * and kept as history. An inferred value never replaces an explicit one; returns false then.
 */
export async function setPreference(
  db: Kysely<Database>,
  userId: number,
  entry: { key: string; value: string; category: string; source: PreferenceSource },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('user_preferences')
      .select(['id', 'value', 'source'])
      .where('user_id', '=', userId)
      .where('key', '=', entry.key)
      .where('is_active', '=', 1)
      .executeTakeFirst();

    if (current && entry.source === 'inferred' && current.source === 'explicit') return false;
    if (current && current.value === entry.value && current.source === entry.source) return true;

    if (current) await trx.updateTable('user_preferences').set({ is_active: 0 }).where('id', '=', current.id).execute();
    await trx
      .insertInto('user_preferences')
      .values({ user_id: userId, ...entry, is_active: 1, updated_at: nowIso() })
      .execute();
    return true;
  });
}

/** Deactivates the active row of a key; returns whether there was one. */
export async function forgetPreference(db: Kysely<Database>, userId: number, key: string): Promise<boolean> {
  const result = await db
    .updateTable('user_preferences')
    .set({ is_active: 0, updated_at: nowIso() })
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .where('is_active', '=', 1)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
