import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../db/schema.js';
import { escapeMarkdown } from '../engine/markdown-escape.js';
import type { Platform } from '../engine/types.js';
import { findUser } from '../engine/users.js';
import type { CommandContext, CommandReply } from './types.js';

/** Reference to a user as an admin typed it: an exact `users.username`, or a platform @username. */
export type UserReference = { kind: 'username'; username: string } | { kind: 'handle'; handle: string };

const PLATFORM_ID = /^(telegram|discord):(\d{1,20})$/i;
const BARE_ID = /^\d{1,20}$/;
/** Discord mentions: `<@123>`, or `<@!123>` from older clients. */
const DISCORD_MENTION = /^<@!?(\d{1,20})>$/;
/** Telegram @usernames are a-z, 0-9 and _; Discord usernames also allow dots. */
const HANDLE = /^@([a-z0-9_.]{1,32})$/i;

/**
 * Parses a USER argument. Accepted forms are `telegram:123` or `discord:123`, a bare id `123`
 * on the admin's own platform, a Discord mention `<@123>`, and `@name`, a platform @username
 * as last seen on an event. Returns undefined for any other text.
 */
export function parseUserReference(input: string, adminPlatform: Platform): UserReference | undefined {
  const text = input.trim();

  const platformId = PLATFORM_ID.exec(text);
  if (platformId) return { kind: 'username', username: `${platformId[1]?.toLowerCase()}:${platformId[2]}` };

  if (BARE_ID.test(text)) return { kind: 'username', username: `${adminPlatform}:${text}` };

  const mention = DISCORD_MENTION.exec(text);
  if (mention) return { kind: 'username', username: `discord:${mention[1]}` };

  const handle = HANDLE.exec(text);
  if (handle) return { kind: 'handle', handle: (handle[1] ?? '').toLowerCase() };

  return undefined;
}

/**
 * Finds the user a reference names. An @username can belong to one account per platform, and
 * an account that gave up its name may still carry it in `platform_username` until it is seen
 * again, so the admin's platform wins, then the account seen most recently.
 */
export async function findReferencedUser(
  db: Kysely<Database>,
  reference: UserReference,
  adminPlatform: Platform,
): Promise<UserRow | undefined> {
  if (reference.kind === 'username') return findUser(db, reference.username);

  const candidates = await db
    .selectFrom('users')
    .selectAll()
    .where('platform_username', '=', reference.handle)
    .orderBy('last_seen_at', 'desc')
    .execute();
  return candidates.find((user) => user.username.startsWith(`${adminPlatform}:`)) ?? candidates[0];
}

/**
 * Resolves the USER argument of an admin command, or returns the localized error reply for
 * an invalid or unknown user.
 */
export async function resolveTargetUser(
  context: CommandContext<unknown>,
  input: string,
): Promise<{ user: UserRow; reply?: undefined } | { user?: undefined; reply: CommandReply }> {
  const reference = parseUserReference(input, context.platform);
  if (!reference) {
    return { reply: { text: context.t('admin.user_invalid', { user: escapeMarkdown(input) }), isError: true } };
  }

  const user = await findReferencedUser(context.services.db, reference, context.platform);
  if (!user) {
    return { reply: { text: context.t('admin.user_not_found', { user: escapeMarkdown(input) }), isError: true } };
  }
  return { user };
}

/** Names a user in a Markdown reply: display name, @username and `users.username`, escaped. */
export function describeUser(user: Pick<UserRow, 'username' | 'display_name' | 'platform_username'>): string {
  const parts: string[] = [];
  if (user.display_name) parts.push(escapeMarkdown(user.display_name));
  if (user.platform_username) parts.push(escapeMarkdown(`@${user.platform_username}`));
  const names = parts.join(' ');
  return names === '' ? user.username : `${names} (${user.username})`;
}
