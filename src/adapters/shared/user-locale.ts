import type { CommandServices } from '../../commands/types.js';
import { chooseLocale } from '../../engine/actor.js';
import { activePreferences } from '../../engine/preferences.js';
import type { Locale, PlatformUser } from '../../engine/types.js';
import { findUser, usernameFor } from '../../engine/users.js';

/** Reads the locale that `resolveActor` would pick for `user`, through the same `chooseLocale`, without writing. */
export async function readUserLocale(services: CommandServices, user: PlatformUser): Promise<Locale> {
  const row = await findUser(services.db, usernameFor(user));
  const preferences = row ? await activePreferences(services.db, row.id) : [];
  return chooseLocale(services.settings, user.languageCode, preferences);
}
