import type { User } from 'discord.js';
import type { PlatformUser } from '../../engine/types.js';

/**
 * Translates a Discord user into the engine's platform-neutral user. `locale` is the
 * interaction locale; plain DMs carry none, so the engine falls back to the last one seen.
 */
export function platformUserOf(user: User, locale?: string): PlatformUser {
  return {
    platform: 'discord',
    id: user.id,
    displayName: user.globalName ?? user.username,
    username: user.username,
    languageCode: locale,
  };
}
