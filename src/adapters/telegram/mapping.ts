import type { Update, User } from 'grammy/types';
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

/** Chat an update belongs to, as text, or null for updates without one. */
export function telegramChatIdOf(update: Update): string | null {
  const chat =
    update.message?.chat ??
    update.edited_message?.chat ??
    update.callback_query?.message?.chat ??
    update.my_chat_member?.chat ??
    undefined;
  return chat ? String(chat.id) : null;
}
