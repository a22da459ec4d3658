import type { User } from 'grammy/types';
import type { PlatformUser } from '../../engine/types.js';

/** Translates a Telegram user into the engine's platform-neutral user. */
export function platformUserOf(from: User): PlatformUser {
  const displayName = [from.first_name, from.last_name].filter((part) => part && part.trim() !== '').join(' ');
  return {
    platform: 'telegram',
    id: String(from.id),
    displayName: displayName === '' ? undefined : displayName,
    username: from.username,
    languageCode: from.language_code,
  };
}
