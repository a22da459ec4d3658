import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../db/schema.js';
import { nowIso } from '../db/values.js';
import type { PlatformUser } from './types.js';

/** `telegram:<id>` or `discord:<id>`: the unique `users.username` of a platform account. */
export function usernameFor(user: Pick<PlatformUser, 'platform' | 'id'>): string {
  return `${user.platform}:${user.id}`;
}

export async function findUser(db: Kysely<Database>, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function findUserById(db: Kysely<Database>, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Inserts the user, or returns the existing row when another event created it first
 * (two updates of a new user can arrive together).
 */
export async function createUser(
  db: Kysely<Database>,
  platformUser: PlatformUser,
  role: 'user' | 'admin',
): Promise<UserRow> {
  const now = nowIso();
  await db
    .insertInto('users')
    .values({
      username: usernameFor(platformUser),
      password_hash: '',
      role,
      is_banned: 0,
      selected_model: 'auto',
      bela_unlocked: 0,
      active_persona: 'standard',
      limits: '{}',
      permissions: JSON.stringify({ can_use_image: true, can_use_local_chat: false, censorship_level: 1 }),
      created_at: now,
      display_name: platformUser.displayName ?? null,
      platform_username: platformUser.username?.toLowerCase() ?? null,
      blocked_at: null,
      last_seen_at: now,
    })
    .onConflict((conflict) => conflict.column('username').doNothing())
    .execute();
  const user = await findUser(db, usernameFor(platformUser));
  if (!user) throw new Error(`User ${usernameFor(platformUser)} could not be created.`);
  return user;
}

/**
 * `last_seen_at` is refreshed at most this often when nothing else changed, which saves a
 * write on most messages and keeps "active today" accurate.
 */
export const LAST_SEEN_REFRESH_MS = 5 * 60_000;

/**
 * Records what the platform tells about the user on each event: name, @username, last seen.
 * A user who writes again has evidently unblocked the bot, so `blocked_at` is cleared.
 * Both platforms send the @username on every event of an account that has one. An event
 * without it therefore clears the stored one, because admins look users up by @username and
 * a dropped name may pass to someone else.
 */
export async function touchUser(
  db: Kysely<Database>,
  user: UserRow,
  platformUser: PlatformUser,
  clock: Date = new Date(),
): Promise<UserRow> {
  const displayName = platformUser.displayName ?? user.display_name;
  const platformUsername = platformUser.username?.toLowerCase() ?? null;
  const lastSeen = user.last_seen_at === null ? 0 : Date.parse(user.last_seen_at);
  const unchanged =
    displayName === user.display_name &&
    platformUsername === user.platform_username &&
    user.blocked_at === null &&
    clock.getTime() - lastSeen < LAST_SEEN_REFRESH_MS &&
    // A new UTC day always writes, so "active today" counts the user.
    (user.last_seen_at ?? '').slice(0, 10) === nowIso(clock).slice(0, 10);
  if (unchanged) return user;

  const now = nowIso(clock);
  await db
    .updateTable('users')
    .set({ display_name: displayName, platform_username: platformUsername, last_seen_at: now, blocked_at: null })
    .where('id', '=', user.id)
    .execute();
  return { ...user, display_name: displayName, platform_username: platformUsername, last_seen_at: now, blocked_at: null };
}

/** Gives the admin role to every listed account that exists; returns how many rows changed. */
export async function applyAdminIds(db: Kysely<Database>, adminIds: readonly string[]): Promise<number> {
  if (adminIds.length === 0) return 0;
  const result = await db
    .updateTable('users')
    .set({ role: 'admin' })
    .where('username', 'in', [...adminIds])
    .where('role', '!=', 'admin')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
